/**
 * The subset of Python's `configparser.RawConfigParser` that pip.conf files use: `[section]`,
 * `key = value` / `key: value`, indented continuation lines, `#`/`;` full-line comments.
 * Returns section → key → value (later keys win, as configparser with strict=False).
 */
export type IniSections = Map<string, Map<string, string>>;

export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;].*)?$/.test(raw)) continue;
    if (/^\s/.test(raw) && current && lastKey !== undefined) {
      // Continuation line: configparser joins with a newline.
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${raw.trim()}`);
      continue;
    }
    const section = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (section) {
      const name = (section[1] as string).trim();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      lastKey = undefined;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && current) {
      lastKey = (kv[1] as string).trim().toLowerCase();
      current.set(lastKey, (kv[2] as string).trim());
    }
  }
  return sections;
}
