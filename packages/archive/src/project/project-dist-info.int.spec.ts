// Issue 12 item 1, archive side: buildPex({ projects }) puts a dist-info for each first-party project
// into the pex. Under every CPython found and in every layout, importlib.metadata.version() and
// entry_points() find it (a plugin registered by entry-point group is discovered and loaded), the
// project's own console script runs as PEX_SCRIPT and as the `script` option, and
// `PEX_TOOLS=1 … venv` writes its console and gui scripts. The files are deterministic and their
// RECORD is checked with Python's hashlib; version normalisation is compared with packaging.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMissing, findPythons, type FoundPython } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex, type BuildPexOptions, type ProjectDistribution } from '../index.js';
import { greetWheel, writeSources } from '../test-support/fixtures.js';
import { run } from '../test-support/run.js';
import { normalizeVersion } from './version.js';

const pythons = await findPythons();
if (pythons.missing.length > 0) console.warn(describeMissing(pythons));

const SOURCES: Record<string, string> = {
  'app/__init__.py':
    'from importlib.metadata import version\n__version__ = version("my-app")  # Python < 3.10 matches only lower case and - → _\n',
  'app/main.py': [
    'import sys',
    'from importlib.metadata import entry_points, metadata',
    'import app',
    'eps = entry_points()',
    'plugins = eps.select(group="my_app.plugins") if hasattr(eps, "select") else eps.get("my_app.plugins", [])',
    'print(app.__version__, metadata("my-app")["Summary"], sorted(ep.name for ep in plugins))',
    'for ep in sorted(plugins, key=lambda ep: ep.name):',
    '    print(ep.load()())',
    '',
  ].join('\n'),
  'app/plugins.py': 'def hello():\n    return "hello plugin loaded"\n',
  'app/cli.py':
    'import sys\n\ndef main():\n    print("my-app cli", sys.argv[1:])\n    return 5\n\ndef gui():\n    print("my-app gui")\n',
};

const PROJECT: ProjectDistribution = {
  name: 'My.App',
  version: '1.0.0-Beta.2',
  metadata:
    'Metadata-Version: 2.1\nName: My.App\nVersion: 1.0.0b2\nSummary: an app that reads its own metadata\nRequires-Dist: greet\n',
  scripts: { 'my-app': 'app.cli:main' },
  guiScripts: { 'my-app-gui': 'app.cli:gui' },
  entryPoints: { 'my_app.plugins': { hello: 'app.plugins:hello' } },
};
const DIST_INFO = 'my_app-1.0.0b2.dist-info';

let work: string;
const pex: Record<string, string> = {};
let first: Awaited<ReturnType<typeof buildPex>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-project-'));
  const wheels = [await greetWheel(join(work, 'wheels'))];
  const sources = await writeSources(join(work, 'src'), SOURCES);
  const base: BuildPexOptions = { outputPath: '', wheels, sources, projects: [PROJECT], cacheDir: join(work, 'cache') };
  for (const layout of ['zipapp', 'packed', 'loose'] as const) {
    const built = await buildPex({ ...base, outputPath: join(work, `app-${layout}`), layout, entryPoint: 'app.main' });
    pex[layout] = built.path;
    if (layout === 'zipapp') first = built;
  }
  pex['script'] = (await buildPex({ ...base, outputPath: join(work, 'script.pex'), script: 'my-app' })).path;
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the dist-info in the pex', () => {
  it('is byte-identical across builds with the sources and entries in another order', async () => {
    const sources = (await writeSources(join(work, 'src'), SOURCES)).reverse();
    const again = await buildPex({
      outputPath: join(work, 'again.pex'),
      wheels: [await greetWheel(join(work, 'wheels'))],
      sources,
      projects: [
        {
          ...PROJECT,
          scripts: { ...PROJECT.scripts },
          entryPoints: { 'my_app.plugins': { hello: 'app.plugins:hello' } },
        },
      ],
      cacheDir: join(work, 'cache-2'),
      entryPoint: 'app.main',
    });
    expect(again.sha256).toBe(first.sha256);
    expect(again.pexInfo.code_hash).toBe(first.pexInfo.code_hash);
  });

  it.skipIf(pythons.found.length === 0)(
    'has a RECORD whose hashes and sizes Python computes the same way',
    async () => {
      const dir = join(pex['loose']!, DIST_INFO);
      const program = [
        'import base64, hashlib, os, sys',
        'd = sys.argv[1]',
        'for line in open(os.path.join(d, "RECORD")).read().splitlines():',
        '    path, digest, size = line.split(",")',
        '    if not digest: print(path, "unhashed"); continue',
        '    data = open(os.path.join(os.path.dirname(d), path), "rb").read()',
        '    ok = digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode() and int(size) == len(data)',
        '    print(path, ok)',
      ].join('\n');
      const result = await run(pythons.found.at(-1)!.path, ['-c', program, dir]);
      expect(result.stdout.split('\n').filter(Boolean)).toEqual([
        `${DIST_INFO}/INSTALLER True`,
        `${DIST_INFO}/METADATA True`,
        `${DIST_INFO}/entry_points.txt True`,
        `${DIST_INFO}/RECORD unhashed`,
      ]);
      expect(await readFile(join(dir, 'METADATA'), 'utf8')).toBe(PROJECT.metadata);
    },
  );

  it.skipIf(pythons.found.length === 0)('normalises versions as packaging does', async () => {
    const versions = [
      '1.0',
      'v1.0',
      '1.0-Beta.2',
      '1.0alpha',
      '1.0C1',
      '1.0-1',
      '1.0.rev',
      '1.0-dev',
      '0!1.01',
      '2!1.0+Ubuntu-01_x',
      '1.0.post2.dev3',
      '1.0a1.post0.dev0',
      '007',
      '1.0_PREVIEW-4',
    ];
    const program =
      'import json, sys\nfrom pip._vendor.packaging.version import Version\nprint(json.dumps([str(Version(v)) for v in json.load(sys.stdin)]))';
    const result = await run(pythons.found.at(-1)!.path, ['-c', program], { stdin: JSON.stringify(versions) });
    expect(versions.map(normalizeVersion)).toEqual(JSON.parse(result.stdout));
  });
});

describe.each(pythons.found.map((found): [string, FoundPython] => [found.full, found]))(
  'CPython %s',
  (_full, python) => {
    const env = (extra: Record<string, string> = {}) => ({
      env: { PEX_ROOT: join(work, `root-${python.version}`), ...extra },
    });

    it.each(['zipapp', 'packed', 'loose'])(
      'importlib.metadata finds the project in the %s layout (version, metadata, entry-point plugins)',
      async (layout) => {
        const result = await run(python.path, [pex[layout]!], env());
        expect([result.code, result.stderr]).toEqual([0, '']);
        expect(result.stdout).toBe("1.0.0b2 an app that reads its own metadata ['hello']\nhello plugin loaded\n");
      },
    );

    it("runs the project's own console script as the script option and as PEX_SCRIPT", async () => {
      const asOption = await run(python.path, [pex['script']!, 'a'], env());
      expect([asOption.code, asOption.stdout]).toEqual([5, "my-app cli ['a']\n"]);
      const asVariable = await run(python.path, [pex['packed']!, 'b'], env({ PEX_SCRIPT: 'my-app' }));
      expect([asVariable.code, asVariable.stdout]).toEqual([5, "my-app cli ['b']\n"]);
    });

    it("venv writes the project's console and gui scripts, and its metadata stays findable", async () => {
      const venv = join(work, `venv-${python.version}`);
      const made = await run(python.path, [pex['zipapp']!, 'venv', venv], env({ PEX_TOOLS: '1' }));
      expect([made.code, made.stderr]).toEqual([0, '']);
      const cli = await run(join(venv, 'bin', 'my-app'), ['c']);
      expect([cli.code, cli.stdout]).toEqual([5, "my-app cli ['c']\n"]);
      const gui = await run(join(venv, 'bin', 'my-app-gui'), []);
      expect([gui.code, gui.stdout]).toEqual([0, 'my-app gui\n']);
      const version = await run(join(venv, 'bin', 'python'), [
        '-c',
        'import importlib.metadata as m; print(m.version("my-app"), m.distribution("my_app").read_text("INSTALLER").strip())',
      ]);
      expect(version.stdout).toBe('1.0.0b2 nx-pex\n');
      const launched = await run(join(venv, 'pex'), []);
      expect(launched.stdout).toBe("1.0.0b2 an app that reads its own metadata ['hello']\nhello plugin loaded\n");
    });
  },
);

it('refuses a source inside the generated dist-info (PATH_CONFLICT)', async () => {
  const sources = await writeSources(join(work, 'clash'), { [`${DIST_INFO}/METADATA`]: 'x' });
  await expect(
    buildPex({ outputPath: join(work, 'clash.pex'), wheels: [], sources, projects: [PROJECT] }),
  ).rejects.toMatchObject({
    code: 'PATH_CONFLICT',
    message: expect.stringContaining(`source archivePath '${DIST_INFO}/METADATA' is inside ${DIST_INFO}/`),
  });
  // The digest of the zipapp is over the whole file, so it also covers the dist-info (checked above).
  expect(
    createHash('sha256')
      .update(await readFile(pex['zipapp']!))
      .digest('hex'),
  ).toBe(first.sha256);
});
