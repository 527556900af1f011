/**
 * The PEP 751 `pylock.toml` model (https://packaging.python.org/en/latest/specifications/pylock-toml/),
 * with TOML keys in camelCase (`requires-python` → `requiresPython`). `formatLock` / `parseLock`
 * map between the two. `vcs`, `directory` and `archive` sources are kept as `direct` (nx-pex does
 * not install them: selection refuses vcs/archive and skips local directories, which are workspace
 * projects it builds itself); `attestation-identities`, `upload-time` and other tools' tables are not kept.
 */

/** `[tool.nx-pex]`: what the lock was made from and for. */
export interface NxPexLockTable {
  /**
   * The projects' requires-python, when the lock's own (top-level) one is narrower because packages
   * it installs everywhere need a newer Python (see lock/requires-python.ts); the lock is current
   * while the projects' range equals this one.
   */
  requiresPython?: string;
  /** Project → its requirement strings (canonical form, sorted). */
  roots: LockRoots;
  /** The interpreters the lock was resolved for (a universal lock: every environment it covers). */
  targets: LockTarget[];
  /**
   * Set for a universal lock: the `environments` it was asked for (empty: the defaults), and the
   * environments of the defaults / a marker / a platform tag that had no wheel-only resolution, each
   * `<abbreviated platform>: <why>` (an environment named exactly must resolve).
   */
  universal?: { environments: string[]; forkStrategy?: 'fewest'; skipped?: string[] };
  /** Project → PEP 735 dependency group → its requirements (canonical, sorted): installed on request only. */
  groups?: LockRequirementSets;
  /** Project → extra (`[project.optional-dependencies]`) → its requirements: installed on request only. */
  extras?: LockRequirementSets;
}

/** Named requirement sets (dependency groups or extras) of each project. */
export interface LockRequirementSets {
  [project: string]: Record<string, string[]>;
}

/** Requirement strings of each project that uses this lock (a shared workspace lock serves several). */
export interface LockRoots {
  [project: string]: string[];
}

/** One interpreter the lock was made for (`[[tool.nx-pex.targets]]`). */
export interface LockTarget {
  /** `python_full_version` of the target, e.g. "3.11.7". */
  python: string;
  /** The target's most preferred compatibility tag (for humans: which platform). */
  tag?: string;
  /** PEP 508 marker environment of the target, used to walk the lock offline; without the
   * machine-specific `platform_release` / `platform_version` (they select no wheel). */
  markers: Record<string, string>;
}

/** A wheel or sdist entry (`packages.wheels[]`, `packages.sdist`). */
export interface LockFile {
  /** The filename (PEP 751: optional when the URL ends with it). */
  name?: string;
  url?: string;
  path?: string;
  size?: number;
  /** Algorithm → lower-case hex digest; PEP 751 requires at least one. */
  hashes: Record<string, string>;
}

/** `packages.dependencies[]`: which other `[[packages]]` entry (informational per PEP 751). */
export interface LockDependency {
  name: string;
  version?: string;
}

/** `[packages.tool.nx-pex]`: the Requires-Dist of the locked release, so a subset can be walked offline. */
export interface NxPexPackageTable {
  requiresDist: string[];
}

/** A `vcs`, `directory` or `archive` source (PEP 751), kept so selection can say why it is not installed. */
export interface LockDirectSource {
  kind: 'vcs' | 'directory' | 'archive';
  url?: string;
  path?: string;
  /** vcs: `type`, `requested-revision`, `commit-id`. */
  type?: string;
  requestedRevision?: string;
  commitId?: string;
  subdirectory?: string;
  /** directory: `editable`. */
  editable?: boolean;
  /** archive: `size`, `hashes`. */
  size?: number;
  hashes?: Record<string, string>;
}

export interface LockPackage {
  /** PEP 503 normalised name. */
  name: string;
  version?: string;
  /** When this entry is to be installed (PEP 508); absent = always. nx-pex records which targets need it. */
  marker?: string;
  requiresPython?: string;
  dependencies?: LockDependency[];
  /** Base URL of the simple index the package came from (credential-free). */
  index?: string;
  wheels: LockFile[];
  sdist?: LockFile;
  direct?: LockDirectSource;
  nxPex?: NxPexPackageTable;
}

export interface Lock {
  /** "1.0" (PEP 751); any 1.x is read. */
  lockVersion: string;
  /** Markers of the environments the lock is made for (one per target). */
  environments?: string[];
  requiresPython?: string;
  /** PEP 751 `extras`: the extras the lock can install (set for the `extras` marker variable). */
  extras?: string[];
  /** PEP 751 `dependency-groups`: the groups the lock can install (`dependency_groups` marker variable). */
  dependencyGroups?: string[];
  /** PEP 751 `default-groups`: the groups installed when none is requested. */
  defaultGroups?: string[];
  createdBy: string;
  packages: LockPackage[];
  /** `[tool.nx-pex]`; absent in locks written by other tools. */
  nxPex?: NxPexLockTable;
}

/** One wheel chosen from a lock for a target. */
export interface LockedArtifact {
  name: string;
  version: string;
  filename: string;
  url: string;
  sha256: string;
  size?: number;
}
