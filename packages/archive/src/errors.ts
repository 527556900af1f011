/** Stable machine-readable codes; the message says what, where and what to do. */
export type ArchiveErrorCode =
  | 'HASH_MISMATCH'
  | 'RECORD_MISMATCH'
  | 'RECORD_MISSING'
  | 'UNSAFE_MEMBER_NAME'
  | 'INVALID_WHEEL'
  | 'UNSUPPORTED_COMPRESSION'
  | 'INVALID_SOURCE'
  | 'PATH_CONFLICT'
  | 'INVALID_ENTRY_POINT'
  | 'INVALID_INTERPRETER_CONSTRAINT'
  | 'INVALID_OPTION'
  | 'INVALID_PEX_INFO'
  | 'NOT_A_PEX'
  | 'RUNTIME_MISSING'
  | 'IO_ERROR';

export class ArchiveError extends Error {
  readonly code: ArchiveErrorCode;

  constructor(code: ArchiveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
    this.code = code;
  }
}
