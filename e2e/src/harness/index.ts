export { baseEnv, CommandError, describeResult, repoBin, repoRoot, runCommand, runOrThrow } from './exec.js';
export type { RunOptions, RunResult } from './exec.js';
export { OWN_PACKAGE_PATTERNS, startLocalRegistry } from './registry.js';
export type { LocalRegistry, StartLocalRegistryOptions } from './registry.js';
export { PUBLISHED_PACKAGES, publishPackages } from './publish.js';
export type { PublishedPackage, PublishOptions } from './publish.js';
export { createWorkspace } from './workspace.js';
export type { CreateWorkspaceOptions, Workspace, WorkspaceRunOptions } from './workspace.js';
export { keepTempDirs, makeTempDir, removeTempDir, trackFailures } from './temp.js';
