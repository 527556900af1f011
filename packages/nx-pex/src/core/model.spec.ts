import { describe, expect, it } from 'vitest';
import type { PyProject } from '../pyproject/pyproject.js';
import { normalizeOptions } from './model.js';
import { localPythons } from './targets.js';

const base: PyProject = { name: 'my-service', dependencies: ['requests==2.32.3'], scripts: {}, optionalDependencies: {}, dependencyGroups: {}, uvSources: {}, tool: {} };
const facts = (pyproject: Partial<PyProject>, more: { hasSrcDir?: boolean; hasMainModule?: boolean } = {}) => ({
  projectRoot: 'apps/my-service',
  pyproject: { ...base, ...pyproject },
  hasSrcDir: more.hasSrcDir ?? true,
  hasMainModule: more.hasMainModule ?? false,
});

describe('normalizeOptions', () => {
  it('defaults from pyproject: the only script, dist path, requires-python', () => {
    expect(normalizeOptions({}, facts({ scripts: { s: 'my_service.__main__:main' }, requiresPython: '>=3.8' }))).toEqual({
      entryPoint: 'my_service.__main__:main',
      outputPath: 'dist/apps/my-service/my-service.pex',
      layout: 'zipapp',
      targets: {},
      shebang: '#!/usr/bin/env python3',
      sourceRoot: 'apps/my-service/src',
      exclude: [],
      interpreterConstraints: ['>=3.8'],
      runtime: {},
    });
  });

  it('passes pex runtime options through, takes a script instead of an entry point, and names directory layouts .pex too (as pex: python3 runs the directory)', () => {
    const o = normalizeOptions(
      { script: 'gunicorn', layout: 'packed', python: 'python3.11', pythons: ['python3.12', 'python3.11'], injectArgs: ['-w', '2'], injectEnv: { A: '1' }, inheritPath: 'fallback', stripPexEnv: false, excluded: ['torch'], interpreterConstraints: ['==3.11.*'] },
      facts({}),
    );
    expect(o.entryPoint).toBeUndefined();
    expect(o.script).toBe('gunicorn');
    expect(o.outputPath).toBe('dist/apps/my-service/my-service.pex');
    expect(o.targets).toEqual({ python: 'python3.11', pythons: ['python3.12', 'python3.11'] });
    expect(localPythons(o.targets)).toEqual(['python3.11', 'python3.12']);
    expect(localPythons({ platforms: ['linux_x86_64-cp-311-cp311'] })).toEqual([]);
    expect(localPythons({})).toEqual(['python3']);
    expect(o.interpreterConstraints).toEqual(['==3.11.*']);
    expect(o.runtime).toEqual({ injectArgs: ['-w', '2'], injectEnv: { A: '1' }, inheritPath: 'fallback', stripPexEnv: false, excluded: ['torch'] });
    expect(() => normalizeOptions({ script: 'a', entryPoint: 'b' }, facts({}))).toThrow(/either "entryPoint" or "script"/);
  });

  it('prefers the option, then [tool.nx-pex], then scripts, then the package __main__', () => {
    const f = facts({ scripts: { s: 'a:b' }, tool: { entryPoint: 'c:d' } }, { hasMainModule: true });
    expect(normalizeOptions({ entryPoint: 'e' }, f).entryPoint).toBe('e');
    expect(normalizeOptions({}, f).entryPoint).toBe('c:d');
    expect(normalizeOptions({}, facts({ scripts: { s: 'a:b' } })).entryPoint).toBe('a:b');
    expect(normalizeOptions({}, facts({}, { hasMainModule: true })).entryPoint).toBe('my_service');
  });

  it('uses the project root as source root without src/', () => {
    expect(normalizeOptions({ entryPoint: 'x' }, facts({}, { hasSrcDir: false })).sourceRoot).toBe('apps/my-service');
  });

  it('explains why there is no entry point and how to set one', () => {
    expect(() => normalizeOptions({}, facts({ scripts: { a: 'x:y', b: 'z:w' } }))).toThrow(/\[project.scripts\] has 2 entries \(a, b\).*"entryPoint" option/);
    expect(() => normalizeOptions({}, facts({}))).toThrow(/no \[project.scripts\] entry and no __main__.py/);
  });
});

describe('pexTargetModel', () => {
  it('resolves the files once: source dirs of the project and the libs it bundles, requirements, the lock, the entry point', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeTree } = await import('@nx-pex/tools');
    const { pythonProject } = await import('../graph/python-workspace.js');
    const { pexTargetModel } = await import('./model.js');
    const root = mkdtempSync(join(tmpdir(), 'nx-pex-model-'));
    writeTree(root, {
      'apps/svc/src/svc/__main__.py': '',
      'libs/flat/flat_lib/__init__.py': '',
      'pylock.toml': '',
    });
    const svc = pythonProject('svc', 'apps/svc', '[project]\nname = "svc"\ndependencies = ["flat-lib", "attrs"]\n', [])!;
    const lib = pythonProject('flat-lib', 'libs/flat', '[project]\nname = "flat-lib"\ndependencies = ["six"]\n', [])!;
    const model = pexTargetModel(root, svc, [svc, lib], { layout: 'packed' });
    expect(model).toMatchObject({
      project: 'svc',
      entryPoint: 'svc',
      outputPath: 'dist/apps/svc/svc.pex',
      layout: 'packed',
      sourceRoot: 'apps/svc/src',
      sourceDirs: [{ project: 'svc', dir: 'apps/svc/src', flat: false }, { project: 'flat-lib', dir: 'libs/flat', flat: true }],
      requirements: ['attrs', 'six'],
      bundled: ['flat-lib'],
      lockFile: 'pylock.toml',
    });
    expect(pexTargetModel(root, svc, [svc, lib], { sourceRoot: 'lib', entryPoint: 'x' }).sourceDirs[0]).toEqual({ project: 'svc', dir: 'apps/svc/lib', flat: false });
  });
});
