import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greetWheel } from '../test-support/fixtures.js';
import { recordFor, writeZip } from '../test-support/zip-file.js';
import { installWheel } from './install.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-install-'));
  await mkdir(join(work, 'bad'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const DIST_INFO = 'bad-1.0.dist-info';
const WHEEL = 'bad-1.0-py3-none-any.whl';
const base: [string, string][] = [
  ['bad/__init__.py', 'X = 1\n'],
  [`${DIST_INFO}/METADATA`, 'Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n'],
  [`${DIST_INFO}/WHEEL`, 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n'],
];

/** A wheel whose members are `members` plus a RECORD listing `recorded` (default: the members). */
async function craft(name: string, members: [string, string][], recorded: [string, string][] = members) {
  const path = join(work, 'bad', name, WHEEL);
  await mkdir(join(work, 'bad', name), { recursive: true });
  const sha256 = await writeZip(path, [
    ...members,
    [`${DIST_INFO}/RECORD`, recordFor(recorded, `${DIST_INFO}/RECORD`)],
  ]);
  return { path, sha256 };
}

describe('installWheel', () => {
  it('lays out a wheel per PEP 427 and points every entry at the raw member bytes', async () => {
    const wheel = await greetWheel(work);
    const tree = await installWheel(wheel);
    expect(tree).toMatchObject({ wheel: 'greet-1.0-py3-none-any.whl', sha256: wheel.sha256, wheelSize: wheel.size });
    const byPath = new Map(tree.entries.map((entry) => [entry.path, entry]));
    expect([...byPath.keys()]).toEqual([...byPath.keys()].sort());
    expect(byPath.get('bin/greet-script')).toMatchObject({
      member: 'greet-1.0.data/scripts/greet-script',
      mode: 0o755,
    });
    expect(byPath.get('greet_extra.py')?.member).toBe('greet-1.0.data/purelib/greet_extra.py');
    expect(byPath.has('greet-1.0.data/data/share/greet/greeting.txt')).toBe(true);
    expect(byPath.get('greet/__init__.py')?.mode).toBe(0o644);
    expect(byPath.has('greet-1.0.dist-info/RECORD')).toBe(true);
    expect(byPath.has('greet-1.0.dist-info/entry_points.txt')).toBe(true);
  });

  it('builds a correctly signed crafted wheel (so the failures below are about the one defect)', async () => {
    const wheel = await craft('good', base);
    expect((await installWheel(wheel)).entries.map((entry) => entry.path)).toContain('bad/__init__.py');
  });

  it('rejects a member whose content does not match RECORD, naming the member and the wheel', async () => {
    const wheel = await craft('tampered', [['bad/__init__.py', 'X = 2\n'], ...base.slice(1)], base);
    await expect(installWheel(wheel)).rejects.toMatchObject({
      code: 'RECORD_MISMATCH',
      message: expect.stringMatching(/member 'bad\/__init__.py' of bad-1.0-py3-none-any.whl does not match RECORD/),
    });
  });

  it('rejects a member missing from RECORD', async () => {
    const wheel = await craft('unlisted', [...base, ['bad/extra.py', '']], base);
    await expect(installWheel(wheel)).rejects.toMatchObject({
      code: 'RECORD_MISMATCH',
      message: expect.stringContaining("'bad/extra.py'"),
    });
  });

  it.each([['../escape.py'], ['/abs/path.py'], ['bad/../../up.py']])(
    'rejects the hostile member name %s',
    async (name) => {
      const wheel = await craft(`hostile-${name.length}`, [...base, [name, 'x']]);
      await expect(installWheel(wheel)).rejects.toMatchObject({
        code: 'UNSAFE_MEMBER_NAME',
        message: expect.stringContaining(name),
      });
    },
  );

  it('rejects a wheel without RECORD', async () => {
    const path = join(work, 'bad', 'norecord', WHEEL);
    await mkdir(join(work, 'bad', 'norecord'), { recursive: true });
    const sha256 = await writeZip(path, base);
    await expect(installWheel({ path, sha256 })).rejects.toMatchObject({ code: 'RECORD_MISSING' });
  });

  it('rejects a file whose sha256 is not the expected one', async () => {
    const wheel = await craft('hash', base);
    await expect(installWheel({ path: wheel.path, sha256: '0'.repeat(64) })).rejects.toMatchObject({
      code: 'HASH_MISMATCH',
    });
  });

  it('rejects two data-dir members that install to the same path', async () => {
    const wheel = await craft('clash', [...base, ['x.py', ''], ['bad-1.0.data/purelib/x.py', '']]);
    await expect(installWheel(wheel)).rejects.toMatchObject({ code: 'PATH_CONFLICT' });
  });
});
