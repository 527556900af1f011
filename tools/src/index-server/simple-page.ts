import type { Distribution } from './catalogue.js';
import type { FaultState } from './faults.js';

/** PEP 629/700: the simple API version these pages speak. */
export const API_VERSION = '1.1';

/** One file as a project page advertises it (after faults). */
export interface SimpleFile {
  filename: string;
  /** Relative to the project page URL (PEP 503/691 allow that) unless the index links absolutely. */
  url: string;
  sha256: string;
  size: number;
  requiresPython?: string;
  /** PEP 658/714: sha256 of the `.metadata` file, when one is served. */
  coreMetadataSha256?: string;
  /** PEP 592: present when yanked; the reason, possibly empty. */
  yanked?: string;
}

export interface ProjectPage {
  /** PEP 503 normalised name. */
  name: string;
  files: SimpleFile[];
  versions: string[];
}

export interface ProjectListEntry {
  name: string;
  normalized: string;
}

/** Project pages live at `<root>/simple/<name>/`, files at `<root>/files/<filename>`. */
export function fileUrlFromProjectPage(filename: string): string {
  return `../../files/${encodeURIComponent(filename)}`;
}

export interface ProjectPageOptions {
  faults?: FaultState;
  /** How a file is linked; default relative to the project page (`../../files/<filename>`). */
  fileUrl?: (filename: string) => string;
}

export function projectPage(
  project: string,
  dists: readonly Distribution[],
  options: ProjectPageOptions = {},
): ProjectPage {
  const { faults, fileUrl = fileUrlFromProjectPage } = options;
  const files = dists.map((d): SimpleFile => {
    const file: SimpleFile = {
      filename: d.filename,
      url: fileUrl(d.filename),
      sha256: faults?.wrongSha256(d.filename) ? wrongHash(d.sha256) : d.sha256,
      size: d.size,
    };
    if (d.requiresPython !== undefined) file.requiresPython = d.requiresPython;
    if (d.metadataSha256 !== undefined && !faults?.noMetadata(d.filename)) file.coreMetadataSha256 = d.metadataSha256;
    const yanked = faults?.yankReason(d.filename);
    if (yanked !== undefined) file.yanked = yanked;
    return file;
  });
  const versions = [...new Set(dists.map((d) => d.version))].sort();
  return { name: project, files, versions };
}

export function projectList(projects: ReadonlyMap<string, readonly Distribution[]>): ProjectListEntry[] {
  return [...projects.entries()].map(([normalized, dists]) => ({
    normalized,
    name: dists[0]?.displayName ?? normalized,
  }));
}

/** A well-formed sha256 that is not the file's: every hex digit rotated by one. */
function wrongHash(sha256: string): string {
  return sha256.replace(/[0-9a-f]/g, (c) => ((parseInt(c, 16) + 1) % 16).toString(16));
}
