import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { CreateNodes, CreateNodesResult, ProjectConfiguration } from '@nx/devkit';
import { parsePyProject } from '../pyproject/pyproject.js';
import { buildTarget } from './targets/build.js';

export interface NxPexPluginOptions {
  /** Name of the inferred build target (default `build`). */
  buildTargetName?: string;
}

/** Infers a project with a `build` target from every pyproject.toml that has a [project] table. */
export function projectFromPyProject(file: string, text: string, options: NxPexPluginOptions = {}): CreateNodesResult {
  const pyproject = parsePyProject(text, file);
  if (!pyproject) return {};
  const root = dirname(file);
  const project: Omit<ProjectConfiguration, 'root'> = {
    name: pyproject.name,
    projectType: pyproject.tool.type === 'lib' ? 'library' : 'application',
    targets: {},
    tags: ['lang:python'],
  };
  if (project.projectType === 'application') {
    project.targets = { [options.buildTargetName ?? 'build']: buildTarget() };
  }
  return { projects: { [root]: project } };
}

export const createNodes: CreateNodes<NxPexPluginOptions> = [
  '**/pyproject.toml',
  (files, options, context) =>
    files.map((file) => {
      const text = readFileSync(join(context.workspaceRoot, file), 'utf8');
      return [file, projectFromPyProject(file, text, options)] as const;
    }),
];

/** The name older Nx versions (22) look for. */
export const createNodesV2 = createNodes;
