import { parseSdistFilename } from '../filename/sdist.js';
import { wheelOf } from '../filename/wheel.js';
import type { IndexFile } from '../index/types.js';
import { normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { pythonAllowed, type Candidate, type Release } from './candidates.js';

// Index files → releases for a target. A page is grouped by version once (per files array and
// project); each target then only filters each group by requires-python and ranks its wheels' tags.
// A universal lock classifies the same pages for every environment, and the pages of projects with
// many releases (botocore lists thousands of files) are what a resolution spends its CPU on.

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

/** The version of `project` a file is (a wheel of another project, or an unparsable name: undefined). */
function versionOf(file: IndexFile, project: string): Version | undefined {
  const wheel = wheelOf(file.filename);
  if (wheel) return wheel.name === project ? Version.tryParse(wheel.version) : undefined;
  return sdistVersionOf(file, project);
}

/** A project's files at one version (normalized version text), in page order. */
interface Group {
  key: string;
  version: Version;
  files: IndexFile[];
  /** Each file's position on the page (ties between equal versions keep page order). */
  at: number[];
  /** The requires-python every file of the group shares (undefined: none), unless `mixed`. */
  requiresPython: string | undefined;
  mixed: boolean;
}

interface Grouping {
  project: string;
  length: number;
  /** Newest first; equal versions ("1.0" and "1.0.0") in page order. */
  groups: Group[];
  /** Some groups' versions compare equal: a target's release order then depends on which files it admits. */
  ties: boolean;
}

const groupings = new WeakMap<readonly IndexFile[], Grouping>();

function groupingOf(files: readonly IndexFile[], project: string): Grouping {
  const known = groupings.get(files);
  if (known?.project === project && known.length === files.length) return known;
  const byKey = new Map<string, Group>();
  files.forEach((file, i) => {
    const version = versionOf(file, project);
    if (!version) return;
    const key = version.toString();
    const group = byKey.get(key);
    if (!group) {
      byKey.set(key, {
        key,
        version,
        files: [file],
        at: [i],
        requiresPython: file.requiresPython,
        mixed: false,
      });
      return;
    }
    group.files.push(file);
    group.at.push(i);
    if (file.requiresPython !== group.requiresPython) group.mixed = true;
  });
  const groups = [...byKey.values()].sort((a, b) => b.version.compare(a.version));
  const ties = groups.some((g, i) => i > 0 && g.version.compare(groups[i - 1]!.version) === 0);
  const grouping = { project, length: files.length, groups, ties };
  groupings.set(files, grouping);
  return grouping;
}

/**
 * A project's files by release (normalized version string, as `Release.version.toString()`), for
 * any target: `releasesOf` of one group classifies just that release, as it would within all files.
 */
export function filesByVersion(files: readonly IndexFile[], project: string): Map<string, IndexFile[]> {
  return new Map(groupingOf(files, normalizeName(project)).groups.map((g) => [g.key, g.files]));
}

function classify(file: IndexFile, project: string, tagIndex: Map<string, number>): Candidate | undefined {
  const wheel = wheelOf(file.filename);
  if (wheel) {
    const version = wheel.name === project ? Version.tryParse(wheel.version) : undefined;
    if (!version) return undefined;
    let tagRank: number | undefined;
    for (const tag of wheel.tags) {
      const rank = tagIndex.get(tag);
      if (rank !== undefined && (tagRank === undefined || rank < tagRank)) tagRank = rank;
    }
    const candidate: Candidate = { file, version, wheel };
    if (tagRank !== undefined) candidate.tagRank = tagRank;
    return candidate;
  }
  const version = sdistVersionOf(file, project);
  return version ? { file, version } : undefined;
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

/** One release from its files (all of one version, each admitting the target's Python). */
function release(files: readonly IndexFile[], project: string, tagIndex: Map<string, number>): Release | undefined {
  let first: Candidate | undefined;
  let best: Candidate | undefined;
  let sdist: Candidate | undefined;
  let yanked = true;
  let hasSdist = false;
  const incompatibleWheels: string[] = [];
  for (const file of files) {
    const candidate = classify(file, project, tagIndex);
    if (!candidate) continue;
    first ??= candidate;
    if (!file.yanked) yanked = false;
    if (candidate.wheel) {
      if (candidate.tagRank === undefined) incompatibleWheels.push(file.filename);
      // The first of the most preferred, as a stable sort would give.
      else if (!best || preference(candidate, best) < 0) best = candidate;
    } else {
      hasSdist = true;
      // A `.tar.gz` first, else the first listed.
      if (!sdist || (!sdist.file.filename.endsWith('.tar.gz') && file.filename.endsWith('.tar.gz'))) sdist = candidate;
    }
  }
  if (!first) return undefined;
  return {
    version: first.version,
    ...(best ? { best } : {}),
    yanked,
    hasSdist,
    ...(sdist ? { sdist } : {}),
    incompatibleWheels,
  };
}

/**
 * Group a project's files into releases (newest first), dropping files for other projects and
 * files whose requires-python excludes the target (PEP 503 data-requires-python).
 */
export function releasesOf(
  files: readonly IndexFile[],
  project: string,
  tags: readonly string[],
  pythonVersion: Version,
): Release[] {
  const name = normalizeName(project);
  const { groups, ties } = groupingOf(files, name);
  const tagIndex = tagIndexOf(tags);
  // Many files share a requires-python string: evaluate each distinct one once.
  const allowedBy = new Map<string | undefined, boolean>();
  const allowed = (requiresPython: string | undefined) => {
    let ok = allowedBy.get(requiresPython);
    if (ok === undefined) allowedBy.set(requiresPython, (ok = pythonAllowed(requiresPython, pythonVersion)));
    return ok;
  };
  const releases: Release[] = [];
  const firstAt = new Map<Release, number>();
  for (const group of groups) {
    let usable: readonly IndexFile[];
    let at = group.at[0]!;
    if (!group.mixed) usable = allowed(group.requiresPython) ? group.files : [];
    else {
      usable = group.files.filter((f) => allowed(f.requiresPython));
      at = group.at[group.files.indexOf(usable[0]!)] ?? at;
    }
    const found = usable.length ? release(usable, name, tagIndex) : undefined;
    if (!found) continue;
    releases.push(found);
    if (ties) firstAt.set(found, at);
  }
  // Equal versions: the one whose first admitted file comes first on the page.
  if (ties) releases.sort((a, b) => b.version.compare(a.version) || firstAt.get(a)! - firstAt.get(b)!);
  return releases;
}
