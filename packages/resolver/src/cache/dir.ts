/** The artifact cache root: $NX_PEX_CACHE_DIR, else $XDG_CACHE_HOME/nx-pex, else $HOME/.cache/nx-pex (one rule, in @nx-pex/common). */
export { userCacheDir as defaultCacheDir } from '@nx-pex/common';
