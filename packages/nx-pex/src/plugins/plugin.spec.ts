import { describe, expect, it } from 'vitest';
import { inferFromPyProjects } from './plugin.js';
import { projectFromPyProject } from '../testing-files/infer-one.js';

const sha256Of = (c: string) => c.repeat(64);

describe('projectFromPyProject', () => {
  it('infers an application with a cached build target and a run target', () => {
    const result = projectFromPyProject('apps/svc/pyproject.toml', '[project]\nname = "svc"\n');
    const project = result.projects?.['apps/svc'];
    expect(project?.name).toBe('svc');
    expect(project?.projectType).toBe('application');
    expect(project?.namedInputs?.['nxPexSources']).toContain('{projectRoot}/pyproject.toml');
    const build = project?.targets?.['build'];
    expect(build?.executor).toBe('nx-pex:pex');
    expect(build?.cache).toBe(true);
    // Outputs follow the options: a custom outputPath (project.json) is what Nx caches and restores.
    expect(build?.outputs).toEqual(['{options.outputPath}']);
    expect(build?.options).toEqual({ outputPath: 'dist/apps/svc/svc.pex' });
    expect(build?.inputs).toEqual(
      expect.arrayContaining(['nxPexSources', '^nxPexSources', '{projectRoot}/pylock.toml', { env: 'PIP_INDEX_URL' }]),
    );
    // The interpreter's tags choose the wheels: they are part of the cache key.
    expect(build?.inputs).toContainEqual({
      runtime: expect.stringMatching(/^python3 -c .*cache_tag.*get_platform\(\).*libc_ver\(\)/),
    });
    const run = project?.targets?.['run'];
    expect(run?.dependsOn).toEqual(['build']);
    // The run executor reads the build target's merged options: any outputPath, any layout.
    expect(run?.executor).toBe('nx-pex:run');
    expect(run?.options).toEqual({ buildTarget: 'build' });
  });

  it("makes git's description of the checkout an input of a dynamic-version project's sources (and so of every pex bundling it), not of a static one", () => {
    const sources = (text: string) =>
      projectFromPyProject('libs/l/pyproject.toml', text).projects?.['libs/l']?.namedInputs?.['nxPexSources'];
    const git = { runtime: expect.stringMatching(/^git describe --tags --long --always/) };
    expect(sources('[project]\nname = "l"\ndynamic = ["version"]\n')).toContainEqual(git);
    expect(sources('[project]\nname = "l"\nversion = "1.0"\ndynamic = ["dependencies"]\n')).not.toContainEqual(git);
    expect(sources('[project]\nname = "l"\nversion = "1.0"\n')).not.toContainEqual(git);
    // The build target takes its dependencies' sources (^), so an app bundling the lib sees the tag too.
    expect(
      projectFromPyProject('apps/a/pyproject.toml', '[project]\nname = "a"\n').projects?.['apps/a']?.targets?.['build']
        ?.inputs,
    ).toContain('^nxPexSources');
  });

  it('honours target names, false to turn a target off, and library type', () => {
    const app = projectFromPyProject('a/pyproject.toml', '[project]\nname = "a"\n', {
      buildTargetName: 'pex',
      runTargetName: false,
      lockTargetName: 'pylock',
    });
    expect(Object.keys(app.projects?.['a']?.targets ?? {}).sort()).toEqual(['pex', 'pylock']);
    const none = projectFromPyProject('a/pyproject.toml', '[project]\nname = "a"\n', {
      buildTargetName: false,
      lockTargetName: false,
    });
    expect(none.projects?.['a']?.targets).toEqual({});
    const lib = projectFromPyProject(
      'l/pyproject.toml',
      '[project]\nname = "l"\n[dependency-groups]\ntest = ["pytest"]\n[tool.nx-pex]\ntype = "lib"\n',
    );
    expect(lib.projects?.['l']?.projectType).toBe('library');
    expect(Object.keys(lib.projects?.['l']?.targets ?? {}).sort()).toEqual(['lock', 'test']);
    expect(lib.projects?.['l']?.targets?.['test']?.executor).toBe('nx-pex:test');
    expect(lib.projects?.['l']?.targets?.['lock']?.configurations).toEqual({ check: { check: true } });
  });

  it('ignores a pyproject.toml without [project] (tool config only)', () => {
    expect(projectFromPyProject('pyproject.toml', '[tool.black]\n')).toEqual({});
  });
});

describe('inferFromPyProjects', () => {
  it("puts the hashes of the project's parts of a shared workspace lock in its build and test options", () => {
    const result = inferFromPyProjects(
      [['apps/a/pyproject.toml', '[project]\nname = "a"\n', true]],
      {},
      { lockHashes: { a: { build: sha256Of('b'), test: sha256Of('t') } } },
    )[0]![1];
    const project = result.projects?.['apps/a'];
    // Nx hashes target options into the task's cache key: no runtime input, no process per task.
    expect(project?.targets?.['build']?.options).toEqual({
      outputPath: 'dist/apps/a/a.pex',
      lockSubsetHash: sha256Of('b'),
    });
    expect(project?.targets?.['test']?.options).toEqual({ lockSubsetHash: sha256Of('t') });
    expect(JSON.stringify(project?.targets?.['build']?.inputs)).not.toContain('lock-hash');
    expect(project?.targets?.['test']?.executor).toBe('nx-pex:test');
  });

  it('names nx-pex as the only external dependency when the workspace has a package manager lock', () => {
    const withLock = inferFromPyProjects(
      [['a/pyproject.toml', '[project]\nname = "a"\n', true]],
      {},
      { hasNpmLock: true },
    )[0]![1];
    expect(withLock.projects?.['a']?.targets?.['build']?.inputs).toContainEqual({ externalDependencies: ['nx-pex'] });
    expect(withLock.projects?.['a']?.targets?.['test']?.inputs).toContainEqual({ externalDependencies: ['nx-pex'] });
    const without = inferFromPyProjects([['a/pyproject.toml', '[project]\nname = "a"\n']], {}, {})[0]![1];
    expect(JSON.stringify(without.projects?.['a']?.targets?.['build']?.inputs)).not.toContain('externalDependencies');
  });

  it('adds third-party requirements as pypi external nodes, not first-party ones', () => {
    const results = inferFromPyProjects([
      ['pyproject.toml', '[tool.ruff]\n'],
      [
        'apps/svc/pyproject.toml',
        '[project]\nname = "svc"\ndependencies = ["Requests==2.34.2", "my_lib", "flask>=3; python_version >= \'3.9\'"]\n',
      ],
      ['libs/my-lib/pyproject.toml', '[project]\nname = "my-lib"\ndependencies = ["attrs"]\n'],
    ]);
    expect(results.map(([f]) => f)).toEqual([
      'pyproject.toml',
      'apps/svc/pyproject.toml',
      'libs/my-lib/pyproject.toml',
    ]);
    const external = results.flatMap(([, r]) => Object.values(r.externalNodes ?? {}));
    expect(external).toEqual([
      { type: 'pypi', name: 'pypi:requests', data: { version: '2.34.2', packageName: 'requests' } },
      { type: 'pypi', name: 'pypi:flask', data: { version: '>=3', packageName: 'flask' } },
      { type: 'pypi', name: 'pypi:attrs', data: { version: '*', packageName: 'attrs' } },
    ]);
    // Each project's configuration names its own: the Nx 22–23 daemon refreshes external nodes only
    // when a project configuration changes, so an added requirement must change one.
    expect(results[1]![1].projects?.['apps/svc']?.metadata?.['nxPex']).toEqual({
      requirements: ['pypi:flask@>=3', 'pypi:requests@2.34.2'],
    });
    expect(results[2]![1].projects?.['libs/my-lib']?.metadata?.['nxPex']).toEqual({ requirements: ['pypi:attrs@*'] });
  });
});

describe('a broken pyproject.toml', () => {
  const healthy = ['apps/ok/pyproject.toml', '[project]\nname = "ok"\ndependencies = ["attrs"]\n'] as const;

  it('keeps the other projects and gives the broken one targets that say what is wrong (TOML error)', () => {
    const results = inferFromPyProjects([['apps/bad/pyproject.toml', '[project\nname = "bad"\n'], healthy]);
    const ok = results[1]![1];
    expect(ok.projects?.['apps/ok']?.targets?.['build']?.executor).toBe('nx-pex:pex');
    expect(Object.keys(ok.externalNodes ?? {})).toEqual(['pypi:attrs']);
    const bad = results[0]![1].projects?.['apps/bad'];
    expect(bad?.name).toBe('bad');
    expect(Object.keys(bad?.targets ?? {}).sort()).toEqual(['build', 'lock', 'run']);
    expect(bad?.targets?.['build']?.metadata?.description).toMatch(
      /\[INVALID_PYPROJECT\] apps\/bad\/pyproject.toml:1:\d+: not valid TOML.*Fix the file/,
    );
  });

  it('names a project with a bad requirement after [project] name, and its targets carry the line', () => {
    const results = inferFromPyProjects([
      ['libs/x/pyproject.toml', '[project]\nname = "my-x"\ndependencies = ["flask>=>3"]\n'],
      healthy,
    ]);
    const bad = results[0]![1].projects?.['libs/x'];
    expect(bad?.name).toBe('my-x');
    expect(bad?.targets?.['lock']?.metadata?.description).toMatch(
      /\[INVALID_REQUIREMENT\] libs\/x\/pyproject.toml:3: \[project\] dependencies: Invalid requirement "flask>=>3"/,
    );
    expect(results[1]![1].projects?.['apps/ok']?.name).toBe('ok');
    // A project requiring the broken one does not turn it into a pypi: node.
    const uses = inferFromPyProjects([
      ['libs/x/pyproject.toml', '[project]\nname = "my-x"\ndependencies = ["flask>=>3"]\n'],
      ['apps/u/pyproject.toml', '[project]\nname = "u"\ndependencies = ["my_x", "attrs"]\n'],
    ]);
    expect(Object.keys(uses[1]![1].externalNodes ?? {})).toEqual(['pypi:attrs']);
  });

  it('never lets a broken project take a name another project has, and ignores broken files without [project]', () => {
    const results = inferFromPyProjects([
      ['apps/api/pyproject.toml', '[project]\nname = "api"\n'],
      ['libs/api/pyproject.toml', '[project\nname = "api"\n'],
      ['tools/api/pyproject.toml', '[project]\nname = "api"\ndependencies = ["x>=>1"]\n'],
      ['pyproject.toml', '[tool.ruff\nline-length = 1\n'],
    ]);
    expect(results.map(([, r]) => Object.values(r.projects ?? {})[0]?.name)).toEqual([
      'api',
      'libs-api',
      'tools-api',
      undefined,
    ]);
  });
});
