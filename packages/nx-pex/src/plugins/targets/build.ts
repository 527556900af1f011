import type { TargetConfiguration } from '@nx/devkit';
import { executorPackageInput, indexEnvInputs, interpreterInput, lockInputs, SOURCES_INPUT } from './inputs.js';

/** `build`: the pex executor, cached, with the sources of the project and its first-party dependencies as inputs. */
export function buildTarget(lockHashCommand?: string, hasNpmLock?: boolean): TargetConfiguration {
  return {
    executor: 'nx-pex:pex',
    cache: true,
    // A shared workspace lock enters as the hash of this project's subset only, so changing another
    // project's part of it does not rebuild this one.
    inputs: [SOURCES_INPUT, `^${SOURCES_INPUT}`, ...lockInputs, ...(lockHashCommand ? [{ runtime: lockHashCommand }] : []), ...indexEnvInputs, interpreterInput, ...executorPackageInput(hasNpmLock)],
    outputs: ['{workspaceRoot}/dist/{projectRoot}'],
    options: {},
    metadata: {
      technologies: ['python'],
      description: 'Build a .pex of this project with nx-pex',
    },
  };
}
