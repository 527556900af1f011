import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '@nx-pex/common';
import { ResolverError } from '../errors.js';
import type { LocalArtifact } from '../fetch/local-artifact.js';
import { parseWheelFilename } from '../filename/wheel.js';
import { readWheelMetadata } from '../metadata/wheel-metadata.js';
import { pathInside } from '../cache/paths.js';
import { BuildInterpreter, cachedWheel, publishWheel, withScratch, type BuiltWheel } from './built-cache.js';
import {
  buildSystemOf,
  buildWheelIsolated,
  readPyproject,
  runBuildCommand,
  type BuildRequirementsFetcher,
  type BuildSubject,
} from './pep517.js';

export type { BuildRequirementsFetcher } from './pep517.js';
export type { BuiltWheel } from './built-cache.js';

/**
 * PEP 517 wheel builds from sdists (see `pep517.ts`). Built wheels are cached by the sdist's sha256
 * and the build interpreter (`<cacheDir>/built/sha256/<aa>/<sha256>/<tag>/`), so a lock that records
 * the sdist (PEP 751 `sdist`) reuses the wheel on every later build.
 */

/** What a caller knows of the sdist it wants built. */
export interface SdistSource {
  /** PEP 503 normalised project name. */
  name: string;
  version: string;
  /** The verified sdist in the download cache. */
  path: string;
  filename: string;
  sha256: string;
  /** Where it came from, credential-free (recorded as the artifact's url). */
  url: string;
  /** The index's `data-requires-python`, used when the built wheel declares none. */
  requiresPython?: string;
}

export class SdistBuilder {
  private readonly inFlight = new Map<string, Promise<BuiltWheel>>();

  constructor(
    private readonly interpreter: BuildInterpreter,
    private readonly cacheDir: string,
    private readonly fetchRequirements: BuildRequirementsFetcher,
  ) {}

  get python(): string {
    return this.interpreter.python;
  }

  /** The wheel built from the sdist at `sdistPath` (cached by its sha256, `sha256` when already known). */
  build(sdistPath: string, filename: string, sha256?: string): Promise<BuiltWheel> {
    const key = sha256 ?? sdistPath;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.buildOnce(sdistPath, filename, sha256);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** The built wheel of `sdist` as a local artifact (url: the sdist's; version: the sdist's). */
  async artifact(sdist: SdistSource): Promise<LocalArtifact> {
    const wheel = await this.build(sdist.path, sdist.filename, sdist.sha256);
    const parsed = parseWheelFilename(wheel.filename);
    const metadata = await readWheelMetadata(wheel.path, sdist.name, wheel.filename);
    const info = await stat(wheel.path);
    const requiresPython = metadata.requiresPython ?? sdist.requiresPython;
    return {
      name: parsed.name,
      version: sdist.version,
      filename: wheel.filename,
      path: wheel.path,
      sha256: await sha256File(wheel.path),
      size: info.size,
      url: sdist.url,
      requiresDist: metadata.requiresDist,
      ...(requiresPython ? { requiresPython } : {}),
    };
  }

  private async buildOnce(sdistPath: string, filename: string, known?: string): Promise<BuiltWheel> {
    const subject: BuildSubject = { describe: filename, code: 'SDIST_BUILD_ERROR' };
    const sha256 = known ?? (await sha256File(sdistPath));
    const key = await this.interpreter.cacheKey().catch((err: unknown) => {
      throw new ResolverError(
        'SDIST_BUILD_ERROR',
        `Cannot build ${filename}: no Python interpreter at ${JSON.stringify(this.python)} to build it with (${(err as Error).message.split('\n')[0]}). Point the build at an installed CPython, or use a release with a wheel.`,
        { cause: err },
      );
    });
    const dir = pathInside(this.cacheDir, ['built', 'sha256', sha256.slice(0, 2), sha256, key]);
    const cached = await cachedWheel(dir);
    if (cached) return cached;
    if (!/\.tar\.gz$/i.test(filename)) {
      throw new ResolverError(
        'SDIST_BUILD_ERROR',
        `Cannot build ${filename}: only .tar.gz sdists are built (PEP 625). Use a release with a wheel or a .tar.gz sdist.`,
      );
    }
    return withScratch(join(this.cacheDir, 'built'), async (work) => {
      await mkdir(join(work, 'src'));
      await runBuildCommand('tar', ['xzf', sdistPath, '-C', join(work, 'src')], subject, 'unpacking');
      const top = (await readdir(join(work, 'src'))).filter((n) => !n.startsWith('.'));
      if (top.length !== 1)
        throw new ResolverError(
          'SDIST_BUILD_ERROR',
          `${filename}: expected one top-level directory, found ${top.length}.`,
        );
      const src = join(work, 'src', top[0]!);
      const system = buildSystemOf(await readPyproject(src, subject), src, subject);
      const built = await buildWheelIsolated({
        python: this.python,
        src,
        system,
        work,
        fetchRequirements: this.fetchRequirements,
        subject: { ...subject, describe: `${filename} (${system.backend})` },
      });
      return publishWheel(work, built.path, dir);
    });
  }
}
