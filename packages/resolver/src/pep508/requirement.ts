import { ResolverError } from '../errors.js';
import { normalizeName } from '../names.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Marker, type MarkerEnvironment } from './marker.js';
import { Tokenizer } from './tokenizer.js';

const parsed = new Map<string, Requirement>();
const MAX_PARSED = 20_000;

/** A PEP 508 dependency specifier: `name[extras] specifiers ; marker` or `name[extras] @ url ; marker`. */
export class Requirement {
  private constructor(
    readonly source: string,
    /** As written. */
    readonly name: string,
    /** As written; compare with `normalizeName` (PEP 685). */
    readonly extras: readonly string[],
    readonly specifier: SpecifierSet,
    readonly url: string | undefined,
    readonly marker: Marker | undefined,
  ) {}

  /** PEP 503 normalised name. */
  get key(): string {
    return normalizeName(this.name);
  }

  /** Extras normalised per PEP 685. */
  get normalizedExtras(): string[] {
    return [...new Set(this.extras.map(normalizeName))];
  }

  /** Does this requirement apply in `env` (with `extra` set to each of `extras`, or none)? */
  appliesTo(env: MarkerEnvironment, extras: readonly string[] = []): boolean {
    if (!this.marker) return true;
    if (extras.length === 0) return this.marker.evaluate({ ...env, extra: '' });
    return extras.some((extra) => this.marker!.evaluate({ ...env, extra }));
  }

  /**
   * Parse `text` (PEP 508). Parses are kept by text: a resolve reads the same Requires-Dist lines
   * again for each release that lists them, each target and (universal) each environment, and a
   * Requirement is immutable. Bounded for long-lived processes; failures are not kept.
   */
  static parse(text: string): Requirement {
    const known = parsed.get(text);
    if (known) return known;
    const requirement = Requirement.read(text);
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(text, requirement);
    return requirement;
  }

  private static read(text: string): Requirement {
    const t = new Tokenizer(text, 'INVALID_REQUIREMENT');
    t.consume('WS');
    const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
    t.consume('WS');
    const extras = parseExtras(t);
    t.consume('WS');
    let url: string | undefined;
    let specifier = '';
    let marker: Marker | undefined;
    if (t.check('AT')) {
      t.read();
      t.consume('WS');
      url = t.expect('URL', 'URL after @');
      if (!t.check('END')) {
        t.expect('WS', 'whitespace after URL');
        if (!t.check('END')) marker = parseRequirementMarker(t);
      }
    } else {
      specifier = parseSpecifier(t);
      t.consume('WS');
      if (!t.check('END')) marker = parseRequirementMarker(t);
    }
    t.expect('END', 'end of dependency specifier');
    let specifiers: SpecifierSet;
    try {
      specifiers = new SpecifierSet(specifier);
    } catch (err) {
      // `===` takes everything up to whitespace, commas included, so a bad clause can surface here.
      throw new ResolverError(
        'INVALID_REQUIREMENT',
        `Invalid requirement ${JSON.stringify(text)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return new Requirement(text, name, [...new Set(extras)], specifiers, url, marker);
  }

  toString(): string {
    let s = this.name;
    if (this.extras.length) s += `[${[...this.extras].sort().join(',')}]`;
    if (this.specifier.specifiers.length) s += this.specifier.toString();
    if (this.url) s += ` @ ${this.url}${this.marker ? ' ' : ''}`;
    if (this.marker) s += `; ${this.marker}`;
    return s;
  }
}

function parseExtras(t: Tokenizer): string[] {
  if (!t.check('LEFT_BRACKET')) return [];
  return t.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    t.consume('WS');
    const extras: string[] = [];
    if (t.check('IDENTIFIER')) {
      extras.push(t.read());
      for (;;) {
        t.consume('WS');
        if (t.check('IDENTIFIER')) t.fail('Expected comma between extra names');
        if (!t.check('COMMA')) break;
        t.read();
        t.consume('WS');
        extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
      }
    }
    t.consume('WS');
    return extras;
  });
}

/**
 * As packaging ≥ 26 (`_try_parse_specifier_set`): the rest of the list read by SpecifierSet in one
 * pass (so `===` takes a clause up to its comma), accepted when every comma separates two clauses
 * (one trailing comma allowed); else undefined and the clause-by-clause grammar decides.
 */
function specifierList(t: Tokenizer): string | undefined {
  if (!t.check('SPECIFIER_LIST')) return undefined;
  const text = t.peek();
  if (!text) return undefined;
  try {
    new SpecifierSet(text);
  } catch {
    return undefined;
  }
  const clauses = text.split(',').filter((s) => s.trim()).length;
  const commas = text.split(',').length - 1;
  if (clauses !== commas + 1 && !(clauses > 0 && clauses === commas && text.trimEnd().endsWith(','))) return undefined;
  return t.read();
}

function parseSpecifier(t: Tokenizer): string {
  return t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
    t.consume('WS');
    const list = specifierList(t);
    if (list !== undefined) return list;
    let text = '';
    while (t.check('SPECIFIER')) {
      text += t.read();
      if (t.check('VERSION_PREFIX_TRAIL')) t.fail('.* suffix can only be used with `==` or `!=` operators');
      if (t.check('VERSION_LOCAL_LABEL_TRAIL'))
        t.fail('Local version label can only be used with `==` or `!=` operators');
      t.consume('WS');
      if (!t.check('COMMA')) break;
      text += t.read();
      t.consume('WS');
    }
    t.consume('WS');
    return text;
  });
}

function parseRequirementMarker(t: Tokenizer): Marker {
  if (!t.check('SEMICOLON')) t.fail('Expected end or semicolon (after version specifier or URL)');
  t.read();
  const start = t.position;
  const marker = Marker.fromTokenizer(t, start);
  t.consume('WS');
  return marker;
}
