/**
 * Test helper (not built into the package: `*-files/` is excluded): what createNodes infers for one
 * pyproject.toml on its own.
 */
import type { CreateNodesResult } from '@nx/devkit';
import { inferFromPyProjects, type NxPexPluginOptions } from '../plugins/plugin.js';

export function projectFromPyProject(file: string, text: string, options: NxPexPluginOptions = {}): CreateNodesResult {
  return inferFromPyProjects([[file, text]], options)[0]![1];
}
