import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { RangeReader } from '../fs/range-reader.js';
import { canonicalJson } from '../json/canonical.js';
import type { PexInfo } from '../pex-info/pex-info.js';
import { dataStart, readCentralDirectory } from '../zip/central-directory.js';

/** A PEX-INFO is read whole: anything larger is not one this writer wrote for a rebuild to compare with. */
const MAX_PEX_INFO = 16 << 20;

/**
 * The PEX-INFO of a pex (zipapp or directory) as it is on disk, or undefined when it cannot be read
 * (missing, not a pex, too large): the caller then does what it would do without a previous pex.
 */
export async function previousPexInfo(path: string): Promise<unknown> {
  try {
    if ((await stat(path)).isDirectory()) {
      const file = join(path, 'PEX-INFO');
      if ((await stat(file)).size > MAX_PEX_INFO) return undefined;
      return JSON.parse(await readFile(file, 'utf8'));
    }
    const reader = await RangeReader.open(path);
    try {
      const entry = (await readCentralDirectory(reader)).find((e) => e.name === 'PEX-INFO');
      if (!entry || entry.compressedSize > MAX_PEX_INFO || entry.size > MAX_PEX_INFO) return undefined;
      const raw = await reader.read(await dataStart(reader, entry), entry.compressedSize);
      const bytes = entry.method === 8 ? inflateRawSync(raw, { maxOutputLength: Math.max(entry.size, 1) }) : raw;
      return JSON.parse(bytes.toString('utf8'));
    } finally {
      await reader.close();
    }
  } catch {
    return undefined;
  }
}

/** The PEX-INFO fields a change of the sources alone changes (sha256 digests this writer computes). */
const SOURCE_HASHES = ['code_hash', 'pex_hash'] as const;

/**
 * Is `info` the previous pex's PEX-INFO but for the sources' digests? Then it was checked against the
 * schema when that pex was written (the caller vouches that the file is that writer's output, as
 * left), and the digests that differ are ours: the check need not run again (its validator costs more
 * than the rest of a sources-only rebuild).
 */
export function differsOnlyInSourceHashes(
  info: Omit<PexInfo, 'pex_hash'> & { pex_hash: string },
  previous: unknown,
): boolean {
  if (previous === null || typeof previous !== 'object' || Array.isArray(previous)) return false;
  const strip = (value: object) =>
    Object.fromEntries(Object.entries(value).filter(([k]) => !(SOURCE_HASHES as readonly string[]).includes(k)));
  const digests = SOURCE_HASHES.every((k) => /^[0-9a-f]{64}$/.test(String((previous as Record<string, unknown>)[k])));
  return digests && canonicalJson(strip(info)) === canonicalJson(strip(previous));
}
