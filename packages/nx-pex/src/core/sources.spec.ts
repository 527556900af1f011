import { describe, expect, it } from 'vitest';
import { excludeSources } from './sources.js';

const at = (archivePath: string) => ({ archivePath, path: `/ws/src/${archivePath}` });

describe('excludeSources', () => {
  it('drops the sources an exclude glob matches (dot files too), by their path inside the pex', async () => {
    const sources = ['app/__init__.py', 'app/.secret', 'app/tests/test_a.py', 'app/main.py'].map(at);
    expect((await excludeSources(sources, ['**/tests/**', 'app/.*'])).map((s) => s.archivePath)).toEqual([
      'app/__init__.py',
      'app/main.py',
    ]);
  });

  it('returns the same list without patterns (the glob matcher is not loaded)', async () => {
    const sources = [at('app/main.py')];
    expect(await excludeSources(sources, [])).toBe(sources);
  });
});
