// Test support: run Python's own `packaging` as an oracle.
//  - `currentPackaging()`: the release pinned below, installed from the index by pip into the user
//    cache dir on first use. The PEP 440/508 differential suites compare against it.
//  - `oracles()`: pip's vendored copy (newest on the machine), for the tag suites and as an extra check.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { userCacheHome } from '@nx-pex/common';
import { findPythons, isolatedPipEnv, type FoundPython } from '../pythons/index.js';

/**
 * The `packaging` release the differential suites agree with: the newest on the index when last
 * bumped. Bump deliberately (`pip index versions packaging`), then fix what the suites report.
 */
export const PACKAGING_VERSION = '26.4';

export interface Oracle {
  /** The interpreter the oracle runs in. */
  python: FoundPython;
  /** Directory to put first on sys.path so `pip._vendor.packaging` is the newest one on the machine. */
  sitePackages: string;
  packagingVersion: string;
  /** True when `sitePackages` holds a standalone `packaging` (from the index or NX_PEX_PACKAGING_DIR), not pip's vendored copy. */
  standalone?: boolean;
}

const run = promisify(execFile);

/** NX_PEX_LONG=1: the long mode of the differential suites. */
const LONG = process.env.NX_PEX_LONG === '1';

/** Case count of the differential suites: NX_PEX_DIFF_CASES (e.g. 100000), else `fallback`. */
export function diffCases(fallback: number): number {
  const n = Number(process.env.NX_PEX_DIFF_CASES);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Generated cases per PEP 440/508 differential run: NX_PEX_DIFF_CASES, else 1M with NX_PEX_LONG=1, else 100k. */
export function differentialCases(): number {
  return diffCases(LONG ? 1_000_000 : 100_000);
}

/** `nx-pex-test` in the user's cache home (the same rule as nx-pex's cache): test-only downloads, kept between runs. */
export function testCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheHome(env), 'nx-pex-test');
}

const STANDALONE_PROBE =
  'import json, packaging, packaging.requirements, packaging.markers, packaging.specifiers; print(json.dumps(packaging.__version__))';

function probeStandalone(python: FoundPython, dir: string): string | undefined {
  try {
    const probe = `import sys; sys.path.insert(0, ${JSON.stringify(dir)}); ${STANDALONE_PROBE}`;
    return JSON.parse(
      execFileSync(python.path, ['-c', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    ) as string;
  } catch {
    return undefined; // too old a Python for that packaging
  }
}

/** Install `packaging==version` with pip into `<cache>/packaging-<version>` (temp dir + rename; reused when present). */
async function installPackaging(python: FoundPython, version: string): Promise<string> {
  const cache = testCacheDir();
  const dir = join(cache, `packaging-${version}`);
  if (existsSync(join(dir, 'packaging', '__init__.py'))) return dir;
  await mkdir(cache, { recursive: true });
  const work = await mkdtemp(join(cache, `.packaging-${version}-`));
  try {
    await run(
      python.path,
      ['-m', 'pip', 'install', '--quiet', '--no-deps', '--no-compile', '--target', work, `packaging==${version}`],
      {
        env: isolatedPipEnv(),
        timeout: 300_000,
      },
    );
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    const said = String((error as { stderr?: string }).stderr || (error as Error).message)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    throw new Error(
      `Could not install packaging==${version} from the package index with ${python.path} -m pip (${said}). The PEP 440/508 differential suites compare against it: make the index reachable (PIP_INDEX_URL for a mirror), or set NX_PEX_PACKAGING_DIR to a directory holding packaging ${version}.`,
      { cause: error },
    );
  }
  try {
    await rename(work, dir);
  } catch {
    await rm(work, { recursive: true, force: true }); // another worker installed it first
  }
  return dir;
}

let current: Promise<Oracle> | undefined;

/**
 * `packaging` PACKAGING_VERSION from the index (or NX_PEX_PACKAGING_DIR), run by the newest Python
 * found that can import it. Rejects with a message saying why when it cannot be had: the suites fail
 * instead of passing without an oracle.
 */
export function currentPackaging(): Promise<Oracle> {
  current ??= (async () => {
    const { found } = await findPythons();
    const newestFirst = [...found].reverse();
    if (newestFirst.length === 0)
      throw new Error(
        'No CPython found (see tools/src/pythons): the PEP 440/508 differential suites need one to run packaging.',
      );
    const dir = process.env.NX_PEX_PACKAGING_DIR || (await installPackaging(newestFirst[0]!, PACKAGING_VERSION));
    for (const python of newestFirst) {
      const version = probeStandalone(python, dir);
      if (version) return { python, sitePackages: dir, packagingVersion: version, standalone: true };
    }
    throw new Error(
      `No CPython found can import the packaging in ${dir} (packaging ${PACKAGING_VERSION} needs Python >= 3.10).`,
    );
  })();
  return current;
}

/** One line naming what a suite compares against, for the test output. */
export function describeOracle(oracle: Oracle): string {
  const source = !oracle.standalone
    ? 'pip-vendored'
    : process.env.NX_PEX_PACKAGING_DIR
      ? 'NX_PEX_PACKAGING_DIR'
      : 'index';
  return `packaging ${oracle.packagingVersion} (${source}) on CPython ${oracle.python.full}`;
}

const PROBE =
  'import json, os, pip; from pip._vendor import packaging; print(json.dumps([os.path.dirname(os.path.dirname(pip.__file__)), packaging.__version__]))';

function versionKey(v: string): number[] {
  return v.split('.').map((n) => Number.parseInt(n, 10) || 0);
}

function newer(a: string, b: string): boolean {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}

let cached: Promise<Oracle[]> | undefined;
let cachedVendored: Promise<Oracle[]> | undefined;

/**
 * Every Python on the machine, each paired with the newest vendored `packaging` found (packaging
 * changed behaviour over time, e.g. 22.0 added `cpXY-none-any` to sys_tags; we follow current packaging).
 */
export function oracles(options: { vendoredOnly?: boolean } = {}): Promise<Oracle[]> {
  // NX_PEX_PACKAGING_DIR: a site-packages dir with a standalone (e.g. current) `packaging`.
  const dir = options.vendoredOnly ? undefined : process.env.NX_PEX_PACKAGING_DIR;
  if (!dir) {
    cachedVendored ??= vendoredOracles();
    return cachedVendored;
  }
  cached ??= findPythons().then(({ found }) =>
    found.flatMap((python) => {
      const version = probeStandalone(python, dir);
      return version ? [{ python, sitePackages: dir, packagingVersion: version, standalone: true }] : [];
    }),
  );
  return cached;
}

function vendoredOracles(): Promise<Oracle[]> {
  return findPythons().then(({ found }) => {
    let best: { sitePackages: string; version: string } | undefined;
    for (const python of found) {
      const [sitePackages, version] = JSON.parse(execFileSync(python.path, ['-c', PROBE], { encoding: 'utf8' })) as [
        string,
        string,
      ];
      if (!best || newer(version, best.version)) best = { sitePackages, version };
    }
    return best
      ? found.map((python) => ({ python, sitePackages: best.sitePackages, packagingVersion: best.version }))
      : [];
  });
}

/** Run `script` in the oracle's Python with `input` as JSON on stdin; parse its stdout as JSON. One process per batch. */
export function runOracle<T>(oracle: Oracle, script: string, input: unknown = null): Promise<T> {
  // Warnings off: quoted marker strings with unknown escapes make Python warn once per input.
  const prelude = `import sys, json, warnings\nwarnings.simplefilter("ignore")\nsys.path.insert(0, ${JSON.stringify(oracle.sitePackages)})\n`;
  if (oracle.standalone) script = script.replaceAll('pip._vendor.packaging', 'packaging');
  return new Promise((resolve, reject) => {
    const child = execFile(
      oracle.python.path,
      ['-c', prelude + script],
      { maxBuffer: 1 << 30 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`oracle failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as T);
      },
    );
    child.stdin?.end(JSON.stringify(input));
  });
}

/**
 * Run `script` over `inputs` in batches (one Python process per batch, bounded memory) and
 * concatenate the per-input answers; the script reads a JSON list and prints a list of equal length.
 */
export async function runOracleBatched<I, O>(
  oracle: Oracle,
  script: string,
  inputs: readonly I[],
  batch = 100_000,
): Promise<O[]> {
  const out: O[] = [];
  for (let i = 0; i < inputs.length; i += batch) {
    const chunk = inputs.slice(i, i + batch);
    const answers = await runOracle<O[]>(oracle, script, chunk);
    if (answers.length !== chunk.length) throw new Error(`oracle answered ${answers.length} of ${chunk.length} inputs`);
    out.push(...answers);
  }
  return out;
}

/** Disagreements of a differential run: counted, with the first few kept for the failure message. */
export class Disagreements {
  count = 0;
  compared = 0;
  readonly examples: string[] = [];

  check(input: unknown, actual: unknown, expected: unknown): void {
    this.compared++;
    if (JSON.stringify(actual) === JSON.stringify(expected)) return;
    this.count++;
    if (this.examples.length < 15)
      this.examples.push(
        `${JSON.stringify(input)}: nx-pex ${JSON.stringify(actual)}, packaging ${JSON.stringify(expected)}`,
      );
  }

  summary(what: string): string {
    const agree = this.compared === 0 ? 0 : (100 * (this.compared - this.count)) / this.compared;
    return `${what}: ${this.compared - this.count}/${this.compared} agree (${agree.toFixed(3)}%)${this.count ? `\n  ${this.examples.join('\n  ')}` : ''}`;
  }
}
