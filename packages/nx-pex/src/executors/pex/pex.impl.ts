import '../../utils/require-node.js';
import type { ExecutorContext } from '@nx/devkit';
import { projectsOf, reportFailure, taskProgress } from '../../nx/executor-context.js';
import type { PexExecutorOptions } from './schema.js';

/** `nx-pex:pex`: the build, from the options Nx merged (defaults, inferred, project.json). */
export default async function pexExecutor(
  options: PexExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const progress = taskProgress();
  try {
    // The build's modules (resolver, archive) load when the task runs, not when Nx loads the executor.
    const { buildProjectPex, describeBuild } = await import('../../core/build.js');
    const { project, projects } = await projectsOf(context);
    const result = await buildProjectPex({ workspaceRoot: context.root, project, projects, options, progress });
    progress.finish(describeBuild(result));
    return { success: true };
  } catch (e) {
    progress.finish();
    return reportFailure(e);
  }
}
