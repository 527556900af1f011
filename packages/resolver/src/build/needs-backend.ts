import { normalizeName } from '../names.js';

/**
 * Whether a first-party project can be packaged from its sources and `[project]` alone (the fast
 * path: no backend run), or needs its PEP 517 build backend because the wheel would differ from the
 * source tree. Decided from the parsed pyproject.toml (untrusted: any shape) and the names of the
 * files beside it; the reason is a phrase for "built with its backend because <reason>".
 *
 * Rules, conservative (a wrong "static" ships a broken pex, a wrong "needs" costs one cached build):
 * 1. No `[project]` table (PEP 621): the metadata lives in the backend (setup.py/setup.cfg, Poetry 1).
 * 2. `[project] dynamic` lists any field: only the backend can compute it (PEP 621).
 * 3. A build requirement that generates files or metadata at build time: VCS versioning
 *    (setuptools-scm, hatch-vcs, versioneer, versioningit, …) or compiled extensions (Cython,
 *    setuptools-rust, pybind11, cffi, …).
 * 4. Backend configuration that runs code or generates files: hatch build hooks, `[tool.setuptools_scm]`
 *    (writes a version file), setuptools `ext-modules` / `cmdclass`, Poetry's `build` script, a
 *    `pdm_build.py` (pdm-backend runs it when present).
 * 5. A `setup.py` beside pyproject.toml: arbitrary code the legacy and setuptools backends run.
 * 6. An in-tree backend (`backend-path`, PEP 517) or a backend not among the well-known pure ones
 *    (hatchling, setuptools, flit-core, pdm-backend, poetry-core, uv-build): it may do anything.
 */

/** PEP 503-normalised build requirements that generate files or metadata, with what they do. */
const GENERATING_REQUIREMENTS: Record<string, string> = {
  'setuptools-scm': 'takes the version from VCS',
  'hatch-vcs': 'takes the version from VCS',
  versioneer: 'takes the version from VCS',
  versioningit: 'takes the version from VCS',
  'setuptools-git-versioning': 'takes the version from VCS',
  'poetry-dynamic-versioning': 'takes the version from VCS',
  'pdm-backend-scm': 'takes the version from VCS',
  dunamai: 'takes the version from VCS',
  vcversioner: 'takes the version from VCS',
  pbr: 'takes the version and metadata from VCS',
  'hatch-fancy-pypi-readme': 'generates the readme metadata',
  'hatch-requirements-txt': 'generates dependencies from requirements files',
  cython: 'compiles extension modules',
  'setuptools-rust': 'compiles extension modules',
  pybind11: 'compiles extension modules',
  cffi: 'compiles extension modules',
  'scikit-build': 'compiles extension modules',
  'scikit-build-core': 'compiles extension modules',
  'meson-python': 'compiles extension modules',
  maturin: 'compiles extension modules',
  'hatch-cython': 'compiles extension modules',
  mypy: 'may compile modules with mypyc',
};

/** Backends whose wheel of a static project is its sources plus `[project]` metadata. */
const STATIC_BACKENDS = new Set([
  'hatchling.build',
  'setuptools.build_meta',
  'flit_core.buildapi',
  'pdm.backend',
  'poetry.core.masonry.api',
  'uv_build',
]);

type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);
const tableAt = (root: unknown, ...keys: string[]): Table | undefined => {
  let node: unknown = root;
  for (const key of keys) node = isTable(node) ? node[key] : undefined;
  return isTable(node) ? node : undefined;
};

/** The distribution name of a PEP 508 requirement string (its leading name), normalised. */
function requirementName(text: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(text);
  return m ? normalizeName(m[1]!) : undefined;
}

/**
 * Why the project needs its build backend, or undefined when its sources and `[project]` suffice.
 * `pyproject`: the parsed pyproject.toml; `siblings`: names of the files beside it.
 */
export function buildBackendReason(pyproject: unknown, siblings: readonly string[] = []): string | undefined {
  const project = tableAt(pyproject, 'project');
  const buildSystem = tableAt(pyproject, 'build-system');
  const files = new Set(siblings);
  if (!project) return 'pyproject.toml has no [project] table, so its metadata is computed by the build backend';
  const dynamic = Array.isArray(project.dynamic)
    ? project.dynamic.filter((f): f is string => typeof f === 'string')
    : [];
  if (dynamic.length)
    return `[project] dynamic = ${JSON.stringify(dynamic)}: the build backend computes ${dynamic.length === 1 ? 'this field' : 'these fields'}`;
  const requires = Array.isArray(buildSystem?.requires)
    ? buildSystem.requires.filter((r): r is string => typeof r === 'string')
    : [];
  for (const text of requires) {
    const name = requirementName(text);
    const what = name === undefined ? undefined : GENERATING_REQUIREMENTS[name];
    if (what) return `its build requirement ${name} ${what}`;
  }
  const tool = tableAt(pyproject, 'tool');
  const hatchHooks =
    tableAt(tool, 'hatch', 'build', 'hooks') ?? tableAt(tool, 'hatch', 'build', 'targets', 'wheel', 'hooks');
  if (hatchHooks && Object.keys(hatchHooks).length)
    return `it has hatch build hooks (${Object.keys(hatchHooks).sort().join(', ')}) that run at build time`;
  if (tableAt(tool, 'setuptools_scm') ?? tableAt(tool, 'setuptools-scm'))
    return 'it configures setuptools-scm ([tool.setuptools_scm]), which takes the version from VCS';
  const setuptools = tableAt(tool, 'setuptools');
  if (setuptools && ('ext-modules' in setuptools || 'cmdclass' in setuptools))
    return 'its [tool.setuptools] declares ext-modules or cmdclass, which run at build time';
  // Poetry: `build = "build.py"` (1.x) or `[tool.poetry.build] script = …`.
  if (tableAt(tool, 'poetry')?.build !== undefined) return 'it has a Poetry build script that runs at build time';
  if (files.has('setup.py')) return 'a setup.py beside pyproject.toml runs at build time';
  const backend = typeof buildSystem?.['build-backend'] === 'string' ? buildSystem['build-backend'] : undefined;
  if (buildSystem && Array.isArray(buildSystem['backend-path']))
    return `its build backend ${backend ?? '(unnamed)'} is in the project's own tree (backend-path)`;
  if (backend === 'pdm.backend' && files.has('pdm_build.py')) return 'pdm-backend runs its pdm_build.py at build time';
  if (backend !== undefined && !STATIC_BACKENDS.has(backend.split(':')[0]!))
    return `its build backend ${backend} is not one whose wheel nx-pex can write from the sources`;
  return undefined;
}
