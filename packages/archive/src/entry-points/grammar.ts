// Entry points (PyPA entry points specification) and the names that become files. The same rules as
// the runtime's `names.py`, so what the build accepts the runtime and its venv tool accept too.

/**
 * A script name (console_scripts / gui_scripts, the `script` option) becomes a file in `bin/`: one
 * safe path component — no '/', '\\', NUL, whitespace, leading '-' or '.' (so never '.' or '..') —
 * at most 255 characters.
 */
export const SCRIPT_NAME_GRAMMAR = '[A-Za-z0-9_][A-Za-z0-9._+-]*';
const SCRIPT_NAME = new RegExp(`^${SCRIPT_NAME_GRAMMAR}$`);

export function isScriptName(name: string): boolean {
  return name.length <= 255 && SCRIPT_NAME.test(name);
}

// Python identifiers (a close approximation of str.isidentifier(): XID_Start/XID_Continue) minus keywords.
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
const EXTRA = /^[A-Za-z0-9._-]+$/;

function isDotted(text: string): boolean {
  return text.split('.').every((part) => IDENTIFIER.test(part) && !KEYWORDS.has(part));
}

export interface ObjectReference {
  module: string;
  /** The attribute path after ':', empty for a module reference. */
  attributes: string[];
  extras: string[];
}

/** `module.sub` or `module.sub:attr.attr`, optionally followed by `[extra, ...]` (the spec's object reference). */
export function parseObjectReference(value: string): ObjectReference | undefined {
  if (/[\0\r\n]/.test(value)) return undefined;
  let text = value.trim();
  let extras: string[] = [];
  if (text.endsWith(']')) {
    const open = text.indexOf('[');
    if (open < 0) return undefined;
    extras = text
      .slice(open + 1, -1)
      .split(',')
      .map((extra) => extra.trim());
    if (!extras.every((extra) => EXTRA.test(extra))) return undefined;
    text = text.slice(0, open).trim();
  }
  const colon = text.indexOf(':');
  const module = (colon < 0 ? text : text.slice(0, colon)).trim();
  const attribute = colon < 0 ? undefined : text.slice(colon + 1).trim();
  if (!isDotted(module) || (attribute !== undefined && !isDotted(attribute))) return undefined;
  return { module, attributes: attribute === undefined ? [] : attribute.split('.'), extras };
}

/** An entry point group name: a dotted name of word characters (`console_scripts`, `pytest11`, `my.plugins`). */
export function isGroupName(name: string): boolean {
  return /^\w+(?:\.\w+)*$/u.test(name);
}

/** Entry names outside the script groups: anything but '=', no line breaks, no surrounding whitespace, not starting with '['. */
export function isEntryName(name: string): boolean {
  return name !== '' && name.trim() === name && !/[=\0\r\n]/.test(name) && !name.startsWith('[');
}

export const SCRIPT_GROUPS = ['console_scripts', 'gui_scripts'] as const;

/** The `name = value` items of `[section]` in an entry_points.txt (INI), unchecked. */
export function entryPointItems(text: string, section: string): { name: string; value: string }[] {
  const items: { name: string; value: string }[] = [];
  let current: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[') && line.endsWith(']')) current = line.slice(1, -1).trim();
    else if (current === section && line.includes('=')) {
      const at = line.indexOf('=');
      items.push({ name: line.slice(0, at).trim(), value: line.slice(at + 1).trim() });
    }
  }
  return items;
}

/** A script entry that the runtime would write or run: a safe name and a `module:attribute` value. */
export function isValidScriptEntry(name: string, value: string): boolean {
  const reference = parseObjectReference(value);
  return isScriptName(name) && reference !== undefined && reference.attributes.length > 0;
}
