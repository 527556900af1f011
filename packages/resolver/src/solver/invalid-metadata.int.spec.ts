import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel } from '@nx-pex/tools';
import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { fetchArtifacts } from '../fetch/fetch-artifacts.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { fixtureSuite } from '../testing/fixture-suite.js';

const target: TargetInterpreter = { implementation: 'cp', version: [3, 11, 7], tags: ['py3-none-any'] };

// click 8.0 carries a Requires-Dist that is not PEP 508 (a real one of old releases: `(>=7.*)`);
// broken has only releases with invalid Requires-Dist (a bad version, a bad marker).
const suite = fixtureSuite('nx-pex-invalid-metadata-', async (wheels) => {
  await buildWheel({ name: 'app', version: '1.0', requiresDist: ['click'] }, wheels);
  await buildWheel({ name: 'click', version: '8.0', requiresDist: ['colorama (>=7.*)'] }, wheels);
  await buildWheel({ name: 'click', version: '7.0', requiresDist: ['colorama'] }, wheels);
  await buildWheel({ name: 'colorama', version: '1.0' }, wheels);
  await buildWheel({ name: 'uses-broken', version: '1.0', requiresDist: ['broken>=1'] }, wheels);
  await buildWheel({ name: 'broken', version: '2.0', requiresDist: ['colorama (>=7.*)'] }, wheels);
  await buildWheel({ name: 'broken', version: '1.0', requiresDist: ['colorama; python_version >= "3" and'] }, wheels);
  // drift-2.0-py3-none-any.whl holds the METADATA of drift 1.5 (a file renamed after the build).
  const odd = await buildWheel({ name: 'drift', version: '1.5' }, join(wheels, '..', 'odd'));
  await copyFile(odd.path, join(wheels, 'drift-2.0-py3-none-any.whl'));
  await buildWheel({ name: 'drift', version: '1.0' }, wheels);
});

function resolve(requirements: string[], warnings: string[]) {
  return fetchArtifacts({
    requirements,
    target,
    cacheDir: suite.cacheDir,
    http: { backoffMs: 5 },
    index: suite.index(),
    onWarning: (m) => warnings.push(m),
  });
}

describe('releases with invalid metadata (as pip >= 24.1: discarded with a warning)', () => {
  it('skips the newest release whose Requires-Dist does not parse and takes the previous one', async () => {
    const warnings: string[] = [];
    const result = await resolve(['app'], warnings);
    expect(result.map((a) => `${a.name} ${a.version}`)).toEqual(['app 1.0', 'click 7.0', 'colorama 1.0']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('click 8.0');
    expect(warnings[0]).toContain('Requires-Dist "colorama (>=7.*)"');
  });

  it('skips a release whose METADATA states another version than its file name (pip: inconsistent metadata)', async () => {
    const warnings: string[] = [];
    const result = await resolve(['drift'], warnings);
    expect(result.map((a) => `${a.name} ${a.version}`)).toEqual(['drift 1.0']);
    expect(warnings).toEqual([
      expect.stringContaining("Ignoring drift 2.0: its metadata is invalid (Version 1.5 is not the file name's 2.0)"),
    ]);
  });

  it('says why in the RESOLUTION_CONFLICT report when only invalid releases remain', async () => {
    const warnings: string[] = [];
    const failure = await resolve(['uses-broken'], warnings).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ResolverError);
    const error = failure as ResolverError;
    expect(error.code).toBe('RESOLUTION_CONFLICT');
    expect(error.message).toContain('broken 2.0 has invalid metadata: Requires-Dist "colorama (>=7.*)"');
    expect(error.message).toContain(
      'broken 1.0 has invalid metadata: Requires-Dist "colorama; python_version >= \\"3\\" and"',
    );
    expect(warnings.map((w) => w.split(':')[0])).toEqual(['Ignoring broken 2.0', 'Ignoring broken 1.0']);
  });
});
