import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, findPythons, writeUniversalLockWheels } from '@nx-pex/tools';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { markerEnvironment } from '../fetch/fetch-artifacts.js';
import { inspectInterpreter, type TargetInterpreter } from '../interpreter/inspect.js';
import { targetFromAbbreviatedPlatform } from '../platform/foreign-target.js';
import { fixtureSuite } from '../testing/fixture-suite.js';
import { pylockPython } from '../testing/pylock-python.js';
import { isLockCurrent, isProjectLockCurrent } from './current.js';
import { formatLock } from './format.js';
import { parseLock } from './parse.js';
import { resolveLock, type ResolveLockOptions } from './resolve-lock.js';
import { lockSubsetHash, selectFromLock } from './select.js';
import { validatePylock } from './validate.js';

// A fixture index with per-platform wheels (tools' writeUniversalLockWheels: `native` has an abi3 wheel
// for each default platform, `fastthing` 2.0 has none for macOS, `pywin32` exists for Windows only and
// is required here with `sys_platform == "win32"`, `tomli` only below Python 3.11), and more below.
const suite = fixtureSuite('nx-pex-universal-', async (wheels) => {
  await writeUniversalLockWheels(wheels);
  await buildWheel({ name: 'modern', version: '1.0' }, wheels);
  await buildWheel({ name: 'modern', version: '2.0', requiresPython: '>=3.12' }, wheels);
  // No wheel for CPython 3.15 yet (as often for a new release).
  for (const minor of [10, 11, 12, 13, 14])
    await buildWheel(
      { name: 'binonly', version: '1.0', pythonTag: `cp3${minor}`, abiTag: `cp3${minor}`, platformTag: 'win_amd64' },
      wheels,
    );
});

const ROOTS = { svc: ['web', 'native', 'fastthing', 'pywin32; sys_platform == "win32"'], other: ['web'] };
const universal = (extra: Partial<ResolveLockOptions> = {}) =>
  resolveLock({
    roots: ROOTS,
    index: suite.index(),
    targets: [],
    universal: true,
    requiresPython: '>=3.10',
    cacheDir: suite.cacheDir,
    http: { backoffMs: 5 },
    ...extra,
  });

const MAC = targetFromAbbreviatedPlatform('macosx_11_0_arm64-cp-312-cp312');
const WINDOWS = targetFromAbbreviatedPlatform('win_amd64-cp-311-cp311');
const ARM_LINUX = targetFromAbbreviatedPlatform('manylinux_2_28_aarch64-cp-313-cp313');
const names = (lock: Parameters<typeof selectFromLock>[0], target: TargetInterpreter, project = 'svc') =>
  selectFromLock(lock, project, target)
    .map((a) => a.filename)
    .sort();

describe('universal locks', () => {
  it('one lock made here selects the right wheels for macOS arm64, Windows amd64 and Linux aarch64 without resolving', async () => {
    const lock = parseLock(formatLock(await universal()), 'pylock.toml');
    const text = formatLock(lock);
    expect(validatePylock(parseToml(text))).toEqual([]);
    // fastthing 2.0 has no macOS wheel: macOS forks to 1.0, the other platforms keep 2.0 (see docs/locks.md).
    const entries = lock.packages.map((p) => `${p.name} ${p.version} ${p.marker ?? '*'}`).sort();
    expect(entries).toEqual([
      "fastthing 1.0 sys_platform == 'darwin'",
      "fastthing 2.0 sys_platform == 'linux' or sys_platform == 'win32'",
      'helper 1.1 *',
      'native 1.0 *',
      "pywin32 307 sys_platform == 'win32'",
      "tomli 2.0.1 python_version < '3.11'",
      'web 1.0 *',
    ]);
    // Every wheel an environment needs: one native wheel per platform.
    expect(
      lock.packages
        .find((p) => p.name === 'native')!
        .wheels.map((w) => w.name)
        .sort(),
    ).toEqual([
      'native-1.0-cp38-abi3-macosx_10_9_x86_64.whl',
      'native-1.0-cp38-abi3-macosx_11_0_arm64.whl',
      'native-1.0-cp38-abi3-manylinux_2_17_aarch64.whl',
      'native-1.0-cp38-abi3-manylinux_2_17_x86_64.whl',
      'native-1.0-cp38-abi3-win_amd64.whl',
    ]);
    expect(lock.environments).toEqual(
      [
        "sys_platform == 'linux' and platform_machine == 'x86_64'",
        "sys_platform == 'linux' and platform_machine == 'aarch64'",
        "sys_platform == 'darwin' and platform_machine == 'arm64'",
        "sys_platform == 'darwin' and platform_machine == 'x86_64'",
        "sys_platform == 'win32' and platform_machine == 'AMD64'",
      ].sort(),
    );
    expect(lock.nxPex!.targets).toHaveLength(6 * 5);
    expect(lock.nxPex!.universal).toEqual({ environments: [] });

    suite.server.requests.length = 0;
    expect(names(lock, MAC)).toEqual([
      'fastthing-1.0-py3-none-any.whl',
      'helper-1.1-py3-none-any.whl',
      'native-1.0-cp38-abi3-macosx_11_0_arm64.whl',
      'web-1.0-py3-none-any.whl',
    ]);
    expect(names(lock, WINDOWS)).toEqual([
      'fastthing-2.0-cp38-abi3-win_amd64.whl',
      'helper-1.1-py3-none-any.whl',
      'native-1.0-cp38-abi3-win_amd64.whl',
      'pywin32-307-cp38-abi3-win_amd64.whl',
      'web-1.0-py3-none-any.whl',
    ]);
    expect(names(lock, ARM_LINUX)).toEqual([
      'fastthing-2.0-cp38-abi3-manylinux_2_17_aarch64.whl',
      'helper-1.1-py3-none-any.whl',
      'native-1.0-cp38-abi3-manylinux_2_17_aarch64.whl',
      'web-1.0-py3-none-any.whl',
    ]);
    expect(names(lock, targetFromAbbreviatedPlatform('macosx_14_0_x86_64-cp-310-cp310'))).toContain(
      'tomli-2.0.1-py3-none-any.whl',
    );
    expect(suite.server.requests).toEqual([]);
    // The same inputs give the same bytes.
    expect(formatLock(await universal())).toBe(text);
  });

  it("selects for this machine's interpreter too", async (ctx) => {
    const py = (await findPythons()).found.find((p) => ['3.10', '3.11', '3.12', '3.13'].includes(p.version));
    if (!py) return ctx.skip();
    const host = await inspectInterpreter(py.path);
    const lock = await universal();
    const selected = names(lock, host);
    expect(selected).toContain('web-1.0-py3-none-any.whl');
    expect(selected.filter((f) => f.startsWith('native-'))).toEqual([
      `native-1.0-cp38-abi3-manylinux_2_17_${host.markers!.platform_machine}.whl`,
    ]);
  });

  it('names the lock and the environments to add for a platform it does not cover', async () => {
    const lock = await universal();
    const musl = targetFromAbbreviatedPlatform('musllinux_1_2_x86_64-cp-312-cp312');
    const err = (() => {
      try {
        selectFromLock(lock, 'svc', musl, { lockFile: 'apps/svc/pylock.toml' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ResolverError);
    expect((err as ResolverError).code).toBe('LOCK_PLATFORM_NOT_COVERED');
    expect((err as Error).message).toMatch(
      /^apps\/svc\/pylock\.toml is a universal lock that does not cover CPython 3\.12 on musllinux_1_2_x86_64 .*Add "musllinux_1_2_x86_64" \(or "musllinux_1_2_x86_64-cp-312-cp312"\) to the lock's environments \(now the defaults\)/,
    );
    // glibc older than the default Linux environment's 2.28 cannot take its wheels; Windows on arm64 is not a default platform.
    expect(() =>
      selectFromLock(lock, 'svc', targetFromAbbreviatedPlatform('manylinux_2_17_x86_64-cp-312-cp312')),
    ).toThrow(/does not cover CPython 3\.12 on manylinux_2_17_x86_64/);
    expect(() => selectFromLock(lock, 'svc', targetFromAbbreviatedPlatform('win_arm64-cp-312-cp312'))).toThrow(
      /does not cover CPython 3\.12 on win_arm64/,
    );
    expect(() => selectFromLock(lock, 'svc', targetFromAbbreviatedPlatform('win_amd64-cp-39-cp39'))).toThrow(
      /requires Python >=3\.10/,
    );
  });

  it('resolves only the listed environments (markers, platform tags, abbreviated platforms)', async () => {
    const lock = await universal({
      environments: ["sys_platform == 'darwin' and platform_machine == 'arm64'", 'win_amd64-cp-312-cp312'],
    });
    expect(lock.nxPex!.targets.map((t) => t.tag)).toEqual([
      'cp310-cp310-macosx_11_0_arm64',
      'cp311-cp311-macosx_11_0_arm64',
      'cp312-cp312-macosx_11_0_arm64',
      'cp312-cp312-win_amd64',
      'cp313-cp313-macosx_11_0_arm64',
      'cp314-cp314-macosx_11_0_arm64',
      'cp315-cp315-macosx_11_0_arm64',
    ]);
    expect(lock.environments).toEqual([
      "sys_platform == 'darwin' and platform_machine == 'arm64'",
      "sys_platform == 'win32' and platform_machine == 'AMD64' and python_version == '3.12'",
    ]);
    expect(names(lock, MAC)).toContain('fastthing-1.0-py3-none-any.whl');
    expect(() => selectFromLock(lock, 'svc', WINDOWS)).toThrow(
      /does not cover CPython 3\.11 on win_amd64.*\(now "sys_platform == 'darwin'/,
    );
    await expect(universal({ environments: ["sys_platform == 'cygwin'"] })).rejects.toThrow(
      /holds for none of the default platforms/,
    );
    await expect(universal({ environments: ['macosx_11_0_arm64-cp-39-cp39'] })).rejects.toThrow(
      /CPython 3\.9, outside requires-python >=3\.10/,
    );
  });

  it('leaves out an environment with no wheel-only resolution unless it is named exactly, and says so', async () => {
    const lock = await universal({ roots: { svc: ['binonly'] }, environments: ['win_amd64'] });
    expect(lock.nxPex!.universal!.skipped).toEqual(['win_amd64-cp-315-cp315: binonly 1.0 has no wheel']);
    expect(lock.environments).toEqual([
      "sys_platform == 'win32' and platform_machine == 'AMD64' and python_version < '3.15'",
    ]);
    expect(names(lock, targetFromAbbreviatedPlatform('win_amd64-cp-314-cp314'))).toEqual([
      'binonly-1.0-cp314-cp314-win_amd64.whl',
    ]);
    expect(() => selectFromLock(lock, 'svc', targetFromAbbreviatedPlatform('win_amd64-cp-315-cp315'))).toThrow(
      /does not cover CPython 3\.15 on win_amd64 .* When it was made, win_amd64-cp-315-cp315: binonly 1\.0 has no wheel\.$/,
    );
    expect(formatLock(parseLock(formatLock(lock), 'pylock.toml'))).toBe(formatLock(lock));
    await expect(universal({ roots: { svc: ['binonly'] }, environments: ['win_amd64-cp-315-cp315'] })).rejects.toThrow(
      /^Universal lock, environment win_amd64-cp-315-cp315: /,
    );
  });

  it('with the default environments, a whole platform without wheels is left out too; a listed platform, or nothing left, is an error', async () => {
    // binonly has Windows wheels only: the defaults keep Windows 3.10–3.14 and say why the rest is missing.
    const lock = await universal({ roots: { svc: ['binonly'] } });
    expect(lock.environments).toEqual([
      "sys_platform == 'win32' and platform_machine == 'AMD64' and python_version < '3.15'",
    ]);
    const skipped = lock.nxPex!.universal!.skipped!;
    expect(skipped).toContain('manylinux_2_28_aarch64-cp-312-cp312: binonly 1.0 has no wheel');
    expect(skipped).toContain('macosx_11_0_arm64-cp-310-cp310: binonly 1.0 has no wheel');
    expect(skipped).toContain('win_amd64-cp-315-cp315: binonly 1.0 has no wheel');
    expect(() => selectFromLock(lock, 'svc', MAC)).toThrow(/does not cover CPython 3\.12 on macosx_11_0_arm64/);
    // Listed by the user: Linux must resolve.
    await expect(universal({ roots: { svc: ['binonly'] }, environments: ["sys_platform == 'linux'"] })).rejects.toThrow(
      /^Universal lock, environment manylinux_2_28_x86_64-cp-310-cp310: /,
    );
    // A conflict of versions on one platform is not a missing wheel: an error, defaults or not.
    await expect(
      universal({ roots: { svc: ['modern==1.0; sys_platform == "linux"', 'modern==2.0; sys_platform == "linux"'] } }),
    ).rejects.toThrow(/^Universal lock, environment manylinux_2_28_x86_64-cp-310-cp310: /);
    // Nothing resolves anywhere (no wheel for 3.15, the only Python allowed).
    await expect(universal({ roots: { svc: ['binonly'] }, requiresPython: '>=3.15' })).rejects.toThrow(
      /^Universal lock, environment .*cp-315-cp315: /,
    );
  });

  it("takes the newest versions per Python by default (uv's requires-python fork strategy), one version across Pythons with fewest", async () => {
    const perPython = await universal({ roots: { svc: ['modern'] }, environments: ['win_amd64'] });
    expect(perPython.packages.map((p) => `${p.version} ${p.marker}`)).toEqual([
      "1.0 python_version < '3.12'",
      "2.0 python_version >= '3.12'",
    ]);
    const fewest = await universal({ roots: { svc: ['modern'] }, environments: ['win_amd64'], forkStrategy: 'fewest' });
    expect(fewest.packages.map((p) => `${p.version} ${p.marker ?? '*'}`)).toEqual(['1.0 *']);
    expect(formatLock(fewest)).toContain('fork-strategy = "fewest"');
    expect(parseLock(formatLock(fewest), 'pylock.toml').nxPex!.universal).toEqual({
      environments: ['win_amd64'],
      forkStrategy: 'fewest',
    });
    expect(isLockCurrent(fewest, { svc: ['modern'] }, '>=3.10', { environments: ['win_amd64'] }).reasons).toEqual([
      'the universal lock was made with fork strategy fewest but the project asks for requires-python',
    ]);
    expect(
      isLockCurrent(fewest, { svc: ['modern'] }, '>=3.10', { environments: ['win_amd64'], forkStrategy: 'fewest' })
        .current,
    ).toBe(true);
  });

  it('stays exact for staleness and per-project hashes: a change in the Windows fork changes only the project that needs it', async () => {
    const older = await universal({ constraints: ['pywin32==306'] });
    const newer = await universal();
    expect(older.packages.find((p) => p.name === 'pywin32')!.version).toBe('306');
    expect(lockSubsetHash(older, 'svc')).not.toBe(lockSubsetHash(newer, 'svc'));
    expect(lockSubsetHash(older, 'other')).toBe(lockSubsetHash(newer, 'other'));
    expect(isLockCurrent(newer, ROOTS, '>=3.10', { universal: true })).toEqual({
      current: true,
      reasons: [],
      unchecked: [],
    });
    expect(isProjectLockCurrent(newer, 'other', { requirements: ['web'], universal: true }).current).toBe(true);
    expect(isLockCurrent(newer, ROOTS, '>=3.10').reasons).toEqual([
      'the lock is universal but the project no longer asks for a universal lock',
    ]);
    expect(isLockCurrent(newer, ROOTS, '>=3.10', { environments: ['win_amd64'] }).reasons).toEqual([
      'the universal lock\'s environments are the defaults but the project asks for "win_amd64"',
    ]);
    expect(isLockCurrent(newer, ROOTS, '>=3.11', { universal: true }).current).toBe(false);
  });

  it('packaging.pylock (the PEP 751 reference) installs the same wheels from our universal lock on each platform', async (ctx) => {
    const py = await pylockPython;
    if (!py) return ctx.skip();
    const lock = await universal({ roots: { svc: ROOTS.svc } });
    const file = join(suite.work, 'pylock.universal.toml');
    await writeFile(file, formatLock(lock));
    const script = [
      'import json, sys, tomllib',
      'from packaging.pylock import Pylock',
      'from packaging.tags import Tag',
      'lock = Pylock.from_dict(tomllib.load(open(sys.argv[1], "rb")))',
      'out = []',
      'for case in json.load(sys.stdin):',
      '    tags = [Tag(*t.split("-")) for t in case["tags"]]',
      '    out.append(sorted(w.filename for _, w in lock.select(environment=case["env"], tags=tags)))',
      'print(json.dumps(out))',
    ].join('\n');
    const targets = [
      MAC,
      WINDOWS,
      ARM_LINUX,
      targetFromAbbreviatedPlatform('macosx_14_0_x86_64-cp-310-cp310'),
      targetFromAbbreviatedPlatform('manylinux_2_28_x86_64-cp-315-cp315'),
    ];
    const cases = targets.map((t) => ({ env: markerEnvironment(t), tags: t.tags }));
    const theirs = JSON.parse(
      execFileSync(py, ['-c', script, file], { input: JSON.stringify(cases), encoding: 'utf8' }),
    ) as string[][];
    expect(theirs).toEqual(targets.map((t) => names(lock, t)));
  });
});
