import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, type BuiltWheel } from '@nx-pex/tools';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { targetFromAbbreviatedPlatform } from '../platform/foreign-target.js';
import { fixtureSuite } from '../testing/fixture-suite.js';
import { fetchLocked } from './fetch-locked.js';
import { formatLock } from './format.js';
import { importRequirementsTxt, importUvLock } from './import.js';
import { parseLock } from './parse.js';
import { isLockCurrent } from './current.js';
import { selectFromLock } from './select.js';

const built: Record<string, BuiltWheel> = {};
const suite = fixtureSuite('nx-pex-import-', async (wheels) => {
  built.greet = await buildWheel(
    { name: 'greet', version: '1.0', requiresDist: ['colour; sys_platform == "linux"'] },
    wheels,
  );
  built.greet2 = await buildWheel({ name: 'greet', version: '2.0' }, wheels);
  built.colour = await buildWheel({ name: 'colour', version: '0.5' }, wheels);
  built.native = await buildWheel(
    { name: 'native', version: '1.0', pythonTag: 'cp312', abiTag: 'cp312', platformTag: 'manylinux_2_17_x86_64' },
    wheels,
  );
  built.nativeWin = await buildWheel(
    { name: 'native', version: '1.0', pythonTag: 'cp312', abiTag: 'cp312', platformTag: 'win_amd64' },
    wheels,
  );
  built.extra = await buildWheel({ name: 'fancy', version: '3.1' }, wheels);
});

const linux = targetFromAbbreviatedPlatform('manylinux_2_28_x86_64-cp-312-cp312');
const windows = targetFromAbbreviatedPlatform('win_amd64-cp-312-cp312');

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<ResolverError> {
  const err =
    typeof p === 'function'
      ? await Promise.resolve()
          .then(p)
          .then(
            () => undefined,
            (e: unknown) => e,
          )
      : await p.then(
          () => undefined,
          (e: unknown) => e,
        );
  expect(err).toBeInstanceOf(ResolverError);
  return err as ResolverError;
}

describe('importRequirementsTxt', () => {
  let text: string;
  beforeAll(() => {
    text = [
      '# pip-compile --generate-hashes',
      `--index-url ${suite.server.url}`,
      'greet==1.0 \\',
      `    --hash=sha256:${built.greet!.sha256} \\`,
      `    --hash=sha256:${'0'.repeat(64)}`,
      '    # via -r requirements.in',
      `colour==0.5 ; sys_platform == "linux" --hash=sha256:${built.colour!.sha256}`,
      `native==1.0 --hash=sha256:${built.native!.sha256} --hash=sha256:${built.nativeWin!.sha256}`,
      '',
    ].join('\n');
  });

  it('turns pins + hashes into a lock that selectFromLock and fetchLocked use', async () => {
    const lock = await importRequirementsTxt(text, 'requirements.txt', {
      index: suite.index(),
      project: 'app',
      cacheDir: suite.cacheDir,
    });
    expect(lock.nxPex?.roots).toEqual({ app: ['colour==0.5; sys_platform == "linux"', 'greet==1.0', 'native==1.0'] });
    expect(lock.packages.find((p) => p.name === 'native')?.wheels.map((w) => w.name)).toEqual([
      built.native!.filename,
      built.nativeWin!.filename,
    ]);
    // Round trip through pylock.toml text.
    const again = parseLock(formatLock(lock), 'pylock.toml');
    const onLinux = selectFromLock(again, 'app', linux);
    expect(onLinux.map((a) => a.filename).sort()).toEqual(
      [built.colour!.filename, built.greet!.filename, built.native!.filename].sort(),
    );
    expect(
      selectFromLock(again, 'app', windows)
        .map((a) => a.filename)
        .sort(),
    ).toEqual([built.greet!.filename, built.nativeWin!.filename].sort());
    const local = await fetchLocked(onLinux, { cacheDir: suite.cacheDir });
    expect(local.map((l) => l.sha256).sort()).toEqual(onLinux.map((a) => a.sha256).sort());
  });

  it("with the project's own requirements: only they are roots, requires-python is recorded, the pins are a closed set", async () => {
    const lock = await importRequirementsTxt(text, 'requirements.txt', {
      index: suite.index(),
      project: 'app',
      cacheDir: suite.cacheDir,
      requirements: ['greet>=1', 'native'],
      requiresPython: '>=3.12',
    });
    expect(lock.nxPex?.roots).toEqual({ app: ['greet>=1', 'native'] });
    expect(lock.requiresPython).toBe('>=3.12');
    const again = parseLock(formatLock(lock), 'pylock.toml');
    // colour is not a root: it is installed because it is pinned and its marker holds.
    expect(selectFromLock(again, 'app', linux).map((a) => a.name)).toEqual(['greet', 'native', 'colour']);
    expect(isLockCurrent(again, { app: ['native', 'greet>=1'] }, '>=3.12').current).toBe(true);
    const stale = await rejection(
      importRequirementsTxt(text, 'requirements.txt', {
        index: suite.index(),
        cacheDir: suite.cacheDir,
        requirements: ['greet>=2'],
      }),
    );
    expect(stale.code).toBe('LOCK_OUTDATED');
    expect(stale.message).toMatch(/requirements\.txt: project default requires greet>=2 but the file pins greet==1\.0/);
  });

  it('refuses unpinned, unhashed, nested and unknown-hash lines with file:line', async () => {
    const opts = { index: suite.index(), cacheDir: suite.cacheDir };
    expect(
      (await rejection(importRequirementsTxt('greet>=1 --hash=sha256:' + 'a'.repeat(64), 'r.txt', opts))).message,
    ).toMatch(/^r\.txt:1: greet must be pinned with ==/);
    expect((await rejection(importRequirementsTxt('\ngreet==1.0', 'r.txt', opts))).message).toMatch(
      /^r\.txt:2: greet has no --hash/,
    );
    expect((await rejection(importRequirementsTxt('-r other.txt', 'r.txt', opts))).code).toBe('INVALID_LOCK');
    const unknown = await rejection(
      importRequirementsTxt(`greet==2.0 --hash=sha256:${built.greet!.sha256}`, 'r.txt', opts),
    );
    expect(unknown.code).toBe('NO_MATCHING_DISTRIBUTION');
    expect(unknown.message).toMatch(/r\.txt:1: no file of greet 2\.0/);
  });
});

describe('importUvLock', () => {
  const file = (w: BuiltWheel) =>
    `{ url = "${suite.server.fileUrl(w.filename)}", hash = "sha256:${w.sha256}", size = ${w.size} }`;
  let uvLock: string;
  beforeAll(() => {
    const registry = `source = { registry = "${suite.server.url}" }`;
    uvLock = [
      'version = 1',
      'requires-python = ">=3.11"',
      '',
      '[[package]]',
      'name = "app"',
      'version = "0.1.0"',
      'source = { virtual = "." }',
      'dependencies = [',
      '    { name = "greet" },',
      '    { name = "native", marker = "sys_platform == \'linux\' or sys_platform == \'win32\'" },',
      ']',
      '',
      '[[package]]',
      'name = "colour"',
      'version = "0.5"',
      registry,
      `wheels = [${file(built.colour!)}]`,
      '',
      '[[package]]',
      'name = "greet"',
      'version = "1.0"',
      registry,
      'dependencies = [{ name = "colour", marker = "sys_platform == \'linux\'" }]',
      `wheels = [${file(built.greet!)}]`,
      '',
      '[package.optional-dependencies]',
      'fancy = [{ name = "fancy" }]',
      '',
      '[[package]]',
      'name = "fancy"',
      'version = "3.1"',
      registry,
      `wheels = [${file(built.extra!)}]`,
      '',
      '[[package]]',
      'name = "native"',
      'version = "1.0"',
      registry,
      `wheels = [${file(built.native!)}, ${file(built.nativeWin!)}]`,
      '',
    ].join('\n');
  });

  it('maps packages, wheels and dependency markers so selectFromLock walks them per target', async () => {
    const lock = importUvLock(uvLock, 'uv.lock');
    expect(lock.requiresPython).toBe('>=3.11');
    expect(lock.nxPex?.roots).toEqual({ app: ['greet', "native; sys_platform == 'linux' or sys_platform == 'win32'"] });
    expect(lock.packages.map((p) => `${p.name} ${p.version}`).sort()).toEqual([
      'colour 0.5',
      'fancy 3.1',
      'greet 1.0',
      'native 1.0',
    ]);
    const onLinux = selectFromLock(lock, 'app', linux);
    expect(onLinux.map((a) => a.filename)).toEqual([
      built.greet!.filename,
      built.native!.filename,
      built.colour!.filename,
    ]);
    expect(onLinux[0]!.size).toBe(built.greet!.size);
    expect(selectFromLock(lock, 'app', windows).map((a) => a.filename)).toEqual([
      built.greet!.filename,
      built.nativeWin!.filename,
    ]);
    const local = await fetchLocked(onLinux, { cacheDir: await mkdtemp(join(suite.work, 'uv-')) });
    expect(local).toHaveLength(3);
    // The extra is recorded as Requires-Dist with its marker.
    expect(lock.packages.find((p) => p.name === 'greet')?.nxPex?.requiresDist).toEqual([
      "colour ; sys_platform == 'linux'",
      'fancy ; extra == "fancy"',
    ]);
  });

  it('refuses files without sha256, unsupported sources and non-uv TOML', async () => {
    expect(
      (await rejection(() => importUvLock(uvLock.replace(`sha256:${built.colour!.sha256}`, 'md5:abc'), 'uv.lock')))
        .message,
    ).toMatch(/^uv\.lock: package\[1\] \(colour\)\.wheels\[0\] has no sha256/);
    expect(
      (
        await rejection(() =>
          importUvLock(uvLock.replace('source = { virtual = "." }', 'source = { git = "https://x/y" }'), 'uv.lock'),
        )
      ).message,
    ).toMatch(/not supported/);
    expect((await rejection(() => importUvLock('a = 1', 'uv.lock'))).code).toBe('INVALID_LOCK');
    expect((await rejection(() => importUvLock('a = [', 'uv.lock'))).message).toMatch(/not TOML/);
  });
});
