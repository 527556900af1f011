import '../../utils/require-node.js';
import type { ExecutorContext } from '@nx/devkit';
import { projectsOf, reportFailure, targetOptionsOf } from '../../nx/executor-context.js';
import { argsAfterDashes } from '../../nx/overrides.js';
import type { PexExecutorOptions } from '../pex/schema.js';
import type { RunExecutorOptions } from './schema.js';

/** `nx-pex:run`: runs the pex where the build target's own options put it, whatever its layout. */
export default async function runExecutor(
  options: RunExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  try {
    // The target model (through core/lock) reaches the resolver: loaded when the task runs.
    const [{ pexTargetModel }, { runBuiltPex }] = await Promise.all([
      import('../../core/model.js'),
      import('../../core/run.js'),
    ]);
    const { project, projects } = await projectsOf(context);
    const buildOptions = targetOptionsOf(context, options.buildTarget ?? 'build') as PexExecutorOptions;
    const model = pexTargetModel(context.root, project, projects, buildOptions);
    const code = await runBuiltPex(
      context.root,
      model,
      [...(options.args ?? []), ...argsAfterDashes(options)],
      options.python,
    );
    return { success: code === 0 };
  } catch (e) {
    return reportFailure(e);
  }
}
