import { describe, expect, it } from 'vitest';
import { readNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from 'nx/src/devkit-testing-exports.js';
import { parsePyProject } from '../pyproject/pyproject.js';
import { projectFromPyProject } from '../plugins/plugin.js';
import initGenerator from './init/init.js';
import pythonAppGenerator from './python-app/python-app.js';

describe('init generator', () => {
  it('registers the plugin once', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, { skipFormat: true });
    await initGenerator(tree, { skipFormat: true });
    const plugins = readNxJson(tree)?.plugins ?? [];
    expect(plugins.filter((p) => (typeof p === 'string' ? p : p.plugin) === 'nx-pex')).toHaveLength(1);
  });
});

describe('python-app generator', () => {
  it('writes a pyproject the plugin infers a build target from', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await pythonAppGenerator(tree, { name: 'my-service', dependencies: 'requests==2.32.3, idna==3.10', skipFormat: true });
    const text = tree.read('apps/my-service/pyproject.toml', 'utf-8') ?? '';
    const pyproject = parsePyProject(text, 'pyproject.toml');
    expect(pyproject).toMatchObject({
      name: 'my-service',
      version: '0.1.0',
      requiresPython: '>=3.8',
      dependencies: ['requests==2.32.3', 'idna==3.10'],
      scripts: { 'my-service': 'my_service.__main__:main' },
      dependencyGroups: { test: ['pytest>=8'] },
    });
    expect(tree.exists('apps/my-service/src/my_service/__init__.py')).toBe(true);
    expect(tree.read('apps/my-service/src/my_service/__main__.py', 'utf-8')).toContain('def main() -> int:');
    expect(tree.read('apps/my-service/tests/test_main.py', 'utf-8')).toContain('from my_service.__main__ import');
    const nodes = projectFromPyProject('apps/my-service/pyproject.toml', text);
    expect(nodes.projects?.['apps/my-service']?.targets?.['build']?.executor).toBe('nx-pex:pex');
    expect(readNxJson(tree)?.plugins).toContainEqual(expect.objectContaining({ plugin: 'nx-pex' }));
  });

  it('honours --directory and refuses to overwrite or take an invalid name', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await pythonAppGenerator(tree, { name: 'svc', directory: 'services/svc', skipFormat: true });
    expect(tree.exists('services/svc/pyproject.toml')).toBe(true);
    await expect(pythonAppGenerator(tree, { name: 'svc', directory: 'services/svc', skipFormat: true })).rejects.toThrow(/already exists/);
    await expect(pythonAppGenerator(tree, { name: '-bad', skipFormat: true })).rejects.toThrow(/not a valid Python project name/);
  });
});
