import yauzl from 'yauzl';
import { ArchiveError } from '../errors.js';
import type { PexInfo } from './pex-info.js';
import { validatePexInfo } from './schema.js';

/** Read and validate PEX-INFO from a pex file (the zip behind the shebang). */
export async function readPexInfo(pexPath: string): Promise<PexInfo> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(pexPath, { lazyEntries: true, autoClose: false });
  } catch (error) {
    throw new ArchiveError('NOT_A_PEX', `${pexPath} is not a pex (not a readable zip: ${String(error)}).`, {
      cause: error,
    });
  }
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== 'PEX-INFO') continue;
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        throw new ArchiveError('INVALID_PEX_INFO', `PEX-INFO of ${pexPath} is not JSON (${String(error)}).`, {
          cause: error,
        });
      }
      return validatePexInfo(parsed, pexPath);
    }
  } finally {
    zip.close();
  }
  throw new ArchiveError('NOT_A_PEX', `${pexPath} has no PEX-INFO at its root, so it is not a pex.`);
}
