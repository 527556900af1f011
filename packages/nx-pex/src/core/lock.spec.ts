import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTree } from '@nx-pex/tools';
import { pythonProject, type PythonProject } from '../graph/python-workspace.js';
import { lockFileOf, projectLockRequest, projectsOfLock, universalRequest } from './lock.js';

const uvLock = (members: string[]) =>
  `version = 1\nrequires-python = ">=3.9"\n${members.map((m) => `\n[[package]]\nname = "${m}"\nversion = "0.1"\nsource = { virtual = "." }\n`).join('')}`;

function projects(specs: Record<string, string>): PythonProject[] {
  return Object.entries(specs)
    .map(([root, text]) => pythonProject('', root, text, [])!)
    .map((p) => ({ ...p, project: p.pyproject.name }));
}

describe('which lock serves a project', () => {
  let ws: string;
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  it('its pylock.toml, its uv.lock, the shared pylock.toml, the root uv.lock of a uv workspace it is a member of — in that order', () => {
    ws = mkdtempSync(join(tmpdir(), 'nx-pex-lockfile-'));
    const [a, b, c] = projects({
      'apps/a': '[project]\nname = "a"\nversion = "0.1"\n',
      'apps/b': '[project]\nname = "b"\nversion = "0.1"\n',
      'apps/c': '[project]\nname = "c"\nversion = "0.1"\n',
    });
    writeTree(ws, { 'uv.lock': uvLock(['a']) });
    expect(lockFileOf(ws, a!)).toBe('uv.lock');
    // Not a member of the root uv workspace: no lock (the build resolves and says so).
    expect(lockFileOf(ws, b!)).toBeUndefined();
    writeTree(ws, { 'pylock.toml': '' });
    expect(lockFileOf(ws, b!)).toBe('pylock.toml');
    writeTree(ws, { 'apps/a/uv.lock': uvLock(['a']) });
    expect(lockFileOf(ws, a!)).toBe('apps/a/uv.lock');
    writeTree(ws, { 'apps/a/pylock.toml': '' });
    expect(lockFileOf(ws, a!)).toBe('apps/a/pylock.toml');
    // The shared lock serves the projects without a lock of their own (a uv.lock is one).
    writeTree(ws, { 'apps/c/uv.lock': uvLock(['c']) });
    expect(projectsOfLock(ws, 'pylock.toml', b!, [a!, b!, c!]).map((p) => p.project)).toEqual(['b']);
  });
});

describe('what a project asks of a lock', () => {
  it('runtime of its closure; every group and extra, names normalised, first-party requirements left out', () => {
    const all = projects({
      'apps/svc':
        '[project]\nname = "svc"\nversion = "0.1"\ndependencies = ["lib", "requests>=2"]\n' +
        '[project.optional-dependencies]\nAll = ["svc[fast]"]\nfast = ["ujson"]\n[dependency-groups]\nTest = ["pytest>=8", "lib"]\nlint = ["ruff"]\n',
      'libs/lib': '[project]\nname = "lib"\nversion = "0.1"\ndependencies = ["attrs"]\n',
    });
    expect(projectLockRequest(all[0]!, all)).toEqual({
      requirements: ['requests>=2', 'attrs'],
      dependencyGroups: { test: ['pytest>=8'], lint: ['ruff'] },
      extras: { all: ['ujson'], fast: ['ujson'] },
    });
  });
});

describe('the kind of lock projects ask for (universalRequest)', () => {
  const [plain, linux, mac, fewest] = projects({
    'apps/plain': '[project]\nname = "plain"\n',
    'apps/linux': `[project]\nname = "linux"\n[tool.nx-pex]\nenvironments = ["sys_platform == 'linux'", "win_amd64"]\n`,
    'apps/mac':
      '[project]\nname = "mac"\n[tool.nx-pex]\nenvironments = ["macosx_11_0_arm64", "win_amd64"]\nfork-strategy = "requires-python"\n',
    'apps/fewest': '[project]\nname = "fewest"\n[tool.nx-pex]\nenvironments = []\nfork-strategy = "fewest"\n',
  });

  it('universal only when asked: listed environments, the lock option, or the plugin option', () => {
    expect(universalRequest([plain!], {}, undefined)).toEqual({ universal: false });
    expect(universalRequest([plain!], {}, true)).toEqual({ universal: true, environments: [] });
    expect(universalRequest([plain!], { environments: ['win_amd64'] }, undefined)).toEqual({
      universal: true,
      environments: ['win_amd64'],
    });
    expect(universalRequest([linux!], {}, undefined)).toEqual({
      universal: true,
      environments: ["sys_platform == 'linux'", 'win_amd64'],
    });
    // `environments = []` asks for the defaults; the lock option `universal: false` opts out of everything.
    expect(universalRequest([fewest!], {}, undefined)).toEqual({
      universal: true,
      environments: [],
      forkStrategy: 'fewest',
    });
    expect(universalRequest([linux!], { universal: false }, true)).toEqual({ universal: false });
  });

  it('the lock options win over pyproject; a shared lock serves every environment its projects list; fork strategies must agree', () => {
    expect(
      universalRequest([linux!], { environments: ['macosx_11_0_arm64'], forkStrategy: 'fewest' }, undefined),
    ).toEqual({ universal: true, environments: ['macosx_11_0_arm64'], forkStrategy: 'fewest' });
    expect(universalRequest([linux!, mac!, plain!], {}, undefined)).toEqual({
      universal: true,
      environments: ["sys_platform == 'linux'", 'win_amd64', 'macosx_11_0_arm64'],
      forkStrategy: 'requires-python',
    });
    expect(() => universalRequest([mac!, fewest!], {}, undefined)).toThrow(
      /different \[tool.nx-pex\] fork-strategy values \(mac: requires-python, fewest: fewest\)/,
    );
    expect(universalRequest([mac!, fewest!], { forkStrategy: 'fewest' }, undefined).forkStrategy).toBe('fewest');
    expect(() => universalRequest([plain!], {}, 'yes')).toThrow(
      /nx.json: the nx-pex plugin option "universal" must be true or false, not "yes"/,
    );
  });
});
