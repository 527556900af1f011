import type { TargetConfiguration } from '@nx/devkit';
import { indexEnvInputs, lockInputs, SOURCES_INPUT } from './inputs.js';

/** `build`: the pex executor, cached, with the sources of the project and its first-party dependencies as inputs. */
export function buildTarget(): TargetConfiguration {
  return {
    executor: 'nx-pex:pex',
    cache: true,
    inputs: [SOURCES_INPUT, `^${SOURCES_INPUT}`, ...lockInputs, ...indexEnvInputs],
    outputs: ['{workspaceRoot}/dist/{projectRoot}'],
    options: {},
    metadata: {
      technologies: ['python'],
      description: 'Build a .pex of this project with nx-pex',
    },
  };
}
