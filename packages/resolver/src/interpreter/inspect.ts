import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { executableIdentity, writeContentAtomic } from '@nx-pex/common';
import { defaultCacheDir } from '../cache/dir.js';
import { pathInside } from '../cache/paths.js';
import { readCacheText } from '../cache/read.js';
import { ResolverError } from '../errors.js';
import { cpythonTags } from '../tags/cpython.js';
import { platformTags } from '../tags/platforms.js';
import { PROBE_SCRIPT, type ProbeResult } from './probe.js';

/** The interpreter a build targets: what wheels it can load, and the PEP 508 marker environment. */
export interface TargetInterpreter {
  python?: string;
  implementation: 'cp';
  version: [number, number, number];
  /** Compatibility tags, most preferred first, as `packaging.tags.sys_tags()`. */
  tags: string[];
  /** PEP 508 marker environment of this interpreter (optional so callers may build targets by hand). */
  markers?: Record<string, string>;
}

function run(python: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ['-I', '-S', '-c', PROBE_SCRIPT],
      { timeout: 30_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new ResolverError(
              'INTERPRETER_ERROR',
              `Could not run Python interpreter ${JSON.stringify(python)}: ${(stderr || err.message).trim()}. Check that it exists and is executable, or pass another interpreter path.`,
              { cause: err },
            ),
          );
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** The largest probe answer read (from the interpreter or the cache). */
const MAX_PROBE_BYTES = 1 << 20;

function parseProbe(stdout: string, python: string): ProbeResult {
  try {
    const probe = JSON.parse(stdout) as unknown;
    if (typeof probe !== 'object' || probe === null || Array.isArray(probe)) throw new Error('not an object');
    return probe as ProbeResult;
  } catch (err) {
    throw new ResolverError(
      'INTERPRETER_ERROR',
      `Interpreter ${JSON.stringify(python)} printed unexpected output while being inspected: ${stdout.slice(0, 200)}`,
      { cause: err },
    );
  }
}

/**
 * The probe's answer for `python`. Cached (`<cacheDir>/interpreters/<key>.json`) by the executable
 * file that runs — its real path, size, mtime and inode, which a reinstall or upgrade changes — and
 * the probe script, as uv caches its interpreter queries; a launcher script (a version manager's
 * shim) may run another interpreter each time and is always run. The probe runs isolated (`-I -S`),
 * so the environment does not change its answer. A damaged entry is probed again.
 */
async function probeOf(python: string): Promise<ProbeResult> {
  const identity = await executableIdentity(python).catch(() => undefined);
  if (!identity || !('real' in identity)) return parseProbe(await run(python), python);
  const { real, size, mtimeMs, ino } = identity;
  const key = createHash('sha256')
    .update(JSON.stringify([real, size, mtimeMs, ino, PROBE_SCRIPT]))
    .digest('hex');
  const path = pathInside(defaultCacheDir(), ['interpreters', `${key}.json`]);
  const cached = await readCacheText(path, MAX_PROBE_BYTES);
  if (cached !== undefined) {
    try {
      return parseProbe(cached, python);
    } catch {
      // damaged: probe again
    }
  }
  const stdout = await run(python);
  const result = parseProbe(stdout, python);
  await writeContentAtomic(path, stdout).catch(() => undefined); // the cache is an optimisation
  return result;
}

/** Run `python` once with a tiny probe (or take its cached answer) and compute its tags and marker environment. */
export async function inspectInterpreter(python = 'python3'): Promise<TargetInterpreter> {
  const probe = await probeOf(python);
  if (probe.implementation !== 'cpython') {
    throw new ResolverError(
      'INTERPRETER_ERROR',
      `Interpreter ${JSON.stringify(python)} is ${probe.implementation}; only CPython targets are supported. Use a CPython interpreter.`,
    );
  }
  const [major, minor] = probe.version;
  const platforms = platformTags({
    platform: probe.platform,
    is32bit: probe.is32bit,
    ...(probe.glibc ? { glibc: probe.glibc } : {}),
    ...(probe.musl ? { musl: probe.musl } : {}),
  });
  const tags = cpythonTags({ version: [major, minor], abiFlags: abiFlagsOf(probe), platforms });
  return {
    python: probe.executable || python,
    implementation: 'cp',
    version: probe.version,
    tags,
    markers: markerEnvironment(probe),
  };
}

/** packaging reads Py_DEBUG / Py_GIL_DISABLED rather than sys.abiflags; fold both in. */
function abiFlagsOf(probe: ProbeResult): string {
  let flags = probe.abiflags;
  if (probe.gil_disabled && !flags.includes('t')) flags = `t${flags}`;
  if (probe.py_debug && !flags.includes('d')) flags += 'd';
  return flags;
}

/** PEP 508 `implementation_version`: "3.12.1", with the release level suffix when not final. */
function markerEnvironment(probe: ProbeResult): Record<string, string> {
  const [maj, min, mic, level, serial] = probe.implementation_version;
  let implementationVersion = `${maj}.${min}.${mic}`;
  if (level !== 'final') implementationVersion += `${level[0]}${serial}`;
  return { ...probe.markers, implementation_version: implementationVersion };
}
