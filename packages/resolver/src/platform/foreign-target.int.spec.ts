import { describe, expect, it } from 'vitest';
import { oracles, runOracle } from '@nx-pex/tools';
import { targetFromAbbreviatedPlatform, targetFromCompletePlatform } from './foreign-target.js';

// Differential: the tags of a foreign target equal what packaging computes for that interpreter and
// platform list (cpython_tags + compatible_tags, as sys_tags does), macOS platforms included.
const SCRIPT = `
from pip._vendor.packaging import tags
out = {}
for case in json.load(sys.stdin):
    version = tuple(case["version"])
    if case["kind"] == "mac":
        platforms = list(tags.mac_platforms(tuple(case["mac"]), case["arch"]))
    else:
        platforms = case["platforms"]
    interp = "cp{}{}".format(*version)
    got = [str(t) for t in tags.cpython_tags(version, [interp], platforms)]
    got += [str(t) for t in tags.compatible_tags(version, interp, platforms)]
    out[case["name"]] = {"tags": got, "platforms": platforms}
print(json.dumps(out))
`;

const all = await oracles();
const newest = all[all.length - 1];

describe('targetFromAbbreviatedPlatform against packaging', () => {
  it.runIf(newest)('macOS arm64 and x86_64, Windows', async () => {
    const cases = [
      { name: 'macosx_11_0_arm64-cp-312-cp312', kind: 'mac', version: [3, 12], mac: [11, 0], arch: 'arm64' },
      { name: 'macosx_14_0_x86_64-cp-311-cp311', kind: 'mac', version: [3, 11], mac: [14, 0], arch: 'x86_64' },
      { name: 'macosx_10_9_x86_64-cp-39-cp39', kind: 'mac', version: [3, 9], mac: [10, 9], arch: 'x86_64' },
      { name: 'win_amd64-cp-313-cp313', kind: 'plain', version: [3, 13], platforms: ['win_amd64'] },
    ];
    const expected = await runOracle<Record<string, { tags: string[] }>>(newest!, SCRIPT, cases);
    for (const c of cases) {
      expect(targetFromAbbreviatedPlatform(c.name).tags, c.name).toEqual(expected[c.name]!.tags);
    }
  });
});

describe('targetFromAbbreviatedPlatform', () => {
  it('reads Linux platforms as pex does (manylinux2014 unless the tag says otherwise) with markers', () => {
    const t = targetFromAbbreviatedPlatform('linux_x86_64-cp-311-cp311');
    expect(t.version).toEqual([3, 11, 0]);
    expect(t.tags[0]).toBe('cp311-cp311-manylinux_2_17_x86_64');
    expect(t.tags).toContain('cp311-abi3-manylinux2014_x86_64');
    expect(t.tags).not.toContain('cp311-cp311-manylinux_2_28_x86_64');
    expect(t.tags.at(-1)).toBe('py30-none-any');
    expect(t.markers).toMatchObject({
      sys_platform: 'linux',
      platform_machine: 'x86_64',
      python_version: '3.11',
      python_full_version: '3.11.0',
      implementation_name: 'cpython',
    });
    expect(targetFromAbbreviatedPlatform('manylinux_2_28_aarch64-cp-312-cp312').tags[0]).toBe(
      'cp312-cp312-manylinux_2_28_aarch64',
    );
    expect(targetFromAbbreviatedPlatform('manylinux_2_28_aarch64-cp-312-cp312').markers).toMatchObject({
      platform_machine: 'aarch64',
    });
    expect(targetFromAbbreviatedPlatform('musllinux_1_2_x86_64-cp-312-cp312').markers).toMatchObject({
      platform_machine: 'x86_64',
    });
    expect(targetFromAbbreviatedPlatform('manylinux2014_aarch64-cp-312-cp312').markers).toMatchObject({
      platform_machine: 'aarch64',
    });
    expect(targetFromAbbreviatedPlatform('macosx_11_0_arm64-cp-312-cp312').markers).toMatchObject({
      sys_platform: 'darwin',
      platform_system: 'Darwin',
      platform_machine: 'arm64',
    });
  });

  it('explains malformed input', () => {
    expect(() => targetFromAbbreviatedPlatform('linux-x86_64')).toThrow(/expected <platform>-cp-<version>-<abi>/);
    expect(() => targetFromAbbreviatedPlatform('amiga_68k-cp-311-cp311')).toThrow(/Unknown platform "amiga_68k"/);
  });
});

describe('targetFromCompletePlatform', () => {
  it('takes tags and markers as given', () => {
    const t = targetFromCompletePlatform(
      JSON.stringify({
        path: '/usr/bin/python3',
        compatible_tags: ['cp312-cp312-macosx_14_0_arm64', 'py3-none-any'],
        marker_environment: { implementation_name: 'cpython', python_full_version: '3.12.4', sys_platform: 'darwin' },
      }),
      'mac.json',
    );
    expect(t.version).toEqual([3, 12, 4]);
    expect(t.tags).toEqual(['cp312-cp312-macosx_14_0_arm64', 'py3-none-any']);
    expect(t.markers?.['sys_platform']).toBe('darwin');
  });

  it('names the file and the field that is wrong', () => {
    expect(() => targetFromCompletePlatform('{', 'p.json')).toThrow(/p.json: not JSON/);
    expect(() => targetFromCompletePlatform('{"compatible_tags": [], "marker_environment": {}}', 'p.json')).toThrow(
      /p.json: "compatible_tags" must be a non-empty array/,
    );
    expect(() =>
      targetFromCompletePlatform('{"compatible_tags": ["py3-none-any"], "marker_environment": {}}', 'p.json'),
    ).toThrow(/needs python_full_version/);
  });
});
