import { isDeepStrictEqual } from 'node:util';
import { tomlString } from '@nx-pex/common';
import { parse } from 'smol-toml';
import { PluginError } from '../../utils/errors.js';

// Small TOML writers for the generators, on @nx-pex/common's basic-string writer (the pylock.toml writer's too).

/** A TOML array of basic strings, one per line. */
export function tomlStringArray(values: readonly string[]): string {
  if (values.length === 0) return '[]';
  return `[\n${values.map((v) => `  ${tomlString(v)},`).join('\n')}\n]`;
}

/** `key = "value"` lines of a table, in the given order; bare keys only (what the generators write). */
export function tomlTable(header: string, entries: Record<string, string>): string {
  const lines = Object.entries(entries).map(([key, value]) => `${key} = ${tomlString(value)}`);
  return [`[${header}]`, ...lines].join('\n');
}

type Table = Record<string, unknown>;

function parseDocument(text: string, file: string): Table {
  try {
    return parse(text) as Table;
  } catch (e) {
    throw new PluginError('INVALID_PYPROJECT', `${file}: not valid TOML: ${(e as Error).message.split('\n')[0]}`);
  }
}

function lineEnding(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

// A table header line `[a.b]` (not `[[a.b]]`), with optional spaces and a trailing comment.
function headerPattern(path: readonly string[]): RegExp {
  const key = (k: string) => `(?:${escapeRegExp(k)}|"${escapeRegExp(k)}"|'${escapeRegExp(k)}')`;
  return new RegExp(`^[ \\t]*\\[[ \\t]*${path.map(key).join('[ \\t]*\\.[ \\t]*')}[ \\t]*\\][ \\t]*(#.*)?$`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

// The start of any table or array-of-tables header: `[name` or `[[name`, keys being bare or quoted.
const ANY_HEADER = /^[ \t]*\[{1,2}[ \t]*[A-Za-z0-9_"'-]/;

/** The value at `path` in a parsed TOML document, or undefined. */
export function tomlGet(doc: Table, path: readonly string[]): unknown {
  let value: unknown = doc;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Table)[key];
  }
  return value;
}

function withTable(doc: Table, path: readonly string[], table: Table): Table {
  const [head, ...rest] = path;
  if (head === undefined) return table;
  const child = doc[head];
  const childTable = typeof child === 'object' && child !== null && !Array.isArray(child) ? (child as Table) : {};
  return { ...doc, [head]: withTable(childTable, rest, table) };
}

/**
 * Sets the table at `path` (e.g. ['tool', 'nx-pex']) in `text` without rewriting the rest of the file:
 * an existing `[tool.nx-pex]` section (header to the next header) is replaced in place, otherwise the
 * table is appended. Comments, order and formatting elsewhere are kept byte for byte, and so are the
 * file's line endings. The result is parsed again and must equal the original document with only
 * that table changed; when it does not (the table was defined some other way, e.g. with dotted keys
 * or an inline table), this refuses rather than guess.
 */
export function setTomlTable(
  text: string,
  path: readonly string[],
  entries: Record<string, string>,
  file: string,
): string {
  const before = parseDocument(text, file);
  const eol = lineEnding(text);
  const table = tomlTable(path.join('.'), entries).split('\n').join(eol);
  const lines = text.split(/\r?\n/);
  const header = headerPattern(path);
  const at = lines.findIndex((line) => header.test(line));
  let result: string;
  if (at >= 0) {
    let end = at + 1;
    while (end < lines.length && !ANY_HEADER.test(lines[end]!)) end++;
    // Keep the blank lines and comments that lead into the next table with it.
    while (end > at + 1 && /^[ \t]*(#.*)?$/.test(lines[end - 1]!)) end--;
    result = [...lines.slice(0, at), ...table.split(eol), ...lines.slice(end)].join(eol);
  } else {
    const body = text.replace(/(\r?\n)*$/, '');
    result = body.length === 0 ? `${table}${eol}` : `${body}${eol}${eol}${table}${eol}`;
  }
  let after: Table;
  try {
    after = parse(result) as Table;
  } catch {
    after = {};
  }
  // smol-toml's tables have a null prototype: compare plain copies.
  if (!isDeepStrictEqual(structuredClone(after), structuredClone(withTable(before, path, { ...entries })))) {
    throw new PluginError(
      'UNSAFE_EDIT',
      `${file}: cannot add [${path.join('.')}] without rewriting other parts of the file (it is defined with dotted keys or an inline table there). Edit it by hand: put the keys under a [${path.join('.')}] table.`,
    );
  }
  return result;
}

export { parseDocument as parseTomlDocument };
