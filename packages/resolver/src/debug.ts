import { debuglog } from 'node:util';

/** Debug lines for what is skipped or retried (`NODE_DEBUG=nx-pex`), like pip's `-v` "Skipping link" lines. */
export const debug = debuglog('nx-pex');
