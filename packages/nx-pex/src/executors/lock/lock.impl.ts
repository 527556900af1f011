import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { lockProject, type LockOutcome } from '../../core/lock.js';
import { projectsOf, reportFailure } from '../pex/pex.impl.js';
import type { LockExecutorOptions } from './schema.js';

export function describeLock(outcome: LockOutcome, check: boolean): string {
  if (check) {
    return outcome.current
      ? `nx-pex: ${outcome.lockFile} is up to date`
      : `nx-pex: ${outcome.lockFile} is out of date: ${outcome.reasons.join('; ')}`;
  }
  return `nx-pex: ${outcome.changed ? 'wrote' : 'unchanged'} ${outcome.lockFile} (${outcome.packages} packages)`;
}

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
