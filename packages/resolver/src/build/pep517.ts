import { execFile } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { delimiter, join, relative, resolve, isAbsolute, sep } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ResolverError, type ResolverErrorCode } from '../errors.js';
import { tryParseWheelFilename } from '../filename/wheel.js';

/**
 * One PEP 517 `build_wheel` run, shared by sdist builds (`sdist-builder.ts`) and first-party project
 * builds (`project-wheel.ts`): a fresh `python -m venv --without-pip` of the build Python, the build
 * requirements (`[build-system] requires`, then the backend's `get_requires_for_build_wheel`)
 * resolved by this resolver as wheels and installed into it by a small shim (unpacked as PEP 427
 * says: `.data/purelib|platlib` into site-packages, `.data/scripts` and console scripts into bin, so
 * namespace packages, `.pth` files, extension modules and tools such as cmake work as under pip),
 * then `build_wheel` with the source tree as the working directory and the venv's bin first on PATH.
 */

/** Resolve and fetch build requirements as wheels for the build Python; returns their paths. */
export type BuildRequirementsFetcher = (requirements: string[]) => Promise<string[]>;

/** What a failure message names, and the error code it carries. */
export interface BuildSubject {
  /** e.g. `srcpkg-1.0.tar.gz` or `project my-app`. */
  describe: string;
  code: Extract<ResolverErrorCode, 'SDIST_BUILD_ERROR' | 'PROJECT_BUILD_ERROR'>;
  /** Extra advice appended to a failed backend's message, chosen from its output. */
  advise?: (output: string) => string | undefined;
}

// The shim runs inside the build venv: config as JSON in argv[1], result JSON written to cfg["result"]
// (stdout belongs to the backend).
const SHIM = `
import configparser, importlib, json, os, shutil, sys, sysconfig, zipfile
cfg = json.loads(sys.argv[1])

def install(wheels):
    # PEP 427: unpack root into site-packages, <name>.data/<key>/ into the scheme's directory.
    paths = sysconfig.get_paths()
    site, scripts = paths["purelib"], paths["scripts"]
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            for info in z.infolist():
                parts = info.filename.split("/")
                if info.filename.startswith("/") or ".." in parts or "\\\\" in info.filename:
                    raise SystemExit("unsafe member %r in %s" % (info.filename, wheel))
                if info.filename.endswith("/"):
                    continue
                kind = parts[1] if parts[0].endswith(".data") and len(parts) > 2 else None
                if kind is None:
                    target = os.path.join(site, *parts)
                elif kind in ("purelib", "platlib", "scripts"):
                    target = os.path.join(scripts if kind == "scripts" else site, *parts[2:])
                else:
                    continue  # headers, data: not needed to build
                os.makedirs(os.path.dirname(target), exist_ok=True)
                data = z.read(info)
                if kind == "scripts" and data.startswith(b"#!python"):
                    data = b"#!" + sys.executable.encode() + data[len(b"#!python"):]
                with open(target, "wb") as f:
                    f.write(data)
                if kind == "scripts" or (info.external_attr >> 16) & 0o111:
                    os.chmod(target, 0o755)
            for name in z.namelist():
                if not name.endswith(".dist-info/entry_points.txt") or name.count("/") != 1:
                    continue
                points = configparser.ConfigParser(delimiters=("=",), interpolation=None)
                points.optionxform = str
                points.read_string(z.read(name).decode("utf-8"))
                if not points.has_section("console_scripts"):
                    continue
                for script, ref in points.items("console_scripts"):
                    module, _, attr = ref.replace(" ", "").partition(":")
                    if not script or "/" in script or script.startswith("."):
                        continue
                    path = os.path.join(scripts, script)
                    with open(path, "w") as f:
                        f.write("#!%s\\nimport importlib, sys\\nobj = importlib.import_module(%r)\\nfor a in %r:\\n    obj = getattr(obj, a)\\nsys.exit(obj())\\n" % (sys.executable, module, [a for a in attr.split(".") if a]))
                    os.chmod(path, 0o755)

if cfg["step"] == "install":
    install(cfg["wheels"])
    sys.exit(0)
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

// Backends that honour it (setuptools/wheel, hatchling, flit, pdm, poetry) then date wheel members
// 1980-01-01, so the same inputs give the same wheel bytes (and sha256) on every run.
const SOURCE_DATE_EPOCH = '315532800';

/** Run a command; a failure is a ResolverError of `subject` with the tail of the command's output. */
export function runBuildCommand(
  command: string,
  args: string[],
  subject: BuildSubject,
  step: string,
  binDir?: string,
): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SOURCE_DATE_EPOCH: process.env.SOURCE_DATE_EPOCH ?? SOURCE_DATE_EPOCH,
  };
  // Tools the build requirements install (cmake, ninja, cython) come first, as in pip's build isolation.
  if (binDir) env.PATH = process.env.PATH ? `${binDir}${delimiter}${process.env.PATH}` : binDir;
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { maxBuffer: 64 << 20, env }, (err, stdout, stderr) => {
      if (!err) {
        resolvePromise(stdout);
        return;
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new ResolverError(
            subject.code,
            `Cannot build ${subject.describe}: no ${JSON.stringify(command)} to run (${step}). Install it or point the build at an existing Python interpreter.`,
            { cause: err },
          ),
        );
        return;
      }
      const output = `${stdout}\n${stderr}`;
      const tail = (stderr.trim() || stdout.trim() || err.message).split('\n').slice(-15).join('\n');
      const advice = subject.advise?.(output);
      reject(
        new ResolverError(
          subject.code,
          `Building ${subject.describe} failed (${step}):\n${tail}${advice ? `\n${advice}` : ''}`,
          { cause: err },
        ),
      );
    });
  });
}

export interface BuildSystem {
  requires: string[];
  backend: string;
  /** Absolute `backend-path` entries (inside the source tree). */
  backendPath: string[];
}

// PEP 517: no pyproject.toml, or no [build-system], means setuptools' legacy backend.
const LEGACY: BuildSystem = {
  requires: ['setuptools>=40.8.0'],
  backend: 'setuptools.build_meta:__legacy__',
  backendPath: [],
};

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/** `true` when `path` is `root` or inside it (after resolution). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The parsed pyproject.toml of `src` (undefined when there is none); TOML errors name the file. */
export async function readPyproject(src: string, subject: BuildSubject): Promise<Record<string, unknown> | undefined> {
  const file = join(src, 'pyproject.toml');
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ResolverError(subject.code, `${subject.describe}: cannot read ${file} (${err.code ?? err.message}).`, {
      cause: err,
    });
  });
  if (text === undefined) return undefined;
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    throw new ResolverError(
      subject.code,
      `${subject.describe}: ${file} is not valid TOML (${(err as Error).message.split('\n')[0]}). Fix the file.`,
      { cause: err },
    );
  }
}

/** PEP 517/518 `[build-system]` of a parsed pyproject (undefined: none), checked. */
export function buildSystemOf(
  doc: Record<string, unknown> | undefined,
  src: string,
  subject: BuildSubject,
): BuildSystem {
  const bs = doc?.['build-system'];
  if (bs === undefined) return LEGACY;
  if (typeof bs !== 'object' || bs === null || Array.isArray(bs))
    throw new ResolverError(subject.code, `${subject.describe}: [build-system] in pyproject.toml must be a table.`);
  const table = bs as Record<string, unknown>;
  const requires = strings(table.requires);
  if (!requires)
    throw new ResolverError(
      subject.code,
      `${subject.describe}: [build-system] requires in pyproject.toml must be a list of requirement strings.`,
    );
  const backendValue = table['build-backend'];
  if (
    backendValue !== undefined &&
    (typeof backendValue !== 'string' || !/^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$/.test(backendValue))
  ) {
    throw new ResolverError(
      subject.code,
      `${subject.describe}: [build-system] build-backend ${JSON.stringify(backendValue)} is not a module[:object] path (PEP 517).`,
    );
  }
  const backend = backendValue ?? LEGACY.backend;
  const root = resolve(src);
  const backendPath = (strings(table['backend-path']) ?? []).map((p) => {
    const abs = resolve(root, p);
    // PEP 517: backend-path entries must stay inside the source tree.
    if (!isInside(root, abs))
      throw new ResolverError(
        subject.code,
        `${subject.describe}: backend-path ${JSON.stringify(p)} leaves the source tree (PEP 517).`,
      );
    return abs;
  });
  return { requires, backend, backendPath };
}

/**
 * PEP 517 `build_wheel` of the source tree `src` with `python`, isolated, in the scratch directory
 * `work` (the venv, the shim and the output go there). Returns the path of the built wheel inside `work`.
 */
export async function buildWheelIsolated(options: {
  python: string;
  src: string;
  system: BuildSystem;
  work: string;
  fetchRequirements: BuildRequirementsFetcher;
  subject: BuildSubject;
}): Promise<{ path: string; filename: string }> {
  const { python, src, system, work, fetchRequirements, subject } = options;
  const venv = join(work, 'env');
  await runBuildCommand(python, ['-m', 'venv', '--without-pip', venv], subject, 'creating the build environment');
  const bin = join(venv, 'bin');
  const venvPython = join(bin, 'python');
  const shim = join(work, 'shim.py');
  await writeFile(shim, SHIM);
  const out = join(work, 'out');
  // -I: no user site, no PYTHON* variables; the venv holds only the build requirements.
  const shimRun = (cfg: Record<string, unknown>, what: string) =>
    runBuildCommand(venvPython, ['-I', shim, JSON.stringify(cfg)], subject, what, bin);
  const installed = new Set<string>();
  const install = async (requirements: string[]) => {
    const wheels = (await fetchRequirements(requirements)).filter((w) => !installed.has(w));
    for (const w of wheels) installed.add(w);
    if (wheels.length)
      await shimRun({ step: 'install', wheels }, `installing the build requirements ${requirements.join(', ')}`);
  };
  const step = async (name: 'requires' | 'build'): Promise<unknown> => {
    const result = join(work, `${name}.json`);
    const what =
      name === 'requires' ? `${system.backend} get_requires_for_build_wheel` : `${system.backend} build_wheel`;
    await shimRun({ path: system.backendPath, src, backend: system.backend, step: name, out, result }, what);
    return JSON.parse(await readFile(result, 'utf8')) as unknown;
  };
  await install(system.requires);
  const extra = await step('requires');
  const extraList = strings(extra);
  if (!extraList) {
    throw new ResolverError(
      subject.code,
      `${subject.describe}: get_requires_for_build_wheel of ${system.backend} returned ${JSON.stringify(extra).slice(0, 200)}, not a list of strings.`,
    );
  }
  if (extraList.length) await install([...system.requires, ...extraList]);
  await mkdir(out);
  const built = await step('build');
  // PEP 517: build_wheel returns the basename of the wheel it wrote into the output directory.
  if (
    typeof built !== 'string' ||
    !tryParseWheelFilename(built) ||
    !(await stat(join(out, built)).then(
      (s) => s.isFile(),
      () => false,
    ))
  ) {
    throw new ResolverError(
      subject.code,
      `${subject.describe}: build_wheel of ${system.backend} returned ${JSON.stringify(built).slice(0, 200)}, not the name of a wheel it wrote.`,
    );
  }
  return { path: join(out, built), filename: built };
}
