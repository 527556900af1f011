import { isValidName } from '../names.js';

/**
 * Core metadata (METADATA / PKG-INFO, "email header" format per the Core Metadata spec):
 * headers until the first blank line, continuation lines start with whitespace.
 */
export interface CoreMetadata {
  name?: string;
  version?: string;
  requiresDist: string[];
  requiresPython?: string;
  providesExtra: string[];
}

export function parseCoreMetadata(text: string): CoreMetadata {
  const headers: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const all = (key: string) => headers.filter(([k]) => k === key).map(([, v]) => v);
  const one = (key: string) => all(key)[0];
  const result: CoreMetadata = { requiresDist: all('requires-dist'), providesExtra: all('provides-extra') };
  const name = one('name');
  const version = one('version');
  const requiresPython = one('requires-python');
  // A Name that is not a PEP 508 name is not used as one (it could reach a path or a URL).
  if (name && isValidName(name)) result.name = name;
  if (version) result.version = version;
  if (requiresPython) result.requiresPython = requiresPython;
  return result;
}
