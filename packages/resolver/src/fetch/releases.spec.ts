import { describe, expect, it } from 'vitest';
import type { IndexFile } from '../index/types.js';
import { parseWheelFilename } from '../filename/wheel.js';
import { Version } from '../pep440/version.js';
import { filesByVersion, releasesOf } from './releases.js';

const file = (filename: string, extra: Partial<IndexFile> = {}): IndexFile => ({
  filename,
  url: `https://example.invalid/files/${filename}`,
  hashes: {},
  yanked: false,
  source: 'https://example.invalid/simple/demo/',
  ...extra,
});

const FILES = [
  file('demo-1.0.tar.gz'),
  file('demo-1.0-py3-none-any.whl'),
  file('Demo-1.0.0-cp312-cp312-manylinux_2_28_x86_64.whl'),
  file('demo-2.0rc1-py3-none-any.whl', { requiresPython: '>=3.13' }),
  file('demo-2.0-cp312-cp312-win_amd64.whl'),
  file('demo-2.0-cp312-cp312-manylinux_2_28_x86_64.whl', { yanked: 'broken' }),
  file('demo-2.0.zip'),
  file('other-2.0-py3-none-any.whl'),
  file('demo-not-a-version.tar.gz'),
];

describe('filesByVersion', () => {
  it('groups a page by normalized version, leaving out other projects and unparsable names', () => {
    const groups = filesByVersion(FILES, 'Demo');
    expect([...groups.keys()].sort()).toEqual(['1.0', '1.0.0', '2.0', '2.0rc1']);
    expect(groups.get('2.0')!.map((f) => f.filename)).toEqual([
      'demo-2.0-cp312-cp312-win_amd64.whl',
      'demo-2.0-cp312-cp312-manylinux_2_28_x86_64.whl',
      'demo-2.0.zip',
    ]);
  });

  it('one group classified for a target is the release releasesOf finds among all files', () => {
    const python = Version.parse('3.12.0');
    for (const tags of [
      ['cp312-cp312-manylinux_2_28_x86_64', 'py3-none-any'],
      ['cp312-cp312-win_amd64', 'py3-none-any'],
      ['py3-none-any'],
    ]) {
      const all = releasesOf(FILES, 'demo', tags, python);
      for (const [version, files] of filesByVersion(FILES, 'demo')) {
        expect(releasesOf(files, 'demo', tags, python)[0]).toEqual(all.find((r) => r.version.toString() === version));
      }
    }
  });
});

describe('releasesOf', () => {
  const py312 = Version.parse('3.12.0');
  const tags = ['cp312-cp312-manylinux_2_28_x86_64', 'py3-none-any'];

  it('takes per release the first most preferred compatible wheel, a .tar.gz sdist first, yanked only when every file is', () => {
    const files = [
      file('demo-3.0.zip'),
      file('demo-3.0-py3-none-any.whl', { yanked: 'bad' }),
      file('demo-3.0-1-py3-none-any.whl'),
      file('demo-3.0-2-py3-none-any.whl'),
      file('demo-3.0-cp312-cp312-manylinux_2_28_x86_64.whl'),
      file('demo-3.0-cp312-cp312-manylinux_2_28_x86_64.whl', { url: 'https://example.invalid/second' }),
      file('demo-3.0-cp311-cp311-win_amd64.whl'),
      file('demo-3.0.tar.gz'),
      file('demo-2.0-py3-none-any.whl', { yanked: true }),
    ];
    const [three, two] = releasesOf(files, 'demo', tags, py312);
    expect(three!.best!.file).toBe(files[4]);
    expect(three!.sdist!.file.filename).toBe('demo-3.0.tar.gz');
    expect(three).toMatchObject({
      yanked: false,
      hasSdist: true,
      incompatibleWheels: ['demo-3.0-cp311-cp311-win_amd64.whl'],
    });
    const pure = releasesOf(files.slice(0, 4), 'demo', ['py3-none-any'], py312)[0]!;
    expect(pure.best!.file.filename).toBe('demo-3.0-2-py3-none-any.whl'); // highest build number among the unyanked
    expect(two).toMatchObject({ yanked: true, hasSdist: false });
  });

  it("ranks a wheel by its best tag, whatever the case or compression of its name's tag sets", () => {
    const files = [
      file('demo-1.0-CP312-CP312-MANYLINUX_2_28_X86_64.whl'),
      file('demo-1.0-py2.py3-none-any.whl'),
      file('demo-1.0-cp311.cp312-abi3.cp312-win_amd64.manylinux_2_28_x86_64.whl'),
    ];
    const [release] = releasesOf(files, 'demo', tags, py312);
    expect(release!.best).toMatchObject({ file: files[0], tagRank: 0 });
    expect(release!.best!.wheel).toEqual(parseWheelFilename(files[0]!.filename));
    expect(releasesOf(files.slice(1), 'demo', tags, py312)[0]!.best).toMatchObject({ file: files[2], tagRank: 0 });
    expect(releasesOf(files.slice(1, 2), 'demo', ['cp312-cp312-win_amd64'], py312)[0]).toMatchObject({
      incompatibleWheels: ['demo-1.0-py2.py3-none-any.whl'],
    });
  });

  it('admits files by their own requires-python within a release', () => {
    const files = [file('demo-2.0-py3-none-any.whl', { requiresPython: '>=3.13' }), file('demo-2.0.tar.gz')];
    const [release] = releasesOf(files, 'demo', tags, py312);
    expect(release!.best).toBeUndefined();
    expect(release!.sdist!.file).toBe(files[1]);
    expect(releasesOf(files, 'demo', tags, Version.parse('3.13.1'))[0]!.best!.file).toBe(files[0]);
  });

  it('orders equal versions (1.0, 1.0.0) by the first file the target admits', () => {
    const files = [
      file('demo-1.0.0-py3-none-any.whl', { requiresPython: '>=3.13' }),
      file('demo-1.0-py3-none-any.whl'),
      file('demo-1.0.0.tar.gz'),
      file('demo-0.9-py3-none-any.whl'),
    ];
    const order = (python: string) =>
      releasesOf(files, 'demo', tags, Version.parse(python)).map((r) => r.version.toString());
    expect(order('3.12.0')).toEqual(['1.0', '1.0.0', '0.9']);
    expect(order('3.13.0')).toEqual(['1.0.0', '1.0', '0.9']);
  });
});
