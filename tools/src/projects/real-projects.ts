/**
 * Test fixtures (not built into the package: `*-files/` is excluded): the kinds of project issue 12
 * is about, offline. Backends are in-tree (PEP 517 `backend-path`) stand-ins for hatch-vcs and
 * setuptools' dynamic version; their build requirements come from the fixture index.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel } from '../wheel-factory/index.js';
import { WRITE_WHEEL } from './inline-backend.js';

/** A stand-in for hatch-vcs: its console script prints `git describe --tags` (as setuptools-scm runs git). */
const VCSHELPER = `import subprocess, sys

def cli():
    r = subprocess.run(["git", "describe", "--tags"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode:
        sys.exit("vcshelper was unable to detect version: " + r.stderr.strip())
    print(r.stdout.strip().lstrip("v"))
`;

/** Wheels and sdists the fixture index serves for these projects: the build requirement and the sdist-only dependency. */
export async function writeRealProjectDistributions(wheels: string, work: string): Promise<void> {
  await buildWheel(
    {
      name: 'vcshelper',
      version: '1.0',
      modules: { 'vcshelper/__init__.py': VCSHELPER },
      consoleScripts: { 'vcs-describe': 'vcshelper:cli' },
    },
    wheels,
  );
  // srcpkg is published only as an sdist (its backend has no build requirements).
  const stem = 'srcpkg-1.0';
  const src = join(work, 'sdists', stem);
  await mkdir(join(src, '_build'), { recursive: true });
  await writeFile(join(src, 'PKG-INFO'), 'Metadata-Version: 2.1\nName: srcpkg\nVersion: 1.0\n');
  await writeFile(
    join(src, 'pyproject.toml'),
    '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n',
  );
  await writeFile(
    join(src, '_build', 'backend.py'),
    `${WRITE_WHEEL}
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return write_wheel(wheel_directory, "srcpkg", "1.0", {"srcpkg/__init__.py": "BUILT = 'built from its sdist'\\n"})
`,
  );
  execFileSync('tar', ['czf', join(wheels, `${stem}.tar.gz`), '-C', join(work, 'sdists'), stem]);
}

const backendProject = (name: string, requires: string[]) => `[project]
name = "${name}"
dynamic = ["version"]

[build-system]
requires = ${JSON.stringify(requires)}
build-backend = "backend"
backend-path = ["_build"]

[tool.nx-pex]
type = "lib"
`;

/**
 * Files of three first-party projects under `libs/` and `apps/`, for writeTree:
 * - `vcs-lib`: version from `git describe` (through vcshelper's console script), written by its
 *   backend into vcs_lib/_version.py (which is not in the tree until it builds, as with hatch-vcs);
 * - `dyn-lib`: `dynamic = ["version"]`, the backend reads it from dyn_lib/__init__.py;
 * - `plugin-app`: static [project] 2.5.0, `__version__` from importlib.metadata, an entry-point
 *   plugin it discovers, two console scripts, and the three dependencies above plus srcpkg.
 */
/** What plugin-app prints when its pex runs (realProjectsTree, built with the backends and the sdist). */
export const PLUGIN_APP_OUTPUT = [
  'prog=plugin-app',
  'version=2.5.0',
  'plugins=hello=hello from the plugin',
  'vcs-lib=1.7.0 1.7.0',
  'dyn-lib=3.1.4',
  'srcpkg=built from its sdist',
];

export function realProjectsTree(): Record<string, string> {
  return {
    'libs/vcs-lib/pyproject.toml': backendProject('vcs-lib', ['vcshelper']),
    'libs/vcs-lib/vcs_lib/__init__.py': 'from vcs_lib._version import __version__\n',
    'libs/vcs-lib/.gitignore': 'vcs_lib/_version.py\n',
    'libs/vcs-lib/_build/backend.py': `${WRITE_WHEEL}
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import subprocess
    version = subprocess.check_output(["vcs-describe"], universal_newlines=True).strip()
    with open("vcs_lib/__init__.py") as f:
        init = f.read()
    generated = "__version__ = %r\\n" % version
    # As hatch-vcs and setuptools-scm do: the version file is written into the source tree too.
    with open("vcs_lib/_version.py", "w") as f:
        f.write(generated)
    return write_wheel(wheel_directory, "vcs_lib", version, {"vcs_lib/__init__.py": init, "vcs_lib/_version.py": generated})
`,
    'libs/dyn-lib/pyproject.toml': backendProject('dyn-lib', []),
    'libs/dyn-lib/dyn_lib/__init__.py': '__version__ = "3.1.4"\n',
    'libs/dyn-lib/_build/backend.py': `${WRITE_WHEEL}
import re

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open("dyn_lib/__init__.py") as f:
        init = f.read()
    version = re.search(r'__version__ = "([^"]+)"', init).group(1)
    return write_wheel(wheel_directory, "dyn_lib", version, {"dyn_lib/__init__.py": init})
`,
    'apps/plugin-app/pyproject.toml': `[project]
name = "plugin-app"
version = "2.5.0"
description = "An app that finds its plugins by entry point"
requires-python = ">=3.8"
dependencies = ["vcs-lib", "dyn-lib", "srcpkg"]

[project.scripts]
plugin-app = "plugin_app.cli:main"
plugin-app-admin = "plugin_app.cli:admin"

[project.entry-points."plugin_app.plugins"]
hello = "plugin_app.plugins:hello"
`,
    'apps/plugin-app/src/plugin_app/__init__.py': `try:
    from importlib.metadata import entry_points, version
except ImportError:  # pragma: no cover
    raise

__version__ = version("plugin-app")
`,
    'apps/plugin-app/src/plugin_app/plugins.py': 'def hello():\n    return "hello from the plugin"\n',
    'apps/plugin-app/src/plugin_app/cli.py': `import os, sys
from importlib.metadata import entry_points, version

import dyn_lib, srcpkg, vcs_lib
import plugin_app


def plugins():
    eps = entry_points()
    group = eps.select(group="plugin_app.plugins") if hasattr(eps, "select") else eps.get("plugin_app.plugins", [])
    return sorted("%s=%s" % (ep.name, ep.load()()) for ep in group)


def main():
    print("prog=%s" % os.path.basename(sys.argv[0]))
    print("version=%s" % plugin_app.__version__)
    print("plugins=%s" % ",".join(plugins()))
    print("vcs-lib=%s %s" % (vcs_lib.__version__, version("vcs-lib")))
    print("dyn-lib=%s" % version("dyn-lib"))
    print("srcpkg=%s" % srcpkg.BUILT)
    return 0


def admin():
    print("admin prog=%s" % os.path.basename(sys.argv[0]))
    return 0
`,
  };
}

/** git in `dir` with a fixed identity and no signing (the machine's git config is not the test's). */
export function gitIn(dir: string, ...args: string[]): Buffer {
  return execFileSync(
    'git',
    [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.invalid',
      '-c',
      'commit.gpgsign=false',
      '-c',
      'tag.gpgsign=false',
      ...args,
    ],
    { cwd: dir, stdio: 'pipe' },
  );
}

/** Make `dir` a git repository with one commit tagged `tag` (a VCS version's source). */
export function gitCommitAndTag(dir: string, tag: string): void {
  const git = (...args: string[]) => gitIn(dir, ...args);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'fixture');
  git('tag', tag);
}
