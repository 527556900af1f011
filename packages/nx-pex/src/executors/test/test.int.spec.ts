// The `test` executor end to end without the network: pytest and everything it requires are rebuilt as
// wheels from a pyenv CPython that has pytest installed, served by the fixture index, resolved by the
// executor into a pex without entry point, and run with `python <pex> -m pytest` in the project dir.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutorContext } from '@nx/devkit';
import {
  findPythons,
  startFixtureIndex,
  wheelFromInstalled,
  type FixtureIndex,
  type FoundPython,
  writeTree,
} from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import testExecutor from './test.impl.js';

const run = promisify(execFile);

/** Distribution names of `root` and everything it requires in this interpreter (markers evaluated there, extras followed). */
const CLOSURE = String.raw`
import json, sys
from importlib import metadata
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name
seen, names, queue = {}, {}, [(sys.argv[1], ())]
while queue:
    name, extras = queue.pop()
    key = canonicalize_name(name)
    new = set(extras) - seen.get(key, set())
    if key in seen and not new:
        continue
    seen[key] = seen.get(key, set()) | set(extras)
    dist = metadata.distribution(name)
    names[key] = dist.metadata["Name"]
    envs = [{"extra": e} for e in [""] + sorted(seen[key])]
    for line in dist.requires or []:
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate(env) for env in envs):
            queue.append((req.name, tuple(req.extras)))
print(json.dumps(sorted(names.values())))
`;

/** The first pyenv/PATH CPython (3.8–3.13) that can `import pytest`. */
async function pythonWithPytest(): Promise<FoundPython | undefined> {
  for (const python of (await findPythons()).found) {
    try {
      execFileSync(python.path, ['-c', 'import pytest'], { stdio: 'ignore' });
      return python;
    } catch {
      // no pytest in this one
    }
  }
  return undefined;
}

const python = await pythonWithPytest();
const suite = python ? describe : describe.skip;
if (!python)
  console.warn(
    'nx-pex test executor: no CPython 3.8–3.13 under pyenv or on PATH has pytest installed (`python -c "import pytest"` fails for each): install it in one (`pip install pytest`) to run this suite.',
  );

const ENV_KEYS = [
  'PIP_INDEX_URL',
  'PIP_EXTRA_INDEX_URL',
  'PIP_CONFIG_FILE',
  'PIP_FIND_LINKS',
  'NX_PEX_CACHE_DIR',
  'PEX_ROOT',
  'NX_WORKSPACE_DATA_DIRECTORY',
  'NX_PROJECT_GRAPH_CACHE_DIRECTORY',
] as const;
const savedEnv = new Map<string, string | undefined>();
let tmp: string;
let ws: string;
let index: FixtureIndex;
let rebuilt: string[] = [];

const PYPROJECT = (name: string) =>
  `[project]\nname = "${name}"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = []\n\n[dependency-groups]\ntest = ["pytest"]\n`;
const PASSING = 'from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n';
// pytest (and the code under test) must come from the pex, not from the interpreter's own site-packages.
const FROM_PEX =
  'import sysconfig\n\nimport calc\nimport pytest\n\n\ndef test_from_pex():\n' +
  '    site = sysconfig.get_paths()["purelib"]\n' +
  '    assert not pytest.__file__.startswith(site), pytest.__file__\n' +
  '    assert "/apps/" not in calc.__file__, calc.__file__\n';
const FAILING = 'from calc import add\n\n\ndef test_wrong():\n    assert add(1, 2) == 4\n';

const PROJECTS: Record<string, string> = { good: 'apps/good', bad: 'apps/bad' };

function context(projectName: string): ExecutorContext {
  const projects = Object.fromEntries(Object.entries(PROJECTS).map(([name, root]) => [name, { root }]));
  return {
    root: ws,
    projectName,
    projectsConfigurations: { version: 2, projects },
    cwd: ws,
    isVerbose: false,
  } as unknown as ExecutorContext;
}

suite(`nx-pex:test executor with pytest rebuilt from ${python?.path ?? 'a CPython that has it'}`, () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nx-pex-test-executor-'));
    const wheels = join(tmp, 'wheels');
    mkdirSync(wheels);
    const { stdout } = await run(python!.path, ['-c', CLOSURE, 'pytest']);
    rebuilt = JSON.parse(stdout) as string[];
    await Promise.all(rebuilt.map((d) => wheelFromInstalled(python!.path, d, wheels)));
    index = await startFixtureIndex({ wheelsDir: wheels });

    ws = join(tmp, 'ws');
    const files: Record<string, string> = { 'nx.json': '{}' };
    for (const [name, root] of Object.entries(PROJECTS)) {
      files[`${root}/pyproject.toml`] = PYPROJECT(name);
      files[`${root}/src/calc/__init__.py`] = 'def add(a, b):\n    return a + b\n';
      files[`${root}/tests/test_add.py`] = PASSING;
    }
    files['apps/good/tests/test_from_pex.py'] = FROM_PEX;
    files['apps/bad/tests/test_wrong.py'] = FAILING;
    writeTree(ws, files);

    for (const k of ENV_KEYS) savedEnv.set(k, process.env[k]);
    delete process.env['PIP_EXTRA_INDEX_URL'];
    delete process.env['NX_WORKSPACE_DATA_DIRECTORY'];
    delete process.env['NX_PROJECT_GRAPH_CACHE_DIRECTORY'];
    Object.assign(process.env, {
      PIP_INDEX_URL: index.url,
      PIP_CONFIG_FILE: devNull,
      PIP_FIND_LINKS: '',
      NX_PEX_CACHE_DIR: join(tmp, 'cache'),
      PEX_ROOT: join(tmp, 'pex-root'),
    });
  });

  afterAll(async () => {
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await index?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('rebuilt pytest and its requirements, and the executor fetched them from the fixture index', async () => {
    expect(rebuilt.map((n) => n.toLowerCase())).toEqual(expect.arrayContaining(['pytest', 'pluggy', 'iniconfig']));
    expect(await testExecutor({ python: python!.path }, context('good'))).toEqual({ success: true });
    const fetched = index.requests
      .filter((r) => r.path.startsWith('/files/') && r.path.endsWith('.whl'))
      .map((r) => r.path);
    expect(fetched.some((p) => /\/pytest-[^/]+\.whl$/.test(p))).toBe(true);
  });

  it('reports failure when a test fails', async () => {
    expect(await testExecutor({ python: python!.path }, context('bad'))).toEqual({ success: false });
  });

  it('passes pytest `args`: -k selecting only the passing test succeeds', async () => {
    expect(await testExecutor({ python: python!.path, args: ['-k', 'test_add'] }, context('bad'))).toEqual({
      success: true,
    });
  });

  it('appends the arguments after `--` (__overrides_unparsed__)', async () => {
    const options = { python: python!.path, __overrides_unparsed__: ['-k', 'test_wrong'] };
    expect(await testExecutor(options, context('bad'))).toEqual({ success: false });
  });
});
