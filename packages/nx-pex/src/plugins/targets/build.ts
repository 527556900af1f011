import type { TargetConfiguration } from '@nx/devkit';
import {
  executorPackageInput,
  indexEnvInputs,
  interpreterInput,
  lockInputs,
  lockSubsetOption,
  SOURCES_INPUT,
} from './inputs.js';

/** `build`: the pex executor, writing to `outputPath` (workspace-relative), cached, with the sources of the project and its first-party dependencies as inputs. */
export function buildTarget(outputPath: string, lockSubsetHash?: string, hasNpmLock?: boolean): TargetConfiguration {
  return {
    executor: 'nx-pex:pex',
    cache: true,
    inputs: [
      SOURCES_INPUT,
      `^${SOURCES_INPUT}`,
      ...lockInputs,
      ...indexEnvInputs,
      interpreterInput,
      ...executorPackageInput(hasNpmLock),
    ],
    // The pex is where the (merged) options say: a custom outputPath is cached and restored too.
    outputs: ['{options.outputPath}'],
    options: { outputPath, ...lockSubsetOption(lockSubsetHash) },
    metadata: {
      technologies: ['python'],
      description: 'Build a .pex of this project with nx-pex',
    },
  };
}
