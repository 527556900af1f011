import { describe, expect, it } from 'vitest';
import { cpythonTags } from './cpython.js';
import { platformTags } from './platforms.js';

describe('platformTags', () => {
  it('lists manylinux from the glibc version down, with legacy aliases, then linux', () => {
    const tags = platformTags({ platform: 'linux-x86_64', glibc: [2, 17] });
    expect(tags.slice(0, 2)).toEqual(['manylinux_2_17_x86_64', 'manylinux2014_x86_64']);
    expect(tags).toContain('manylinux2010_x86_64');
    expect(tags.at(-3)).toBe('manylinux_2_5_x86_64');
    expect(tags.at(-2)).toBe('manylinux1_x86_64');
    expect(tags.at(-1)).toBe('linux_x86_64');
  });

  it('starts non-x86 manylinux at glibc 2.17 and maps 32-bit interpreters', () => {
    expect(platformTags({ platform: 'linux-aarch64', glibc: [2, 18] })).toEqual([
      'manylinux_2_18_aarch64',
      'manylinux_2_17_aarch64',
      'manylinux2014_aarch64',
      'linux_aarch64',
    ]);
    expect(platformTags({ platform: 'linux-x86_64', is32bit: true, glibc: [2, 5] })).toEqual([
      'manylinux_2_5_i686',
      'manylinux1_i686',
      'linux_i686',
    ]);
  });

  it('lists musllinux on musl and passes other platforms through', () => {
    expect(platformTags({ platform: 'linux-x86_64', musl: [1, 1] })).toEqual([
      'musllinux_1_1_x86_64',
      'musllinux_1_0_x86_64',
      'linux_x86_64',
    ]);
    expect(platformTags({ platform: 'win-amd64' })).toEqual(['win_amd64']);
  });
});

describe('cpythonTags', () => {
  it('orders cp, abi3, none, older abi3, py tags, then any', () => {
    expect(cpythonTags({ version: [3, 4], abiFlags: '', platforms: ['p'] })).toEqual([
      'cp34-cp34-p',
      'cp34-abi3-p',
      'cp34-none-p',
      'cp33-abi3-p',
      'cp32-abi3-p',
      'py34-none-p',
      'py3-none-p',
      'py33-none-p',
      'py32-none-p',
      'py31-none-p',
      'py30-none-p',
      'cp34-none-any',
      'py34-none-any',
      'py3-none-any',
      'py33-none-any',
      'py32-none-any',
      'py31-none-any',
      'py30-none-any',
    ]);
  });

  it('handles debug and free-threaded builds (no abi3 for free-threading)', () => {
    const debug = cpythonTags({ version: [3, 12], abiFlags: 'd', platforms: ['p'] });
    expect(debug.slice(0, 3)).toEqual(['cp312-cp312d-p', 'cp312-cp312-p', 'cp312-abi3-p']);
    const ft = cpythonTags({ version: [3, 13], abiFlags: 't', platforms: ['p'] });
    // packaging: no abi3 at all on free-threaded builds, older CPythons' abi3 included.
    expect(ft.slice(0, 3)).toEqual(['cp313-cp313t-p', 'cp313-none-p', 'py313-none-p']);
    expect(ft.some((t) => t.includes('abi3'))).toBe(false);
  });
});
