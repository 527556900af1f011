// Test support (not shipped): run Python's own `packaging` (pip's vendored copy) as an oracle.
import { execFile, execFileSync } from 'node:child_process';
import { findPythons, type FoundPython } from '@nx-pex/tools';

export interface Oracle {
  /** The interpreter the oracle runs in. */
  python: FoundPython;
  /** Directory to put first on sys.path so `pip._vendor.packaging` is the newest one on the machine. */
  sitePackages: string;
  packagingVersion: string;
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

/**
 * Every Python on the machine, each paired with the newest vendored `packaging` found (packaging
 * changed behaviour over time, e.g. 22.0 added `cpXY-none-any` to sys_tags; we follow current packaging).
 */
export function oracles(): Promise<Oracle[]> {
  cached ??= findPythons().then(({ found }) => {
    let best: { sitePackages: string; version: string } | undefined;
    for (const python of found) {
      const [sitePackages, version] = JSON.parse(execFileSync(python.path, ['-c', PROBE], { encoding: 'utf8' })) as [string, string];
      if (!best || newer(version, best.version)) best = { sitePackages, version };
    }
    return best ? found.map((python) => ({ python, sitePackages: best.sitePackages, packagingVersion: best.version })) : [];
  });
  return cached;
}

/** Run `script` in the oracle's Python with `input` as JSON on stdin; parse its stdout as JSON. One process per batch. */
export function runOracle<T>(oracle: Oracle, script: string, input: unknown = null): Promise<T> {
  const prelude = `import sys, json\nsys.path.insert(0, ${JSON.stringify(oracle.sitePackages)})\n`;
  return new Promise((resolve, reject) => {
    const child = execFile(oracle.python.path, ['-c', prelude + script], { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`oracle failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as T);
    });
    child.stdin?.end(JSON.stringify(input));
  });
}
