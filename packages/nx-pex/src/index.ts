import './utils/require-node.js';
export { createNodes, createNodesV2 } from './plugins/plugin.js';
export type { NxPexPluginOptions } from './plugins/plugin.js';
export { createDependencies } from './graph/create-dependencies.js';
export { PluginError } from './utils/errors.js';
