import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex, readPexInfo, type BuildPexOptions } from '../index.js';
import { APP_SOURCES, greetWheel, writeSources } from '../test-support/fixtures.js';
import type { ParseSpecifierSet } from './interpreter-constraints.js';
import { checkedBefore, differsOnlyInSourceHashes } from './previous.js';

let work: string;
let options: BuildPexOptions;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-previous-'));
  options = {
    outputPath: join(work, 'out', 'app.pex'),
    wheels: [await greetWheel(join(work, 'wheels'))],
    sources: await writeSources(join(work, 'src'), APP_SOURCES),
    entryPoint: 'app.main',
    cacheDir: join(work, 'cache'),
  };
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('a rebuild over a previous pex (issue 15)', () => {
  it('writes the same bytes as without it, for a zipapp and a directory, whatever it is given', async () => {
    for (const layout of ['zipapp', 'packed'] as const) {
      const clean = { ...options, layout, outputPath: join(work, `clean-${layout}.pex`) };
      const first = await buildPex(clean);
      const over = await buildPex({
        ...clean,
        outputPath: join(work, `over-${layout}.pex`),
        previousPexInfo: first.pexInfo,
      });
      expect(over.sha256, layout).toBe(first.sha256);
      const junk = await buildPex({ ...clean, outputPath: join(work, `junk-${layout}.pex`), previousPexInfo: 'x' });
      expect(junk.sha256, layout).toBe(first.sha256);
    }
  });

  it('skips the schema check only when the sources digests are all that differ', async () => {
    const built = await buildPex(options);
    const info = await readPexInfo(built.path);
    const sourcesChanged = { ...info, code_hash: 'a'.repeat(64), pex_hash: 'b'.repeat(64) };
    expect(differsOnlyInSourceHashes(sourcesChanged, info)).toBe(true);
    expect(differsOnlyInSourceHashes({ ...sourcesChanged, entry_point: 'other.main' }, info)).toBe(false);
    expect(differsOnlyInSourceHashes({ ...info, requirements: ['x'] }, info)).toBe(false);
    // A previous PEX-INFO that is not this writer's shape is never a reason to skip the check.
    expect(differsOnlyInSourceHashes(info, { ...info, code_hash: 'not a digest' })).toBe(false);
    expect(differsOnlyInSourceHashes(info, undefined)).toBe(false);
    expect(differsOnlyInSourceHashes(info, [info])).toBe(false);
    expect(JSON.parse(await readFile(join(work, 'clean-packed.pex', 'PEX-INFO'), 'utf8')).entry_point).toBe('app.main');
  });

  it("loads the caller's PEP 440 parser only for constraints the previous PEX-INFO does not carry", async () => {
    const loads: string[] = [];
    const rejecting: ParseSpecifierSet = (text) => {
      if (text.includes('3.x')) throw new Error(`bad specifier set '${text}'`);
      return { contains: () => true };
    };
    const loadSpecifierSet = async () => {
      loads.push('load');
      return rejecting;
    };
    const constrained = { ...options, interpreterConstraints: ['>=3.8'], loadSpecifierSet };
    const first = await buildPex({ ...constrained, outputPath: join(work, 'constrained-1.pex') });
    expect(loads).toEqual(['load']);
    const again = await buildPex({
      ...constrained,
      outputPath: join(work, 'constrained-2.pex'),
      previousPexInfo: first.pexInfo,
    });
    expect(loads).toEqual(['load']); // checked when the previous one was written
    expect(again.sha256).toBe(first.sha256);
    // Other constraints than the previous PEX-INFO's: parsed (and refused) again.
    await expect(
      buildPex({
        ...constrained,
        interpreterConstraints: ['>=3.x'],
        outputPath: join(work, 'constrained-3.pex'),
        previousPexInfo: first.pexInfo,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INTERPRETER_CONSTRAINT' });
    expect(loads).toEqual(['load', 'load']);
    expect(checkedBefore(['>=3.8'], first.pexInfo)).toBe(true);
    expect(checkedBefore(['>=3.8', '<4'], first.pexInfo)).toBe(false);
    expect(checkedBefore([], { interpreter_constraints: 'x' })).toBe(false);
    expect(checkedBefore(['>=3.8'], null)).toBe(false);
  });
});
