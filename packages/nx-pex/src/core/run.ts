import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PexTargetModel } from './model.js';
import { runPython } from './run-python.js';
import { PluginError } from '../utils/errors.js';

/**
 * Runs a built pex with `python`: a zipapp file or a packed/loose directory alike (Python runs a
 * directory's `__main__.py`, PEP 441 / the `python <dir>` rule of the reference `-c`/script docs).
 */
export async function runBuiltPex(
  workspaceRoot: string,
  model: Pick<PexTargetModel, 'outputPath' | 'project'>,
  args: readonly string[],
  python = 'python3',
): Promise<number> {
  const path = join(workspaceRoot, model.outputPath);
  if (!existsSync(path)) {
    throw new PluginError(
      'NOT_BUILT',
      `${model.outputPath} does not exist: build it first (\`nx build ${model.project}\`).`,
    );
  }
  return runPython(python, [path, ...args], workspaceRoot);
}
