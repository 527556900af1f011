import '../../utils/require-node.js';
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { describeLock, lockProject } from '../../core/lock.js';
import { projectsOf, reportFailure } from '../../nx/executor-context.js';
import type { LockExecutorOptions } from './schema.js';

/** `nx-pex:lock`: writes (or, with `check`, verifies) the pylock.toml that serves the project. */
export default async function lockExecutor(options: LockExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const { project, projects } = await projectsOf(context);
    const outcome = await lockProject({ workspaceRoot: context.root, project, projects, ...options });
    const line = describeLock(outcome, Boolean(options.check));
    if (options.check && !outcome.current) {
      logger.error(`${line}. Run \`nx run ${project.project}:lock\` and commit the result.`);
      return { success: false };
    }
    logger.info(line);
    return { success: true };
  } catch (e) {
    return reportFailure(e);
  }
}
