export { createNodes, createNodesV2 } from './plugins/plugin.js';
export type { NxPexPluginOptions } from './plugins/plugin.js';
export { PluginError } from './utils/errors.js';
