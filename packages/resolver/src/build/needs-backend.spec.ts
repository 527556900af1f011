import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { buildBackendReason } from './needs-backend.js';

const reason = (toml: string, siblings: string[] = []) => buildBackendReason(parse(toml), siblings);

const STATIC = `
[project]
name = "svc"
version = "1.0"
dependencies = ["flask"]
`;

describe('buildBackendReason', () => {
  it('keeps the fast path for static [project] metadata with a well-known backend (or none)', () => {
    expect(reason(STATIC)).toBeUndefined();
    for (const backend of [
      'hatchling.build',
      'setuptools.build_meta',
      'setuptools.build_meta:__legacy__',
      'flit_core.buildapi',
      'pdm.backend',
      'poetry.core.masonry.api',
      'uv_build',
    ]) {
      expect(
        reason(
          `${STATIC}\n[build-system]\nrequires = ["hatchling", "setuptools>=61", "wheel"]\nbuild-backend = "${backend}"\n`,
        ),
        backend,
      ).toBeUndefined();
    }
    // Files beside pyproject that no backend runs on its own.
    expect(reason(STATIC, ['README.md', 'build.py', 'hatch_build.py', 'pdm_build.py'])).toBeUndefined();
  });

  it('needs the backend for dynamic fields, naming them', () => {
    expect(reason('[project]\nname = "a"\ndynamic = ["version"]\n')).toBe(
      '[project] dynamic = ["version"]: the build backend computes this field',
    );
    expect(reason('[project]\nname = "a"\ndynamic = ["version", "readme"]\n')).toMatch(
      /dynamic = \["version","readme"\]: the build backend computes these fields/,
    );
    expect(reason('[project]\nname = "a"\nversion = "1"\ndynamic = []\n')).toBeUndefined();
  });

  it('needs the backend without a [project] table (metadata in setup.py / Poetry 1)', () => {
    expect(reason('[tool.poetry]\nname = "a"\n')).toMatch(/no \[project\] table/);
    expect(reason('')).toMatch(/no \[project\] table/);
  });

  it('needs the backend for build requirements that generate files, whatever the spelling', () => {
    const req = (r: string) =>
      reason(
        `${STATIC}\n[build-system]\nrequires = ["hatchling", ${JSON.stringify(r)}]\nbuild-backend = "hatchling.build"\n`,
      );
    expect(req('hatch-vcs')).toBe('its build requirement hatch-vcs takes the version from VCS');
    expect(req('setuptools_scm[toml]>=6.2')).toBe('its build requirement setuptools-scm takes the version from VCS');
    expect(req('Setuptools.SCM ; python_version >= "3.8"')).toBe(
      'its build requirement setuptools-scm takes the version from VCS',
    );
    expect(req('versioneer[toml]==0.29')).toMatch(/versioneer takes the version from VCS/);
    expect(req('Cython>=3')).toMatch(/cython compiles extension modules/);
    expect(req('setuptools-scmx')).toBeUndefined();
  });

  it('needs the backend for configuration that runs code at build time', () => {
    expect(reason(`${STATIC}\n[tool.hatch.build.hooks.custom]\npath = "hatch_build.py"\n`)).toMatch(
      /hatch build hooks \(custom\)/,
    );
    expect(reason(`${STATIC}\n[tool.hatch.build.targets.wheel.hooks.mypyc]\n`)).toMatch(/hatch build hooks \(mypyc\)/);
    expect(reason(`${STATIC}\n[tool.setuptools_scm]\nversion_file = "a/_version.py"\n`)).toMatch(/setuptools-scm/);
    expect(reason(`${STATIC}\n[tool.setuptools]\next-modules = [{name = "a._c", sources = ["a/c.c"]}]\n`)).toMatch(
      /ext-modules/,
    );
    expect(reason(`${STATIC}\n[tool.poetry.build]\nscript = "build.py"\n`)).toMatch(/Poetry build script/);
    expect(reason(STATIC, ['setup.py'])).toBe('a setup.py beside pyproject.toml runs at build time');
    expect(
      reason(`${STATIC}\n[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n`, [
        'pdm_build.py',
      ]),
    ).toMatch(/pdm_build\.py/);
  });

  it('needs the backend for an in-tree or unknown backend', () => {
    expect(
      reason(`${STATIC}\n[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n`),
    ).toBe("its build backend backend is in the project's own tree (backend-path)");
    expect(reason(`${STATIC}\n[build-system]\nrequires = ["sip"]\nbuild-backend = "sipbuild.api"\n`)).toMatch(
      /sipbuild\.api is not one/,
    );
  });

  it('treats hostile shapes as data, never throwing', () => {
    for (const doc of [
      null,
      42,
      'x',
      [],
      { project: [] },
      { project: { dynamic: 'version' } },
      { project: {}, 'build-system': { requires: 'x', 'build-backend': 3 } },
      { project: {}, tool: { hatch: { build: { hooks: [] } } } },
    ]) {
      expect(() => buildBackendReason(doc)).not.toThrow();
    }
    expect(buildBackendReason({ project: { dynamic: [1, 'version'] } })).toMatch(/\["version"\]/);
  });
});
