export {
  commit,
  removeTemp,
  replaceWith,
  tempPathBeside,
  writeContentAtomic,
  writeDirectoryAtomic,
  writeFileAtomic,
} from './atomic.js';
export { userCacheDir, userCacheHome } from './cache-dir.js';
export { normalizeName } from './names.js';
export { sha256File } from './sha256-file.js';
export { tomlString } from './toml.js';
