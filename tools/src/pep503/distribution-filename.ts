import { ToolsError } from '../errors.js';
import { normalizeProjectName } from './normalize.js';

/** What a distribution filename says about its project, per the binary distribution format and PEP 625. */
export interface DistributionFilename {
  filename: string;
  kind: 'wheel' | 'sdist';
  /** PEP 503 normalised project name. */
  project: string;
  version: string;
}

const SDIST_SUFFIXES = ['.tar.gz', '.zip'] as const;

export function isDistributionFilename(filename: string): boolean {
  return filename.endsWith('.whl') || SDIST_SUFFIXES.some((s) => filename.endsWith(s));
}

export function parseDistributionFilename(filename: string): DistributionFilename {
  if (filename.endsWith('.whl')) {
    // {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl
    const parts = filename.slice(0, -'.whl'.length).split('-');
    if (parts.length !== 5 && parts.length !== 6)
      throw invalid(filename, 'a wheel name has 5 or 6 dash-separated parts');
    return { filename, kind: 'wheel', project: normalizeProjectName(parts[0]!), version: parts[1]! };
  }
  const suffix = SDIST_SUFFIXES.find((s) => filename.endsWith(s));
  if (suffix) {
    // PEP 625: {name}-{version}.tar.gz with `_` in the name; legacy sdists may keep `-`, so split at the last dash.
    const stem = filename.slice(0, -suffix.length);
    const dash = stem.lastIndexOf('-');
    if (dash <= 0 || dash === stem.length - 1) throw invalid(filename, 'an sdist is named {name}-{version}.tar.gz');
    return {
      filename,
      kind: 'sdist',
      project: normalizeProjectName(stem.slice(0, dash)),
      version: stem.slice(dash + 1),
    };
  }
  throw invalid(filename, 'expected a .whl, .tar.gz or .zip distribution');
}

function invalid(filename: string, why: string): ToolsError {
  return new ToolsError(
    'INVALID_DISTRIBUTION_FILENAME',
    `Cannot serve "${filename}": ${why}. Rename the file or leave it out of the fixture index.`,
  );
}
