import { parseSdistFilename } from '../filename/sdist.js';
import { tryParseWheelFilename, type WheelFilename } from '../filename/wheel.js';
import type { IndexFile } from '../index/types.js';
import { normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { pythonAllowed, type Candidate, type Release } from '../solver/release.js';

// The solver's view of releases, defined solver-side (fetch depends on the solver, not the reverse).
export { pythonAllowed, type Candidate, type Release };

/** A file's parsed name and version, by file object: a universal lock classifies one page for many environments. */
const parsedFiles = new WeakMap<IndexFile, { wheel?: WheelFilename; version?: Version }>();

function parsedWheel(file: IndexFile): { wheel?: WheelFilename; version?: Version } {
  let parsed = parsedFiles.get(file);
  if (!parsed) {
    const wheel = tryParseWheelFilename(file.filename);
    const version = wheel ? Version.tryParse(wheel.version) : undefined;
    parsed = { ...(wheel ? { wheel } : {}), ...(version ? { version } : {}) };
    parsedFiles.set(file, parsed);
  }
  return parsed;
}

function classify(file: IndexFile, project: string, tagIndex: Map<string, number>): Candidate | undefined {
  const { wheel, version } = parsedWheel(file);
  if (wheel) {
    if (wheel.name !== project || !version) return undefined;
    let tagRank: number | undefined;
    for (const tag of wheel.tags) {
      const rank = tagIndex.get(tag);
      if (rank !== undefined && (tagRank === undefined || rank < tagRank)) tagRank = rank;
    }
    const candidate: Candidate = { file, version, wheel };
    if (tagRank !== undefined) candidate.tagRank = tagRank;
    return candidate;
  }
  const sdistVersion = sdistVersionOf(file, project);
  return sdistVersion ? { file, version: sdistVersion } : undefined;
}

/** An sdist's version, by file object and project (the name is checked against the project's). */
const parsedSdists = new WeakMap<IndexFile, { project: string; version?: Version }>();

function sdistVersionOf(file: IndexFile, project: string): Version | undefined {
  let parsed = parsedSdists.get(file);
  if (parsed?.project !== project) {
    const sdist = parseSdistFilename(file.filename, project);
    const version = sdist ? Version.tryParse(sdist.version) : undefined;
    parsed = { project, ...(version ? { version } : {}) };
    parsedSdists.set(file, parsed);
  }
  return parsed.version;
}

/**
 * A project's files by release (normalized version string, as `Release.version.toString()`), for
 * any target: `releasesOf` of one group classifies just that release, as it would within all files.
 */
export function filesByVersion(files: readonly IndexFile[], project: string): Map<string, IndexFile[]> {
  const name = normalizeName(project);
  const groups = new Map<string, IndexFile[]>();
  for (const file of files) {
    const { wheel, version: wheelVersion } = parsedWheel(file);
    const version = wheel ? (wheel.name === name ? wheelVersion : undefined) : sdistVersionOf(file, name);
    if (!version) continue;
    const key = version.toString();
    const group = groups.get(key);
    if (group) group.push(file);
    else groups.set(key, [file]);
  }
  return groups;
}

/**
 * pip's candidate preference: not yanked, then best tag (lowest rank), then highest build number.
 * Returns <0 when `a` is preferred.
 */
function preference(a: Candidate, b: Candidate): number {
  const yank = Number(Boolean(a.file.yanked)) - Number(Boolean(b.file.yanked));
  if (yank !== 0) return yank;
  const rank = (a.tagRank ?? Infinity) - (b.tagRank ?? Infinity);
  if (rank !== 0) return rank;
  return (b.wheel?.build?.number ?? -1) - (a.wheel?.build?.number ?? -1);
}

/** Tag → rank, by tags array: a target's hundreds of tags are indexed once, not per project (or per release, in a universal lock). */
const tagIndexes = new WeakMap<readonly string[], Map<string, number>>();

function tagIndexOf(tags: readonly string[]): Map<string, number> {
  let index = tagIndexes.get(tags);
  if (!index) {
    index = new Map(tags.map((t, i) => [t.toLowerCase(), i] as const));
    tagIndexes.set(tags, index);
  }
  return index;
}

/**
 * Group a project's files into releases (newest first), dropping files for other projects and
 * files whose requires-python excludes the target (PEP 503 data-requires-python).
 */
export function releasesOf(files: IndexFile[], project: string, tags: string[], pythonVersion: Version): Release[] {
  const name = normalizeName(project);
  const tagIndex = tagIndexOf(tags);
  const byVersion = new Map<string, { version: Version; candidates: Candidate[] }>();
  // Many files share a requires-python string: evaluate each distinct one once.
  const allowedBy = new Map<string | undefined, boolean>();
  const allowed = (requiresPython: string | undefined) => {
    let ok = allowedBy.get(requiresPython);
    if (ok === undefined) allowedBy.set(requiresPython, (ok = pythonAllowed(requiresPython, pythonVersion)));
    return ok;
  };
  for (const file of files) {
    const candidate = classify(file, name, tagIndex);
    if (!candidate || !allowed(file.requiresPython)) continue;
    const key = candidate.version.toString();
    const entry = byVersion.get(key) ?? { version: candidate.version, candidates: [] };
    entry.candidates.push(candidate);
    byVersion.set(key, entry);
  }
  const releases: Release[] = [];
  for (const { version, candidates } of byVersion.values()) {
    const wheels = candidates.filter((c) => c.wheel);
    const compatible = wheels.filter((c) => c.tagRank !== undefined).sort(preference);
    const sdists = candidates
      .filter((c) => !c.wheel)
      .sort((a, b) => Number(b.file.filename.endsWith('.tar.gz')) - Number(a.file.filename.endsWith('.tar.gz')));
    releases.push({
      version,
      ...(compatible[0] ? { best: compatible[0] } : {}),
      yanked: candidates.every((c) => c.file.yanked),
      hasSdist: sdists.length > 0,
      ...(sdists[0] ? { sdist: sdists[0] } : {}),
      incompatibleWheels: wheels.filter((c) => c.tagRank === undefined).map((c) => c.file.filename),
    });
  }
  return releases.sort((a, b) => b.version.compare(a.version));
}
