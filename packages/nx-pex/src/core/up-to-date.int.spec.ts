import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel, findPythons, startFixtureIndex, type FixtureIndex, writeTree } from '@nx-pex/tools';
import { runCli } from '../cli/cli.js';
import { useFixtureIndex } from '../testing-files/fixture-env.js';
import { stampPath } from './up-to-date.js';

// Issue 15: with a lock, a build whose inputs and output are unchanged writes nothing, one whose only
// change is in the sources rewrites them into the same bytes a clean build gives, and any other change
// (lock, requirement, option, interpreter, the output itself) builds in full.

describe('up-to-date and sources-only builds (CLI; the executor calls the same buildProjectPex)', () => {
  let index: FixtureIndex;
  let tmp: string;
  let ws: string;
  let python: string;
  let other: string | undefined;
  let clean = 0;

  async function build(...flags: string[]): Promise<{ err: string; out: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['build', 'apps/svc', '--python', python, ...flags], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      cwd: ws,
      // Plain lines (as without a terminal outside CI): where the build says why it rebuilds.
      env: { ...process.env, NX_VERBOSE_LOGGING: 'true' },
    });
    expect(code, err.join('\n')).toBe(0);
    return { err: err.join('\n'), out: out.join('\n') };
  }

  /** The bytes a build with no previous output (and so no stamp) gives for the same inputs. */
  async function cleanBuild(...flags: string[]): Promise<Buffer> {
    const output = join(tmp, `clean-${clean++}.pex`);
    const { err } = await build('--output', output, ...flags);
    expect(err).toMatch(/wrote .*clean-\d+\.pex \(zipapp/);
    return readFileSync(output);
  }

  const pex = () => join(ws, 'dist/apps/svc/svc.pex');
  const run = (path = pex()) => spawnSync(python, [path], { encoding: 'utf8' }).stdout.trim();

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nx-pex-up-to-date-'));
    const wheels = join(tmp, 'wheels');
    await mkdir(wheels);
    for (const version of ['1.0.0', '2.0.0']) {
      // A module of random text, so that a sources-only rewrite has over 1 MiB of wheel to keep.
      const blob = `B = ${JSON.stringify(randomBytes(2 << 20).toString('base64'))}\n`;
      await buildWheel(
        {
          name: 'colorful',
          version,
          modules: { 'colorful/__init__.py': `V = "${version}"\n`, 'colorful/blob.py': blob },
        },
        wheels,
      );
    }
    index = await startFixtureIndex({ wheelsDir: wheels });
    useFixtureIndex(index.url, tmp);
    const pythons = (await findPythons()).found;
    python = pythons.find((p) => p.version === '3.11')?.path ?? pythons[0]!.path;
    other = pythons.find((p) => p.path !== python && p.version >= '3.9')?.path;
    ws = join(tmp, 'ws');
    writeTree(ws, {
      'nx.json': '{}',
      'apps/svc/pyproject.toml':
        '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["colorful==1.0.0"]\n[tool.nx-pex]\nentry-point = "svc.main:main"\n',
      'apps/svc/src/svc/__init__.py': '',
      'apps/svc/src/svc/main.py': 'from colorful import V\nfrom svc.extra import X\n\ndef main():\n    print(V, X)\n',
      'apps/svc/src/svc/extra.py': 'X = "one"\n',
    });
    const err: string[] = [];
    const locked = await runCli(['lock', 'apps/svc', '--python', python], {
      out: () => undefined,
      err: (t) => err.push(t),
      cwd: ws,
    });
    expect(locked, err.join('\n')).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await index?.close();
  });

  it('writes nothing when nothing changed, and says so', async () => {
    const first = (await build()).err;
    expect(first).toMatch(/nx-pex: wrote dist\/apps\/svc\/svc\.pex \(zipapp/);
    expect(first).toContain('nx-pex: rebuilding svc (full build): no earlier build is recorded');
    expect(first).toMatch(/nx-pex: downloaded 1 distribution \(\d+(\.\d)? (B|KiB|MiB)\)/);
    const before = statSync(pex());
    const again = await build();
    expect(again.err).not.toContain('rebuilding');
    expect(again.err).toMatch(/nx-pex: dist\/apps\/svc\/svc\.pex is up to date \(zipapp, \d+ bytes, 1 distributions/);
    expect(again.out).toBe(pex());
    const after = statSync(pex());
    expect([after.ino, after.mtimeMs, after.ctimeMs]).toEqual([before.ino, before.mtimeMs, before.ctimeMs]);
    expect(run()).toBe('1.0.0 one');
  });

  it('a source edit, a new source and a removed one rewrite the sources only, into the bytes of a clean build', async () => {
    await build();
    const changes: [string, () => void, string, string][] = [
      [
        'edit',
        () => writeFileSync(join(ws, 'apps/svc/src/svc/extra.py'), 'X = "two"\n'),
        '1.0.0 two',
        'extra.py changed',
      ],
      ['add', () => writeFileSync(join(ws, 'apps/svc/src/svc/added.py'), 'Y = 1\n'), '1.0.0 two', 'added.py added'],
      ['delete', () => unlinkSync(join(ws, 'apps/svc/src/svc/added.py')), '1.0.0 two', 'added.py removed'],
      ['mode', () => chmodSync(join(ws, 'apps/svc/src/svc/extra.py'), 0o755), '1.0.0 two', 'extra.py changed'],
      [
        'two',
        () => {
          writeFileSync(join(ws, 'apps/svc/src/svc/extra.py'), 'X = "two" \n');
          writeFileSync(join(ws, 'apps/svc/src/svc/more.py'), '');
        },
        '1.0.0 two',
        'extra.py changed (2 source files: 1 changed, 1 added)',
      ],
    ];
    for (const [what, change, prints, why] of changes) {
      change();
      const { err } = await build();
      expect(err, what).toMatch(/wrote dist\/apps\/svc\/svc\.pex \(sources changed\)/);
      expect(err, what).toContain(`nx-pex: rebuilding svc (sources only): apps/svc/src/svc/${why}\n`);
      // The wheel's entries come from the previous pex (archive: previousPex), the bytes still a clean build's.
      expect(err, what).toMatch(/nx-pex: kept \d+\.\d MiB of the previous pex, wrote the rest/);
      expect(run(), what).toBe(prints);
      expect(readFileSync(pex()).equals(await cleanBuild()), `${what}: incremental = clean`).toBe(true);
      expect((await build()).err, what).toMatch(/is up to date/);
    }
  });

  it('a touched source with the same bytes is still up to date', async () => {
    await build();
    const file = join(ws, 'apps/svc/src/svc/extra.py');
    writeFileSync(file, readFileSync(file));
    expect((await build()).err).toMatch(/is up to date/);
  });

  it('a changed requirement and lock, an option, or a changed output each build in full', async () => {
    await build();
    const full = /nx-pex: wrote dist\/apps\/svc\/svc\.pex \(zipapp/;
    const because = (why: string) => `nx-pex: rebuilding svc (full build): ${why}\n`;

    // A requirement (and the lock that follows it): the wheels change.
    const pyproject = join(ws, 'apps/svc/pyproject.toml');
    writeFileSync(pyproject, readFileSync(pyproject, 'utf8').replace('colorful==1.0.0', 'colorful==2.0.0'));
    expect(await runCli(['lock', 'apps/svc', '--python', python], { out: () => {}, err: () => {}, cwd: ws })).toBe(0);
    let { err } = await build();
    expect(err).toMatch(full);
    expect(err).toContain(because('apps/svc/pyproject.toml changed'));
    expect(run()).toBe('2.0.0 two');
    expect((await build()).err).toMatch(/is up to date/);

    // The lock alone (bytes changed, same selection): conservatively, a full build — its wheel from the cache.
    appendFileSync(join(ws, 'apps/svc/pylock.toml'), '\n');
    ({ err } = await build());
    expect(err).toMatch(full);
    expect(err).toContain(because('apps/svc/pylock.toml changed'));
    expect(err).toContain('nx-pex: 1 distribution from the cache\n');
    expect(err).not.toContain('downloaded');

    // An option.
    ({ err } = await build('--shebang', '#!/usr/bin/env python3.11'));
    expect(err).toMatch(full);
    expect(err).toContain(because('the option shebang changed'));
    expect(readFileSync(pex(), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env python3.11');
    expect((await build()).err).toMatch(full);

    // An option from project.json (the CLI reads it as Nx would), then without it again.
    const projectJson = join(ws, 'apps/svc/project.json');
    writeFileSync(
      projectJson,
      JSON.stringify({ name: 'svc', targets: { build: { options: { shebang: '#!/usr/bin/env python3.12' } } } }),
    );
    expect((await build()).err).toMatch(full);
    expect(readFileSync(pex(), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env python3.12');
    // Its content alone changed (the directory's entries did not).
    writeFileSync(
      projectJson,
      JSON.stringify({ name: 'svc', targets: { build: { options: { shebang: '#!/usr/bin/env python3.13' } } } }),
    );
    expect((await build()).err).toMatch(full);
    expect(readFileSync(pex(), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env python3.13');
    rmSync(projectJson);
    expect((await build()).err).toMatch(full);
    // Another project of the workspace that the service now bundles (it takes over a requirement's name).
    writeTree(ws, {
      'libs/extra/pyproject.toml': '[project]\nname = "svc-extra"\nversion = "0.1.0"\n',
      'libs/extra/src/svc_extra/__init__.py': 'E = 1\n',
    });
    expect((await build()).err).toMatch(/is up to date/);
    writeFileSync(
      pyproject,
      readFileSync(pyproject, 'utf8').replace('"colorful==2.0.0"', '"colorful==2.0.0", "svc-extra"'),
    );
    ({ err } = await build());
    expect(err).toMatch(full);
    expect(err).toMatch(/rebuilding svc \(full build\): the first-party projects it bundles changed \(added \S+\)\n/);
    expect(
      spawnSync(
        python,
        ['-c', 'import sys, zipfile; print("svc_extra/__init__.py" in zipfile.ZipFile(sys.argv[1]).namelist())', pex()],
        { encoding: 'utf8' },
      ).stdout.trim(),
    ).toBe('True');
    expect((await build()).err).toMatch(/is up to date/);

    // The output written again with the same bytes (a restore from Nx's cache): still up to date.
    const bytes = readFileSync(pex());
    rmSync(pex());
    writeFileSync(pex(), bytes, { mode: 0o755 });
    expect((await build()).err).toMatch(/is up to date/);
    expect((await build()).err).toMatch(/is up to date/);
    // The output modified (same size, other bytes; then longer), or deleted.
    const flipped = Buffer.from(bytes);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 1, flipped.length - 1);
    writeFileSync(pex(), flipped);
    ({ err } = await build());
    expect(err).toMatch(full);
    expect(err).toContain(because('dist/apps/svc/svc.pex was changed after the last build'));
    expect(readFileSync(pex()).equals(bytes)).toBe(true);
    appendFileSync(pex(), 'x');
    expect((await build()).err).toMatch(full);
    expect(run()).toBe('2.0.0 two');
    rmSync(pex());
    ({ err } = await build());
    expect(err).toMatch(full);
    expect(err).toContain(because('dist/apps/svc/svc.pex was removed'));
    expect(run()).toBe('2.0.0 two');
    expect((await build()).err).toMatch(/is up to date/);

    // A stamp an older nx-pex wrote.
    const stamp = stampPath(ws, 'dist/apps/svc/svc.pex');
    writeFileSync(stamp, JSON.stringify({ ...JSON.parse(readFileSync(stamp, 'utf8')), format: 1 }));
    expect((await build()).err).toContain(because('the last build was recorded by an older nx-pex'));

    // Without the lock: resolved now (its wheel from the cache), and never skipped — the next build says why.
    const lock = join(ws, 'apps/svc/pylock.toml');
    const locked = readFileSync(lock);
    rmSync(lock);
    try {
      ({ err } = await build());
      expect(err).toContain(because('apps/svc/pylock.toml was removed'));
      expect(err).toContain('nx-pex: 1 distribution from the cache');
      expect((await build()).err).toContain(
        because('the last build cannot be checked: no lock served it, its requirements were resolved'),
      );
    } finally {
      writeFileSync(lock, locked);
    }
    expect((await build()).err).toContain(
      'nx-pex: rebuilding svc (full build): the last build cannot be checked: no lock',
    );
    expect((await build()).err).toMatch(/is up to date/);
  });

  it('another interpreter behind the same path builds in full; a launcher script is asked each time', async () => {
    const link = join(tmp, 'bin', 'py');
    await mkdir(join(tmp, 'bin'), { recursive: true });
    symlinkSync(python, link);
    const viaLink = async () => (await build('--python', link)).err;
    expect(await viaLink()).toMatch(/wrote/);
    expect(await viaLink()).toMatch(/is up to date/);
    if (other) {
      unlinkSync(link);
      symlinkSync(other, link);
      const err = await viaLink();
      expect(err).toMatch(/nx-pex: wrote dist\/apps\/svc\/svc\.pex \(zipapp/);
      expect(err).toContain(`nx-pex: rebuilding svc (full build): the interpreter ${link} changed\n`);
    }
    // A script that runs an interpreter: its own file says nothing about which; the probe does.
    const launcher = join(tmp, 'bin', 'launch');
    writeFileSync(launcher, `#!/bin/sh\nexec "${python}" "$@"\n`, { mode: 0o755 });
    expect((await build('--python', launcher)).err).toMatch(/wrote/);
    expect((await build('--python', launcher)).err).toMatch(/is up to date/);
  });
});
