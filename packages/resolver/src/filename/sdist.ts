import { isValidName } from '../names.js';
import { Version } from '../pep440/version.js';
import { MAX_COMPONENT_BYTES, pathComponentProblem } from './component.js';
import { lastNormalized } from './name-memo.js';

/** Source distribution archive suffixes pip recognises (PEP 625 standardises `.tar.gz`). */
const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'];
// `{name}-{version}`: PEP 508 name characters and PEP 440 version characters (`!` epoch, `+` local).
const STEM = /^[A-Za-z0-9._+!-]+$/;

export interface SdistFilename {
  filename: string;
  name: string;
  version: string;
}

/**
 * The `{name}-{version}` part of an sdist filename. Such a name is printable ASCII without a
 * separator (STEM and a suffix): a path component, once short enough.
 */
function stemOf(filename: string): string | undefined {
  if (filename.length > MAX_COMPONENT_BYTES) return undefined;
  // The longest suffix has 8 characters: only the end of the name needs lowering.
  const tail = filename.slice(-8).toLowerCase();
  for (const suffix of SDIST_SUFFIXES) {
    if (!tail.endsWith(suffix)) continue;
    const stem = filename.slice(0, -suffix.length);
    return stem && STEM.test(stem) ? stem : undefined;
  }
  return undefined;
}

const projectName = lastNormalized();
const stemName = lastNormalized();

/**
 * The version of the first split of the stem at a `-` where the name is a valid name (normalised to
 * `want`, when given) and the rest a valid version (legacy names contain `-`).
 */
function versionAfterName(stem: string, want?: string): string | undefined {
  for (let i = stem.indexOf('-'); i !== -1; i = stem.indexOf('-', i + 1)) {
    const name = stem.slice(0, i);
    if (want !== undefined && stemName(name) !== want) continue;
    const version = stem.slice(i + 1);
    if (isValidName(name) && Version.tryParse(version)) return version;
  }
  return undefined;
}

/**
 * Parse an sdist filename for a known project. Legacy sdist names may contain `-` in both name
 * and version, so (as pip does) the split is found by matching the normalised project name.
 */
export function parseSdistFilename(filename: string, project: string): SdistFilename | undefined {
  const version = sdistVersionOf(filename, project);
  return version === undefined ? undefined : { filename, name: projectName(project), version };
}

/** The version `parseSdistFilename` finds, as the name writes it. */
export function sdistVersionOf(filename: string, project: string): string | undefined {
  const stem = stemOf(filename);
  return stem === undefined ? undefined : versionAfterName(stem, projectName(project));
}

/** Why `filename` is not `{name}-{version}.{archive}` with a PEP 508 name and a PEP 440 version; undefined when it is. */
export function sdistFilenameProblem(filename: string): string | undefined {
  const stem = stemOf(filename);
  if (stem === undefined)
    return pathComponentProblem(filename) ?? `is not "{name}-{version}" followed by ${SDIST_SUFFIXES.join(', ')}`;
  return versionAfterName(stem) === undefined ? 'does not split into a PEP 508 name and a PEP 440 version' : undefined;
}
