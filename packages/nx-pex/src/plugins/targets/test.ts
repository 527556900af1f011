import type { TargetConfiguration } from '@nx/devkit';
import {
  executorPackageInput,
  indexEnvInputs,
  interpreterInput,
  lockInputs,
  lockSubsetOption,
  SOURCES_INPUT,
} from './inputs.js';

/** `test`: pytest in an environment built from the project's requirements and its test group; cached. */
export function testTarget(hasNpmLock?: boolean, lockSubsetHash?: string): TargetConfiguration {
  return {
    executor: 'nx-pex:test',
    cache: true,
    inputs: [
      SOURCES_INPUT,
      `^${SOURCES_INPUT}`,
      '{projectRoot}/tests/**/*',
      '{projectRoot}/test/**/*',
      '{projectRoot}/**/conftest.py',
      '{projectRoot}/pytest.ini',
      ...lockInputs,
      ...indexEnvInputs,
      interpreterInput,
      ...executorPackageInput(hasNpmLock),
    ],
    outputs: [],
    options: { ...lockSubsetOption(lockSubsetHash) },
    metadata: {
      technologies: ['python', 'pytest'],
      description: 'Run pytest in a pex of the project and its test dependencies',
    },
  };
}
