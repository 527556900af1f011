import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex, readPexInfo, type BuildPexOptions, type WheelInput } from '../index.js';
import { APP_SOURCES, greetWheel, shoutWheel, writeSources } from '../test-support/fixtures.js';
import { SpecifierSet } from '@nx-pex/resolver';
import { allowsCPython3Below } from './interpreter-constraints.js';

// What nx-pex passes: the resolver's PEP 440 implementation (the archive does not import it).
const specifierSet = (text: string) => new SpecifierSet(text);

let work: string;
let wheels: WheelInput[];
let options: BuildPexOptions;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-build-'));
  wheels = await Promise.all([greetWheel(join(work, 'wheels')), shoutWheel(join(work, 'wheels'))]);
  options = {
    outputPath: join(work, 'out', 'app.pex'),
    wheels,
    sources: await writeSources(join(work, 'src'), APP_SOURCES),
    entryPoint: 'app.main',
    requirements: ['greet==1.0', 'shout==2.0'],
    interpreterConstraints: ['>=3.8'],
    buildProperties: { project: 'app' },
    cacheDir: join(work, 'cache'),
  };
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function entries(path: string): Promise<yauzl.Entry[]> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  const all: yauzl.Entry[] = [];
  for await (const entry of zip.eachEntry()) all.push(entry);
  zip.close();
  return all;
}

/** The bytes of `name` in the zip at `path`: decompressed, or raw (as stored) with `decodeFileData: false`. */
async function member(path: string, name: string, decodeFileData = true): Promise<Buffer> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  for await (const entry of zip.eachEntry()) {
    if (entry.fileName === name) {
      // yauzl 3.4 mishandles an explicit `decodeFileData: true`, so pass the option only for raw reads.
      const bytes = await buffer(await zip.openReadStreamPromise(entry, decodeFileData ? {} : { decodeFileData }));
      zip.close();
      return bytes;
    }
  }
  zip.close();
  throw new Error(`${name} not in ${path}`);
}

describe('buildPex', () => {
  it('writes shebang + zip with PEX-INFO, runtime, sources and installed wheels', async () => {
    const events: string[] = [];
    const built = await buildPex({
      ...options,
      onProgress: (event) => events.push(`${event.phase} ${event.done}/${event.total}`),
    });
    const bytes = await readFile(built.path);
    expect(bytes.subarray(0, 22).toString()).toBe('#!/usr/bin/env python3');
    expect(built.size).toBe(bytes.length);
    expect((await stat(built.path)).mode & 0o777).toBe(0o755);
    expect(await readdir(join(work, 'out'))).toEqual(['app.pex']); // no temp file left behind

    const names = (await entries(built.path)).map((entry) => entry.fileName);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(
      expect.arrayContaining([
        'PEX-INFO',
        '__main__.py',
        '.bootstrap/nx_pex_runtime/boot.py',
        'app/main.py',
        '.deps/greet-1.0-py3-none-any.whl/greet/__init__.py',
        '.deps/greet-1.0-py3-none-any.whl/greet_extra.py',
        '.deps/greet-1.0-py3-none-any.whl/bin/greet-script',
        '.deps/greet-1.0-py3-none-any.whl/greet-1.0.data/data/share/greet/greeting.txt',
        '.deps/shout-2.0-py3-none-any.whl/shout/__init__.py',
      ]),
    );
    expect(names.filter((name) => name.endsWith('.pyc') || name.includes('__pycache__'))).toEqual([]);
    expect(events).toEqual(['install 1/2', 'install 2/2', `write ${names.length}/${names.length}`]);

    for (const entry of await entries(built.path)) {
      expect([entry.lastModFileDate, entry.lastModFileTime]).toEqual([0x21, 0]);
      const mode = entry.externalFileAttributes >>> 16;
      expect(mode).toBe(entry.fileName.endsWith('/bin/greet-script') ? 0o100755 : 0o100644);
    }
  });

  it('records pex fields in PEX-INFO, readable back with readPexInfo', async () => {
    const built = await buildPex(options);
    const info = await readPexInfo(built.path);
    expect(info).toEqual(built.pexInfo);
    expect(info).toMatchObject({
      entry_point: 'app.main',
      requirements: ['greet==1.0', 'shout==2.0'],
      interpreter_constraints: ['>=3.8'],
      inherit_path: 'false',
      strip_pex_env: true,
      build_properties: { project: 'app' },
      distributions: {
        'greet-1.0-py3-none-any.whl': wheels[0]!.sha256,
        'shout-2.0-py3-none-any.whl': wheels[1]!.sha256,
      },
    });
    expect(info.code_hash).toMatch(/^[0-9a-f]{64}$/);
    const keys = Object.keys(JSON.parse((await member(built.path, 'PEX-INFO')).toString()) as object);
    expect(keys).toEqual([...keys].sort());
  });

  it('copies wheel members raw: the compressed bytes in the pex are those of the wheel', async () => {
    const built = await buildPex(options);
    const inWheel = await member(wheels[0]!.path, 'greet/cli.py', false);
    const inPex = await member(built.path, '.deps/greet-1.0-py3-none-any.whl/greet/cli.py', false);
    expect(inPex.equals(inWheel)).toBe(true);
  });

  it('gives the same bytes regardless of TZ, umask, input mtimes, cache state and input order', async () => {
    const first = await buildPex({ ...options, outputPath: join(work, 'det', 'a.pex') });

    const moved = join(work, 'moved');
    await mkdir(join(moved, 'wheels'), { recursive: true });
    const movedWheels = await Promise.all(
      wheels.map(async (wheel) => {
        const path = join(moved, 'wheels', wheel.path.split('/').at(-1)!);
        await copyFile(wheel.path, path);
        await utimes(path, new Date(2001, 1, 1), new Date(2001, 1, 1));
        return { path, sha256: wheel.sha256 };
      }),
    );
    const movedSources = await writeSources(join(moved, 'src'), APP_SOURCES);
    for (const source of movedSources) await utimes(source.path, new Date(2010, 5, 5), new Date(2010, 5, 5));

    const previousTz = process.env['TZ'];
    const previousUmask = process.umask(0o077);
    process.env['TZ'] = 'Pacific/Kiritimati';
    try {
      const second = await buildPex({
        ...options,
        outputPath: join(work, 'det', 'b.pex'),
        wheels: [...movedWheels].reverse(),
        sources: [...movedSources].reverse(),
        cacheDir: join(work, 'other-cache'),
      });
      expect(second.sha256).toBe(first.sha256);
      expect((await stat(second.path)).mode & 0o777).toBe(0o755);
    } finally {
      process.umask(previousUmask);
      if (previousTz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = previousTz;
    }
  });

  it('changes the code hash, not the distributions, when a source changes', async () => {
    const before = await buildPex(options);
    const sources = await writeSources(join(work, 'src2'), {
      ...APP_SOURCES,
      'app/fn.py': 'def main():\n    return 8\n',
    });
    const after = await buildPex({ ...options, sources });
    expect(after.pexInfo.code_hash).not.toBe(before.pexInfo.code_hash);
    expect(after.pexInfo.distributions).toEqual(before.pexInfo.distributions);
    expect(after.sha256).not.toBe(before.sha256);
  });

  it.each([
    ['a reserved name', [{ archivePath: '__main__.py', path: 'x' }], 'PATH_CONFLICT'],
    ['a runtime directory', [{ archivePath: '.deps/x.py', path: 'x' }], 'PATH_CONFLICT'],
    ['an escaping path', [{ archivePath: '../x.py', path: 'x' }], 'INVALID_SOURCE'],
    ['an absolute path', [{ archivePath: '/x.py', path: 'x' }], 'INVALID_SOURCE'],
    [
      'a duplicate',
      [
        { archivePath: 'x.py', path: 'a' },
        { archivePath: 'x.py', path: 'b' },
      ],
      'PATH_CONFLICT',
    ],
    ['a missing file', [{ archivePath: 'x.py', path: '/nonexistent/nx-pex/x.py' }], 'INVALID_SOURCE'],
  ])('rejects a source with %s', async (_what, sources, code) => {
    await expect(buildPex({ ...options, sources, outputPath: join(work, 'bad', 'x.pex') })).rejects.toMatchObject({
      code,
    });
  });

  it.each(['app.main:', 'app main', 'app.main:f:g', '1app'])('rejects the entry point %j', async (entryPoint) => {
    await expect(buildPex({ ...options, entryPoint })).rejects.toMatchObject({ code: 'INVALID_ENTRY_POINT' });
  });

  it.each(['python3', '>=', '3.8', '>=3.8;', 'CPython>=3.8,'])(
    'rejects the interpreter constraint %j',
    async (constraint) => {
      await expect(buildPex({ ...options, interpreterConstraints: [constraint] })).rejects.toMatchObject({
        code: 'INVALID_INTERPRETER_CONSTRAINT',
      });
    },
  );

  it.each(['~=3', '>=3.8.*', '<3.9+local'])(
    "rejects %j with the caller's PEP 440 implementation",
    async (constraint) => {
      await expect(buildPex({ ...options, specifierSet, interpreterConstraints: [constraint] })).rejects.toMatchObject({
        code: 'INVALID_INTERPRETER_CONSTRAINT',
        message: expect.stringContaining(constraint),
      });
    },
  );

  it('accepts constraints with an implementation prefix and wildcards', async () => {
    for (const parser of [{}, { specifierSet }]) {
      const built = await buildPex({
        ...options,
        ...parser,
        interpreterConstraints: ['CPython>=3.8,<4', '==3.11.*', '~=3.9', 'PyPy===3.10.14'],
      });
      expect(built.pexInfo.interpreter_constraints).toEqual(['CPython>=3.8,<4', '==3.11.*', '~=3.9', 'PyPy===3.10.14']);
    }
  });

  it('rejects a wheel given twice and a multi-line shebang', async () => {
    await expect(buildPex({ ...options, wheels: [wheels[0]!, wheels[0]!] })).rejects.toMatchObject({
      code: 'PATH_CONFLICT',
    });
    await expect(buildPex({ ...options, shebang: '#!/bin/python\nrm -rf /' })).rejects.toMatchObject({
      code: 'INVALID_SOURCE',
    });
  });
});

describe('readPexInfo', () => {
  it('explains a file that is not a pex', async () => {
    await expect(readPexInfo(wheels[0]!.path)).rejects.toMatchObject({ code: 'NOT_A_PEX' });
    await expect(readPexInfo(join(work, 'src', 'app', 'main.py'))).rejects.toMatchObject({ code: 'NOT_A_PEX' });
  });
});

describe('buildPex layouts and options', () => {
  it.each(['packed', 'loose'] as const)(
    'writes the %s layout deterministically, replacing whatever was at the path',
    async (layout) => {
      const outputPath = join(work, `layouts-${layout}`, 'app');
      const zipapp = await buildPex({ ...options, outputPath });
      expect(zipapp.layout).toBe('zipapp');
      const first = await buildPex({ ...options, outputPath, layout });
      expect((await stat(outputPath)).isDirectory()).toBe(true);
      const second = await buildPex({
        ...options,
        outputPath,
        layout,
        wheels: [...wheels].reverse(),
        cacheDir: join(work, `cache-${layout}`),
      });
      expect(second.sha256).toBe(first.sha256);
      expect(second.size).toBe(first.size);
      expect(await readdir(join(work, `layouts-${layout}`))).toEqual(['app']); // no temp or old directory left
      const info = await readPexInfo(outputPath);
      expect(info.pex_hash).toBe(zipapp.pexInfo.pex_hash);
      const { mtime } = await stat(join(outputPath, 'PEX-INFO'));
      expect(mtime.toISOString()).toBe('1980-01-01T00:00:00.000Z');
      // and back to a single file
      expect((await buildPex({ ...options, outputPath })).sha256).toBe(zipapp.sha256);
    },
  );

  it('records the new PEX-INFO fields', async () => {
    const built = await buildPex({
      ...options,
      entryPoint: undefined,
      script: 'greet-cli',
      injectArgs: ['--verbose'],
      injectEnv: { MODE: 'prod' },
      inheritPath: 'fallback',
      stripPexEnv: false,
      pexPath: ['other.pex'],
      excluded: ['Shout>=1'],
    });
    expect(built.pexInfo).toMatchObject({
      entry_point: null,
      script: 'greet-cli',
      inject_args: ['--verbose'],
      inject_env: { MODE: 'prod' },
      inherit_path: 'fallback',
      strip_pex_env: false,
      pex_path: ['other.pex'],
      excluded: ['Shout>=1'],
      distributions: { 'greet-1.0-py3-none-any.whl': wheels[0]!.sha256 },
    });
  });

  it('checks that the script exists in a distribution and is not combined with an entry point', async () => {
    await expect(buildPex({ ...options, entryPoint: undefined, script: 'nope' })).rejects.toMatchObject({
      code: 'INVALID_ENTRY_POINT',
      message: expect.stringContaining('available: greet-cli, greet-script'),
    });
    await expect(buildPex({ ...options, script: 'greet-cli' })).rejects.toMatchObject({ code: 'INVALID_ENTRY_POINT' });
  });

  it.each([
    ['layout', { layout: 'zip' }],
    ['inheritPath', { inheritPath: false }],
    ['injectEnv', { injectEnv: { 'A=B': 'x' } }],
    ['excluded', { excluded: ['>=1'] }],
    ['pexPath', { pexPath: [''] }],
  ])('rejects an invalid %s', async (_name, bad) => {
    await expect(buildPex({ ...options, ...(bad as Partial<BuildPexOptions>) })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });
});

describe('allowsCPython3Below', () => {
  it.each([
    [[], true],
    [['>=3.8'], true],
    [['>=3.13'], false],
    [['==3.12.1'], true],
    [['CPython>=3.13', 'PyPy>=3.9'], false],
    [['>=3.9,<3.13', '>=3.14'], true],
    [['~=3.13.0'], false],
    // Past the old search (patches up to 50) and through pre-releases:
    [['>3.12.50,<3.13'], true],
    [['>=3.12.1000,!=3.12.1000'], true],
    [['<3.13.0rc1', '>=3.13.0a1'], true],
    [['>=3.13.0a1'], false],
    [['===3.12.7'], true],
    [['===3.12'], false],
    [['>3.12.0rc1,<3.12.0rc2'], false],
  ])('%j → %s', (constraints, expected) => {
    expect(allowsCPython3Below(constraints, 13, specifierSet)).toBe(expected);
  });

  it("cannot answer without the caller's PEP 440 implementation, unless there are no constraints", () => {
    expect(allowsCPython3Below(['>=3.13'], 13)).toBeUndefined();
    expect(allowsCPython3Below([], 13)).toBe(true);
  });
});
