import { describe, expect, it } from 'vitest';
import { readNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from 'nx/src/devkit-testing-exports.js';
import { parsePyProject } from '../../pyproject/pyproject.js';
import { projectFromPyProject } from '../../testing-files/infer-one.js';
import { snapshot } from '../utils/testing.js';
import pythonLibGenerator from '../python-lib/python-lib.js';
import pythonAppGenerator from './python-app.js';

describe('python-app generator', () => {
  it('writes a pyproject the plugin infers a build target from', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await pythonAppGenerator(tree, {
      name: 'my-service',
      dependencies: 'requests>=2.32,<3, idna==3.10',
      skipFormat: true,
    });
    const text = tree.read('apps/my-service/pyproject.toml', 'utf-8') ?? '';
    expect(parsePyProject(text, 'pyproject.toml')).toMatchObject({
      name: 'my-service',
      version: '0.1.0',
      requiresPython: '>=3.8',
      dependencies: ['requests>=2.32,<3', 'idna==3.10'],
      scripts: { 'my-service': 'my_service.__main__:main' },
      dependencyGroups: { test: ['pytest>=8'] },
      tool: {},
    });
    expect(tree.exists('apps/my-service/src/my_service/__init__.py')).toBe(true);
    expect(tree.read('apps/my-service/src/my_service/__main__.py', 'utf-8')).toContain('def main() -> int:');
    expect(tree.read('apps/my-service/tests/test_main.py', 'utf-8')).toContain('from my_service.__main__ import');
    expect(tree.read('apps/my-service/README.md', 'utf-8')).toContain('dist/apps/my-service/my-service.pex');
    const nodes = projectFromPyProject('apps/my-service/pyproject.toml', text);
    expect(nodes.projects?.['apps/my-service']?.targets?.['build']?.executor).toBe('nx-pex:pex');
    expect(readNxJson(tree)?.plugins).toContainEqual(expect.objectContaining({ plugin: 'nx-pex' }));
  });

  it('honours --directory and --requiresPython', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await pythonAppGenerator(tree, {
      name: 'svc',
      directory: './services//svc/',
      requiresPython: '>=3.10,<3.14',
      skipFormat: true,
    });
    const pyproject = parsePyProject(tree.read('services/svc/pyproject.toml', 'utf-8') ?? '', 'pyproject.toml');
    expect(pyproject?.requiresPython).toBe('>=3.10,<3.14');
  });

  it('refuses to overwrite a project, to reuse a name, and bad options, writing nothing', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await pythonAppGenerator(tree, { name: 'svc', directory: 'services/svc', skipFormat: true });
    await pythonLibGenerator(tree, { name: 'Shared.Lib', skipFormat: true });
    const before = snapshot(tree);
    await expect(
      pythonAppGenerator(tree, { name: 'svc2', directory: 'services/svc', skipFormat: true }),
    ).rejects.toThrow(/services\/svc\/pyproject.toml already exists/);
    await expect(pythonAppGenerator(tree, { name: 'svc', skipFormat: true })).rejects.toThrow(
      /a project named "svc" already exists in services\/svc/,
    );
    await expect(pythonAppGenerator(tree, { name: 'shared-lib', skipFormat: true })).rejects.toThrow(
      /already exists in libs\/Shared.Lib/,
    );
    await expect(pythonAppGenerator(tree, { name: '-bad', skipFormat: true })).rejects.toThrow(
      /not a valid Python project name/,
    );
    await expect(pythonAppGenerator(tree, { name: 'ok', directory: '../outside', skipFormat: true })).rejects.toThrow(
      /outside the workspace/,
    );
    await expect(pythonAppGenerator(tree, { name: 'ok', dependencies: 'flask>=>3', skipFormat: true })).rejects.toThrow(
      /--dependencies: Invalid requirement "flask>=>3"/,
    );
    await expect(pythonAppGenerator(tree, { name: 'ok', requiresPython: 'py3', skipFormat: true })).rejects.toThrow(
      /--requiresPython: Invalid version specifier/,
    );
    expect(snapshot(tree)).toEqual(before);
  });
});
