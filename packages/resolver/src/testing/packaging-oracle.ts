// Test support (not shipped): run Python's own `packaging` (pip's vendored copy) as an oracle.
import { execFile, execFileSync } from 'node:child_process';
import { findPythons, type FoundPython } from '@nx-pex/tools';

export interface Oracle {
  /** The interpreter the oracle runs in. */
  python: FoundPython;
  /** Directory to put first on sys.path so `pip._vendor.packaging` is the newest one on the machine. */
  sitePackages: string;
  packagingVersion: string;
  /** True when `sitePackages` holds a standalone `packaging` (NX_PEX_PACKAGING_DIR), not pip's vendored copy. */
  standalone?: boolean;
}

/** Case count of the differential suites: NX_PEX_DIFF_CASES (e.g. 100000), else `fallback`. */
export function diffCases(fallback: number): number {
  const n = Number(process.env.NX_PEX_DIFF_CASES);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const PROBE = 'import json, os, pip; from pip._vendor import packaging; print(json.dumps([os.path.dirname(os.path.dirname(pip.__file__)), packaging.__version__]))';

function versionKey(v: string): number[] {
  return v.split('.').map((n) => Number.parseInt(n, 10) || 0);
}

function newer(a: string, b: string): boolean {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
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
  cached ??= findPythons().then(({ found }) => {
    const probe = `import sys, json; sys.path.insert(0, ${JSON.stringify(dir)}); import packaging, packaging.requirements, packaging.tags; print(json.dumps(packaging.__version__))`;
    return found.flatMap((python) => {
      try {
        const version = JSON.parse(execFileSync(python.path, ['-c', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as string;
        return [{ python, sitePackages: dir, packagingVersion: version, standalone: true }];
      } catch {
        return []; // too old a Python for that packaging
      }
    });
  });
  return cached;
}

function vendoredOracles(): Promise<Oracle[]> {
  return findPythons().then(({ found }) => {
    let best: { sitePackages: string; version: string } | undefined;
    for (const python of found) {
      const [sitePackages, version] = JSON.parse(execFileSync(python.path, ['-c', PROBE], { encoding: 'utf8' })) as [string, string];
      if (!best || newer(version, best.version)) best = { sitePackages, version };
    }
    return best ? found.map((python) => ({ python, sitePackages: best.sitePackages, packagingVersion: best.version })) : [];
  });
}

/** packaging ≥ 26 rejects `===` with an empty version; older packaging accepted it (we follow 26). */
export function acceptsEmptyArbitraryEquality(oracle: Oracle): boolean {
  return !newer(oracle.packagingVersion, '25.999');
}

/** Inputs with an empty `===` clause (or `=== ""` in a marker): where packaging < 26 and we differ. */
export const EMPTY_ARBITRARY_EQUALITY = /===\s*(?:$|[,;)]|""|'')/;

/** Run `script` in the oracle's Python with `input` as JSON on stdin; parse its stdout as JSON. One process per batch. */
export function runOracle<T>(oracle: Oracle, script: string, input: unknown = null): Promise<T> {
  const prelude = `import sys, json\nsys.path.insert(0, ${JSON.stringify(oracle.sitePackages)})\n`;
  if (oracle.standalone) script = script.replaceAll('pip._vendor.packaging', 'packaging');
  return new Promise((resolve, reject) => {
    const child = execFile(oracle.python.path, ['-c', prelude + script], { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`oracle failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as T);
    });
    child.stdin?.end(JSON.stringify(input));
  });
}
