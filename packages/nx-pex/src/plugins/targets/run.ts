import type { TargetConfiguration } from '@nx/devkit';

/** `run`: runs the built pex with python3; arguments after `--` go to the pex. */
export function runTarget(buildTargetName: string, pexPath: string): TargetConfiguration {
  return {
    executor: 'nx:run-commands',
    dependsOn: [buildTargetName],
    options: { command: `python3 ${pexPath}`, cwd: '{workspaceRoot}' },
    metadata: { technologies: ['python'], description: 'Run the built .pex (arguments after -- are passed to it)' },
  };
}
