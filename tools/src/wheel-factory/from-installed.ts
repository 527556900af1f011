import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ToolsError } from '../errors.js';
import { buildWheel } from './build-wheel.js';
import type { BuiltWheel, WheelSpec } from './spec.js';

const run = promisify(execFile);

/**
 * Run in the target interpreter: what `importlib.metadata` knows of one installed distribution.
 * Payload = RECORD entries under its top-level packages (a directory holding a `.py`, `.so` or `.pyd`
 * somewhere below it) and top-level modules, minus `__pycache__`/`.pyc`; entries outside site-packages
 * (`../../bin/…`), `.dist-info`, `.data`, `.pth` files and script dirs are left out.
 */
export const INSPECT_INSTALLED = String.raw`
import json, re, sys
from importlib import metadata

def main(name):
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return {"error": "not-found"}
    files = dist.files
    if files is None:
        return {"error": "no-record"}
    code = (".py", ".so", ".pyd")
    entries = []
    packages = set()
    for f in files:
        parts = f.parts
        if not parts or parts[0] in ("..", "") or parts[0].endswith((".dist-info", ".data", ".egg-info")):
            continue
        if "__pycache__" in parts or f.name.endswith(".pyc"):
            continue
        entries.append(f)
        if len(parts) > 1 and f.name.endswith(code) and parts[0].isidentifier():
            packages.add(parts[0])
    out = []
    for f in entries:
        parts = f.parts
        top_level_module = len(parts) == 1 and f.name.endswith(code)
        if top_level_module or (len(parts) > 1 and parts[0] in packages):
            out.append({"archive": "/".join(parts), "path": str(dist.locate_file(f))})
    md = dist.metadata
    scripts = {}
    for ep in dist.entry_points:
        if ep.group == "console_scripts":
            scripts[ep.name] = re.sub(r"\s*\[.*\]\s*$", "", ep.value).replace(" ", "")
    summary = md.get("Summary")
    return {
        "name": md["Name"],
        "version": dist.version,
        "requiresDist": md.get_all("Requires-Dist") or [],
        "requiresPython": md.get("Requires-Python"),
        "providesExtra": md.get_all("Provides-Extra") or [],
        "summary": summary if summary and "\n" not in summary else None,
        "consoleScripts": scripts,
        "files": sorted(out, key=lambda e: e["archive"]),
    }

print(json.dumps(main(sys.argv[1])))
`;

interface Inspected {
  error?: 'not-found' | 'no-record';
  name: string;
  version: string;
  requiresDist: string[];
  requiresPython: string | null;
  providesExtra: string[];
  summary: string | null;
  consoleScripts: Record<string, string>;
  files: { archive: string; path: string }[];
}

/**
 * Rebuild a `py3-none-any` wheel into `outDir` from `distribution` as installed in `python`: its
 * top-level packages/modules (from RECORD, without bytecode or bin/ scripts), METADATA (Name, Version,
 * Requires-Dist, Requires-Python, Provides-Extra, Summary) and `console_scripts`. A distribution with
 * compiled extension modules (`.so`/`.pyd`) is refused: it is not pure Python.
 */
export async function wheelFromInstalled(python: string, distribution: string, outDir: string): Promise<BuiltWheel> {
  let stdout: string;
  try {
    ({ stdout } = await run(python, ['-c', INSPECT_INSTALLED, distribution], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }));
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT' || err.code === 'EACCES')
      throw new ToolsError(
        'PYTHON_NOT_FOUND',
        `Cannot rebuild ${distribution}: cannot run ${python} (${err.code}). Pass an interpreter path.`,
        { cause: e },
      );
    throw new ToolsError(
      'METADATA_NOT_FOUND',
      `Cannot rebuild ${distribution}: reading it with importlib.metadata in ${python} failed: ${err.stderr?.trim() || err.message}`,
      { cause: e },
    );
  }
  const info = JSON.parse(stdout) as Inspected;
  if (info.error === 'not-found')
    throw new ToolsError(
      'DISTRIBUTION_NOT_FOUND',
      `Cannot rebuild ${distribution}: it is not installed in ${python} (importlib.metadata finds no distribution of that name). Install it there first.`,
    );
  if (info.error === 'no-record')
    throw new ToolsError(
      'METADATA_NOT_FOUND',
      `Cannot rebuild ${distribution}: its installation in ${python} has no RECORD, so its files are unknown.`,
    );
  const compiled = info.files.filter((f) => /\.(so|pyd)$/.test(f.archive)).map((f) => f.archive);
  if (compiled.length > 0)
    throw new ToolsError(
      'INVALID_WHEEL_SPEC',
      `Cannot rebuild ${info.name} ${info.version} as a py3-none-any wheel: it has compiled extension modules (${compiled.slice(0, 3).join(', ')}${compiled.length > 3 ? `, … ${compiled.length} in all` : ''}). Only pure-Python distributions can be rebuilt.`,
    );
  if (info.files.length === 0)
    throw new ToolsError(
      'DISTRIBUTION_NOT_FOUND',
      `Cannot rebuild ${info.name} ${info.version}: RECORD in ${python} lists no top-level package or module of it.`,
    );
  const modules: Record<string, Uint8Array> = {};
  for (const f of info.files) {
    try {
      modules[f.archive] = await readFile(f.path);
    } catch (e) {
      throw new ToolsError(
        'DISTRIBUTION_NOT_FOUND',
        `Cannot rebuild ${info.name} ${info.version}: ${f.path}, listed in its RECORD, cannot be read (${(e as Error).message}).`,
        { cause: e },
      );
    }
  }
  const spec: WheelSpec = {
    name: info.name,
    version: info.version,
    modules,
    requiresDist: info.requiresDist,
    ...(info.requiresPython ? { requiresPython: info.requiresPython } : {}),
    ...(info.providesExtra.length > 0 ? { providesExtra: info.providesExtra } : {}),
    ...(info.summary ? { summary: info.summary } : {}),
    ...(Object.keys(info.consoleScripts).length > 0 ? { consoleScripts: info.consoleScripts } : {}),
  };
  return buildWheel(spec, outDir);
}
