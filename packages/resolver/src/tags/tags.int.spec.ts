import { describe, expect, it } from 'vitest';
import { inspectInterpreter } from '../interpreter/inspect.js';
import { oracles, runOracle } from '@nx-pex/tools';
import { cpythonTags } from './cpython.js';
import { platformTags } from './platforms.js';

// Differential: our tags must equal packaging.tags.sys_tags(), order included, for every Python here.
const SCRIPT = `
import os, sysconfig
from pip._vendor.packaging import tags
try:
    g = os.confstr("CS_GNU_LIBC_VERSION").split()[1].split(".")[:2]
    g = [int(g[0]), int(g[1])]
except Exception:
    g = None
print(json.dumps({"tags": [str(t) for t in tags.sys_tags()], "version": list(sys.version_info[:2]),
  "abiflags": sys.abiflags, "platform": sysconfig.get_platform(), "is32bit": sys.maxsize <= 2**32, "glibc": g}))
`;

interface Expected {
  tags: string[];
  version: [number, number];
  abiflags: string;
  platform: string;
  is32bit: boolean;
  glibc: [number, number] | null;
}

const all = await oracles();

describe('cpythonTags against packaging.tags.sys_tags()', () => {
  it('finds Pythons to compare with', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  for (const oracle of all) {
    it(`CPython ${oracle.python.full} (packaging ${oracle.packagingVersion}): pure function and inspectInterpreter`, async () => {
      const expected = await runOracle<Expected>(oracle, SCRIPT);
      const platforms = platformTags({
        platform: expected.platform,
        is32bit: expected.is32bit,
        ...(expected.glibc ? { glibc: expected.glibc } : {}),
      });
      expect(cpythonTags({ version: expected.version, abiFlags: expected.abiflags, platforms })).toEqual(expected.tags);
      const target = await inspectInterpreter(oracle.python.path);
      expect(target.tags).toEqual(expected.tags);
      expect(target.version.slice(0, 2)).toEqual(expected.version);
      expect(target.markers?.python_version).toBe(expected.version.join('.'));
    });
  }
});
