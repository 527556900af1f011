import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeContentAtomic } from '@nx-pex/common';
import { copyFileAtomic } from '../fs/atomic-write.js';
import { Catalogue } from './catalogue.js';
import { projectListHtml, projectPageHtml } from './simple-html.js';
import { projectList, projectPage } from './simple-page.js';

export interface FileIndex {
  /** `file:///.../simple/`, usable as pip's `--index-url`. */
  url: string;
  /** The `simple/` directory on disk. */
  simpleDir: string;
}

/**
 * Write a static PEP 503 tree for the distributions in `dir`: `simple/index.html`,
 * `simple/<project>/index.html` and `files/<filename>` (+ PEP 658 `.metadata`), so the same
 * relative links work over `file://` as over the HTTP fixture index.
 */
export async function writeFileIndex(dir: string, outDir: string): Promise<FileIndex> {
  const out = resolve(outDir);
  const projects = await new Catalogue({ wheelsDir: dir }).projects();
  const filesDir = join(out, 'files');
  const simpleDir = join(out, 'simple');
  await writeContentAtomic(join(simpleDir, 'index.html'), projectListHtml(projectList(projects)));
  for (const [project, dists] of projects) {
    for (const dist of dists) {
      const target = join(filesDir, dist.filename);
      if (resolve(dist.path) !== target) await copyFileAtomic(dist.path, target);
      if (dist.metadata) await writeContentAtomic(`${target}.metadata`, dist.metadata);
    }
    await writeContentAtomic(join(simpleDir, project, 'index.html'), projectPageHtml(projectPage(project, dists)));
  }
  return { url: pathToFileURL(simpleDir).href + '/', simpleDir };
}
