// A private index with auth: the real pypiserver (pip-installed into a temp venv) behind an htpasswd
// file, serving fixture wheels. `nx-pex lock` and `build` (the built CLI) work with the credentials in
// the index URL or in ~/.netrc, fail clearly without them (naming the index, not the credentials), and the
// credentials appear in none of pylock.toml, the pex / PEX-INFO, the output, or the artifact cache.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, credentialForms, findSecrets, findSecretsInTree, writeTree } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, repoRoot } from './harness/index.js';
import { startPypiServer, type PypiServer } from './harness/pypiserver.js';

const CLI = join(repoRoot, 'packages', 'nx-pex', 'dist', 'cli', 'main.js');
const USER = 'deploy-bot';
const PASSWORD = 'pr1v@te:index/pw';
const needles = credentialForms(USER, PASSWORD);

let tmp: string;
let ws: string;
let server: PypiServer;
let baseEnv: NodeJS.ProcessEnv;

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ws,
      env: { ...baseEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  tmp = await makeTempDir('private-index');
  const packages = join(tmp, 'packages');
  await buildWheel(
    {
      name: 'colorful',
      version: '1.2.0',
      requiresDist: ['tinting>=1'],
      modules: {
        'colorful/__init__.py': 'from tinting import tint\n\ndef paint(s):\n    return tint("*" + s + "*")\n',
      },
    },
    packages,
  );
  await buildWheel(
    { name: 'tinting', version: '1.0', modules: { 'tinting/__init__.py': 'def tint(s):\n    return s.upper()\n' } },
    packages,
  );
  server = await startPypiServer({ workDir: tmp, packagesDir: packages, user: USER, password: PASSWORD });
  ws = join(tmp, 'ws');
  writeTree(ws, {
    'nx.json': '{}',
    'apps/svc/pyproject.toml':
      '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["colorful==1.2.0"]\n[project.scripts]\nsvc = "svc.main:main"\n',
    'apps/svc/src/svc/__init__.py': '',
    'apps/svc/src/svc/main.py': 'from colorful import paint\n\ndef main():\n    print(paint("private"))\n',
  });
  baseEnv = {
    ...process.env,
    PIP_FIND_LINKS: '',
    PIP_EXTRA_INDEX_URL: '',
    PIP_CONFIG_FILE: join(tmp, 'no-pip.conf'),
    NX_PEX_CACHE_DIR: join(tmp, 'cache'),
    HOME: join(tmp, 'home'),
    CI: '1',
  };
  mkdirSync(join(tmp, 'home'));
});

afterAll(async () => {
  await server?.close();
  if (tmp) await removeTempDir(tmp);
});

describe('private index with auth (pypiserver + htpasswd)', () => {
  it('without credentials: the build fails clearly, naming the index and 401, not the credentials', async () => {
    const failed = await cli(['build', 'apps/svc'], { PIP_INDEX_URL: server.url });
    expect(failed.code, failed.out).toBe(1);
    expect(failed.out).toContain('HTTP 401');
    expect(failed.out).toContain(server.host);
    expect(failed.out).toMatch(/credentials/i);
    expect(findSecrets(needles, 'the failed build', failed.out)).toEqual([]);
  });

  it('with the credentials in the index URL: lock, build and run work, and the credentials leak nowhere', async () => {
    const env = { PIP_INDEX_URL: server.urlWithCredentials };
    const lock = await cli(['lock', 'apps/svc'], env);
    expect(lock.code, lock.out).toBe(0);
    const build = await cli(['build', 'apps/svc'], env);
    expect(build.code, build.out).toBe(0);
    const pex = join(ws, 'dist/apps/svc/svc.pex');
    const ran = spawnSync('python3', [pex], {
      encoding: 'utf8',
      env: { ...process.env, PEX_ROOT: join(tmp, 'pex_root') },
    });
    expect(ran.stdout.trim(), ran.stderr).toBe('*PRIVATE*');
    const inspect = await cli(['inspect', pex], {});
    expect(inspect.out).toContain('tinting-1.0-py3-none-any.whl');
    const lockText = await readFile(join(ws, 'apps/svc/pylock.toml'), 'utf8');
    expect(lockText).toContain(server.host);
    expect([
      ...findSecrets(needles, 'pylock.toml', lockText),
      ...findSecrets(needles, 'svc.pex', await readFile(pex)),
      ...findSecrets(needles, 'inspect (PEX-INFO)', inspect.out),
      ...findSecrets(needles, 'lock output', lock.out),
      ...findSecrets(needles, 'build output', build.out),
      ...(await findSecretsInTree(needles, join(tmp, 'cache'))),
    ]).toEqual([]);
  });

  it('a locked build with a cold cache downloads the locked URLs with the index credentials', async () => {
    await rm(join(tmp, 'cache'), { recursive: true, force: true });
    const build = await cli(['build', 'apps/svc', '--output', 'again/svc.pex'], {
      PIP_INDEX_URL: server.urlWithCredentials,
    });
    expect(build.code, build.out).toBe(0);
    expect(findSecrets(needles, 'build output', build.out)).toEqual([]);
  });

  it('with the credentials in ~/.netrc (temp HOME) and a bare index URL: the build works', async () => {
    await rm(join(tmp, 'cache'), { recursive: true, force: true });
    writeFileSync(join(tmp, 'home', '.netrc'), `machine 127.0.0.1\n  login ${USER}\n  password ${PASSWORD}\n`, {
      mode: 0o600,
    });
    const build = await cli(['build', 'apps/svc', '--output', 'netrc/svc.pex'], {
      PIP_INDEX_URL: server.url,
      NETRC: join(tmp, 'home', '.netrc'),
    });
    expect(build.code, build.out).toBe(0);
    expect(findSecrets(needles, 'build output', build.out)).toEqual([]);
    expect(await findSecretsInTree(needles, join(tmp, 'cache'))).toEqual([]);
  });
});
