import { describe, expect, it } from 'vitest';
import { pexIndexFlags, pipIndexFlags, uvIndexFlags } from './index-flags.js';

const config = {
  indexUrl: 'https://i.invalid/simple/',
  extraIndexUrls: ['https://x.invalid/simple/'],
  findLinks: ['/wheels'],
  noIndex: false,
};

describe('index flags: the same index for every reference tool', () => {
  it('pip and uv: --index-url, --extra-index-url, --find-links', () => {
    const expected = [
      '--index-url',
      'https://i.invalid/simple/',
      '--extra-index-url',
      'https://x.invalid/simple/',
      '--find-links',
      '/wheels',
    ];
    expect(pipIndexFlags(config)).toEqual(expected);
    expect(uvIndexFlags(config)).toEqual(expected);
  });
  it('pex: drops its default index, then every index and find-links', () => {
    expect(pexIndexFlags(config)).toEqual([
      '--no-pypi',
      '--index-url',
      'https://i.invalid/simple/',
      '--index-url',
      'https://x.invalid/simple/',
      '--find-links',
      '/wheels',
    ]);
  });
  it('no index: find-links only', () => {
    const none = { ...config, noIndex: true };
    expect(pipIndexFlags(none)).toEqual(['--no-index', '--find-links', '/wheels']);
    expect(uvIndexFlags(none)).toEqual(['--no-index', '--find-links', '/wheels']);
    expect(pexIndexFlags(none)).toEqual(['--no-pypi', '--find-links', '/wheels']);
  });
});
