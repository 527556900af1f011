import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** One `.netrc` entry: `machine` (undefined for `default`), `login`, `password`. */
export interface NetrcEntry {
  machine?: string;
  login: string;
  password: string;
}

/**
 * Parse `.netrc` text as Python's `netrc` module (which pip uses through requests): whitespace-separated
 * tokens, `machine <host>` / `default` start an entry, `login`, `password`, `account` set fields,
 * `macdef` skips to the next blank line, `#` starts a comment. Quoted tokens keep their spaces.
 */
export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  let current: { machine?: string; login?: string; password?: string } | undefined;
  const flush = () => {
    if (current && (current.login !== undefined || current.password !== undefined)) {
      entries.push({
        ...(current.machine !== undefined ? { machine: current.machine } : {}),
        login: current.login ?? '',
        password: current.password ?? '',
      });
    }
  };
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const tokens = tokenize(lines[li]!);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t === 'machine') {
        flush();
        current = { machine: tokens[++i] ?? '' };
      } else if (t === 'default') {
        flush();
        current = {};
      } else if (t === 'login' || t === 'user') {
        if (current) current.login = tokens[++i] ?? '';
      } else if (t === 'password') {
        if (current) current.password = tokens[++i] ?? '';
      } else if (t === 'account') {
        i++;
      } else if (t === 'macdef') {
        // A macro runs to the next empty line.
        while (li + 1 < lines.length && lines[li + 1]!.trim() !== '') li++;
        break;
      }
    }
  }
  flush();
  return entries;
}

function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m[2]?.startsWith('#') && out.length === 0) break; // comment line
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  }
  return out;
}

/** Entries from `$NETRC`, else `~/.netrc`; none when the file is absent or unreadable. `file: false` disables. */
export function loadNetrc(file: string | false | undefined, env: Record<string, string | undefined>): NetrcEntry[] {
  if (file === false) return [];
  const path = file ?? env.NETRC ?? join(env.HOME ?? homedir(), '.netrc');
  try {
    return parseNetrc(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/** The entry for `host` (exact machine name), else the `default` entry. */
export function netrcFor(entries: NetrcEntry[], host: string): NetrcEntry | undefined {
  return entries.find((e) => e.machine === host) ?? entries.find((e) => e.machine === undefined);
}
