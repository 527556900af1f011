import { describe, expect, it } from 'vitest';
import { createTreeWithEmptyWorkspace } from 'nx/src/devkit-testing-exports.js';
import { parsePyProject } from '../../pyproject/pyproject.js';
import { projectFromPyProject } from '../../testing-files/infer-one.js';
import pythonLibGenerator from './python-lib.js';

describe('python-lib generator', () => {
  it('writes a src-layout library the plugin infers as a library without a build target', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await pythonLibGenerator(tree, {
      name: 'text-utils',
      dependencies: 'attrs>=23',
      requiresPython: '>=3.9',
      skipFormat: true,
    });
    const text = tree.read('libs/text-utils/pyproject.toml', 'utf-8') ?? '';
    expect(parsePyProject(text, 'pyproject.toml')).toMatchObject({
      name: 'text-utils',
      version: '0.1.0',
      requiresPython: '>=3.9',
      dependencies: ['attrs>=23'],
      scripts: {},
      dependencyGroups: { test: ['pytest>=8'] },
      tool: { type: 'lib' },
    });
    expect(text).toContain('[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"');
    expect(tree.read('libs/text-utils/src/text_utils/__init__.py', 'utf-8')).toContain(
      'def slugify(text: str, separator: str = "-") -> str:',
    );
    expect(tree.read('libs/text-utils/tests/test_text_utils.py', 'utf-8')).toContain('from text_utils import slugify');
    expect(tree.read('libs/text-utils/README.md', 'utf-8')).toContain('`import text_utils`');
    const project = projectFromPyProject('libs/text-utils/pyproject.toml', text).projects?.['libs/text-utils'];
    expect(project?.projectType).toBe('library');
    expect(project?.targets?.['build']).toBeUndefined();
  });

  it('takes --directory', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await pythonLibGenerator(tree, { name: 'core', directory: 'packages/py/core', skipFormat: true });
    expect(tree.exists('packages/py/core/src/core/__init__.py')).toBe(true);
  });
});
