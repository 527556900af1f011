import { ResolverError } from '../errors.js';
import { Version } from '../pep440/version.js';
import { MAX_COMPONENT_BYTES, pathComponentProblem } from './component.js';
import { lastNormalized } from './name-memo.js';

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
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?';
// A PEP 440 version has no `-` once normalised; these are the characters Version.parse accepts there.
const VERSION = '[A-Za-z0-9.!+_]+';
// PEP 427: the build tag starts with a digit.
const BUILD = '[0-9][A-Za-z0-9._]*';
// PEP 425: tags are alphanumeric with `_` (sysconfig's platform with `-`/`.` replaced); `.` joins a compressed set.
const TAG = '[A-Za-z0-9_]+(?:\\.[A-Za-z0-9_]+)*';
const NAME_PART = new RegExp(`^${NAME}$`);
const VERSION_PART = new RegExp(`^${VERSION}$`);
// The number and the rest (PEP 427: sorted as a tuple).
const BUILD_PART = /^(\d+)([A-Za-z0-9._]*)$/;
const TAG_PART = new RegExp(`^${TAG}$`);
// The whole name at once (no part has a `-`, so the parts are found as a split would find them). Its
// characters are printable ASCII without a separator: a path component, once short enough.
// Index pages list tens of thousands of wheels, checked before any is used: one native match each
// (a scan in JavaScript costs several times more in the cold code of a single resolution).
const WHEEL_FILENAME = new RegExp(`^${NAME}-${VERSION}(?:-${BUILD})?(?:-${TAG}){3}\\.whl$`);

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

/** Why `filename` is not a PEP 427 wheel filename, or undefined when it is one. */
export function wheelFilenameProblem(filename: string): string | undefined {
  if (
    filename.length <= MAX_COMPONENT_BYTES &&
    WHEEL_FILENAME.test(filename) &&
    Version.tryParse(versionPart(filename))
  )
    return undefined;
  // Which rule it breaks, part by part.
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
  return undefined;
}

/** The second dash-separated part of a wheel filename. */
function versionPart(filename: string): string {
  const start = filename.indexOf('-') + 1;
  return filename.slice(start, filename.indexOf('-', start));
}

/** A dist part as written → its PEP 503 name. */
const distName = lastNormalized();

/**
 * The version part of `filename` (as written) when it is a PEP 427 wheel filename of the project
 * `name` (PEP 503 normalised), else undefined: what grouping a page by release needs of a wheel,
 * checked as fully as `tryParseWheelFilename` checks it (unless `checked`: `wheelFilenameProblem`
 * found none already), without building its tags.
 */
export function wheelVersionOf(filename: string, name: string, checked = false): string | undefined {
  if (!checked && wheelFilenameProblem(filename) !== undefined) return undefined;
  const d1 = filename.indexOf('-');
  if (distName(filename.slice(0, d1)) !== name) return undefined;
  return versionPart(filename);
}

/** The python, abi and platform tag sets of a PEP 427 wheel filename as it writes them (`py2.py3-none-any`). */
export function wheelTagSets(filename: string): string {
  const end = filename.length - 4;
  const platform = filename.lastIndexOf('-', end);
  const abi = filename.lastIndexOf('-', platform - 1);
  return filename.slice(filename.lastIndexOf('-', abi - 1) + 1, end);
}

export function tryParseWheelFilename(filename: string): WheelFilename | undefined {
  if (wheelFilenameProblem(filename) !== undefined) return undefined;
  const parts = filename.slice(0, -4).split('-');
  const [dist, version] = parts as [string, string];
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  const result: WheelFilename = {
    filename,
    name: distName(dist),
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
