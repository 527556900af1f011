import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { supportedTags, type TagTarget } from '../api.js';
import { diffCases, oracles, runOracle } from '@nx-pex/tools';

// Differential over generated interpreters: supportedTags(facts) against packaging's cpython_tags +
// compatible_tags (sys_tags' two parts) with the interpreter facts patched in (sysconfig platform,
// glibc / musl versions, config vars). Always pip's vendored packaging: tag order is what pip,
// which installs the wheels, uses (packaging 26 moved `linux_<arch>` ahead of manylinux).
const [oracle] = await oracles({ vendoredOnly: true });
const SEED = Number(process.env.NX_PEX_FC_SEED ?? 425);
const N = Math.max(50, Math.round(diffCases(16_000) * 0.05));

interface Case {
  version: [number, number];
  abiFlags: string;
  platform: string;
  is32bit: boolean;
  glibc: [number, number] | null;
  musl: [number, number] | null;
}

const linuxCase = fc.record({
  version: fc.oneof(
    fc.constant<[number, number]>([2, 7]),
    fc.integer({ min: 2, max: 14 }).map((m): [number, number] => [3, m]),
  ),
  abiFlags: fc.subarray(['t', 'd', 'm', 'u']).map((xs) => xs.join('')),
  platform: fc.constantFrom(
    'linux-x86_64',
    'linux-i686',
    'linux-aarch64',
    'linux-armv7l',
    'linux-armv8l',
    'linux-ppc64le',
    'linux-s390x',
    'linux-riscv64',
    'linux-mips',
    'linux-loongarch64',
  ),
  is32bit: fc.boolean(),
  glibc: fc.option(fc.integer({ min: 5, max: 40 }).map((m): [number, number] => [2, m])),
  musl: fc.option(fc.integer({ min: 0, max: 3 }).map((m): [number, number] => [1, m])),
});
// macOS 10.16 is skipped: packaging asks the running system about it.
const macCase = fc.record({
  version: fc.integer({ min: 7, max: 14 }).map((m): [number, number] => [3, m]),
  abiFlags: fc.constant(''),
  platform: fc.oneof(
    fc
      .tuple(fc.integer({ min: 4, max: 15 }), fc.constantFrom('x86_64', 'i386', 'ppc', 'ppc64', 'arm64'))
      .map(([m, a]) => `macosx_10_${m}_${a}`),
    fc
      .tuple(fc.integer({ min: 11, max: 16 }), fc.constantFrom('x86_64', 'arm64'))
      .map(([m, a]) => `macosx_${m}_0_${a}`),
  ),
  is32bit: fc.constant(false),
  glibc: fc.constant(null),
  musl: fc.constant(null),
});

const SCRIPT = `
import hashlib, sysconfig
from pip._vendor.packaging import tags, _manylinux, _musllinux
ALLOWED = {"x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64", "armv7l", "i686"}
out = []
data = json.load(sys.stdin)
for c in data["cases"]:
    flags = c["abiFlags"]
    config = {"Py_DEBUG": "d" in flags, "Py_GIL_DISABLED": "t" in flags, "WITH_PYMALLOC": "m" in flags, "Py_UNICODE_SIZE": 4 if "u" in flags else 2}
    tags._get_config_var = lambda name, warn=False: config.get(name)
    version = tuple(c["version"])
    if c["platform"].startswith("macosx_"):
        _, major, minor, arch = c["platform"].split("_", 3)
        platforms = list(tags.mac_platforms((int(major), int(minor)), arch))
    else:
        sysconfig.get_platform = lambda: c["platform"]
        _manylinux._get_glibc_version = lambda: tuple(c["glibc"]) if c["glibc"] else (-1, -1)
        _manylinux._have_compatible_abi = lambda executable, archs: c["glibc"] is not None and any(a in ALLOWED for a in archs)
        _musllinux._get_musl_version = lambda executable: _musllinux._MuslVersion(*c["musl"]) if c["musl"] else None
        platforms = list(tags._linux_platforms(c["is32bit"]))
    result = [str(t) for t in tags.cpython_tags(version, None, platforms)]
    result += [str(t) for t in tags.compatible_tags(version, "cp%d%d" % version, platforms)]
    out.append(result if data["full"] else [len(result), hashlib.sha256("\\n".join(result).encode()).hexdigest()])
print(json.dumps(out))
`;

function digest(tags: string[]): [number, string] {
  return [tags.length, createHash('sha256').update(tags.join('\n')).digest('hex')];
}

describe.runIf(oracle)('supportedTags against packaging (generated interpreters)', () => {
  it(`computes the same tags, in order, for ${N} generated Linux and macOS interpreters`, async () => {
    const cases: Case[] = fc.sample(fc.oneof({ weight: 4, arbitrary: linuxCase }, { weight: 1, arbitrary: macCase }), {
      numRuns: N,
      seed: SEED,
    });
    const expected = await runOracle<[number, string][]>(oracle!, SCRIPT, { cases, full: false });
    const tagsOf = (c: Case) =>
      supportedTags({
        version: c.version,
        abiFlags: c.abiFlags,
        platform: c.platform,
        is32bit: c.is32bit,
        ...(c.glibc ? { glibc: c.glibc } : {}),
        ...(c.musl ? { musl: c.musl } : {}),
      } satisfies TagTarget);
    const mismatch = cases.find((c, i) => JSON.stringify(digest(tagsOf(c))) !== JSON.stringify(expected[i]));
    if (mismatch) {
      // Show the first difference as whole lists.
      const [full] = await runOracle<string[][]>(oracle!, SCRIPT, { cases: [mismatch], full: true });
      expect(tagsOf(mismatch), JSON.stringify(mismatch)).toEqual(full);
    }
    expect(mismatch).toBeUndefined();
    expect(cases.filter((c) => c.platform.startsWith('mac')).length).toBeGreaterThan(0);
  });
});
