import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMissing, findPythons, type FoundPython } from '../pythons/find-pythons.js';
import { isolatedPipEnv } from '../pythons/pip-env.js';
import { buildWheel } from './build-wheel.js';
import type { WheelSpec } from './spec.js';

const run = promisify(execFile);

const spec: WheelSpec = {
  name: 'Greet.Tool',
  version: '1.2.0',
  modules: {
    'greet/__init__.py': 'def hello():\n    return "hello from greet"\n',
    'greet/data/words.txt': 'hi\n',
  },
  requiresDist: ['requests>=2; python_version >= "3.8"'],
  requiresPython: '>=3.8',
  scripts: { 'greet-raw': '#!python\nimport greet\nprint(greet.hello())\n' },
  consoleScripts: { greet: 'greet:hello' },
  data: { data: { 'share/greet/README': 'shared\n' } },
  summary: 'A wheel from the factory',
};

// Verify RECORD independently with Python's own zipfile/hashlib, not our code.
const CHECK_RECORD = `
import base64, csv, hashlib, io, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
record = [n for n in names if n.endswith('.dist-info/RECORD')][0]
rows = list(csv.reader(io.StringIO(z.read(record).decode())))
assert sorted(r[0] for r in rows) == sorted(names), (rows, names)
for path, digest, size in rows:
    if path == record:
        assert digest == '' and size == '', (path, digest, size)
        continue
    data = z.read(path)
    want = 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    assert digest == want and int(size) == len(data), (path, digest, want, size, len(data))
print('ok', len(rows))
`;

let pythons: FoundPython[] = [];
let work: string;

beforeAll(async () => {
  const found = await findPythons();
  if (found.missing.length > 0) console.warn(describeMissing(found));
  // Two interpreters: the oldest and the newest supported one on this machine.
  pythons = found.found.length > 1 ? [found.found[0]!, found.found[found.found.length - 1]!] : found.found;
  work = await mkdtemp(join(tmpdir(), 'nx-pex-wheel-factory-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('buildWheel with a real pip', () => {
  it('finds two Pythons to install with', () => {
    expect(pythons.length, describeMissing({ missing: ['any two of 3.8-3.13'] })).toBe(2);
  });

  it('writes a wheel whose RECORD Python verifies', async () => {
    const wheel = await buildWheel(spec, join(work, 'dist'));
    expect(wheel.filename).toBe('greet_tool-1.2.0-py3-none-any.whl');
    const { stdout } = await run(pythons[0]!.path, ['-c', CHECK_RECORD, wheel.path]);
    expect(stdout.trim()).toBe('ok 8');
  });

  it.each([0, 1])('pip installs it with Python #%i, the module imports and scripts land in bin/', async (i) => {
    const python = pythons[i]!;
    const wheel = await buildWheel(spec, join(work, 'dist'));
    const target = join(work, `target-${python.version}`);
    await run(python.path, ['-m', 'pip', 'install', '--no-deps', '--no-index', '--target', target, wheel.path], {
      env: isolatedPipEnv(),
    });
    const { stdout } = await run(python.path, ['-c', 'import greet; print(greet.hello())'], {
      env: { ...process.env, PYTHONPATH: target },
    });
    expect(stdout.trim()).toBe('hello from greet');
    // .data/scripts/ -> bin/, with `#!python` rewritten to this interpreter (PEP 427).
    const raw = join(target, 'bin', 'greet-raw');
    await access(raw, constants.X_OK);
    expect((await readFile(raw, 'utf8')).split('\n')[0]).toMatch(/^#!.*python/);
    const fromRaw = await run(raw, [], { env: { ...process.env, PYTHONPATH: target } });
    expect(fromRaw.stdout.trim()).toBe('hello from greet');
    // entry_points.txt [console_scripts] -> a generated launcher.
    await access(join(target, 'bin', 'greet'), constants.X_OK);
    // .data/data/ -> the data scheme root (the --target dir itself).
    expect(await readFile(join(target, 'share', 'greet', 'README'), 'utf8')).toBe('shared\n');
    // The installed METADATA is ours.
    const metadata = await readFile(join(target, 'greet_tool-1.2.0.dist-info', 'METADATA'), 'utf8');
    expect(metadata).toContain('Requires-Dist: requests>=2; python_version >= "3.8"');
  });
});
