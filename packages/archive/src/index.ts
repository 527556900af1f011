export { buildPex } from './pex/build.js';
export type { BuildPexOptions, BuiltPex, ProgressEvent, WheelInput } from './pex/build.js';
export type { SourceFile } from './pex/sources.js';
export type { PreviousPex } from './pex/reuse.js';
export type { ZipReuse } from './zip/reuse.js';
export type { ProjectDistribution } from './project/dist-info.js';
export type { Layout } from './layout/contents.js';
export type { InheritPath } from './pex/options.js';
import type { PexInfo } from './pex-info/pex-info.js';
export type { PexInfo };

/** The PEX-INFO of a pex (zipapp or directory), checked against its schema. */
export async function readPexInfo(pexPath: string): Promise<PexInfo> {
  // Its zip reader and the schema's validator load when a pex is read, not with the package (a build needs neither).
  return (await import('./pex-info/read.js')).readPexInfo(pexPath);
}
export { ArchiveError } from './errors.js';
export type { ArchiveErrorCode } from './errors.js';
