// A zipapp past 65,535 entries, built through buildPex from a wheel of that many members: it must
// take seconds (installing, caching and writing are linear), carry ZIP64 end records, warn when the
// interpreter constraints allow CPython < 3.13 (whose zipimport cannot read ZIP64) and not with
// >=3.13, and run on CPython 3.13 when one is found.
//
// By default the big wheel is a second build of the project for another platform (win_amd64), so
// the runtime reads the ZIP64 directory but extracts only the small py3-none-any build: creating
// 65k files at first run takes minutes on a slow disk. NX_PEX_LONG=1 makes the big wheel the one
// that runs (70k modules, all extracted) and imports its last module.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecifierSet } from '@nx-pex/resolver';
import { findPythons } from '@nx-pex/tools';
import yauzl from 'yauzl';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPex, type BuiltPex, type WheelInput } from '../index.js';
import { recordFor, writeZip } from '../test-support/zip-file.js';
import { run } from '../test-support/run.js';

const LONG = process.env['NX_PEX_LONG'] === '1';
const MODULES = LONG ? 70_000 : 65_600;
const PER_PACKAGE = 1000;
const python313 = (await findPythons()).found.find((each) => each.version === '3.13')?.path;

let work: string;
let wheels: WheelInput[];
let wide: BuiltPex;
let only313: BuiltPex;
let unevaluated: BuiltPex;
const warnings: string[] = [];
const lastModule = `many.p${Math.floor((MODULES - 1) / PER_PACKAGE)}.m${MODULES - 1}`;

/** A wheel of project `many` for `tag`: check.py (the entry point), a deflated module, and `modules` more modules. */
async function manyWheel(dir: string, tag: string, modules: number): Promise<WheelInput> {
  const members: [string, string][] = [['many/__init__.py', '']];
  for (let index = 0; index < modules; index++) {
    const pkg = `many/p${Math.floor(index / PER_PACKAGE)}`;
    if (index % PER_PACKAGE === 0) members.push([`${pkg}/__init__.py`, '']);
    members.push([`${pkg}/m${index}.py`, `VALUE = ${index}\n`]);
  }
  // Big enough to be deflated (tiny members are stored), so both methods are copied raw.
  members.push(['many/big.py', `TEXT = ${JSON.stringify('zip64 '.repeat(4000))}\n`]);
  const last = modules > 0 ? `from ${lastModule} import VALUE\n` : 'VALUE = None\n';
  members.push([
    'many/check.py',
    `${last}from many.big import TEXT\nprint("zip64 ok", ${JSON.stringify(tag)}, VALUE, len(TEXT))\n`,
  ]);
  const distInfo = 'many-1.0.dist-info';
  members.push([`${distInfo}/METADATA`, 'Metadata-Version: 2.1\nName: many\nVersion: 1.0\n']);
  members.push([`${distInfo}/WHEEL`, `Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: ${tag}\n`]);
  const path = join(dir, `many-1.0-${tag}.whl`);
  const sha256 = await writeZip(path, [...members, [`${distInfo}/RECORD`, recordFor(members, `${distInfo}/RECORD`)]]);
  return { path, sha256 };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-zip64-build-'));
  const wheelDir = join(work, 'wheels');
  await mkdir(wheelDir);
  wheels = LONG
    ? [await manyWheel(wheelDir, 'py3-none-any', MODULES)]
    : [await manyWheel(wheelDir, 'py3-none-win_amd64', MODULES), await manyWheel(wheelDir, 'py3-none-any', 0)];
  // What nx-pex passes: the resolver's PEP 440 implementation (the archive does not import it).
  const specifierSet = (text: string) => new SpecifierSet(text);
  const build = (name: string, interpreterConstraints: string[], evaluate = true) =>
    buildPex({
      ...(evaluate ? { specifierSet } : {}),
      outputPath: join(work, 'dist', `${name}.pex`),
      wheels,
      sources: [],
      cacheDir: join(work, 'cache'),
      entryPoint: 'many.check',
      interpreterConstraints,
      onWarning: (message) => warnings.push(`${name}: ${message}`),
    });
  wide = await build('wide', ['>=3.8']);
  only313 = await build('only313', ['>=3.13']);
  unevaluated = await build('unevaluated', ['>=3.13'], false);
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

it(`writes a zipapp of more than 65,535 entries with ZIP64 end records (${MODULES} modules in one wheel)`, async () => {
  for (const pex of [wide, only313, unevaluated]) {
    const zip = await yauzl.openPromise(pex.path, { lazyEntries: true, autoClose: false });
    try {
      expect(zip.entryCount).toBeGreaterThan(Math.max(65_535, MODULES));
    } finally {
      zip.close();
    }
  }
});

it('warns about ZIP64 when the constraints allow CPython < 3.13, and not with >=3.13', () => {
  expect(wide.warnings).toHaveLength(1);
  expect(wide.warnings[0]).toMatch(/needs ZIP64 .*CPython < 3\.13.*allow such interpreters.*'packed'/);
  expect(only313.warnings).toEqual([]);
  // Without the caller's PEP 440 implementation the constraints cannot be evaluated: warn, saying so.
  expect(unevaluated.warnings).toHaveLength(1);
  expect(unevaluated.warnings[0]).toMatch(/needs ZIP64 .*were not evaluated \(no specifierSet option\).*'packed'/);
  expect(warnings).toEqual([`wide: ${wide.warnings[0]}`, `unevaluated: ${unevaluated.warnings[0]}`]);
});

it('a rewrite from the previous zipapp (ZIP64 end records, one more source) gives the bytes and warning of a full build', async () => {
  const source = join(work, 'extra.py');
  await writeFile(source, 'EXTRA = 1\n');
  const options = {
    specifierSet: (text: string) => new SpecifierSet(text),
    wheels,
    sources: [{ archivePath: 'extra.py', path: source }],
    cacheDir: join(work, 'cache'),
    entryPoint: 'many.check',
    interpreterConstraints: ['>=3.8'],
  };
  const rewritten = await buildPex({ ...options, outputPath: join(work, 're', 'wide.pex'), previousPex: wide });
  const full = await buildPex({ ...options, outputPath: join(work, 'full', 'wide.pex') });
  expect(rewritten.reuse).toEqual({ keptBytes: expect.any(Number) });
  expect((await readFile(rewritten.path)).equals(await readFile(full.path))).toBe(true);
  expect(rewritten.sha256).toBe(full.sha256);
  expect(rewritten.warnings).toEqual(full.warnings);
  expect(full.warnings).toHaveLength(1);
});

it.skipIf(!python313)(
  'runs on CPython 3.13, whose zipimport reads ZIP64',
  async () => {
    const ran = await run(python313!, [only313.path], { env: { PEX_ROOT: join(work, 'pex_root') } });
    expect(ran.stderr).toBe('');
    const expected = LONG ? `py3-none-any ${MODULES - 1}` : 'py3-none-any None';
    expect(ran.stdout).toBe(`zip64 ok ${expected} ${'zip64 '.length * 4000}\n`);
    expect(ran.code).toBe(0);
  },
  600_000,
);
