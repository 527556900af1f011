import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { BuildProgress, progressMode } from '../core/progress.js';
import { findProject, loadPythonWorkspace } from '../core/workspace.js';
import { describeError, PluginError } from '../utils/errors.js';

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
  const all = Object.entries(context.projectsConfigurations?.projects ?? {}).map(
    ([n, c]) => [n, c.root] as [string, string],
  );
  const ws = await loadPythonWorkspace(context.root, all);
  return { project: findProject(ws, config.root), projects: ws.projects };
}

/** The options of another target of the executor's project, as Nx merged them (defaults, inferred, project.json). */
export function targetOptionsOf(context: ExecutorContext, target: string): Record<string, unknown> {
  const config = context.projectName ? context.projectsConfigurations?.projects[context.projectName] : undefined;
  const t = config?.targets?.[target];
  if (!t)
    throw new PluginError(
      'INVALID_OPTION',
      `${context.projectName ?? 'this project'} has no "${target}" target (the "buildTarget" option names it)`,
    );
  const configuration = context.configurationName ? t.configurations?.[context.configurationName] : undefined;
  return { ...(t.options ?? {}), ...(configuration ?? {}) };
}

/** Progress for a task: on Nx's terminal (stdout), as the environment allows; Nx stores what a task prints. */
export function taskProgress(): BuildProgress {
  return new BuildProgress(progressMode(process.env, Boolean(process.stdout.isTTY), true), {
    write: (text) => process.stdout.write(text),
  });
}
