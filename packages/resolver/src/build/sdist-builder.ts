import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ResolverError } from '../errors.js';
import { tryParseWheelFilename } from '../filename/wheel.js';

/**
 * PEP 517 wheel builds from sdists, isolated: a fresh `python -m venv --without-pip` of the build
 * Python, the build requirements (pyproject `[build-system] requires`, then the backend's
 * `get_requires_for_build_wheel`) resolved by this resolver as wheels and put on `sys.path` by a
 * small shim (pure-Python wheels import from their zip), then `build_wheel`. Built wheels are cached
 * by the sdist's sha256 (`<cacheDir>/built/sha256/<aa>/<sha256>/`, written to a temp dir and renamed).
 */

/** Resolve and fetch build requirements as wheels for the build Python; returns their paths. */
export type BuildRequirementsFetcher = (requirements: string[]) => Promise<string[]>;

export interface BuiltWheel {
  path: string;
  filename: string;
}

// The shim runs inside the build venv: config as JSON in argv[1], result JSON written to cfg["result"]
// (stdout belongs to the backend).
const SHIM = `
import importlib, json, os, sys
cfg = json.loads(sys.argv[1])
sys.path[:0] = cfg["path"]
os.chdir(cfg["src"])
name, _, attrs = cfg["backend"].partition(":")
backend = importlib.import_module(name)
for attr in filter(None, attrs.split(".")):
    backend = getattr(backend, attr)
if cfg["step"] == "requires":
    hook = getattr(backend, "get_requires_for_build_wheel", None)
    result = list(hook({})) if hook else []
else:
    result = backend.build_wheel(cfg["out"], {})
with open(cfg["result"], "w") as f:
    json.dump(result, f)
`;

function run(python: string, args: string[], describe: string, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(python, args, { maxBuffer: 64 << 20, ...(env ? { env } : {}) }, (err, stdout, stderr) => {
      if (!err) {
        resolvePromise(stdout);
        return;
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new ResolverError('SDIST_BUILD_ERROR', `Cannot build ${describe}: no Python interpreter at ${JSON.stringify(python)}. Install CPython or pass another interpreter to build sdists with, or use a release with a wheel.`, { cause: err }));
        return;
      }
      const tail = (stderr || stdout || err.message).trim().split('\n').slice(-15).join('\n');
      reject(new ResolverError('SDIST_BUILD_ERROR', `Building ${describe} failed:\n${tail}`, { cause: err }));
    });
  });
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

interface BuildSystem { requires: string[]; backend: string; backendPath: string[] }

async function buildSystem(src: string, describe: string): Promise<BuildSystem> {
  const file = join(src, 'pyproject.toml');
  // PEP 517: no pyproject.toml (or no [build-system]) means setuptools' legacy backend.
  const legacy: BuildSystem = { requires: ['setuptools>=40.8.0'], backend: 'setuptools.build_meta:__legacy__', backendPath: [] };
  if (!(await exists(file))) return legacy;
  let doc: { 'build-system'?: { requires?: unknown; 'build-backend'?: unknown; 'backend-path'?: unknown } };
  try {
    doc = parseToml(await readFile(file, 'utf8')) as typeof doc;
  } catch (err) {
    throw new ResolverError('SDIST_BUILD_ERROR', `${describe}: pyproject.toml is not valid TOML (${(err as Error).message}).`, { cause: err });
  }
  const bs = doc['build-system'];
  if (!bs) return legacy;
  const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);
  const requires = strings(bs.requires);
  if (!requires) throw new ResolverError('SDIST_BUILD_ERROR', `${describe}: [build-system] requires must be a list of requirement strings.`);
  const backend = typeof bs['build-backend'] === 'string' ? bs['build-backend'] : 'setuptools.build_meta:__legacy__';
  const backendPath = (strings(bs['backend-path']) ?? []).map((p) => {
    const abs = resolve(src, p);
    // PEP 517: backend-path entries must stay inside the source tree.
    if (abs !== src && !abs.startsWith(src + '/')) throw new ResolverError('SDIST_BUILD_ERROR', `${describe}: backend-path ${p} leaves the source tree.`);
    return abs;
  });
  return { requires, backend, backendPath };
}

export class SdistBuilder {
  private readonly inFlight = new Map<string, Promise<BuiltWheel>>();

  constructor(
    private readonly python: string,
    private readonly cacheDir: string,
    private readonly fetchRequirements: BuildRequirementsFetcher,
  ) {}

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

  private async buildOnce(sdistPath: string, filename: string, known?: string): Promise<BuiltWheel> {
    const sha256 = known ?? await sha256Of(sdistPath);
    const dir = join(this.cacheDir, 'built', 'sha256', sha256.slice(0, 2), sha256);
    const cached = await this.cachedWheel(dir);
    if (cached) return cached;
    if (!/\.tar\.gz$/i.test(filename)) {
      throw new ResolverError('SDIST_BUILD_ERROR', `Cannot build ${filename}: only .tar.gz sdists are built (PEP 625). Use a release with a wheel or a .tar.gz sdist.`);
    }
    await mkdir(join(this.cacheDir, 'built'), { recursive: true });
    const work = await mkdtemp(join(this.cacheDir, 'built', '.build-'));
    try {
      await mkdir(join(work, 'src'));
      await run('tar', ['xzf', sdistPath, '-C', join(work, 'src')], filename);
      const top = (await readdir(join(work, 'src'))).filter((n) => !n.startsWith('.'));
      if (top.length !== 1) throw new ResolverError('SDIST_BUILD_ERROR', `${filename}: expected one top-level directory, found ${top.length}.`);
      const src = join(work, 'src', top[0]!);
      const system = await buildSystem(src, filename);
      const venv = join(work, 'env');
      await run(this.python, ['-m', 'venv', '--without-pip', venv], `${filename} (creating the build environment)`);
      const venvPython = join(venv, 'bin', 'python');
      const shim = join(work, 'shim.py');
      await writeFile(shim, SHIM);
      const step = async (name: 'requires' | 'build', paths: string[]): Promise<unknown> => {
        const result = join(work, `${name}.json`);
        const cfg = { path: [...system.backendPath, ...paths], src, backend: system.backend, step: name, out: join(work, 'out'), result };
        // -I: no user site, no PYTHON* variables; the venv has nothing installed.
        await run(venvPython, ['-I', shim, JSON.stringify(cfg)], `${filename} (${system.backend})`);
        return JSON.parse(await readFile(result, 'utf8')) as unknown;
      };
      let paths = await this.fetchRequirements(system.requires);
      const extra = await step('requires', paths);
      if (!Array.isArray(extra) || !extra.every((x) => typeof x === 'string')) {
        throw new ResolverError('SDIST_BUILD_ERROR', `${filename}: get_requires_for_build_wheel returned ${JSON.stringify(extra)}, not a list of strings.`);
      }
      if (extra.length) paths = await this.fetchRequirements([...system.requires, ...extra]);
      await mkdir(join(work, 'out'));
      const built = await step('build', paths);
      if (typeof built !== 'string' || !tryParseWheelFilename(built)) {
        throw new ResolverError('SDIST_BUILD_ERROR', `${filename}: build_wheel returned ${JSON.stringify(built)}, not a wheel filename.`);
      }
      // Publish: temp dir beside the final one, then rename (another process may have won: keep theirs).
      const staged = join(work, 'publish');
      await mkdir(staged);
      await rename(join(work, 'out', built), join(staged, built));
      await mkdir(join(dir, '..'), { recursive: true });
      await rename(staged, dir).catch(async (err: NodeJS.ErrnoException) => {
        if (!(await this.cachedWheel(dir))) throw err;
      });
      return (await this.cachedWheel(dir))!;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async cachedWheel(dir: string): Promise<BuiltWheel | undefined> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const filename = names.find((n) => n.endsWith('.whl'));
    return filename ? { path: join(dir, filename), filename } : undefined;
  }
}
