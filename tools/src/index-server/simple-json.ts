import { API_VERSION, type ProjectListEntry, type ProjectPage } from './simple-page.js';

/** PEP 691 root: `projects[].name`. */
export function projectListJson(projects: readonly ProjectListEntry[]): string {
  return JSON.stringify({ meta: { 'api-version': API_VERSION }, projects: projects.map((p) => ({ name: p.name })) });
}

/** PEP 691 project detail, with PEP 700 `versions`/`size` and PEP 714 `core-metadata`. */
export function projectPageJson(page: ProjectPage): string {
  return JSON.stringify({
    meta: { 'api-version': API_VERSION },
    name: page.name,
    versions: page.versions,
    files: page.files.map((f) => {
      const metadata = f.coreMetadataSha256 === undefined ? false : { sha256: f.coreMetadataSha256 };
      return {
        filename: f.filename,
        url: f.url,
        hashes: { sha256: f.sha256 },
        ...(f.requiresPython === undefined ? {} : { 'requires-python': f.requiresPython }),
        'core-metadata': metadata,
        'dist-info-metadata': metadata,
        // PEP 691: yanked is a bool, or a non-empty string reason (which means yanked).
        yanked: f.yanked === undefined ? false : f.yanked === '' ? true : f.yanked,
        size: f.size,
      };
    }),
  });
}
