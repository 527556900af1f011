import { describe, expect, it } from 'vitest';
import { expandDependencyGroups } from './dependency-groups.js';

describe('expandDependencyGroups (PEP 735)', () => {
  it('replaces include-group entries by the included requirements, recursively and in order', () => {
    expect(
      expandDependencyGroups(
        {
          test: ['pytest>=8', { 'include-group': 'Typing' }, 'coverage'],
          typing: ['mypy', { 'include-group': 'stubs' }],
          stubs: ['types-requests'],
          empty: [],
        },
        'p.toml',
      ),
    ).toEqual({
      test: ['pytest>=8', 'mypy', 'types-requests', 'coverage'],
      typing: ['mypy', 'types-requests'],
      stubs: ['types-requests'],
      empty: [],
    });
  });

  it('compares group names normalized (PEP 503) and refuses two spellings of one group', () => {
    expect(
      expandDependencyGroups({ 'Dev.Tools': ['ruff'], all: [{ 'include-group': 'dev_tools' }] }, 'p.toml').all,
    ).toEqual(['ruff']);
    expect(() => expandDependencyGroups({ dev_tools: [], 'Dev-Tools': [] }, 'p.toml')).toThrow(
      /^p.toml: \[dependency-groups\] names "dev_tools" and "Dev-Tools" are the same group/,
    );
  });

  it('names the file and group for an unknown include, a cycle and an entry of another shape', () => {
    expect(() => expandDependencyGroups({ test: [{ 'include-group': 'lint' }] }, 'p.toml')).toThrow(
      /^p.toml: \[dependency-groups\].test includes "lint", which is not a group/,
    );
    expect(() =>
      expandDependencyGroups({ a: [{ 'include-group': 'b' }], b: [{ 'include-group': 'a' }] }, 'p.toml'),
    ).toThrow(/include a group in itself \(a → b → a\)/);
    expect(() => expandDependencyGroups({ a: [{ 'include-group': 'a' }] }, 'p.toml')).toThrow(/\(a → a\)/);
    expect(() => expandDependencyGroups({ a: [{ 'include-group': 'b', extra: 1 }], b: [] }, 'p.toml')).toThrow(
      /^p.toml: \[dependency-groups\].a: an entry must be a requirement string or \{include-group/,
    );
    expect(() => expandDependencyGroups({ a: [42] }, 'p.toml')).toThrow(/an entry must be/);
    expect(() => expandDependencyGroups({ a: 'ruff' }, 'p.toml')).toThrow(/\[dependency-groups\].a must be an array/);
  });
});
