export { startFixtureIndex, type FixtureIndex, type FixtureIndexOptions, type RequestLog } from './server.js';
export type { FaultCount, FaultOptions } from './faults.js';
export { writeFileIndex, type FileIndex } from './file-index.js';
export { SIMPLE_HTML, SIMPLE_JSON, TEXT_HTML } from './negotiate.js';
export {
  drip,
  endless,
  redirectTo,
  respond,
  startHostileServer,
  type HostileRoute,
  type HostileServer,
} from './hostile.js';
