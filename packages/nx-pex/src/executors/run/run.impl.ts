import '../../utils/require-node.js';
import type { ExecutorContext } from '@nx/devkit';
import { pexTargetModel } from '../../core/model.js';
import { runBuiltPex } from '../../core/run.js';
import { projectsOf, reportFailure, targetOptionsOf } from '../../nx/executor-context.js';
import { argsAfterDashes } from '../../nx/overrides.js';
import type { PexExecutorOptions } from '../pex/schema.js';
import type { RunExecutorOptions } from './schema.js';

/** `nx-pex:run`: runs the pex where the build target's own options put it, whatever its layout. */
export default async function runExecutor(options: RunExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const { project, projects } = await projectsOf(context);
    const buildOptions = targetOptionsOf(context, options.buildTarget ?? 'build') as PexExecutorOptions;
    const model = pexTargetModel(context.root, project, projects, buildOptions);
    const code = await runBuiltPex(context.root, model, [...(options.args ?? []), ...argsAfterDashes(options)], options.python);
    return { success: code === 0 };
  } catch (e) {
    return reportFailure(e);
  }
}
