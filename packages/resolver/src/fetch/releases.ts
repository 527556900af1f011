import { parseSdistFilename } from '../filename/sdist.js';
import { tryParseWheelFilename, type WheelFilename } from '../filename/wheel.js';
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

/** A file of a project with what every target's classification reads of it: the same for all targets. */
interface Entry {
  file: IndexFile;
  /** The file's own version (equal to its group's; written as the file names it). */
  version: Version;
  wheel?: WheelFilename;
}

/** The entry of a file of `project` (a wheel of another project, or an unparsable name: undefined). */
function entryOf(file: IndexFile, project: string): Entry | undefined {
  // `wheel` is set when the link was accepted; files from elsewhere are parsed here.
  const wheel = file.wheel ?? (file.filename.endsWith('.whl') ? tryParseWheelFilename(file.filename) : undefined);
  if (wheel) {
    const version = wheel.name === project ? Version.tryParse(wheel.version) : undefined;
    return version ? { file, version, wheel } : undefined;
  }
  const version = sdistVersionOf(file, project);
  return version ? { file, version } : undefined;
}

/** A project's files at one version (normalized version text), in page order. */
interface Group {
  key: string;
  version: Version;
  entries: Entry[];
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
    const entry = entryOf(file, project);
    if (!entry) return;
    const key = entry.version.toString();
    const group = byKey.get(key);
    if (!group) {
      byKey.set(key, {
        key,
        version: entry.version,
        entries: [entry],
        files: [file],
        at: [i],
        requiresPython: file.requiresPython,
        mixed: false,
      });
      return;
    }
    group.entries.push(entry);
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

/** The rank of a wheel's best tag in the target's tags (lower is better); undefined when none fits. */
function rankOf(wheel: WheelFilename, tagIndex: Map<string, number>): number | undefined {
  let tagRank: number | undefined;
  for (const tag of wheel.tags) {
    const rank = tagIndex.get(tag);
    if (rank !== undefined && (tagRank === undefined || rank < tagRank)) tagRank = rank;
  }
  return tagRank;
}

/**
 * pip's candidate preference between two compatible wheels: not yanked, then best tag (lowest rank),
 * then highest build number. Returns <0 when `a` is preferred.
 */
function preference(a: Entry, aRank: number, b: Entry, bRank: number): number {
  const yank = Number(Boolean(a.file.yanked)) - Number(Boolean(b.file.yanked));
  if (yank !== 0) return yank;
  const rank = aRank - bRank;
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

/** One release from its entries (all of one version, each admitting the target's Python). */
function release(entries: readonly Entry[], tagIndex: Map<string, number>): Release {
  let best: Entry | undefined;
  let bestRank = 0;
  let sdist: Entry | undefined;
  let yanked = true;
  const incompatibleWheels: string[] = [];
  for (const entry of entries) {
    const { file, wheel } = entry;
    if (!file.yanked) yanked = false;
    if (wheel) {
      const rank = rankOf(wheel, tagIndex);
      if (rank === undefined) incompatibleWheels.push(file.filename);
      // The first of the most preferred, as a stable sort would give.
      else if (!best || preference(entry, rank, best, bestRank) < 0) {
        best = entry;
        bestRank = rank;
      }
    } else if (!sdist || (!sdist.file.filename.endsWith('.tar.gz') && file.filename.endsWith('.tar.gz'))) {
      // A `.tar.gz` first, else the first listed.
      sdist = entry;
    }
  }
  const version = entries[0]!.version;
  const hasSdist = entries.some((e) => !e.wheel);
  // Keys in the order (and absent rather than undefined) as the type lists them.
  if (best) {
    const candidate: Candidate = { file: best.file, version: best.version, wheel: best.wheel!, tagRank: bestRank };
    return sdist
      ? {
          version,
          best: candidate,
          yanked,
          hasSdist,
          sdist: { file: sdist.file, version: sdist.version },
          incompatibleWheels,
        }
      : { version, best: candidate, yanked, hasSdist, incompatibleWheels };
  }
  return sdist
    ? { version, yanked, hasSdist, sdist: { file: sdist.file, version: sdist.version }, incompatibleWheels }
    : { version, yanked, hasSdist, incompatibleWheels };
}

/** requires-python → admits the Python, per Python version: few distinct strings, asked per project and target. */
const admitted = new Map<string, Map<string | undefined, boolean>>();
const MAX_ADMITTED = 10_000;

function allowedFor(pythonVersion: Version): (requiresPython: string | undefined) => boolean {
  const python = pythonVersion.toString();
  let known = admitted.get(python);
  if (!known) admitted.set(python, (known = new Map()));
  const cache = known;
  return (requiresPython) => {
    let ok = cache.get(requiresPython);
    if (ok === undefined) {
      ok = pythonAllowed(requiresPython, pythonVersion);
      if (cache.size >= MAX_ADMITTED) cache.clear();
      cache.set(requiresPython, ok);
    }
    return ok;
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
  const allowed = allowedFor(pythonVersion);
  const releases: Release[] = [];
  const firstAt = new Map<Release, number>();
  for (const group of groups) {
    let usable: readonly Entry[];
    let at = group.at[0]!;
    if (!group.mixed) usable = allowed(group.requiresPython) ? group.entries : [];
    else {
      usable = group.entries.filter((e) => allowed(e.file.requiresPython));
      at = group.at[group.entries.indexOf(usable[0]!)] ?? at;
    }
    if (!usable.length) continue;
    const found = release(usable, tagIndex);
    releases.push(found);
    if (ties) firstAt.set(found, at);
  }
  // Equal versions: the one whose first admitted file comes first on the page.
  if (ties) releases.sort((a, b) => b.version.compare(a.version) || firstAt.get(a)! - firstAt.get(b)!);
  return releases;
}
