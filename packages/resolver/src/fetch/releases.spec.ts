import { describe, expect, it } from 'vitest';
import type { IndexFile } from '../index/types.js';
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
