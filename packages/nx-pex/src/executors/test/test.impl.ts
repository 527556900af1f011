import '../../utils/require-node.js';
import type { ExecutorContext } from '@nx/devkit';
import { projectsOf, reportFailure, taskProgress } from '../../nx/executor-context.js';
import { argsAfterDashes } from '../../nx/overrides.js';
import type { TestExecutorOptions } from './schema.js';

/** `nx-pex:test`: pytest in a pex of the project's closure and its test environment. */
export default async function testExecutor(
  options: TestExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const progress = taskProgress();
  try {
    // The build's modules (resolver, archive) load when the task runs, not when Nx loads the executor.
    const { runProjectTests } = await import('../../core/test-env.js');
    const { project, projects } = await projectsOf(context);
    const code = await runProjectTests({
      workspaceRoot: context.root,
      project,
      projects,
      progress,
      pytestArgs: [...(options.args ?? []), ...argsAfterDashes(options)],
      ...(options.groups ? { groups: options.groups } : {}),
      ...(options.python ? { python: options.python } : {}),
    });
    return { success: code === 0 };
  } catch (e) {
    progress.finish();
    return reportFailure(e);
  }
}
