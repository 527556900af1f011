// What the solver chooses among: a project's releases for one target, each with the file that would
// be installed, and whether a Requires-Python admits the target. fetch/ classifies index files into
// these; the solver only reads them (the dependency points one way: fetch → solver).
import type { WheelFilename } from '../filename/wheel.js';
import type { IndexFile } from '../index/types.js';
import { SpecifierSet } from '../pep440/specifier.js';
import type { Version } from '../pep440/version.js';

/** A file of one project at one version, classified for a target interpreter. */
export interface Candidate {
  file: IndexFile;
  version: Version;
  /** Set for wheels. */
  wheel?: WheelFilename;
  /** Index of the wheel's best tag in the target's tags (lower is better); undefined when incompatible or an sdist. */
  tagRank?: number;
  /** An sdist to build a wheel from (PEP 517), standing in for a missing compatible wheel. */
  build?: true;
}

/** All files of a project at one version: the best compatible wheel (if any) and what else exists. */
export interface Release {
  version: Version;
  best?: Candidate;
  /** True when every file of this release is yanked (PEP 592). */
  yanked: boolean;
  hasSdist: boolean;
  /** The release's sdist (a `.tar.gz` preferred), if any. */
  sdist?: Candidate;
  /** Tags of wheels that exist but do not fit the target, for messages. */
  incompatibleWheels: string[];
}

/** True unless `requiresPython` is a valid specifier set that excludes `pythonVersion` (pip ignores invalid ones). */
export function pythonAllowed(requiresPython: string | undefined, pythonVersion: Version): boolean {
  if (!requiresPython) return true;
  try {
    return new SpecifierSet(requiresPython).contains(pythonVersion, true);
  } catch {
    return true;
  }
}
