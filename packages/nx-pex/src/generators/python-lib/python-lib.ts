import type { Tree } from '@nx/devkit';
import { generateProject } from '../utils/project.js';
import type { PythonLibGeneratorSchema } from './schema.js';

/** A Python library: pyproject.toml with `[tool.nx-pex] type = "lib"`, src/<module>/__init__.py, a test. */
export async function pythonLibGenerator(tree: Tree, options: PythonLibGeneratorSchema): Promise<void> {
  await generateProject(tree, options, { generator: 'python-lib', defaultParent: 'libs' });
}

export default pythonLibGenerator;
