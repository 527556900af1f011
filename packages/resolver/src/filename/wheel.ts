import { ResolverError } from '../errors.js';
import { normalizeName } from '../names.js';

/**
 * A parsed wheel filename (PEP 427 / binary distribution format):
 * `{distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`.
 * Each tag part may be a compressed set joined by `.` (PEP 425), e.g. `py2.py3-none-any`.
 */
export interface WheelFilename {
  filename: string;
  /** PEP 503 normalised. */
  name: string;
  version: string;
  build?: { number: number; tag: string };
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
  /** Every expanded `python-abi-platform` tag the wheel declares. */
  tags: string[];
}

export function parseWheelFilename(filename: string): WheelFilename {
  const parsed = tryParseWheelFilename(filename);
  if (!parsed) {
    throw new ResolverError('INVALID_FILENAME', `Invalid wheel filename ${JSON.stringify(filename)}: expected "{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl" (PEP 427).`);
  }
  return parsed;
}

export function tryParseWheelFilename(filename: string): WheelFilename | undefined {
  if (!filename.toLowerCase().endsWith('.whl')) return undefined;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  if (parts.some((p) => p === '')) return undefined;
  const [dist, version] = parts as [string, string];
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  const result: WheelFilename = {
    filename,
    name: normalizeName(dist),
    version,
    pythonTags: py.split('.'),
    abiTags: abi.split('.'),
    platformTags: plat.split('.'),
    tags: [],
  };
  if (parts.length === 6) {
    // PEP 427: the build tag must start with a digit; it sorts as (number, rest).
    const m = /^(\d+)(.*)$/.exec(parts[2] as string);
    if (!m) return undefined;
    result.build = { number: Number(m[1]), tag: m[2] as string };
  }
  for (const p of result.pythonTags) {
    for (const a of result.abiTags) {
      for (const t of result.platformTags) result.tags.push(`${p}-${a}-${t}`.toLowerCase());
    }
  }
  return result;
}
