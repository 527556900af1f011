import { ResolverError } from '../errors.js';
import { normalizeName } from '../names.js';
import { Specifier } from '../pep440/specifier.js';
import { Tokenizer } from './tokenizer.js';

/** A PEP 508 environment: marker variable → value (`extra` may be set for extras evaluation). */
export type MarkerEnvironment = Record<string, string>;

type Value = { variable: string } | { literal: string };
type MarkerOp = string;
export type MarkerNode = { lhs: Value; op: MarkerOp; rhs: Value } | MarkerNode[] | 'and' | 'or';

/** A parsed PEP 508 environment marker, evaluated against a `MarkerEnvironment`. */
export class Marker {
  private constructor(
    readonly source: string,
    private readonly nodes: MarkerNode[],
  ) {}

  static parse(text: string): Marker {
    const t = new Tokenizer(text, 'INVALID_MARKER');
    const nodes = parseMarker(t);
    t.expect('END', 'end of marker expression');
    return new Marker(text.trim(), nodes);
  }

  /** @internal used by the requirement parser, which shares the tokenizer. */
  static fromTokenizer(t: Tokenizer, start: number): Marker {
    const nodes = parseMarker(t);
    return new Marker(t.source.slice(start, t.position).trim(), nodes);
  }

  /** Evaluate; `extra` defaults to "" (packaging's behaviour when no extra is being installed). */
  evaluate(environment: MarkerEnvironment): boolean {
    return evaluateNodes(this.nodes, prepareEnvironment(environment), this.source);
  }

  /** True when the marker mentions the `extra` variable. */
  get mentionsExtra(): boolean {
    return /\bextra\b/.test(this.source);
  }

  toString(): string {
    return this.source;
  }
}

// PEP 508 grammar, as packaging's `_parser`: marker = atom (BOOLOP atom)*; `and` binds tighter (see evaluate).
function parseMarker(t: Tokenizer, depth = 0): MarkerNode[] {
  const nodes: MarkerNode[] = [parseAtom(t, depth)];
  while (t.check('BOOLOP')) {
    nodes.push(t.read() as 'and' | 'or', parseAtom(t, depth));
  }
  return nodes;
}

// Parsing and evaluation recurse once per parenthesis: bound the depth so hostile input gets
// INVALID_MARKER instead of a stack overflow (real markers nest a few levels).
const MAX_NESTING = 200; // packaging ≥ 26 (`_MAX_MARKER_NESTING`, as CPython's parser)

function parseAtom(t: Tokenizer, depth: number): MarkerNode {
  t.consume('WS');
  let node: MarkerNode;
  if (t.check('LEFT_PARENTHESIS')) {
    if (depth >= MAX_NESTING) t.fail(`Parentheses nested deeper than ${MAX_NESTING} levels`);
    node = t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      t.consume('WS');
      const inner = parseMarker(t, depth + 1);
      t.consume('WS');
      return inner;
    });
  } else {
    t.consume('WS');
    const lhs = parseValue(t);
    t.consume('WS');
    const op = parseOp(t);
    t.consume('WS');
    const rhs = parseValue(t);
    t.consume('WS');
    node = normalizeExtraLiteral({ lhs, op, rhs });
  }
  t.consume('WS');
  return node;
}

function parseValue(t: Tokenizer): Value {
  if (t.check('VARIABLE')) {
    const name = t.read().replace('.', '_');
    // PEP 508: `python_implementation` is the legacy spelling of `platform_python_implementation`.
    return { variable: name === 'python_implementation' ? 'platform_python_implementation' : name };
  }
  if (t.check('QUOTED_STRING')) {
    const at = t.position;
    const literal = pythonString(t.read());
    return literal === undefined ? t.fail('Invalid quoted string', at) : { literal };
  }
  return t.fail('Expected a marker variable or quoted string');
}

// Python's str.isprintable(): false for controls, format, surrogates, private use, unassigned and separators but ' '.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * The value of a quoted marker string, as packaging ≥ 26 (`ast.literal_eval` of the quoted text when
 * it has a backslash or a non-printable character): Python escapes are decoded, a raw line break or
 * NUL is an error (undefined). `\N{name}` needs Unicode's name table: rejected (README).
 */
function pythonString(quoted: string): string | undefined {
  const body = quoted.slice(1, -1);
  if (!body.includes('\\') && !NOT_PRINTABLE.test(body.replace(/ /g, 'x'))) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\n' || c === '\r' || c === '\0') return undefined;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined; // the backslash escapes the closing quote
    if (e === '\r') {
      if (body[i + 1] === '\n') i++; // a backslash continues the string over the line break
      continue;
    }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCodePoint(Number.parseInt(digits, 8));
      i += digits.length - 1;
      continue;
    }
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = body.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined;
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) return undefined;
      out += String.fromCodePoint(code);
      i += width;
      continue;
    }
    if (e === 'N') return undefined;
    out += `\\${e}`; // Python keeps an unknown escape as written (with a SyntaxWarning)
  }
  return out;
}

function parseOp(t: Tokenizer): MarkerOp {
  if (t.check('IN')) {
    t.read();
    return 'in';
  }
  if (t.check('NOT')) {
    t.read();
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  if (t.check('OP')) return t.read();
  return t.fail('Expected a marker operator (==, !=, <, <=, >, >=, ~=, ===, in, not in)');
}

function evaluateNodes(nodes: MarkerNode[], env: MarkerEnvironment, source: string): boolean {
  // packaging: split on `or` into groups; a group is true when all its items are.
  const groups: boolean[][] = [[]];
  for (const node of nodes) {
    if (node === 'or') groups.push([]);
    else if (node === 'and') continue;
    else if (Array.isArray(node)) groups[groups.length - 1]!.push(evaluateNodes(node, env, source));
    else groups[groups.length - 1]!.push(compare(node, env, source));
  }
  return groups.some((g) => g.every(Boolean));
}

// packaging ≥ 26 (`MARKERS_REQUIRING_VERSION`): only these are compared as PEP 440 versions.
const VERSION_VARIABLES = new Set([
  'implementation_version',
  'platform_release',
  'python_full_version',
  'python_version',
]);

/** As packaging's `Marker.evaluate`: `extra` normalised (PEP 685), a `python_full_version` ending in `+` made PEP 440 (`+local`). */
function prepareEnvironment(environment: MarkerEnvironment): MarkerEnvironment {
  const env: MarkerEnvironment = { ...environment, extra: environment.extra ? normalizeName(environment.extra) : '' };
  if (env.python_full_version?.endsWith('+')) env.python_full_version += 'local';
  return env;
}

/** PEP 685: the literal compared with `extra` is normalised once, at parse time (as packaging). */
function normalizeExtraLiteral(node: { lhs: Value; op: MarkerOp; rhs: Value }): {
  lhs: Value;
  op: MarkerOp;
  rhs: Value;
} {
  const { lhs, rhs } = node;
  if ('variable' in lhs && lhs.variable === 'extra' && 'literal' in rhs)
    return { ...node, rhs: { literal: normalizeName(rhs.literal) } };
  if ('variable' in rhs && rhs.variable === 'extra' && 'literal' in lhs)
    return { ...node, lhs: { literal: normalizeName(lhs.literal) } };
  return node;
}

function compare(node: { lhs: Value; op: MarkerOp; rhs: Value }, env: MarkerEnvironment, source: string): boolean {
  const lookup = (variable: string) => {
    const value = env[variable];
    if (value === undefined) {
      throw new ResolverError(
        'INVALID_MARKER',
        `Marker ${JSON.stringify(source)} uses ${variable}, which the target environment does not define.`,
      );
    }
    return value;
  };
  // As packaging: the environment key is the left variable, else the right side (a variable, or a
  // literal naming one); the other side is taken as written, even when it is a variable.
  const text = (v: Value) => ('variable' in v ? v.variable : v.literal);
  if ('variable' in node.lhs)
    return evaluateOp(node.lhs.variable, lookup(node.lhs.variable), node.op, text(node.rhs), source);
  const key = text(node.rhs);
  return evaluateOp(key, node.lhs.literal, node.op, lookup(key), source);
}

// `op rhs` as a PEP 440 specifier, or null when it is not one (e.g. `== 'win32'`): memoised, as
// the same few comparisons are evaluated for every Requires-Dist line and a failed parse throws.
const specifiers = new Map<string, Specifier | null>();

function specifierOf(text: string): Specifier | undefined {
  let spec = specifiers.get(text);
  if (spec === undefined) {
    try {
      spec = new Specifier(text);
    } catch {
      spec = null;
    }
    if (specifiers.size >= 10_000) specifiers.clear();
    specifiers.set(text, spec);
  }
  return spec ?? undefined;
}

function evaluateOp(key: string, lhs: string, op: MarkerOp, rhs: string, source: string): boolean {
  // PEP 508: a version-valued variable compares as PEP 440 when `op rhs` is a valid specifier;
  // a value that is not a version then matches nothing (packaging ≥ 26: `platform_release >= "5.10"`
  // with "6.1.0-18-amd64" is false, not an error).
  if (VERSION_VARIABLES.has(key)) {
    const spec = specifierOf(`${op}${rhs}`);
    if (spec) return spec.containsText(lhs);
  }
  // Otherwise strings; packaging ≥ 26 defines only equality for the ordering operators.
  switch (op) {
    case 'in':
      return rhs.includes(lhs);
    case 'not in':
      return !rhs.includes(lhs);
    case '==':
    case '<=':
    case '>=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
    case '>':
      return false;
  }
  throw new ResolverError(
    'INVALID_MARKER',
    `Marker ${JSON.stringify(source)} compares ${JSON.stringify(lhs)} ${op} ${JSON.stringify(rhs)}, which PEP 508 does not define. Use a version on the right of ${op}.`,
  );
}
