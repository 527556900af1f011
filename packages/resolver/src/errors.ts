/**
 * The one error class of @nx-pex/resolver. `code` is stable (callers switch on it);
 * `message` says what failed, where, and what to do about it.
 */
export type ResolverErrorCode =
  | 'INVALID_REQUIREMENT'
  | 'INVALID_VERSION'
  | 'INVALID_SPECIFIER'
  | 'INVALID_MARKER'
  | 'INVALID_FILENAME'
  | 'INVALID_CONFIG'
  | 'NO_MATCHING_DISTRIBUTION'
  | 'NO_COMPATIBLE_WHEEL'
  | 'HASH_MISMATCH'
  | 'INDEX_ERROR'
  | 'INTERPRETER_ERROR'
  | 'METADATA_ERROR'
  | 'CACHE_ERROR'
  | 'RESOLUTION_CONFLICT'
  | 'INVALID_LOCK'
  | 'LOCK_MISSING_PROJECT'
  | 'LOCK_OUTDATED'
  | 'LOCK_PLATFORM_NOT_COVERED'
  | 'INVALID_PLATFORM'
  | 'SDIST_BUILD_ERROR'
  | 'SDIST_NEEDS_PYTHON'
  | 'PROJECT_BUILD_ERROR';

export class ResolverError extends Error {
  readonly code: ResolverErrorCode;

  constructor(code: ResolverErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResolverError';
    this.code = code;
  }
}
