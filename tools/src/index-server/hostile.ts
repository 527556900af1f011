import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Answers one request; `url` is the parsed request URL. */
export type HostileRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/**
 * A scripted server on 127.0.0.1 for attacker-controlled index behaviour the fixture index does not
 * model: routes by exact pathname (then the longest matching `prefix*` key), 404 otherwise.
 */
export interface HostileServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  origin: string;
  /** Pathnames requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startHostileServer(routes: Record<string, HostileRoute>): Promise<HostileServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const prefix = Object.keys(routes)
      .filter((k) => k.endsWith('*') && url.pathname.startsWith(k.slice(0, -1)))
      .sort((a, b) => b.length - a.length)[0];
    const route = routes[url.pathname] ?? (prefix ? routes[prefix] : undefined);
    if (!route) {
      res.writeHead(404).end('not found\n');
      return;
    }
    Promise.resolve(route(req, res, url)).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A body that never ends: `chunk` repeated until the client goes away (no Content-Length). */
export function endless(chunk: Buffer = Buffer.alloc(64 * 1024)): HostileRoute {
  return async (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    while (!res.destroyed) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      await sleep(0);
    }
  };
}

/** One byte of `body` every `everyMs`, headers first: each read is quick, the whole never finishes in time. */
export function drip(body: string, everyMs: number, contentType = 'text/html'): HostileRoute {
  return async (_req, res) => {
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) });
    res.flushHeaders();
    for (const byte of Buffer.from(body)) {
      if (res.destroyed) return;
      res.write(Buffer.of(byte));
      await sleep(everyMs);
    }
    res.end();
  };
}

/** A redirect to `location` (relative or absolute). */
export function redirectTo(location: string, status = 302): HostileRoute {
  return (_req, res) => {
    res.writeHead(status, { Location: location }).end();
  };
}

/** A fixed answer. */
export function respond(
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = { 'Content-Type': 'text/html' },
): HostileRoute {
  return (_req, res) => {
    res.writeHead(status, headers).end(body);
  };
}
