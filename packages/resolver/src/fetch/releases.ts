import { sdistVersionOf } from '../filename/sdist.js';
import { parseWheelFilename, wheelTagSets, wheelVersionOf, type WheelFilename } from '../filename/wheel.js';
import { namesChecked } from '../index/accept.js';
import type { IndexFile } from '../index/types.js';
import { normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { pythonAllowed, type Candidate, type Release } from './candidates.js';

// Index files → releases for a target. A page is grouped by version once (per files array and
// project), from the version and tag sets each filename writes; each target then filters each group
// by requires-python and ranks the tag sets (a page's thousands of wheels share a few dozen), and
// parses a filename in full only for the wheel it would install, when that is read. A universal lock
// classifies the same pages for every environment, and the pages of projects with many releases
// (botocore lists thousands of files) are what a resolution spends its CPU on.

const isWheel = (file: IndexFile) => file.filename.endsWith('.whl');

/**
 * The version of a file of `project` as its name writes it (another project's file, or an unparsable
 * name: undefined). `checked`: the name passed the index's checks (index/accept.ts) already.
 */
function versionTextOf(file: IndexFile, project: string, checked: boolean): string | undefined {
  return isWheel(file) ? wheelVersionOf(file.filename, project, checked) : sdistVersionOf(file.filename, project);
}

/** A project's files at one version (normalized version text), in page order. */
interface Group {
  key: string;
  files: IndexFile[];
  /** Each file's own version (equal to the others'; written as the file names it). */
  versions: Version[];
  /** Each wheel's tag sets as its name writes them (`py2.py3-none-any`); undefined for an sdist. */
  tagSets: (string | undefined)[];
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
  // By the version as written first (null: not a version): a page writes the same text for each file of a release.
  const byText = new Map<string, { version: Version; group: Group | undefined } | null>();
  const checked = namesChecked(files);
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const text = versionTextOf(file, project, checked);
    if (text === undefined) continue;
    let known = byText.get(text);
    if (known === undefined) {
      const version = Version.tryParse(text);
      known = version ? { version, group: byKey.get(version.toString()) } : null;
      byText.set(text, known);
    }
    if (known === null) continue;
    const { version, group } = known;
    const tagSet = isWheel(file) ? wheelTagSets(file.filename) : undefined;
    if (!group) {
      const key = version.toString();
      known.group = {
        key,
        files: [file],
        versions: [version],
        tagSets: [tagSet],
        at: [i],
        requiresPython: file.requiresPython,
        mixed: false,
      };
      byKey.set(key, known.group);
      continue;
    }
    group.files.push(file);
    group.versions.push(version);
    group.tagSets.push(tagSet);
    group.at.push(i);
    if (file.requiresPython !== group.requiresPython) group.mixed = true;
  }
  const groups = [...byKey.values()].sort((a, b) => b.versions[0]!.compare(a.versions[0]!));
  const ties = groups.some((g, i) => i > 0 && g.versions[0]!.compare(groups[i - 1]!.versions[0]!) === 0);
  const grouping = { project, length: files.length, groups, ties };
  groupings.set(files, grouping);
  return grouping;
}

/**
 * A project's files by release (normalized version string, as `Release.version.toString()`), for
 * any target: `releasesOf` of one group classifies just that release, as it would within all files.
 */
export function filesByVersion(files: readonly IndexFile[], project: string): Map<string, IndexFile[]> {
  const grouping = groupingOf(files, normalizeName(project));
  // Each group's files are grouped already: a target classifying them does not check their names again.
  for (const group of grouping.groups)
    if (!groupings.has(group.files))
      groupings.set(group.files, {
        project: grouping.project,
        length: group.files.length,
        groups: [group],
        ties: false,
      });
  return new Map(grouping.groups.map((g) => [g.key, g.files]));
}

/**
 * A target's tags by rank (lower is better), and the rank of each tag sets text a wheel filename
 * writes (`cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64`): the best of its expanded tags,
 * -1 when none fits. A page's wheels share a few dozen such texts.
 */
class TagRanks {
  private readonly index: Map<string, number>;
  private readonly known = new Map<string, number>();

  constructor(tags: readonly string[]) {
    this.index = new Map(tags.map((t, i) => [t.toLowerCase(), i] as const));
  }

  of(tagSets: string): number {
    let rank = this.known.get(tagSets);
    if (rank === undefined) {
      rank = -1;
      // PEP 425: each part may be a compressed set (`py2.py3`); tags compare lower-cased.
      const [python, abi, platform] = tagSets.toLowerCase().split('-') as [string, string, string];
      for (const p of python.split('.'))
        for (const a of abi.split('.'))
          for (const t of platform.split('.')) {
            const r = this.index.get(`${p}-${a}-${t}`);
            if (r !== undefined && (rank < 0 || r < rank)) rank = r;
          }
      if (this.known.size >= MAX_KNOWN) this.known.clear();
      this.known.set(tagSets, rank);
    }
    return rank;
  }
}

const MAX_KNOWN = 10_000;

/** By tags array: a target's hundreds of tags are indexed once, not per project (or per release, in a universal lock). */
const tagRanks = new WeakMap<readonly string[], TagRanks>();

function tagRanksOf(tags: readonly string[]): TagRanks {
  let ranks = tagRanks.get(tags);
  if (!ranks) tagRanks.set(tags, (ranks = new TagRanks(tags)));
  return ranks;
}

/** A wheel's build number (PEP 427: the leading digits of the optional build tag), -1 without one. */
function buildNumber(file: IndexFile): number {
  return parseWheelFilename(file.filename).build?.number ?? -1;
}

/**
 * pip's candidate preference between two compatible wheels: not yanked, then best tag (lowest rank),
 * then highest build number. Returns <0 when `a` is preferred.
 */
function preference(a: IndexFile, aRank: number, b: IndexFile, bRank: number): number {
  const yank = Number(Boolean(a.yanked)) - Number(Boolean(b.yanked));
  if (yank !== 0) return yank;
  const rank = aRank - bRank;
  if (rank !== 0) return rank;
  return buildNumber(b) - buildNumber(a);
}

/** The best wheel of a release for a target; its filename is parsed only if read (few ever are). */
class WheelCandidate implements Candidate {
  #wheel: WheelFilename | undefined;

  constructor(
    readonly file: IndexFile,
    readonly version: Version,
    readonly tagRank: number,
  ) {}

  get wheel(): WheelFilename {
    return (this.#wheel ??= parseWheelFilename(this.file.filename));
  }
}

/**
 * The release of `group` for a target, from the files whose requires-python admits it (`admits`:
 * undefined when the group's shared requires-python does); undefined when it admits none. `first`
 * receives the position of the first admitted file.
 */
function releaseOf(
  group: Group,
  admits: ((requiresPython: string | undefined) => boolean) | undefined,
  ranks: TagRanks,
): { release: Release; first: number } | undefined {
  const { files, tagSets } = group;
  let first = -1;
  let best = -1;
  let bestRank = 0;
  let sdist = -1;
  let yanked = true;
  let hasSdist = false;
  const incompatibleWheels: string[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    if (admits && !admits(file.requiresPython)) continue;
    if (first < 0) first = i;
    if (!file.yanked) yanked = false;
    const tagSet = tagSets[i];
    if (tagSet === undefined) {
      hasSdist = true;
      // A `.tar.gz` first, else the first listed.
      if (sdist < 0 || (!files[sdist]!.filename.endsWith('.tar.gz') && file.filename.endsWith('.tar.gz'))) sdist = i;
      continue;
    }
    const rank = ranks.of(tagSet);
    if (rank < 0) incompatibleWheels.push(file.filename);
    // The first of the most preferred, as a stable sort would give.
    else if (best < 0 || preference(file, rank, files[best]!, bestRank) < 0) {
      best = i;
      bestRank = rank;
    }
  }
  if (first < 0) return undefined;
  const version = group.versions[first]!;
  // Keys in the order (and absent rather than undefined) as the type lists them.
  const sdistOf = () => ({ file: files[sdist]!, version: group.versions[sdist]! });
  if (best >= 0) {
    const candidate = new WheelCandidate(files[best]!, group.versions[best]!, bestRank);
    const release: Release =
      sdist >= 0
        ? { version, best: candidate, yanked, hasSdist, sdist: sdistOf(), incompatibleWheels }
        : { version, best: candidate, yanked, hasSdist, incompatibleWheels };
    return { release, first };
  }
  const release: Release =
    sdist >= 0
      ? { version, yanked, hasSdist, sdist: sdistOf(), incompatibleWheels }
      : { version, yanked, hasSdist, incompatibleWheels };
  return { release, first };
}

/** requires-python → admits the Python, per Python version: few distinct strings, asked per project and target. */
const answers = new Map<string, Map<string | undefined, boolean>>();
const MAX_ADMITTED = 10_000;

function allowedFor(pythonVersion: Version): (requiresPython: string | undefined) => boolean {
  const python = pythonVersion.toString();
  let known = answers.get(python);
  if (!known) answers.set(python, (known = new Map()));
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
  const ranks = tagRanksOf(tags);
  const allowed = allowedFor(pythonVersion);
  const releases: Release[] = [];
  const firstAt = new Map<Release, number>();
  for (const group of groups) {
    if (!group.mixed && !allowed(group.requiresPython)) continue;
    const found = releaseOf(group, group.mixed ? allowed : undefined, ranks);
    if (!found) continue;
    releases.push(found.release);
    if (ties) firstAt.set(found.release, group.at[found.first]!);
  }
  // Equal versions: the one whose first admitted file comes first on the page.
  if (ties) releases.sort((a, b) => b.version.compare(a.version) || firstAt.get(a)! - firstAt.get(b)!);
  return releases;
}
