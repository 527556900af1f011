import { devNull } from 'node:os';

/**
 * Environment for running a real pip in tests: no user/site pip.conf (which may add find-links or
 * indexes), no prompts, no version check, no cache shared between tests.
 */
export function isolatedPipEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PIP_CONFIG_FILE: devNull,
    PIP_NO_INPUT: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_CACHE_DIR: '1',
    ...extra,
  };
}
