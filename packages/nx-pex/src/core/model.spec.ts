import { describe, expect, it } from 'vitest';
import type { PyProject } from '../pyproject/pyproject.js';
import { normalizeOptions } from './model.js';
import { localPythons } from './targets.js';

const base: PyProject = {
  name: 'my-service',
  dependencies: ['requests==2.32.3'],
  scripts: {},
  optionalDependencies: {},
  dependencyGroups: {},
  uvSources: {},
  tool: {},
};
/** What a normalisation says the pex runs (toEqual: an absent key equals undefined). */
const runs = (o: { script?: string; entryPoint?: string }) => ({ script: o.script, entryPoint: o.entryPoint });
const facts = (pyproject: Partial<PyProject>, more: { hasSrcDir?: boolean; hasMainModule?: boolean } = {}) => ({
  projectRoot: 'apps/my-service',
  pyproject: { ...base, ...pyproject },
  hasSrcDir: more.hasSrcDir ?? true,
  hasMainModule: more.hasMainModule ?? false,
});

describe('normalizeOptions', () => {
  it('defaults from pyproject: the only script, dist path, requires-python', () => {
    expect(
      normalizeOptions({}, facts({ scripts: { s: 'my_service.__main__:main' }, requiresPython: '>=3.8' })),
    ).toEqual({
      entryPoint: 'my_service.__main__:main',
      buildSdists: true,
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
      {
        script: 'gunicorn',
        layout: 'packed',
        python: 'python3.11',
        pythons: ['python3.12', 'python3.11'],
        injectArgs: ['-w', '2'],
        injectEnv: { A: '1' },
        inheritPath: 'fallback',
        stripPexEnv: false,
        excluded: ['torch'],
        interpreterConstraints: ['==3.11.*'],
      },
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
    expect(o.runtime).toEqual({
      injectArgs: ['-w', '2'],
      injectEnv: { A: '1' },
      inheritPath: 'fallback',
      stripPexEnv: false,
      excluded: ['torch'],
    });
    expect(() => normalizeOptions({ script: 'a', entryPoint: 'b' }, facts({}))).toThrow(
      /either "entryPoint" or "script"/,
    );
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
    expect(() => normalizeOptions({}, facts({}))).toThrow(
      /no \[project.scripts\] entry and no __main__.py.*"entryPoint" option.*\[tool.nx-pex\]/,
    );
  });

  it('takes [tool.nx-pex] script, and the option over it', () => {
    expect(runs(normalizeOptions({}, facts({ scripts: { a: 'x:y' }, tool: { script: 'gunicorn' } })))).toEqual({
      script: 'gunicorn',
    });
    expect(runs(normalizeOptions({ entryPoint: 'm:f' }, facts({ tool: { script: 'gunicorn' } })))).toEqual({
      entryPoint: 'm:f',
    });
    expect(runs(normalizeOptions({ script: 'other' }, facts({ tool: { entryPoint: 'c:d' } })))).toEqual({
      script: 'other',
    });
  });

  it('among several [project.scripts] takes the one named after the project, else __main__, else the first, and says which and how to choose', () => {
    const scripts = { 'my-service-admin': 'my_service.admin:main', My_Service: 'my_service.cli:main' };
    const named = normalizeOptions({}, facts({ version: '1.0', scripts }, { hasMainModule: true }));
    expect(runs(named)).toEqual({ script: 'My_Service' });
    expect(named.entryPointNote).toMatch(
      /my-service: \[project.scripts\] has 2 entries \(my-service-admin, My_Service\); the pex runs the script named after the project, "My_Service"\. To run another, set script = "<name>" in \[tool.nx-pex\].*--script/,
    );
    const two = { b: 'x:y', a: 'z:w' };
    const main = normalizeOptions({}, facts({ version: '1.0', scripts: two }, { hasMainModule: true }));
    expect(runs(main)).toEqual({ entryPoint: 'my_service' });
    expect(main.entryPointNote).toContain("the package's __main__ (my_service)");
    const first = normalizeOptions({}, facts({ version: '1.0', scripts: two }));
    expect(runs(first)).toEqual({ script: 'b' });
    expect(first.entryPointNote).toContain('the first one, "b"');
    // A dynamic version gets its dist-info from the backend's wheel; without any version there is none to run a script from.
    expect(runs(normalizeOptions({}, facts({ dynamic: ['version'], scripts: two })))).toEqual({ script: 'b' });
    expect(runs(normalizeOptions({}, facts({ scripts: two })))).toEqual({ entryPoint: 'x:y' });
    expect(normalizeOptions({}, facts({ version: '1', scripts: { only: 'a:b' } })).entryPointNote).toBeUndefined();
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
    const svc = pythonProject(
      'svc',
      'apps/svc',
      '[project]\nname = "svc"\ndependencies = ["flat-lib", "attrs"]\n',
      [],
    )!;
    const lib = pythonProject('flat-lib', 'libs/flat', '[project]\nname = "flat-lib"\ndependencies = ["six"]\n', [])!;
    const model = pexTargetModel(root, svc, [svc, lib], { layout: 'packed' });
    expect(model).toMatchObject({
      project: 'svc',
      entryPoint: 'svc',
      outputPath: 'dist/apps/svc/svc.pex',
      layout: 'packed',
      sourceRoot: 'apps/svc/src',
      sourceDirs: [
        { project: 'svc', dir: 'apps/svc/src', flat: false },
        { project: 'flat-lib', dir: 'libs/flat', flat: true },
      ],
      requirements: ['attrs', 'six'],
      bundled: ['flat-lib'],
      lockFile: 'pylock.toml',
    });
    expect(pexTargetModel(root, svc, [svc, lib], { sourceRoot: 'lib', entryPoint: 'x' }).sourceDirs[0]).toEqual({
      project: 'svc',
      dir: 'apps/svc/lib',
      flat: false,
    });
  });
});
