import { ResolverError } from '../errors.js';
import { normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { pathComponentProblem } from './component.js';

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

// PEP 427 (binary distribution format, "escaping and Unicode"): the name is the PEP 508 name with
// runs of `-_.` replaced by `_`; we accept any PEP 508 name without `-`.
const NAME_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/;
// A PEP 440 version has no `-` once normalised; these are the characters Version.parse accepts there.
const VERSION_PART = /^[A-Za-z0-9.!+_]+$/;
// PEP 427: the build tag starts with a digit.
const BUILD_PART = /^(\d+)([A-Za-z0-9._]*)$/;
// PEP 425: tags are alphanumeric with `_` (sysconfig's platform with `-`/`.` replaced); `.` joins a compressed set.
const TAG_PART = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

export function parseWheelFilename(filename: string): WheelFilename {
  const parsed = tryParseWheelFilename(filename);
  if (!parsed) {
    throw new ResolverError(
      'INVALID_FILENAME',
      `Invalid wheel filename ${JSON.stringify(filename.slice(0, 300))}: it ${wheelFilenameProblem(filename)} (PEP 427: "{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl").`,
    );
  }
  return parsed;
}

/** The dash-separated parts of a PEP 427 wheel filename (5 or 6), or why it is not one. */
function wheelParts(filename: string): string[] | string {
  const component = pathComponentProblem(filename);
  if (component) return component;
  if (!filename.endsWith('.whl')) return 'does not end in .whl';
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return `has ${parts.length} dash-separated parts, not 5 or 6`;
  const [dist, version] = parts as [string, string];
  if (!NAME_PART.test(dist)) return `has the name ${JSON.stringify(dist)}, which is not a PEP 508 name`;
  if (!VERSION_PART.test(version) || !Version.tryParse(version))
    return `has the version ${JSON.stringify(version)}, which is not a PEP 440 version`;
  if (parts.length === 6 && !BUILD_PART.test(parts[2] as string))
    return `has the build tag ${JSON.stringify(parts[2])}, which does not start with a digit`;
  for (let i = parts.length - 3; i < parts.length; i++)
    if (!TAG_PART.test(parts[i] as string))
      return `has the tag ${JSON.stringify(parts[i])}, which is not a PEP 425 tag`;
  return parts;
}

/** Why `filename` is not a PEP 427 wheel filename, or undefined when it is one. */
export function wheelFilenameProblem(filename: string): string | undefined {
  const parts = wheelParts(filename);
  return typeof parts === 'string' ? parts : undefined;
}

// A dist part as written → its PEP 503 name: a page lists the same spelling for every file.
let lastDist = '';
let lastName = '';

export function tryParseWheelFilename(filename: string): WheelFilename | undefined {
  const parts = wheelParts(filename);
  if (typeof parts === 'string') return undefined;
  const [dist, version] = parts as [string, string];
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  if (dist !== lastDist) {
    lastName = normalizeName(dist);
    lastDist = dist;
  }
  const result: WheelFilename = {
    filename,
    name: lastName,
    version,
    pythonTags: py.split('.'),
    abiTags: abi.split('.'),
    platformTags: plat.split('.'),
    tags: [],
  };
  if (parts.length === 6) {
    const m = BUILD_PART.exec(parts[2] as string)!;
    result.build = { number: Number(m[1]), tag: m[2] as string };
  }
  const lower = py === py.toLowerCase() && abi === abi.toLowerCase() && plat === plat.toLowerCase();
  for (const p of result.pythonTags) {
    for (const a of result.abiTags) {
      for (const t of result.platformTags) {
        const tag = `${p}-${a}-${t}`;
        result.tags.push(lower ? tag : tag.toLowerCase());
      }
    }
  }
  return result;
}
