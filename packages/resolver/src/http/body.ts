import { ResolverError } from '../errors.js';

/**
 * Pass `body` through, failing once more than `maxBytes` arrived: a server (or a file:// source
 * such as /dev/zero) that never ends is cut off at the size it was expected to have.
 */
export async function* limitBody(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
  tooLarge: (limit: number) => ResolverError,
): AsyncIterable<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (seen > maxBytes) throw tooLarge(maxBytes);
    yield chunk;
  }
}

/**
 * All of `body` (at most `maxBytes`) as one buffer. A body that breaks off is an INDEX_ERROR naming
 * `what`; one that grows past the limit throws `tooLarge` (before it is held in memory).
 */
export async function readBody(
  body: AsyncIterable<Uint8Array>,
  what: string,
  maxBytes: number,
  tooLarge: (limit: number) => ResolverError,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of limitBody(body, maxBytes, tooLarge)) chunks.push(Buffer.from(chunk));
  } catch (err) {
    if (err instanceof ResolverError) throw err;
    // A page that breaks off (truncated, reset, deadline) is an index failure with a message, not a raw socket error.
    throw new ResolverError(
      'INDEX_ERROR',
      `Reading ${what} broke off (${err instanceof Error ? err.message : String(err)}). Check that the index is reachable, or retry later.`,
      { cause: err },
    );
  }
  return Buffer.concat(chunks);
}
