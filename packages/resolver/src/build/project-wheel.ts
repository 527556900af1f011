import { createHash } from 'node:crypto';
import { mkdir, readdir, realpath, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256File } from '@nx-pex/common';
import { defaultCacheDir } from '../cache/dir.js';
import { pathInside } from '../cache/paths.js';
import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import { buildRequirementsFetcher } from '../fetch/fetch-artifacts.js';
import type { LocalArtifact } from '../fetch/local-artifact.js';
import { parseWheelFilename } from '../filename/wheel.js';
import type { HttpOptions } from '../http/client.js';
import { readWheelMetadata } from '../metadata/wheel-metadata.js';
import { BuildInterpreter, cachedWheel, publishWheel, withScratch, type BuiltWheel } from './built-cache.js';
import { describeBuildTarget } from './messages.js';
import { buildSystemOf, buildWheelIsolated, readPyproject, type BuildSubject } from './pep517.js';

/**
 * A first-party project built into a wheel by its own PEP 517 backend (for projects
 * `buildBackendReason` says need it: dynamic fields, VCS versions, build hooks). The build runs in the
 * project's own directory, as pip (≥ 21.3), uv and pex do: a VCS version (setuptools-scm, hatch-vcs)
 * is read from the checkout the project lives in, which a copy would lose. Build requirements are
 * resolved by this resolver into an isolated environment, exactly as for sdists.
 */

export interface BuildProjectWheelOptions {
  /** The directory holding the project's pyproject.toml (the source tree). */
  projectDir: string;
  /** The project's name, for messages (the Nx project or `[project] name`). */
  project: string;
  /** The target interpreter: it runs the backend, so the wheel fits it (extension modules included). */
  python: string;
  /**
   * The caller's hash of the project's inputs (sources, pyproject, anything the backend reads; hex,
   * 16–128 digits). With the interpreter's most preferred tag it keys the cache entry: the same inputs
   * never run the backend twice.
   */
  inputsHash: string;
  /** Where build requirements come from (PEP 517 `[build-system] requires`, `get_requires_for_build_wheel`). */
  index: IndexConfig;
  cacheDir?: string;
  http?: HttpOptions;
}

export interface ProjectWheel extends LocalArtifact {
  /** The backend that built it (`hatchling.build`, …). */
  backend: string;
  /** True when the wheel came from the cache (no backend run). */
  cached: boolean;
}

// Advice for failures whose cause a user can fix, recognised in the backend's output.
function advise(output: string): string | undefined {
  if (
    /unable to detect version|not a git repository|no tags can describe|cannot describe anything|LookupError: setuptools-scm/i.test(
      output,
    )
  ) {
    return "The version comes from VCS: build inside the project's git checkout with its tags fetched (CI: a full clone, not a shallow one), or set SETUPTOOLS_SCM_PRETEND_VERSION for setuptools-scm / hatch-vcs.";
  }
  return undefined;
}

const LOCK_POLL_MS = 200;
// A lock directory left without its owner file this long belongs to a process that died creating it.
const ORPHAN_LOCK_MS = 10 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Run `work` holding the build lock of a source tree: builds run in place, so two builds of one tree
 * (two interpreters, two Nx tasks) must not interleave (setuptools' build/ directory). A lock whose
 * owning process is gone is taken over.
 */
async function withTreeLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const owner = join(lockDir, 'owner');
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(owner, String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(await readFile(owner, 'utf8').catch(() => ''));
      const stale =
        pid > 0
          ? !alive(pid)
          : Date.now() -
              (await stat(lockDir).then(
                (s) => s.mtimeMs,
                () => Date.now(),
              )) >
            ORPHAN_LOCK_MS;
      if (stale) await rm(lockDir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

const inFlight = new Map<string, Promise<{ wheel: BuiltWheel; cached: boolean; backend: string }>>();

/**
 * PEP 517 `build_wheel` of a first-party project with the target interpreter, cached by
 * `inputsHash` (+ the interpreter's tag) in `<cacheDir>/projects/`. Failures are PROJECT_BUILD_ERROR
 * naming the project and its backend, with the tail of the backend's output.
 */
export async function buildProjectWheel(options: BuildProjectWheelOptions): Promise<ProjectWheel> {
  if (!/^[0-9a-f]{16,128}$/i.test(options.inputsHash)) {
    throw new ResolverError(
      'INVALID_CONFIG',
      `buildProjectWheel for project ${options.project}: inputsHash must be 16–128 hex digits, got ${JSON.stringify(options.inputsHash.slice(0, 140))}.`,
    );
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const interpreter = new BuildInterpreter(options.python);
  const target = await interpreter.target().catch((err: unknown) => {
    throw new ResolverError(
      'PROJECT_BUILD_ERROR',
      `Cannot build project ${options.project} with its backend: ${(err as Error).message}`,
      { cause: err },
    );
  });
  const hash = options.inputsHash.toLowerCase();
  const dir = pathInside(cacheDir, ['projects', hash.slice(0, 2), hash, await interpreter.cacheKey()]);
  let pending = inFlight.get(dir);
  if (!pending) {
    pending = buildOnce(options, cacheDir, interpreter, dir).finally(() => inFlight.delete(dir));
    inFlight.set(dir, pending);
  }
  const { wheel, cached, backend } = await pending;
  const parsed = parseWheelFilename(wheel.filename);
  if (!parsed.tags.some((t) => target.tags.includes(t))) {
    throw new ResolverError(
      'PROJECT_BUILD_ERROR',
      `Project ${options.project}: its backend ${backend} built ${wheel.filename}, which does not fit ${describeBuildTarget(target)}. Check the project's build configuration (wheel tags).`,
    );
  }
  const metadata = await readWheelMetadata(wheel.path, parsed.name, wheel.filename);
  const info = await stat(wheel.path);
  return {
    name: parsed.name,
    version: metadata.version ?? parsed.version,
    filename: wheel.filename,
    path: wheel.path,
    sha256: await sha256File(wheel.path),
    size: info.size,
    url: pathToFileURL(options.projectDir).href,
    requiresDist: metadata.requiresDist,
    ...(metadata.requiresPython ? { requiresPython: metadata.requiresPython } : {}),
    backend,
    cached,
  };
}

async function buildOnce(
  options: BuildProjectWheelOptions,
  cacheDir: string,
  interpreter: BuildInterpreter,
  dir: string,
): Promise<{ wheel: BuiltWheel; cached: boolean; backend: string }> {
  const base: BuildSubject = { describe: `project ${options.project}`, code: 'PROJECT_BUILD_ERROR', advise };
  const src = await realpath(options.projectDir).catch((err: NodeJS.ErrnoException) => {
    throw new ResolverError(
      'PROJECT_BUILD_ERROR',
      `Cannot build project ${options.project}: its directory ${options.projectDir} is not readable (${err.code ?? err.message}).`,
      { cause: err },
    );
  });
  if (
    !(await readdir(src).then(
      (names) => names.includes('pyproject.toml') || names.includes('setup.py'),
      () => false,
    ))
  ) {
    throw new ResolverError(
      'PROJECT_BUILD_ERROR',
      `Cannot build project ${options.project}: ${src} has no pyproject.toml or setup.py.`,
    );
  }
  const system = buildSystemOf(await readPyproject(src, base), src, base);
  const subject: BuildSubject = { ...base, describe: `project ${options.project} with its backend ${system.backend}` };
  const hit = await cachedWheel(dir);
  if (hit) return { wheel: hit, cached: true, backend: system.backend };
  const treeKey = createHash('sha256').update(src).digest('hex');
  const locks = pathInside(cacheDir, ['projects', 'locks']);
  await mkdir(locks, { recursive: true });
  return withTreeLock(join(locks, treeKey), async () => {
    // Another process may have built it while this one waited for the tree.
    const won = await cachedWheel(dir);
    if (won) return { wheel: won, cached: true, backend: system.backend };
    return withScratch(pathInside(cacheDir, ['projects']), async (work) => {
      const fetchRequirements = buildRequirementsFetcher(
        options.python,
        { index: options.index, cacheDir, http: options.http },
        () => interpreter.target(),
      );
      const built = await buildWheelIsolated({
        python: interpreter.python,
        src,
        system,
        work,
        fetchRequirements,
        subject,
      });
      return { wheel: await publishWheel(work, built.path, dir), cached: false, backend: system.backend };
    });
  });
}
