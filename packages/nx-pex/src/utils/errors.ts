/**
 * Every failure code the plugin reports (listed in the package README). Stable: scripts and CI may
 * match on them.
 */
export type PluginErrorCode =
  | 'ALREADY_CONFIGURED'
  | 'CLI_USAGE'
  | 'DYNAMIC_DEPENDENCIES'
  | 'INVALID_OPTION'
  | 'INVALID_PYPROJECT'
  | 'INVALID_REQUIREMENT'
  | 'NO_ENTRY_POINT'
  | 'NO_PROJECT'
  | 'NO_PROJECT_TABLE'
  | 'NO_PYPROJECT'
  | 'NOT_BUILT'
  | 'PROJECT_EXISTS'
  | 'PYTHON_NOT_FOUND'
  | 'STALE_LOCK'
  | 'UNKNOWN_DEPENDENCY_GROUP'
  | 'UNSAFE_EDIT'
  | 'UNSUPPORTED_NODE'
  | 'UNSUPPORTED_NX_VERSION';

/** The one error class of the plugin: a stable `code` and a message a user can act on. */
export class PluginError extends Error {
  readonly code: PluginErrorCode;
  constructor(code: PluginErrorCode, message: string) {
    super(message);
    this.name = 'PluginError';
    this.code = code;
  }
}

/** How nx-pex reports any failure, from the executors and the CLI alike: `nx-pex: [CODE] message`. */
export function describeError(e: unknown): string {
  const err = e as Error & { code?: string };
  return `nx-pex: ${err.code ? `[${err.code}] ` : ''}${err.message ?? String(e)}`;
}
