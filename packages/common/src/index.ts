export {
  commit,
  removeTemp,
  replaceWith,
  tempPathBeside,
  writeContentAtomic,
  writeDirectoryAtomic,
  writeFileAtomic,
} from './atomic.js';
export { canonicalJson, sortKeys } from './canonical-json.js';
export { executableIdentity, onPath, type ExecutableIdentity } from './executable.js';
export { userCacheDir, userCacheHome } from './cache-dir.js';
export { mapLimit } from './map-limit.js';
export { normalizeName } from './names.js';
export { sha256File } from './sha256-file.js';
export { tomlString } from './toml.js';
