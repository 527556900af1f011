export { buildPex } from './pex/build.js';
export type { BuildPexOptions, BuiltPex, ProgressEvent, WheelInput } from './pex/build.js';
export type { SourceFile } from './pex/sources.js';
export type { Layout } from './layout/contents.js';
export type { InheritPath } from './pex/options.js';
export { readPexInfo } from './pex-info/read.js';
export type { PexInfo } from './pex-info/pex-info.js';
export { ArchiveError } from './errors.js';
export type { ArchiveErrorCode } from './errors.js';
