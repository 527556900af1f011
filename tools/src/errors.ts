/** Stable codes for every failure the test tools report. */
export type ToolsErrorCode =
  | 'INVALID_WHEEL_SPEC'
  | 'INVALID_DISTRIBUTION_FILENAME'
  | 'INVALID_FAULT_OPTIONS'
  | 'METADATA_NOT_FOUND'
  | 'DISTRIBUTION_NOT_FOUND'
  | 'PYTHON_NOT_FOUND'
  | 'CLI_USAGE';

/** The one error class of `@nx-pex/tools`: `code` is stable, `message` says what, where and what to do. */
export class ToolsError extends Error {
  override readonly name = 'ToolsError';
  constructor(
    readonly code: ToolsErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
