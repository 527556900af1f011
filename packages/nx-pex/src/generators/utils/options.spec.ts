import { describe, expect, it } from 'vitest';
import { normalizeProjectOptions, parseRequirementList, workspaceDirectory } from './options.js';

describe('normalizeProjectOptions', () => {
  it('applies the defaults', () => {
    expect(normalizeProjectOptions({ name: 'My.Service' }, 'apps')).toEqual({
      name: 'My.Service',
      moduleName: 'my_service',
      directory: 'apps/My.Service',
      dependencies: [],
      requiresPython: '>=3.8',
      skipFormat: false,
    });
  });

  it('rejects names that are not PEP 508 names', () => {
    for (const name of ['-bad', 'bad-', 'has space', 'ünï', '', 'a/b']) {
      expect(() => normalizeProjectOptions({ name }, 'apps')).toThrow(/not a valid Python project name/);
    }
  });

  it('fails on a bad requires-python with the resolver message', () => {
    expect(() => normalizeProjectOptions({ name: 'x', requiresPython: '3.8' }, 'apps')).toThrow(
      /--requiresPython: Invalid version specifier "3.8"/,
    );
  });
});

describe('workspaceDirectory', () => {
  it('normalises to a POSIX path inside the workspace', () => {
    expect(workspaceDirectory('services\\api/', 'directory')).toBe('services/api');
    expect(workspaceDirectory('./a/../b', 'directory')).toBe('b');
    expect(workspaceDirectory('.', 'directory', true)).toBe('.');
  });

  it('refuses absolute paths, paths outside the workspace and the root unless allowed', () => {
    expect(() => workspaceDirectory('/tmp/x', 'directory')).toThrow(/relative to the workspace root/);
    expect(() => workspaceDirectory('C:\\x', 'directory')).toThrow(/relative to the workspace root/);
    expect(() => workspaceDirectory('a/../../x', 'directory')).toThrow(/outside the workspace/);
    expect(() => workspaceDirectory('.', 'directory')).toThrow(/subdirectory of the workspace root/);
  });
});

describe('parseRequirementList', () => {
  it('splits on commas that start a new requirement only', () => {
    expect(
      parseRequirementList(
        'requests>=2,<3, uvicorn[standard,http]==0.30 ,  click ; python_version >= "3.8", ',
        '--dependencies',
      ),
    ).toEqual(['requests>=2,<3', 'uvicorn[standard,http]==0.30', 'click ; python_version >= "3.8"']);
    expect(parseRequirementList('', '--dependencies')).toEqual([]);
  });

  it("fails on a bad requirement with the resolver's message", () => {
    expect(() => parseRequirementList('flask, requests>=', '--dependencies')).toThrow(
      /^--dependencies: Invalid requirement "requests>=": Expected end/,
    );
    expect(() => parseRequirementList('flask>=>3', '--dependencies')).toThrow(/--dependencies: .*flask>=>3/);
  });
});
