// Canonical JSON lives in @nx-pex/common (the plugin's CLI prints it too); pex/ imports it from here.
export { canonicalJson } from '@nx-pex/common';
