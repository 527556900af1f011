export { ToolsError, type ToolsErrorCode } from './errors.js';
export * from './wheel-factory/index.js';
export * from './index-server/index.js';
export * from './pythons/index.js';
export { normalizeProjectName } from './pep503/normalize.js';
export * from './secrets/index.js';
export { writeTree } from './fs/write-tree.js';
