import { execFileSync } from 'node:child_process';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWheel, startFixtureIndex, type FixtureIndex } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIndexConfig, type IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import { IndexClient } from '../index/client.js';
import { formatLock } from '../lock/format.js';
import { resolveLock } from '../lock/resolve-lock.js';
import { targetFromAbbreviatedPlatform } from '../platform/foreign-target.js';
import { HttpClient, httpOptionsFor, type HttpOptions } from './client.js';
import { parseNetrc } from './netrc.js';
import { PageCache } from './page-cache.js';

// Credentials (.netrc, URL userinfo), HTTP caching of project pages, proxies and a custom CA, each
// against a small real server on 127.0.0.1.

const PAGE =
  '<html><body><a href="https://files.example/x-1.0-py3-none-any.whl#sha256=' +
  'a'.repeat(64) +
  '">x-1.0-py3-none-any.whl</a></body></html>';

interface Seen {
  url: string;
  authorization?: string;
  ifNoneMatch?: string;
}

/** A project page server: `handler` decides status and headers; every request is logged. */
async function pageServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = createHttpServer((req, res) => {
    seen.push({
      url: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers['if-none-match'] ? { ifNoneMatch: String(req.headers['if-none-match']) } : {}),
    });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/simple/`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const config = (indexUrl: string, extra: Partial<IndexConfig> = {}): IndexConfig => ({
  indexUrl,
  extraIndexUrls: [],
  findLinks: [],
  noIndex: false,
  ...extra,
});

async function files(index: IndexConfig, http: HttpOptions = {}, cache?: PageCache): Promise<number> {
  const client = new HttpClient({ retries: 0, netrc: false, env: {}, ...http });
  try {
    return (await new IndexClient(client, index, cache).projectFiles('x')).length;
  } finally {
    await client.close();
  }
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-http-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('.netrc', () => {
  it('parses machine, default, macdef, comments and quoted tokens', () => {
    const entries = parseNetrc(
      [
        '# comment',
        'machine a.example login alice password "s3 cret"',
        'macdef init',
        'cd /pub',
        '',
        'machine b.example',
        '  login bob',
        '  account x',
        '  password pw',
        'default login anon password guest',
      ].join('\n'),
    );
    expect(entries).toEqual([
      { machine: 'a.example', login: 'alice', password: 's3 cret' },
      { machine: 'b.example', login: 'bob', password: 'pw' },
      { login: 'anon', password: 'guest' },
    ]);
  });

  it('sends the machine entry, else the default entry, from $NETRC; URL userinfo wins', async () => {
    const server = await pageServer((req, res) => {
      const ok =
        req.headers.authorization === basic('alice', 'pa:ss') || req.headers.authorization === basic('url', 'user');
      res.writeHead(ok ? 200 : 401, { 'content-type': 'text/html' }).end(ok ? PAGE : 'no');
    });
    try {
      const netrc = join(work, 'netrc');
      await writeFile(netrc, 'machine 127.0.0.1 login alice password pa:ss\n');
      expect(await files(config(server.url), { netrc: undefined, env: { NETRC: netrc } })).toBe(1);
      await writeFile(netrc, 'machine other.example login x password y\ndefault login alice password pa:ss\n');
      expect(await files(config(server.url), { netrc: undefined, env: { NETRC: netrc } })).toBe(1);
      const withUser = server.url.replace('http://', 'http://url:user@');
      expect(await files(config(withUser), { netrc })).toBe(1);
      expect(server.seen.map((s) => s.authorization)).toEqual([
        basic('alice', 'pa:ss'),
        basic('alice', 'pa:ss'),
        basic('url', 'user'),
      ]);
      // Without credentials: a 401 whose message says what to do and names no secret.
      const err = await files(config(server.url), { netrc: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResolverError);
      expect((err as ResolverError).message).toMatch(/HTTP 401.*credentials/);
    } finally {
      await server.close();
    }
  });
});

describe('credentials from PIP_INDEX_URL userinfo', () => {
  let index: FixtureIndex;
  beforeAll(async () => {
    const wheels = join(work, 'wheels');
    await buildWheel({ name: 'greet', version: '1.0' }, wheels);
    index = await startFixtureIndex({ wheelsDir: wheels });
  });
  afterAll(async () => index.close());

  it('resolve through the index and appear in no lock or message', async () => {
    const secret = 'tok3n-s3cret';
    const url = index.url.replace('http://', `http://deploy:${secret}@`);
    const loaded = await loadIndexConfig({
      env: { PIP_INDEX_URL: url, PIP_CONFIG_FILE: '/nonexistent' },
      homeDir: work,
    });
    expect(loaded.indexUrl).toBe(url);
    const target = targetFromAbbreviatedPlatform('linux_x86_64-cp-312-cp312');
    const lock = await resolveLock({
      roots: { app: ['greet'] },
      index: loaded,
      targets: [target],
      cacheDir: join(work, 'cache-creds'),
      http: { netrc: false },
    });
    const text = formatLock(lock);
    expect(text).toContain('greet-1.0-py3-none-any.whl');
    expect(text).not.toContain(secret);
    const err = await resolveLock({
      roots: { app: ['missing-project'] },
      index: loaded,
      targets: [target],
      cacheDir: join(work, 'cache-creds'),
      http: { netrc: false },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResolverError);
    expect((err as Error).message).toContain('127.0.0.1');
    expect((err as Error).message).not.toContain(secret);
  });
});

describe('HTTP caching of project pages', () => {
  it('reuses a page within max-age, revalidates with If-None-Match after it (304 → same files), refetches on a new ETag', async () => {
    let etag = '"v1"';
    let maxAge = 3600;
    const server = await pageServer((req, res) => {
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': `max-age=${maxAge}` }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html', etag, 'cache-control': `max-age=${maxAge}` }).end(PAGE);
    });
    let now = 1_000_000;
    const cache = new PageCache(join(work, 'pages'), () => now);
    try {
      expect(await files(config(server.url), {}, cache)).toBe(1);
      expect(await files(config(server.url), {}, cache)).toBe(1); // fresh: no request
      expect(server.seen).toHaveLength(1);
      now += 3601 * 1000; // stale: conditional request, 304
      expect(await files(config(server.url), {}, cache)).toBe(1);
      expect(server.seen.map((s) => s.ifNoneMatch)).toEqual([undefined, '"v1"']);
      etag = '"v2"';
      maxAge = 0;
      now += 3601 * 1000; // stale again, the page changed: 200 with the new ETag
      expect(await files(config(server.url), {}, cache)).toBe(1);
      expect(await files(config(server.url), {}, cache)).toBe(1); // max-age=0: revalidated, 304
      expect(server.seen.map((s) => s.ifNoneMatch)).toEqual([undefined, '"v1"', '"v1"', '"v2"']);
    } finally {
      await server.close();
    }
  });

  it('keys pages by the URL without credentials and stores no secret; honours no-store', async () => {
    const server = await pageServer((req, res) => {
      const noStore = req.url?.includes('nostore');
      res
        .writeHead(200, {
          'content-type': 'text/html',
          etag: '"e"',
          'cache-control': noStore ? 'no-store' : 'max-age=60',
        })
        .end(PAGE);
    });
    const dir = join(work, 'pages-creds');
    const cache = new PageCache(dir);
    try {
      await files(config(server.url.replace('http://', 'http://u:hunter2@')), {}, cache);
      await files(config(server.url.replace('http://', 'http://v:other@')), {}, cache);
      expect(server.seen).toHaveLength(1); // same key for both users
      const stored = execFileSync('grep', ['-r', '-l', 'hunter2', dir], { encoding: 'utf8' }).trim();
      expect(stored).toBe('');
    } catch (e) {
      // grep exits 1 when nothing matches: what we want.
      expect((e as { status?: number }).status).toBe(1);
    } finally {
      await server.close();
    }
    const nostore = await pageServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store', etag: '"e"' }).end(PAGE),
    );
    try {
      const c = new PageCache(join(work, 'pages-nostore'));
      await files(config(nostore.url), {}, c);
      await files(config(nostore.url), {}, c);
      expect(nostore.seen.map((s) => s.ifNoneMatch)).toEqual([undefined, undefined]);
    } finally {
      await nostore.close();
    }
  });
});

describe('proxies from HTTP(S)_PROXY / NO_PROXY', () => {
  let index: FixtureIndex;
  let proxy: Server;
  let proxyUrl: string;
  const proxied: string[] = [];

  beforeAll(async () => {
    const wheels = join(work, 'proxy-wheels');
    await buildWheel({ name: 'x', version: '1.0' }, wheels);
    index = await startFixtureIndex({ wheelsDir: wheels });
    // A minimal forward proxy: absolute-form HTTP requests are relayed, CONNECT is tunnelled.
    proxy = createHttpServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      const upstream = httpRequest(req.url!, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    proxy.on('connect', (req, socket, head) => {
      proxied.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host!, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket).pipe(upstream);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await index.close();
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  });

  it('goes through HTTP_PROXY, and around it for NO_PROXY hosts', async () => {
    proxied.length = 0;
    expect(await files(config(index.url), { env: { HTTP_PROXY: proxyUrl } })).toBe(1);
    expect(proxied).toEqual([`GET ${index.url}x/`]);
    proxied.length = 0;
    expect(await files(config(index.url), { env: { http_proxy: proxyUrl, NO_PROXY: 'localhost,127.0.0.1' } })).toBe(1);
    expect(proxied).toEqual([]);
    expect(index.requests.length).toBe(2);
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(hasOpenssl)('custom CA bundle (pip cert / PIP_CERT), with a certificate made by openssl', () => {
  it('rejects an untrusted certificate with an actionable INDEX_ERROR and accepts it with cert set', async () => {
    const key = join(work, 'key.pem');
    const cert = join(work, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`;
    try {
      const err = await files(config(url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResolverError);
      expect((err as ResolverError).code).toBe('INDEX_ERROR');
      expect((err as Error).message).toMatch(/certificate.*PIP_CERT/);
      const loaded = await loadIndexConfig({
        env: { PIP_INDEX_URL: url, PIP_CERT: cert, PIP_CONFIG_FILE: '/nonexistent' },
        homeDir: work,
      });
      expect(loaded.cert).toBe(cert);
      expect(await files(loaded, httpOptionsFor({}, loaded))).toBe(1);
      const missing = (() => {
        try {
          return httpOptionsFor({}, { ...loaded, cert: join(work, 'nope.pem') });
        } catch (e) {
          return e;
        }
      })();
      expect((missing as ResolverError).code).toBe('INVALID_CONFIG');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
