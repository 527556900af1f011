import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRemoteCacheServer, type RemoteCacheServer } from './remote-cache/server.js';
import { readTar } from './remote-cache/tar.js';

// The stand-in for a self-hosted Nx remote cache (ci-cache.e2e.spec.ts uploads to it and restores
// from it): it must answer as the open specification says, or a green CI proof would mean nothing.
describe('remote cache server (Nx self-hosted cache specification)', () => {
  let server: RemoteCacheServer;
  const token = 'rw-token-for-the-test';
  const readOnly = 'ro-token-for-the-test';

  beforeAll(async () => {
    server = await startRemoteCacheServer({ readWriteToken: token, readOnlyToken: readOnly });
  });
  afterAll(async () => {
    await server?.close();
  });

  const call = (method: string, path: string, bearer?: string, body?: Uint8Array): Promise<Response> => {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    return fetch(`${server.url}${path}`, body === undefined ? { method, headers } : { method, headers, body });
  };

  it('listens on 127.0.0.1', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stores a PUT body and serves it back byte for byte', async () => {
    const body = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 251);
    expect((await call('PUT', '/v1/cache/123', token, body)).status).toBe(200);
    const got = await call('GET', '/v1/cache/123', token);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(body))).toBe(true);
    expect(server.entries.get('123')?.length).toBe(70_000);
  });

  it('refuses to overwrite a record with 409 and keeps the first body', async () => {
    expect((await call('PUT', '/v1/cache/dup', token, Buffer.from('first'))).status).toBe(200);
    expect((await call('PUT', '/v1/cache/dup', token, Buffer.from('second'))).status).toBe(409);
    expect(await (await call('GET', '/v1/cache/dup', token)).text()).toBe('first');
  });

  it('answers 404 for a hash it does not hold, and for other paths', async () => {
    expect((await call('GET', '/v1/cache/absent', token)).status).toBe(404);
    expect((await call('GET', '/v1/other/123', token)).status).toBe(404);
    expect((await call('GET', '/v1/cache/', token)).status).toBe(404);
  });

  it('answers 401 without a bearer token or with an unknown one, and stores nothing', async () => {
    expect((await call('GET', '/v1/cache/123')).status).toBe(401);
    expect((await call('GET', '/v1/cache/123', 'wrong')).status).toBe(401);
    expect((await call('PUT', '/v1/cache/anon', undefined, Buffer.from('x'))).status).toBe(401);
    expect((await call('PUT', '/v1/cache/anon', 'wrong', Buffer.from('x'))).status).toBe(401);
    const basic = await fetch(`${server.url}/v1/cache/123`, {
      headers: { authorization: `Basic ${Buffer.from(`u:${token}`).toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    expect(server.entries.has('anon')).toBe(false);
  });

  it('lets a read-only token read but answers 403 to its writes', async () => {
    expect((await call('GET', '/v1/cache/123', readOnly)).status).toBe(200);
    expect((await call('PUT', '/v1/cache/ro', readOnly, Buffer.from('x'))).status).toBe(403);
    expect(server.entries.has('ro')).toBe(false);
  });

  it('answers 405 to other methods', async () => {
    const deleted = await call('DELETE', '/v1/cache/123', token);
    expect(deleted.status).toBe(405);
    expect(server.entries.has('123')).toBe(true);
  });

  it('logs every request with its hash, status and size', () => {
    const put = server.requests.find((r) => r.method === 'PUT' && r.hash === '123');
    expect(put).toMatchObject({ path: '/v1/cache/123', status: 200, bytes: 70_000 });
    expect(server.requests.filter((r) => r.status === 401).length).toBe(5);
  });
});

describe('tar reader (for looking inside uploaded cache entries)', () => {
  /** One ustar header + padded content, as tar(1) writes it. */
  function tarEntry(
    name: string,
    content: string,
    extra: { uname?: string; mtime?: number; type?: string } = {},
  ): Buffer {
    const header = Buffer.alloc(512);
    const body = Buffer.from(content);
    const put = (value: string, start: number, length: number): void => {
      header.write(value.slice(0, length), start, 'utf8');
    };
    put(name, 0, 100);
    put('0000644\0', 100, 8);
    put('0001750\0', 108, 8);
    put('0001750\0', 116, 8);
    put(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 12);
    put(`${(extra.mtime ?? 0).toString(8).padStart(11, '0')}\0`, 136, 12);
    put('        ', 148, 8);
    put(extra.type ?? '0', 156, 1);
    put('ustar\0', 257, 6);
    put('00', 263, 2);
    put(extra.uname ?? '', 265, 32);
    let sum = 0;
    for (const byte of header) sum += byte;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
    body.copy(padded);
    return Buffer.concat([header, padded]);
  }

  it('reads names, contents, owner names and times, also gzip-compressed and with GNU long names', () => {
    const longName = `${'d/'.repeat(60)}file.txt`;
    const tar = Buffer.concat([
      tarEntry('a.txt', 'alpha', { uname: 'someone', mtime: 1_700_000_000 }),
      tarEntry('././@LongLink', `${longName}\0`, { type: 'L' }),
      tarEntry(longName.slice(0, 100), 'long'),
      Buffer.alloc(1024),
    ]);
    for (const body of [tar, gzipSync(tar)]) {
      const entries = readTar(body);
      expect(entries.map((e) => e.name)).toEqual(['a.txt', longName]);
      expect(entries[0]).toMatchObject({ uname: 'someone', mtime: 1_700_000_000, uid: 0o1750, mode: 0o644, type: '0' });
      expect(entries[0]!.content.toString()).toBe('alpha');
      expect(entries[1]!.content.toString()).toBe('long');
    }
  });
});
