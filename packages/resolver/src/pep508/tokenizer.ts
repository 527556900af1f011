import { ResolverError, type ResolverErrorCode } from '../errors.js';
import { SPECIFIER_VERSION_SOURCE, type Operator } from '../pep440/specifier.js';

// The token rules of packaging's PEP 508 parser (`packaging._tokenizer.DEFAULT_RULES`, packaging 26: `extras` and
// `dependency_groups` are PEP 751 lock-file variables).
// Sticky regexes so `\b` sees the character before the position, as Python's `match(s, pos)` does.
const SPECIFIER_OPERATORS: Operator[] = ['~=', '==', '!=', '<=', '>=', '<', '>', '==='];
const RULES = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /(?:'[^']*')|(?:"[^"]*")/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: /\b(?:or|and)\b/y,
  IN: /\bin\b/y,
  NOT: /\bnot\b/y,
  VARIABLE:
    /\b(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)\b/y,
  // Python tries the operators in this order and backtracks into the next one when the version fails.
  SPECIFIER: new RegExp(
    SPECIFIER_OPERATORS.map((op) => `(?:${op}\\s*(?:${SPECIFIER_VERSION_SOURCE[op]}))`).join('|'),
    'iy',
  ),
  // packaging ≥ 26: a whole specifier list (printable ASCII and tabs) ending at `;`, `)` or the end, for SpecifierSet in one pass.
  SPECIFIER_LIST: /[\t\x20-\x28\x2a-\x3a\x3c-\x7e]*(?=[;)]|$)/y,
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: /\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b/y,
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
  END: /$/y,
} as const;

export type TokenName = keyof typeof RULES;

/** A cursor over a PEP 508 string; `check` peeks, `read` consumes what `check` matched. */
export class Tokenizer {
  position = 0;
  private matched: { name: TokenName; text: string } | undefined;

  constructor(
    readonly source: string,
    private readonly errorCode: ResolverErrorCode,
  ) {}

  check(name: TokenName): boolean {
    const re = RULES[name];
    re.lastIndex = this.position;
    const m = re.exec(this.source);
    this.matched = m ? { name, text: m[0] } : undefined;
    return m !== null;
  }

  /** The text the last successful `check` matched, without consuming it. */
  peek(): string {
    if (!this.matched) throw new Error('Tokenizer.peek() without a successful check()');
    return this.matched.text;
  }

  read(): string {
    if (!this.matched) throw new Error('Tokenizer.read() without a successful check()');
    const text = this.matched.text;
    this.position += text.length;
    this.matched = undefined;
    return text;
  }

  consume(name: TokenName): void {
    if (this.check(name)) this.read();
  }

  expect(name: TokenName, expected: string): string {
    if (!this.check(name)) this.fail(`Expected ${expected}`);
    return this.read();
  }

  fail(message: string, at = this.position): never {
    const what = this.errorCode === 'INVALID_MARKER' ? 'marker' : 'requirement';
    throw new ResolverError(
      this.errorCode,
      `Invalid ${what} ${JSON.stringify(this.source)}: ${message} at position ${at} (PEP 508), e.g. 'name[extra]>=1.0; python_version >= "3.9"'.`,
    );
  }

  /** Parse `body`, optionally wrapped in `open` … `close` (packaging's `enclosing_tokens`). */
  enclosed<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    if (!this.check(open)) return body();
    const start = this.position;
    this.read();
    const result = body();
    if (!this.check(close))
      this.fail(
        `Expected matching ${close === 'RIGHT_PARENTHESIS' ? ')' : ']'} for the one opened at ${start}, after ${around}`,
      );
    this.read();
    return result;
  }
}
