import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A server for Nx's self-hosted remote cache, as the open specification (Nx ≥ 20.8) describes it:
//   PUT /v1/cache/{hash}  body: the task's outputs as a tar (application/octet-stream)
//                         200 stored · 401 no/unknown token · 403 token may not write · 409 already stored
//   GET /v1/cache/{hash}  200 the tar · 401 · 403 · 404 not stored
// Authentication: `Authorization: Bearer <token>`. Nx sends NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN.
// Entries live in memory; it is for tests on 127.0.0.1, not a product.

export interface CacheRequest {
  method: string;
  /** The path as requested, e.g. /v1/cache/1234. */
  path: string;
  /** The {hash} of a /v1/cache/{hash} path, else undefined. */
  hash: string | undefined;
  status: number;
  /** Size of the request body (PUT) or of the body sent back (GET 200). */
  bytes: number;
}

export interface RemoteCacheServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash), the value for NX_SELF_HOSTED_REMOTE_CACHE_SERVER. */
  url: string;
  /** Stored tar bodies by hash, in the order they were stored. */
  entries: Map<string, Buffer>;
  /** Every request, in arrival order (clear with `requests.length = 0`). */
  requests: CacheRequest[];
  close(): Promise<void>;
}

export interface RemoteCacheServerOptions {
  /** May read and write. */
  readWriteToken: string;
  /** May only read: a PUT with it is answered 403. */
  readOnlyToken?: string;
  /** Largest accepted body; larger PUTs get 413. Default 512 MiB. */
  maxBodyBytes?: number;
}

const CACHE_PATH = /^\/v1\/cache\/([^/?#]+)$/;

/** Start the server on a free port of 127.0.0.1. */
export async function startRemoteCacheServer(options: RemoteCacheServerOptions): Promise<RemoteCacheServer> {
  if (!options.readWriteToken) throw new Error('startRemoteCacheServer: readWriteToken must not be empty');
  const maxBodyBytes = options.maxBodyBytes ?? 512 * 1024 * 1024;
  const entries = new Map<string, Buffer>();
  const requests: CacheRequest[] = [];

  function access(req: IncomingMessage): 'none' | 'read' | 'write' {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match) return 'none';
    if (match[1] === options.readWriteToken) return 'write';
    if (options.readOnlyToken !== undefined && match[1] === options.readOnlyToken) return 'read';
    return 'none';
  }

  async function handle(req: IncomingMessage, res: ServerResponse, log: CacheRequest): Promise<void> {
    const reply = (status: number, body: string | Buffer = '', type = 'text/plain'): void => {
      log.status = status;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const match = CACHE_PATH.exec(log.path);
    if (!match) {
      req.resume();
      reply(404, 'not found');
      return;
    }
    const hash = decodeURIComponent(match[1]!);
    log.hash = hash;
    const allowed = access(req);
    if (req.method === 'GET') {
      req.resume();
      if (allowed === 'none') return reply(401, 'missing or invalid bearer token');
      const entry = entries.get(hash);
      if (!entry) return reply(404, 'not found');
      log.bytes = entry.length;
      return reply(200, entry, 'application/octet-stream');
    }
    if (req.method === 'PUT') {
      if (allowed === 'none') {
        req.resume();
        return reply(401, 'missing or invalid bearer token');
      }
      if (allowed === 'read') {
        req.resume();
        return reply(403, 'this token may not write');
      }
      if (entries.has(hash)) {
        req.resume();
        return reply(409, 'cannot override an existing record');
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBodyBytes) return reply(413, 'too large');
        chunks.push(chunk);
      }
      log.bytes = size;
      // Two uploads of one hash racing: the first to finish wins, as a store with unique keys would.
      if (entries.has(hash)) return reply(409, 'cannot override an existing record');
      entries.set(hash, Buffer.concat(chunks));
      return reply(200);
    }
    req.resume();
    res.setHeader('allow', 'GET, PUT');
    return reply(405, 'method not allowed');
  }

  const server = createServer((req, res) => {
    const log: CacheRequest = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0]!,
      hash: undefined,
      status: 0,
      bytes: 0,
    };
    requests.push(log);
    handle(req, res, log).catch((error: unknown) => {
      log.status = 500;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    entries,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
