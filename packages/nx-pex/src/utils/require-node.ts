// Imported first by every entry point (plugin, executors, generators, CLI): ES modules evaluate their
// imports in order, so this check runs before any dependency that needs a newer Node is evaluated.
import { assertSupportedNode } from './node-version.js';

assertSupportedNode();
