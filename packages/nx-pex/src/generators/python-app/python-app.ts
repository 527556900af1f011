import type { Tree } from '@nx/devkit';
import { generateProject } from '../utils/project.js';
import type { PythonAppGeneratorSchema } from './schema.js';

/** A Python application: pyproject.toml with a console script, src/<module>/__main__.py, a test. */
export async function pythonAppGenerator(tree: Tree, options: PythonAppGeneratorSchema): Promise<void> {
  await generateProject(tree, options, { generator: 'python-app', defaultParent: 'apps' });
}

export default pythonAppGenerator;
