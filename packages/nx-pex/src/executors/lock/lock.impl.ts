import '../../utils/require-node.js';
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { projectsOf, reportFailure, taskProgress } from '../../nx/executor-context.js';
import type { LockExecutorOptions } from './schema.js';

/** `nx-pex:lock`: writes (or, with `check`, verifies) the lock that serves the project; a uv.lock or another tool's pylock.toml is checked unless `from` / `convert`. */
export default async function lockExecutor(
  options: LockExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  try {
    // The resolver loads when the task runs, not when Nx loads the executor.
    const { describeLock, lockAdvice, lockProject } = await import('../../core/lock-target.js');
    const { project, projects } = await projectsOf(context);
    const progress = taskProgress();
    const outcome = await lockProject({ workspaceRoot: context.root, project, projects, ...options, progress }).finally(
      () => progress.finish(),
    );
    const line = describeLock(outcome, Boolean(options.check));
    if (!outcome.current) {
      logger.error(`${line}${lockAdvice(outcome, project.project)}`);
      return { success: false };
    }
    logger.info(line);
    return { success: true };
  } catch (e) {
    return reportFailure(e);
  }
}
