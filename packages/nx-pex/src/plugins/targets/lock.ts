import type { TargetConfiguration } from '@nx/devkit';

/** `lock`: writes pylock.toml; `lock:check` (or `--check`) fails when it is stale. Never cached: it asks the index. */
export function lockTarget(): TargetConfiguration {
  return {
    executor: 'nx-pex:lock',
    cache: false,
    options: {},
    configurations: { check: { check: true } },
    metadata: {
      technologies: ['python'],
      description: 'Resolve the requirements and write pylock.toml (PEP 751); --check fails when it is stale',
    },
  };
}
