export { buildWheel } from './build-wheel.js';
export { wheelFilename } from './filename.js';
export { wheelFromInstalled } from './from-installed.js';
export { recordHash } from './record.js';
export type { BuiltWheel, FileContent, WheelDataKey, WheelSpec } from './spec.js';
