import { normalizeName } from '../names.js';

/** Source distribution archive suffixes pip recognises (PEP 625 standardises `.tar.gz`). */
const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'];

export interface SdistFilename {
  filename: string;
  name: string;
  version: string;
}

/**
 * Parse an sdist filename for a known project. Legacy sdist names may contain `-` in both name
 * and version, so (as pip does) the split is found by matching the normalised project name.
 */
export function parseSdistFilename(filename: string, project: string): SdistFilename | undefined {
  const lower = filename.toLowerCase();
  const suffix = SDIST_SUFFIXES.find((s) => lower.endsWith(s));
  if (!suffix) return undefined;
  const stem = filename.slice(0, -suffix.length);
  const want = normalizeName(project);
  for (let i = stem.indexOf('-'); i !== -1; i = stem.indexOf('-', i + 1)) {
    if (normalizeName(stem.slice(0, i)) === want) {
      const version = stem.slice(i + 1);
      if (version) return { filename, name: want, version };
    }
  }
  return undefined;
}
