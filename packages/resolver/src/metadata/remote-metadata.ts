import { createHash } from 'node:crypto';
import { ResolverError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { readBody } from '../http/body.js';
import { describeLimit, SETTINGS } from '../http/settings.js';
import { parseCoreMetadata, type CoreMetadata } from './core-metadata.js';
import { headersOf, type Headers } from './metadata-packs.js';
import { readMetadataByRanges, UnsupportedZip, type ByteRange } from './zip-ranges.js';

// Reading a wheel's metadata from the index: its PEP 658 file, else METADATA by range requests.

// `describe` names the file for messages (`<filename> (<project>) from <url>`).

/** Metadata as read: parsed, and as the caches keep it (headers and their sha256). */
export type RemoteMetadata = Headers & { metadata: CoreMetadata };

function described(text: string): RemoteMetadata {
  const read = headersOf(text);
  return { ...read, metadata: parseCoreMetadata(read.headers) };
}

/** A metadata file or range answer, at most the page limit (HttpLimits.maxPageBytes). */
function readAll(body: AsyncIterable<Uint8Array>, what: string, maxBytes: number): Promise<Buffer> {
  return readBody(
    body,
    what,
    maxBytes,
    (limit) =>
      new ResolverError(
        'INDEX_ERROR',
        `${what} is larger than ${describeLimit('maxPageBytes', limit)}. The index is wrong or hostile; raise ${SETTINGS.maxPageBytes.env} only if you trust it.`,
      ),
  );
}

/** PEP 658: the metadata file is the distribution's URL plus `.metadata`; its hash (`expected`) is advertised. */
export async function readPep658(
  http: HttpClient,
  url: string,
  expected: string | undefined,
  describe: string,
): Promise<RemoteMetadata> {
  const max = http.limits.maxPageBytes;
  const data = await http.get(
    `${url}.metadata`,
    '*/*',
    `the metadata of ${describe}`,
    (res) => readAll(res.body, `the metadata of ${describe}`, max),
    { kind: 'page' },
  );
  if (expected) {
    const actual = createHash('sha256').update(data).digest('hex');
    if (actual !== expected) {
      throw new ResolverError(
        'HASH_MISMATCH',
        `Hash mismatch for the PEP 658 metadata of ${describe}: the index says sha256=${expected} but it has sha256=${actual}. The index may be corrupted or tampered with; report it to the index owner.`,
      );
    }
  }
  return described(data.toString('utf8'));
}

/**
 * METADATA by range requests; or why there is none: the server ignored Range (`no-range`: remembered
 * per origin) or the archive is one the range reader does not handle (`unsupported`). Either way the
 * caller downloads the whole wheel.
 */
export async function readByRanges(
  http: HttpClient,
  url: string,
  project: string,
  describe: string,
): Promise<RemoteMetadata | { fallback: 'no-range' | 'unsupported' }> {
  const fetchRange = (start: number, end?: number): Promise<ByteRange | undefined> =>
    http.get(
      url,
      '*/*',
      `part of ${describe}`,
      async (res) => {
        const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.contentRange ?? '');
        if (res.statusCode !== 206 || !range) {
          await res.discard();
          return undefined;
        }
        return {
          start: Number(range[1]),
          data: await readAll(res.body, `part of ${describe}`, http.limits.maxPageBytes),
          total: Number(range[3]),
        };
      },
      { headers: { range: start < 0 ? `bytes=${start}` : `bytes=${start}-${end ?? ''}` }, kind: 'page' },
    );
  try {
    const text = await readMetadataByRanges(fetchRange, project);
    return text === undefined ? { fallback: 'no-range' } : described(text);
  } catch (err) {
    if (err instanceof UnsupportedZip || (err instanceof ResolverError && err.code === 'INDEX_ERROR'))
      return { fallback: 'unsupported' };
    throw err;
  }
}
