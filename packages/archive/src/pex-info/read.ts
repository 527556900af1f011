import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { ArchiveError } from '../errors.js';
import type { PexInfo } from './pex-info.js';
import { validatePexInfo } from './schema.js';

/** Read and validate PEX-INFO from a pex: a zipapp (the zip behind the shebang) or a directory (packed, loose). */
export async function readPexInfo(pexPath: string): Promise<PexInfo> {
  const isDirectory = await stat(pexPath).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  if (isDirectory) {
    const text = await readFile(join(pexPath, 'PEX-INFO'), 'utf8').catch((error: unknown) => {
      throw new ArchiveError(
        'NOT_A_PEX',
        `${pexPath} is a directory without a readable PEX-INFO, so it is not a pex (${String(error)}).`,
        {
          cause: error,
        },
      );
    });
    return parsePexInfo(text, pexPath);
  }
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
      return parsePexInfo(Buffer.concat(chunks).toString('utf8'), pexPath);
    }
  } finally {
    zip.close();
  }
  throw new ArchiveError('NOT_A_PEX', `${pexPath} has no PEX-INFO at its root, so it is not a pex.`);
}

function parsePexInfo(text: string, pexPath: string): PexInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ArchiveError('INVALID_PEX_INFO', `PEX-INFO of ${pexPath} is not JSON (${String(error)}).`, {
      cause: error,
    });
  }
  return validatePexInfo(parsed, pexPath);
}
