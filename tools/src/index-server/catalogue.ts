import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ToolsError } from '../errors.js';
import { isDistributionFilename, parseDistributionFilename } from '../pep503/distribution-filename.js';
import { metadataField, readSdistPkgInfo, readWheelMetadata } from './read-metadata.js';

/** One file the index serves, with what the simple API says about it. */
export interface Distribution {
  filename: string;
  path: string;
  kind: 'wheel' | 'sdist';
  /** PEP 503 normalised project name. */
  project: string;
  /** Project name as its metadata spells it (falls back to the normalised name). */
  displayName: string;
  version: string;
  sha256: string;
  size: number;
  /** Core metadata served as `<file>.metadata` (PEP 658); wheels only. */
  metadata?: Buffer;
  metadataSha256?: string;
  requiresPython?: string;
}

export interface CatalogueSource {
  wheelsDir?: string;
  wheels?: string[];
}

/**
 * The distributions under a directory and/or an explicit list, grouped by project. The directory is
 * re-read on every call so a test may add files after the index starts; unchanged files are not re-hashed.
 */
export class Catalogue {
  private readonly cache = new Map<string, { key: string; dist: Distribution }>();

  constructor(private readonly source: CatalogueSource) {}

  async projects(): Promise<Map<string, Distribution[]>> {
    const byProject = new Map<string, Distribution[]>();
    for (const path of await this.paths()) {
      const dist = await this.describe(path);
      const list = byProject.get(dist.project) ?? [];
      list.push(dist);
      byProject.set(dist.project, list);
    }
    for (const list of byProject.values())
      list.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
    return new Map([...byProject.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  async byFilename(filename: string): Promise<Distribution | undefined> {
    const path = (await this.paths()).find((p) => basename(p) === filename);
    return path === undefined ? undefined : this.describe(path);
  }

  private async paths(): Promise<string[]> {
    const paths = new Set((this.source.wheels ?? []).map((p) => resolve(p)));
    if (this.source.wheelsDir !== undefined) {
      const dir = resolve(this.source.wheelsDir);
      const names = await readdir(dir).catch((err: unknown) => {
        throw notFound(`wheelsDir ${dir}`, err, 'create it (and build wheels into it) before starting the index');
      });
      for (const name of names) if (isDistributionFilename(name)) paths.add(join(dir, name));
    }
    return [...paths].sort();
  }

  private async describe(path: string): Promise<Distribution> {
    const st = await stat(path).catch((err: unknown) => {
      throw notFound(path, err, 'keep listed files in place while the index runs');
    });
    const key = `${st.size}:${st.mtimeMs}`;
    const cached = this.cache.get(path);
    if (cached?.key === key) return cached.dist;
    const dist = await describeDistribution(path);
    this.cache.set(path, { key, dist });
    return dist;
  }
}

export async function describeDistribution(path: string): Promise<Distribution> {
  const filename = basename(path);
  const parsed = parseDistributionFilename(filename);
  const { sha256, size } = await hashFile(path);
  const metadata = parsed.kind === 'wheel' ? await wheelMetadataOrNone(path) : await sdistPkgInfo(path);
  const dist: Distribution = {
    filename,
    path,
    kind: parsed.kind,
    project: parsed.project,
    displayName: (metadata && metadataField(metadata, 'Name')) || parsed.project,
    version: parsed.version,
    sha256,
    size,
  };
  const requiresPython = metadata && metadataField(metadata, 'Requires-Python');
  if (requiresPython) dist.requiresPython = requiresPython;
  // PEP 658 serves a wheel's METADATA; an sdist's PKG-INFO is only trustworthy when static, so it is not offered.
  if (parsed.kind === 'wheel' && metadata) {
    dist.metadata = metadata;
    dist.metadataSha256 = sha256Hex(metadata);
  }
  return dist;
}

/**
 * A wheel whose METADATA cannot be read (e.g. bytes corrupted on purpose to test hash checks) is still
 * served, without PEP 658 metadata or Requires-Python: a fixture index must be able to serve bad files.
 */
async function wheelMetadataOrNone(path: string): Promise<Buffer | undefined> {
  try {
    return await readWheelMetadata(path);
  } catch (err) {
    if (err instanceof ToolsError && err.code === 'METADATA_NOT_FOUND') return undefined;
    throw err;
  }
}

async function sdistPkgInfo(path: string): Promise<Buffer | undefined> {
  if (!path.endsWith('.tar.gz')) return undefined;
  try {
    return await readSdistPkgInfo(path);
  } catch {
    return undefined; // not a readable gzip/tar: served as-is, like a corrupt wheel
  }
}

async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

function notFound(what: string, err: unknown, todo: string): ToolsError {
  const why = err instanceof Error ? err.message : String(err);
  return new ToolsError('DISTRIBUTION_NOT_FOUND', `The fixture index cannot read ${what} (${why}): ${todo}.`, {
    cause: err,
  });
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
