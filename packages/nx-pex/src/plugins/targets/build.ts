import type { TargetConfiguration } from '@nx/devkit';

/** Environment variables that choose the package index when there is no lock (pip's names). */
export const INDEX_ENV_INPUTS = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_FIND_LINKS', 'PIP_NO_INDEX', 'PIP_CONFIG_FILE'];

/** The `build` target of a Python app: the pex executor with precise inputs and its one output. */
export function buildTarget(): TargetConfiguration {
  return {
    executor: 'nx-pex:pex',
    cache: true,
    inputs: [
      '{projectRoot}/pyproject.toml',
      '{projectRoot}/pylock.toml',
      '{projectRoot}/src/**/*',
      '!{projectRoot}/**/__pycache__/**',
      '!{projectRoot}/**/*.pyc',
      ...INDEX_ENV_INPUTS.map((env) => ({ env })),
    ],
    outputs: ['{workspaceRoot}/dist/{projectRoot}'],
    options: {},
    metadata: {
      technologies: ['python'],
      description: 'Build a .pex of this project with nx-pex',
    },
  };
}
