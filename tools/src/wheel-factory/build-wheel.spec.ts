import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel, wheelMembers } from './build-wheel.js';
import { expandTags, wheelFilename } from './filename.js';
import { recordHash, recordText } from './record.js';
import type { WheelSpec } from './spec.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-wheel-unit-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

const spec: WheelSpec = {
  name: 'My.Pkg',
  version: '1.0+local.1',
  modules: { 'z.py': '', 'my_pkg/__init__.py': 'x = 1\n' },
  scripts: { tool: '#!python\n' },
  data: { headers: { 'my.h': '' }, purelib: { 'extra.py': '' } },
  consoleScripts: { zed: 'z:main', alpha: 'my_pkg:run' },
  requiresDist: ['a>=1', 'b; extra == "x"'],
  providesExtra: ['x'],
  requiresPython: '>=3.8',
  summary: 'sum',
};

interface ZipEntryInfo {
  name: string;
  mode: number;
  dosDate: number;
  dosTime: number;
  content: Buffer;
}
function readZip(path: string): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: ZipEntryInfo[] = [];
      zip.on('end', () => resolve(out));
      zip.on('entry', (e: yauzl.Entry) =>
        zip.openReadStream(e, (streamErr, stream) => {
          if (streamErr) return reject(streamErr);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({
              name: e.fileName,
              mode: e.externalFileAttributes >>> 16,
              dosDate: e.lastModFileDate,
              dosTime: e.lastModFileTime,
              content: Buffer.concat(chunks),
            });
            zip.readEntry();
          });
        }),
      );
      zip.readEntry();
    });
  });
}

describe('wheel filename and tags', () => {
  it('normalises the name with _ and escapes - in components', () => {
    expect(wheelFilename({ name: 'My.Pkg--x', version: '1.0' })).toBe('my_pkg_x-1.0-py3-none-any.whl');
    expect(
      wheelFilename({
        name: 'a',
        version: '1',
        buildTag: '2-b',
        pythonTag: 'cp311',
        abiTag: 'abi3',
        platformTag: 'linux_x86_64',
      }),
    ).toBe('a-1-2_b-cp311-abi3-linux_x86_64.whl');
  });

  it('expands compressed tag sets (PEP 425)', () => {
    expect(expandTags({ pythonTag: 'py2.py3', abiTag: 'none', platformTag: 'any' })).toEqual([
      'py2-none-any',
      'py3-none-any',
    ]);
  });
});

describe('RECORD', () => {
  it('uses urlsafe base64 sha256 without padding', () => {
    // sha256('') = e3b0c442...; its urlsafe-b64 has no '=' and uses '-'/'_'.
    expect(recordHash(new Uint8Array())).toBe('sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('quotes CSV fields that need it and ends with an empty entry for itself', () => {
    const text = recordText([{ path: 'a,b.py', content: Buffer.from('x') }], 'p-1.dist-info/RECORD');
    expect(text.split('\n')).toEqual([`"a,b.py",${recordHash(Buffer.from('x'))},1`, 'p-1.dist-info/RECORD,,', '']);
  });
});

describe('buildWheel', () => {
  it('writes sorted members, dist-info last with RECORD last, fixed DOS time and normalised modes', async () => {
    const wheel = await buildWheel(spec, work);
    expect(wheel.filename).toBe('my_pkg-1.0+local.1-py3-none-any.whl');
    const entries = await readZip(wheel.path);
    const di = 'my_pkg-1.0+local.1.dist-info';
    const data = 'my_pkg-1.0+local.1.data';
    expect(entries.map((e) => e.name)).toEqual([
      `${data}/headers/my.h`,
      `${data}/purelib/extra.py`,
      `${data}/scripts/tool`,
      'my_pkg/__init__.py',
      'z.py',
      `${di}/METADATA`,
      `${di}/WHEEL`,
      `${di}/entry_points.txt`,
      `${di}/RECORD`,
    ]);
    // DOS date 1980-01-02 = (0 << 9) | (1 << 5) | 2; time 00:00:00.
    expect(new Set(entries.map((e) => `${e.dosDate}/${e.dosTime}`))).toEqual(new Set(['34/0']));
    expect(entries.find((e) => e.name.endsWith('/scripts/tool'))?.mode).toBe(0o100755);
    expect(entries.find((e) => e.name === 'z.py')?.mode).toBe(0o100644);
    const text = (name: string) => entries.find((e) => e.name === `${di}/${name}`)!.content.toString('utf8');
    expect(text('METADATA')).toBe(
      'Metadata-Version: 2.1\nName: My.Pkg\nVersion: 1.0+local.1\nSummary: sum\nRequires-Python: >=3.8\nProvides-Extra: x\nRequires-Dist: a>=1\nRequires-Dist: b; extra == "x"\n',
    );
    expect(text('WHEEL')).toBe(
      'Wheel-Version: 1.0\nGenerator: nx-pex-tools (0.0.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    );
    expect(text('entry_points.txt')).toBe('[console_scripts]\nalpha = my_pkg:run\nzed = z:main\n');
    const record = text('RECORD').trim().split('\n');
    expect(record).toHaveLength(entries.length);
    for (const e of entries.slice(0, -1))
      expect(record).toContain(`${e.name},${recordHash(e.content)},${e.content.byteLength}`);
    expect(record.at(-1)).toBe(`${di}/RECORD,,`);
  });

  it('is byte-for-byte deterministic, whatever the time zone', async () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const a = await buildWheel(spec, join(work, 'utc'));
      process.env.TZ = 'Pacific/Chatham';
      const b = await buildWheel(spec, join(work, 'chatham'));
      expect(b.sha256).toBe(a.sha256);
      expect(await readFile(b.path)).toEqual(await readFile(a.path));
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('writes Root-Is-Purelib false, Build and one Tag per expanded tag', () => {
    const wheelText = wheelMembers({
      name: 'a',
      version: '1',
      rootIsPurelib: false,
      buildTag: '7',
      pythonTag: 'py2.py3',
    }).find((m) => m.path === 'a-1.dist-info/WHEEL')!.content;
    expect(Buffer.from(wheelText).toString()).toBe(
      'Wheel-Version: 1.0\nGenerator: nx-pex-tools (0.0.0)\nRoot-Is-Purelib: false\nTag: py2-none-any\nTag: py3-none-any\nBuild: 7\n',
    );
  });

  it('leaves no temp files behind', async () => {
    const dir = join(work, 'clean');
    await buildWheel({ name: 'a', version: '1' }, dir);
    expect(await readdir(dir)).toEqual(['a-1-py3-none-any.whl']);
  });

  it.each<[string, WheelSpec]>([
    ['bad name', { name: '-bad', version: '1' }],
    ['bad version', { name: 'a', version: '1 0' }],
    ['bad build tag', { name: 'a', version: '1', buildTag: 'x1' }],
    ['bad tag', { name: 'a', version: '1', platformTag: 'linux-x86_64' }],
    ['absolute path', { name: 'a', version: '1', modules: { '/etc/x': '' } }],
    ['dot-dot path', { name: 'a', version: '1', modules: { 'a/../b.py': '' } }],
    ['dist-info path', { name: 'a', version: '1', modules: { 'a-1.dist-info/METADATA': '' } }],
    ['duplicate path', { name: 'a', version: '1', modules: { 'a-1.data/scripts/x': '' }, scripts: { x: '' } }],
    ['header injection', { name: 'a', version: '1', summary: 'x\nRequires-Dist: evil' }],
    ['bad console script', { name: 'a', version: '1', consoleScripts: { x: 'not a target' } }],
  ])('rejects a spec with a %s (INVALID_WHEEL_SPEC)', async (_why, bad) => {
    await expect(buildWheel(bad, join(work, 'never'))).rejects.toMatchObject({
      name: 'ToolsError',
      code: 'INVALID_WHEEL_SPEC',
    });
  });
});
