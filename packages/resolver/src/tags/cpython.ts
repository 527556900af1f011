/**
 * Compatibility tags for CPython, most preferred first, in exactly the order
 * `packaging.tags.sys_tags()` yields them (PEP 425; packaging's `cpython_tags` then
 * `compatible_tags`). Pure: the interpreter facts come from `inspectInterpreter`.
 */
export interface CpythonTagInputs {
  version: [number, number];
  /** `sys.abiflags`: `t` (free-threaded, 3.13+), `d` (debug), `m` (pymalloc, < 3.8), `u` (UCS-4, < 3.3). */
  abiFlags: string;
  /** Platform tags, most preferred first (see `linuxPlatforms`). */
  platforms: string[];
}

export function cpythonTags(info: CpythonTagInputs): string[] {
  const [major, minor] = info.version;
  const nodot = `${major}${minor}`;
  const interpreter = `cp${nodot}`;
  const platforms = info.platforms;
  const threading = major === 3 && minor >= 13 && info.abiFlags.includes('t');
  const out: string[] = [];
  const each = (python: string, abi: string) => {
    for (const p of platforms) out.push(`${python}-${abi}-${p}`);
  };

  for (const abi of cpythonAbis(info)) each(interpreter, abi);
  // The stable ABI (PEP 384) exists from 3.2 on, and not for free-threaded builds (PEP 703).
  const abi3 = major >= 3 && (major > 3 || minor >= 2);
  if (abi3 && !threading) each(interpreter, 'abi3');
  each(interpreter, 'none');
  if (abi3 && !threading) {
    // abi3 wheels built for older CPython 3.x load on newer ones (not on free-threaded builds).
    for (let m = minor - 1; m > 1; m--) each(`cp${major}${m}`, 'abi3');
  }

  // packaging.tags.compatible_tags: pyXY/pyX per platform, then cpXY-none-any, then py*-none-any.
  const pyRange = pythonRange(major, minor);
  for (const py of pyRange) each(py, 'none');
  out.push(`${interpreter}-none-any`);
  for (const py of pyRange) out.push(`${py}-none-any`);
  return out;
}

function cpythonAbis(info: CpythonTagInputs): string[] {
  const [major, minor] = info.version;
  const nodot = `${major}${minor}`;
  const flags = info.abiFlags;
  // As packaging's `_cpython_abis`: each flag only exists in the versions that had it.
  const atLeast = (m: number) => major > 3 || (major === 3 && minor >= m);
  const threading = atLeast(13) && flags.includes('t') ? 't' : '';
  const debug = flags.includes('d') ? 'd' : '';
  const old = !atLeast(8);
  const pymalloc = old && flags.includes('m') ? 'm' : '';
  const ucs4 = !atLeast(3) && flags.includes('u') ? 'u' : '';
  const abis = [`cp${nodot}${threading}${debug}${pymalloc}${ucs4}`];
  // Debug builds (3.8+) also load normal extension modules.
  if (!old && debug) abis.push(`cp${nodot}${threading}`);
  return abis;
}

/** packaging's `_py_interpreter_range`: pyXY, pyX, then pyX(Y-1) down to pyX0. */
function pythonRange(major: number, minor: number): string[] {
  const out = [`py${major}${minor}`, `py${major}`];
  for (let m = minor - 1; m >= 0; m--) out.push(`py${major}${m}`);
  return out;
}
