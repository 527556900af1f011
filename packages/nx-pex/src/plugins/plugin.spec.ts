import { describe, expect, it } from 'vitest';
import { projectFromPyProject } from './plugin.js';

describe('projectFromPyProject', () => {
  it('infers an application with a cached build target', () => {
    const result = projectFromPyProject('apps/svc/pyproject.toml', '[project]\nname = "svc"\n');
    const project = result.projects?.['apps/svc'];
    expect(project?.name).toBe('svc');
    expect(project?.projectType).toBe('application');
    const build = project?.targets?.['build'];
    expect(build?.executor).toBe('nx-pex:pex');
    expect(build?.cache).toBe(true);
    expect(build?.outputs).toEqual(['{workspaceRoot}/dist/{projectRoot}']);
    expect(build?.inputs).toContain('{projectRoot}/pyproject.toml');
    expect(build?.inputs).toContain('{projectRoot}/src/**/*');
    expect(build?.inputs).toContainEqual({ env: 'PIP_INDEX_URL' });
  });

  it('honours the target name option and library type', () => {
    const app = projectFromPyProject('a/pyproject.toml', '[project]\nname = "a"\n', { buildTargetName: 'pex' });
    expect(Object.keys(app.projects?.['a']?.targets ?? {})).toEqual(['pex']);
    const lib = projectFromPyProject('l/pyproject.toml', '[project]\nname = "l"\n[tool.nx-pex]\ntype = "lib"\n');
    expect(lib.projects?.['l']?.projectType).toBe('library');
    expect(lib.projects?.['l']?.targets).toEqual({});
  });

  it('ignores a pyproject.toml without [project] (tool config only)', () => {
    expect(projectFromPyProject('pyproject.toml', '[tool.black]\n')).toEqual({});
  });
});
