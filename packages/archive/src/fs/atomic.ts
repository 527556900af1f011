// The archive's writers (layout/) import the atomic-write helpers from here; they live in @nx-pex/common,
// shared with the resolver's cache.
export { replaceWith, tempPathBeside, writeDirectoryAtomic, writeFileAtomic } from '@nx-pex/common';
