// Opt-in (NX_PEX_REAL_WORLD=1; needs the public Python index): real wheels fetched by pip, built
// into pexes by buildPex and run on every CPython found. Per interpreter: flask + requests with
// their dependencies (native wheels: markupsafe, charset-normalizer), plus markupsafe's macOS build
// beside its manylinux one, so the runtime's multi-platform selection must pick the Linux build.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findPythons, isolatedPipEnv, type FoundPython } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex, type WheelInput } from '../index.js';
import { writeSources } from '../test-support/fixtures.js';
import { run } from '../test-support/run.js';

const exec = promisify(execFile);
const ENABLED = process.env['NX_PEX_REAL_WORLD'] === '1' && process.platform === 'linux';
const pythons = ENABLED ? (await findPythons()).found : [];

const APP = {
  'app/__init__.py': '',
  'app/main.py': [
    'import sys',
    'import flask, requests, markupsafe',
    'from markupsafe import _speedups',
    'app = flask.Flask("demo")',
    '@app.route("/")',
    'def index():',
    '    return markupsafe.escape("<ok>")',
    'body = app.test_client().get("/").get_data(as_text=True)',
    'print(body, requests.__version__, sys.version_info[:2] >= (3, 8))',
    'print(_speedups.__file__)',
    '',
  ].join('\n'),
};

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-real-world-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function download(python: FoundPython, dir: string): Promise<WheelInput[]> {
  // 2.1.5 has builds for cp38–cp312, 3.0.2 for cp39–cp313.
  const markupsafe = python.version === '3.13' ? '3.0.2' : '2.1.5';
  const pip = (args: string[]) =>
    exec(python.path, ['-m', 'pip', 'download', '--only-binary=:all:', '-d', dir, ...args], {
      env: isolatedPipEnv(),
      maxBuffer: 64 << 20,
    });
  await pip(['flask==3.0.3', 'requests==2.32.3', `markupsafe==${markupsafe}`]);
  const abi = `cp${python.version.replace('.', '')}`;
  await pip([
    '--no-deps',
    '--platform',
    'macosx_11_0_arm64',
    '--python-version',
    python.version,
    '--implementation',
    'cp',
    '--abi',
    abi,
    `markupsafe==${markupsafe}`,
  ]);
  const names = (await readdir(dir)).filter((name) => name.endsWith('.whl')).sort();
  return Promise.all(
    names.map(async (name) => ({
      path: join(dir, name),
      sha256: createHash('sha256')
        .update(await readFile(join(dir, name)))
        .digest('hex'),
    })),
  );
}

// Disabled, one skipped case stands for the suite (reported as skipped, not as an empty file).
const cases: [string, FoundPython][] = ENABLED
  ? pythons.map((python) => [python.full, python])
  : [['(set NX_PEX_REAL_WORLD=1 on Linux)', { version: '', full: '', path: '' }]];

describe.skipIf(!ENABLED).each(cases)('CPython %s, real wheels', (_full, python) => {
  let wheels: WheelInput[] = [];
  beforeAll(async () => {
    const dir = join(work, python.version, 'wheels');
    await mkdir(dir, { recursive: true });
    wheels = await download(python, dir);
  }, 300_000);

  it('downloaded a manylinux and a macOS build of markupsafe', () => {
    const builds = wheels.map((wheel) => wheel.path).filter((path) => /[Mm]arkup[Ss]afe-/.test(path));
    expect(builds.some((path) => path.includes('manylinux'))).toBe(true);
    expect(builds.some((path) => path.includes('macosx'))).toBe(true);
  });

  for (const layout of ['zipapp', 'packed', 'loose'] as const) {
    it(`builds a ${layout} pex that runs flask + requests and activates the manylinux markupsafe`, async () => {
      const sources = await writeSources(join(work, python.version, 'src'), APP);
      const built = await buildPex({
        outputPath: join(work, python.version, 'dist', `app-${layout}.pex`),
        wheels,
        sources,
        entryPoint: 'app.main',
        layout,
        interpreterConstraints: [`CPython==${python.version}.*`],
        cacheDir: join(work, 'cache'),
      });
      const ran = await run(python.path, [built.path], { env: { PEX_ROOT: join(work, 'pex_root') } });
      expect(ran.stderr).toBe('');
      expect(ran.code).toBe(0);
      const [first, second] = ran.stdout.trim().split('\n');
      expect(first).toBe('&lt;ok&gt; 2.32.3 True');
      expect(second).toMatch(/manylinux/);
    }, 300_000);
  }
});
