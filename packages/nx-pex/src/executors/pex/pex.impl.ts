import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { buildProjectPex, describeBuild } from '../../core/build.js';
import { findProject, loadPythonProjects } from '../../core/workspace.js';
import { describeError, PluginError } from '../../utils/errors.js';
import type { PexExecutorOptions } from './schema.js';

/** Reports an error the way every executor of the plugin does: code, message, stack only when verbose. */
export function reportFailure(e: unknown): { success: false } {
  logger.error(describeError(e));
  const stack = (e as Error).stack;
  if (process.env['NX_VERBOSE_LOGGING'] === 'true' && stack) logger.error(stack);
  return { success: false };
}

/** The executor's project and every Python project of the workspace, from Nx's configuration. */
export async function projectsOf(context: ExecutorContext) {
  const name = context.projectName;
  const config = name ? context.projectsConfigurations?.projects[name] : undefined;
  if (!name || !config) throw new PluginError('NO_PROJECT', 'nx-pex executors must run as a target of a project');
  const all = Object.entries(context.projectsConfigurations?.projects ?? {}).map(([n, c]) => [n, c.root] as [string, string]);
  const projects = await loadPythonProjects(context.root, all);
  return { project: findProject(projects, config.root), projects };
}

export default async function pexExecutor(options: PexExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const { project, projects } = await projectsOf(context);
    const result = await buildProjectPex({ workspaceRoot: context.root, project, projects, options, log: logger });
    logger.info(describeBuild(result));
    return { success: true };
  } catch (e) {
    return reportFailure(e);
  }
}
