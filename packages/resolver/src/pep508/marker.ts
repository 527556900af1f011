import { ResolverError } from '../errors.js';
import { normalizeName } from '../names.js';
import { Specifier } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import { Tokenizer } from './tokenizer.js';

/** A PEP 508 environment: marker variable → value (`extra` may be set for extras evaluation). */
export type MarkerEnvironment = Record<string, string>;

type Value = { variable: string } | { literal: string };
type MarkerOp = string;
export type MarkerNode = { lhs: Value; op: MarkerOp; rhs: Value } | MarkerNode[] | 'and' | 'or';

/** A parsed PEP 508 environment marker, evaluated against a `MarkerEnvironment`. */
export class Marker {
  private constructor(readonly source: string, private readonly nodes: MarkerNode[]) {}

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
    return evaluateNodes(this.nodes, { extra: '', ...environment }, this.source);
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
const MAX_NESTING = 100;

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
    node = { lhs, op, rhs };
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
  if (t.check('QUOTED_STRING')) return { literal: t.read().slice(1, -1) };
  return t.fail('Expected a marker variable or quoted string');
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

function compare(node: { lhs: Value; op: MarkerOp; rhs: Value }, env: MarkerEnvironment, source: string): boolean {
  const key = 'variable' in node.lhs ? node.lhs.variable : 'variable' in node.rhs ? node.rhs.variable : undefined;
  const resolve = (v: Value) => {
    if ('literal' in v) return v.literal;
    const value = env[v.variable];
    if (value === undefined) {
      throw new ResolverError('INVALID_MARKER', `Marker ${JSON.stringify(source)} uses ${v.variable}, which the target environment does not define.`);
    }
    return value;
  };
  let lhs = resolve(node.lhs);
  let rhs = resolve(node.rhs);
  // PEP 685: extra names compare normalised.
  if (key === 'extra') {
    lhs = normalizeName(lhs);
    rhs = normalizeName(rhs);
  }
  return evaluateOp(lhs, node.op, rhs, source);
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

function evaluateOp(lhs: string, op: MarkerOp, rhs: string, source: string): boolean {
  // PEP 508: when the right side is a valid version specifier, compare as PEP 440 versions.
  const spec = specifierOf(`${op}${rhs}`);
  if (spec) {
    const version = Version.tryParse(lhs);
    if (version) return spec.contains(version, true);
    // As packaging: a version comparison with a non-version on the left is an error, not a string compare.
    throw new ResolverError('INVALID_MARKER', `Marker ${JSON.stringify(source)} compares ${JSON.stringify(lhs)}, which is not a PEP 440 version, with ${op}${rhs}. Compare a version-valued variable (python_version, python_full_version, implementation_version).`);
  }
  switch (op) {
    case 'in': return rhs.includes(lhs);
    case 'not in': return !rhs.includes(lhs);
    case '==': return lhs === rhs;
    case '!=': return lhs !== rhs;
    case '<': return lhs < rhs;
    case '<=': return lhs <= rhs;
    case '>': return lhs > rhs;
    case '>=': return lhs >= rhs;
  }
  throw new ResolverError('INVALID_MARKER', `Marker ${JSON.stringify(source)} compares ${JSON.stringify(lhs)} ${op} ${JSON.stringify(rhs)}, which PEP 508 does not define. Use a version on the right of ${op}.`);
}
