import { isValidName, normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { pathComponentProblem } from './component.js';

/** Source distribution archive suffixes pip recognises (PEP 625 standardises `.tar.gz`). */
const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'];
// `{name}-{version}`: PEP 508 name characters and PEP 440 version characters (`!` epoch, `+` local).
const STEM = /^[A-Za-z0-9._+!-]+$/;

export interface SdistFilename {
  filename: string;
  name: string;
  version: string;
}

function stemOf(filename: string): string | undefined {
  if (pathComponentProblem(filename)) return undefined;
  const lower = filename.toLowerCase();
  const suffix = SDIST_SUFFIXES.find((s) => lower.endsWith(s));
  const stem = suffix ? filename.slice(0, -suffix.length) : undefined;
  return stem && STEM.test(stem) ? stem : undefined;
}

/** Every `(name, version)` split of the stem at a `-` where both sides are valid (legacy names contain `-`). */
function* splits(stem: string): Generator<{ name: string; version: string }> {
  for (let i = stem.indexOf('-'); i !== -1; i = stem.indexOf('-', i + 1)) {
    const name = stem.slice(0, i);
    const version = stem.slice(i + 1);
    if (isValidName(name) && Version.tryParse(version)) yield { name, version };
  }
}

/**
 * Parse an sdist filename for a known project. Legacy sdist names may contain `-` in both name
 * and version, so (as pip does) the split is found by matching the normalised project name.
 */
export function parseSdistFilename(filename: string, project: string): SdistFilename | undefined {
  const stem = stemOf(filename);
  if (stem === undefined) return undefined;
  const want = normalizeName(project);
  for (const { name, version } of splits(stem)) {
    if (normalizeName(name) === want) return { filename, name: want, version };
  }
  return undefined;
}

/** Why `filename` is not `{name}-{version}.{archive}` with a PEP 508 name and a PEP 440 version; undefined when it is. */
export function sdistFilenameProblem(filename: string): string | undefined {
  const component = pathComponentProblem(filename);
  if (component) return component;
  const stem = stemOf(filename);
  if (stem === undefined) return `is not "{name}-{version}" followed by ${SDIST_SUFFIXES.join(', ')}`;
  return splits(stem).next().done ? 'does not split into a PEP 508 name and a PEP 440 version' : undefined;
}
