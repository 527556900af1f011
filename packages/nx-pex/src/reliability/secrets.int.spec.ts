// Index credentials (URL userinfo in PIP_INDEX_URL / PIP_EXTRA_INDEX_URL) never appear in what a build
// leaves behind: pylock.toml, the pex (PEX-INFO and every byte), stdout/stderr of lock, build and
// inspect, error messages of a failing build, or the artifact cache (file names and contents).
// The user name, the password, their percent-encoded and base64 (Basic auth) forms are grepped for.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildWheel,
  credentialForms,
  findSecrets,
  findSecretsInTree,
  startFixtureIndex,
  type FixtureIndex,
  writeTree,
} from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'main.js');
const USER = 'ci-robot-7q';
const PASSWORD = 's3cr3t/p@ss:w0rd%x';
const needles = credentialForms(USER, PASSWORD);

let tmp: string;
let ws: string;
let index: FixtureIndex;
let env: NodeJS.ProcessEnv;
const transcripts: string[] = [];

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ws,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      transcripts.push(`$ nx-pex ${args.join(' ')}\n${out}`);
      resolve({ code, out });
    });
  });
}

const withAuth = (url: string) => url.replace('http://', `http://${USER}:${encodeURIComponent(PASSWORD)}@`);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'nx-pex-secrets-'));
  const wheels = join(tmp, 'wheels');
  mkdirSync(wheels);
  await buildWheel({ name: 'colorful', version: '1.2.0', modules: { 'colorful/__init__.py': 'X = 1\n' } }, wheels);
  index = await startFixtureIndex({ wheelsDir: wheels, absoluteUrls: true });
  ws = join(tmp, 'ws');
  writeTree(ws, {
    'nx.json': '{}',
    'apps/svc/pyproject.toml':
      '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["colorful==1.2.0"]\n[project.scripts]\nsvc = "svc.main:main"\n',
    'apps/svc/src/svc/__init__.py': '',
    'apps/svc/src/svc/main.py': 'def main():\n    print("ok")\n',
  });
  env = {
    ...process.env,
    PIP_INDEX_URL: withAuth(index.url),
    PIP_EXTRA_INDEX_URL: withAuth(`${index.root}extra/simple/`),
    PIP_FIND_LINKS: '',
    PIP_CONFIG_FILE: join(tmp, 'no-pip.conf'),
    NX_PEX_CACHE_DIR: join(tmp, 'cache'),
    CI: '1',
  };
});

afterAll(async () => {
  await index?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('index credentials never leak', () => {
  it('lock resolves through the credentialed index URL (so the greps below look at a real run)', async () => {
    const lock = await cli(['lock', 'apps/svc']);
    expect(lock.code, lock.out).toBe(0);
    expect(index.requests.some((r) => r.path === '/simple/colorful/')).toBe(true);
  });

  it('not in pylock.toml, the pex, PEX-INFO, the logs or the artifact cache', async () => {
    const build = await cli(['build', 'apps/svc']);
    expect(build.code, build.out).toBe(0);
    const inspect = await cli(['inspect', 'dist/apps/svc/svc.pex']);
    expect(inspect.out).toContain('colorful-1.2.0-py3-none-any.whl');
    const lockText = await readFile(join(ws, 'apps/svc/pylock.toml'), 'utf8');
    expect(lockText).toContain(`${index.root}files/colorful-1.2.0-py3-none-any.whl`);
    const found = [
      ...findSecrets(needles, 'pylock.toml', lockText),
      ...findSecrets(needles, 'svc.pex', await readFile(join(ws, 'dist/apps/svc/svc.pex'))),
      ...findSecrets(needles, 'inspect (PEX-INFO)', inspect.out),
      ...transcripts.flatMap((t, i) => findSecrets(needles, `transcript ${i}`, t)),
      ...(await findSecretsInTree(needles, join(tmp, 'cache'))),
      ...(await findSecretsInTree(needles, join(ws, 'dist'))),
    ];
    expect(found).toEqual([]);
  });

  it('not in the errors of failing builds (index down, HTTP 5xx, hash mismatch)', async () => {
    const cases: [string, NodeJS.ProcessEnv, () => void][] = [
      [
        'index down',
        { PIP_INDEX_URL: withAuth('http://127.0.0.1:9/simple/'), PIP_EXTRA_INDEX_URL: '' },
        () => undefined,
      ],
      ['HTTP 5xx', {}, () => index.setFaults({ status5xx: true })],
      ['wrong sha256', {}, () => index.setFaults({ wrongSha256: true })],
    ];
    for (const [what, extra, faults] of cases) {
      await rm(join(ws, 'apps/svc/pylock.toml'), { force: true });
      await rm(join(tmp, 'cache'), { recursive: true, force: true });
      faults();
      const failed = await cli(['build', 'apps/svc', '--output', 'fail/svc.pex'], extra);
      index.setFaults({});
      expect(failed.code, `${what}: ${failed.out}`).toBe(1);
      expect(failed.out, what).toMatch(/127\.0\.0\.1/);
      expect(findSecrets(needles, what, failed.out)).toEqual([]);
    }
  });
});
