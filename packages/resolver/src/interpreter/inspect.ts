import { execFile } from 'node:child_process';
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

/** Run `python` once with a tiny probe and compute its tags and marker environment. */
export async function inspectInterpreter(python = 'python3'): Promise<TargetInterpreter> {
  const stdout = await run(python);
  let probe: ProbeResult;
  try {
    probe = JSON.parse(stdout) as ProbeResult;
  } catch (err) {
    throw new ResolverError(
      'INTERPRETER_ERROR',
      `Interpreter ${JSON.stringify(python)} printed unexpected output while being inspected: ${stdout.slice(0, 200)}`,
      { cause: err },
    );
  }
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
