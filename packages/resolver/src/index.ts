export { ResolverError, type ResolverErrorCode } from './errors.js';
export { loadIndexConfig, DEFAULT_INDEX_URL, type IndexConfig } from './config/index-config.js';
export { defaultCacheDir } from './cache/dir.js';
export { inspectInterpreter, type TargetInterpreter } from './interpreter/inspect.js';
export { cpythonTags, type CpythonTagInputs } from './tags/cpython.js';
export { platformTags, type LinuxPlatformInputs } from './tags/platforms.js';
export { fetchArtifacts, type FetchOptions } from './fetch/fetch-artifacts.js';
export type { LocalArtifact, FetchProgress } from './fetch/local-artifact.js';
export type { HttpOptions } from './http/client.js';
export { parseWheelFilename, type WheelFilename } from './filename/wheel.js';
export { normalizeName } from './names.js';
export { Version } from './pep440/version.js';
export { Specifier, SpecifierSet } from './pep440/specifier.js';
export { Requirement } from './pep508/requirement.js';
export { Marker, type MarkerEnvironment } from './pep508/marker.js';
export { resolveLock, type ResolveLockOptions } from './lock/resolve-lock.js';
export { fetchLocked, type FetchLockedOptions } from './lock/fetch-locked.js';
export { formatLock } from './lock/format.js';
export { parseLock } from './lock/parse.js';
export { validatePylock, type PylockProblem } from './lock/validate.js';
export {
  isLockCurrent,
  isProjectLockCurrent,
  type LockCheckOptions,
  type LockStatus,
  type ProjectLockInputs,
} from './lock/current.js';
export { selectFromLock, lockSubsetHash, hasNxPexRoots, type LockSelection } from './lock/select.js';
export type {
  Lock,
  LockPackage,
  LockFile,
  LockDependency,
  LockDirectSource,
  LockRoots,
  LockRequirementSets,
  LockTarget,
  LockedArtifact,
  NxPexLockTable,
  NxPexPackageTable,
} from './lock/model.js';
export { targetFromAbbreviatedPlatform, targetFromCompletePlatform } from './platform/foreign-target.js';
export { universalTargets, DEFAULT_PLATFORMS, NEWEST_CPYTHON, OLDEST_CPYTHON } from './platform/environments.js';
export { macPlatforms } from './tags/macos.js';
// Entry points for text (README "API"): they return the classes exported above.
export {
  parseVersion,
  compareVersions,
  parseSpecifierSet,
  parseRequirement,
  evaluateMarker,
  supportedTags,
  type ParsedSpecifierSet,
  type TagTarget,
} from './api.js';
export {
  importRequirementsTxt,
  importUvLock,
  isUvLockCurrent,
  type ImportRequirementsOptions,
  type UvLockProject,
} from './lock/import.js';
export { buildBackendReason } from './build/needs-backend.js';
export { buildProjectWheel, type BuildProjectWheelOptions, type ProjectWheel } from './build/project-wheel.js';
