// Temp path + rename for every cache entry; the helpers live in @nx-pex/common, shared with the archive.
export { commit, removeTemp, tempPathBeside as tempPathFor } from '@nx-pex/common';
