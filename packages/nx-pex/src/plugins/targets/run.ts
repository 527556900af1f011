import type { TargetConfiguration } from '@nx/devkit';

/**
 * `run`: runs what the build target wrote, at the path its options give (outputPath, any layout);
 * arguments after `--` go to the pex.
 */
export function runTarget(buildTargetName: string): TargetConfiguration {
  return {
    executor: 'nx-pex:run',
    dependsOn: [buildTargetName],
    options: { buildTarget: buildTargetName },
    metadata: { technologies: ['python'], description: 'Run the built pex (arguments after -- are passed to it)' },
  };
}
