import { buildWheel } from '../wheel-factory/index.js';

/** The tags of a CPython stable-ABI wheel built for 3.8 and later. */
export const ABI3 = { pythonTag: 'cp38', abiTag: 'abi3' } as const;

/**
 * Wheels for universal (multi-platform) lock tests, into `dir`: `web` 1.0 requires `helper>=1`
 * (1.0, 1.1) and `tomli` 2.0.1 below Python 3.11; `native` 1.0 has an abi3 wheel for each default
 * platform; `fastthing` 2.0 has none for macOS (1.0 is pure Python); `pywin32` (306, 307) exists
 * for Windows only.
 */
export async function writeUniversalLockWheels(dir: string): Promise<void> {
  await buildWheel({ name: 'web', version: '1.0', requiresDist: ['helper>=1', 'tomli; python_version < "3.11"'] }, dir);
  await buildWheel({ name: 'helper', version: '1.0' }, dir);
  await buildWheel({ name: 'helper', version: '1.1' }, dir);
  await buildWheel({ name: 'tomli', version: '2.0.1' }, dir);
  for (const platformTag of [
    'manylinux_2_17_x86_64',
    'manylinux_2_17_aarch64',
    'macosx_11_0_arm64',
    'macosx_10_9_x86_64',
    'win_amd64',
  ]) {
    await buildWheel({ name: 'native', version: '1.0', ...ABI3, platformTag }, dir);
  }
  await buildWheel({ name: 'fastthing', version: '1.0' }, dir);
  for (const platformTag of ['manylinux_2_17_x86_64', 'manylinux_2_17_aarch64', 'win_amd64']) {
    await buildWheel({ name: 'fastthing', version: '2.0', ...ABI3, platformTag }, dir);
  }
  for (const version of ['306', '307'])
    await buildWheel({ name: 'pywin32', version, ...ABI3, platformTag: 'win_amd64' }, dir);
}
