import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { buildWheel } from '@nx-pex/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import { fixtureSuite } from '../testing/fixture-suite.js';
import { readRemote, type RemoteRead } from './remote-metadata.js';
import { RemoteMetadataReader } from './remote-reader.js';

const names: string[] = [];
const suite = fixtureSuite('nx-pex-remote-reader-', async (wheels) => {
  for (const [name, version, requiresDist] of [
    ['alpha', '1.0', ['beta>=2', 'gamma; extra == "g"']],
    ['beta', '2.0', []],
    ['gamma', '3.1', ['alpha<2']],
  ] as const) {
    await buildWheel({ name, version, requiresDist: [...requiresDist] }, wheels);
    names.push(`${name}-${version}-py3-none-any.whl`);
  }
});

const readers: RemoteMetadataReader[] = [];
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.close()));
});

function reader(http = new HttpClient({ backoffMs: 5 })): RemoteMetadataReader {
  const r = new RemoteMetadataReader(http, 0);
  readers.push(r);
  return r;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const fileUrl = (name: string) => `${suite.server.root}files/${name}`;
const rangeRead = (name: string): RemoteRead => ({
  kind: 'range',
  url: fileUrl(name),
  project: name.split('-')[0]!,
  describe: name,
});

/** Start the worker with a first read, and wait until it is up. */
async function started(r: RemoteMetadataReader): Promise<void> {
  await r.read(rangeRead(names[0]!));
  expect(await r.whenReady).toBe(true);
}

describe('metadata reads in a worker thread', () => {
  it('starts no worker for the first reads of a resolve', async () => {
    const r = new RemoteMetadataReader(new HttpClient({ backoffMs: 5 }), 2);
    readers.push(r);
    for (const name of names) await r.read(rangeRead(name));
    expect(r.counts).toEqual({ worker: 0, here: 3 });
    expect(await r.whenReady).toBe(true); // the third read started it
    await r.read(rangeRead(names[0]!));
    expect(r.counts).toEqual({ worker: 1, here: 3 });
  });

  it('answers in the worker exactly what this thread answers, PEP 658 and range reads alike', async () => {
    const r = reader();
    await started(r);
    const direct = new HttpClient({ backoffMs: 5 });
    for (const name of names) {
      const ranged = await r.read(rangeRead(name));
      expect(ranged).toEqual(await readRemote(direct, rangeRead(name)));
      expect('metadata' in ranged && ranged.metadata.name).toBe(name.split('-')[0]);
      // The PEP 658 file of the same wheel gives the same metadata.
      const file = await (await fetch(`${fileUrl(name)}.metadata`)).text();
      const pep658: RemoteRead = { kind: 'pep658', url: fileUrl(name), sha256: sha256(file), describe: name };
      expect(await r.read(pep658)).toEqual(ranged);
    }
    expect(r.counts.worker).toBe(names.length * 2);
    const ranged = suite.server.requests.filter((q) => q.range !== undefined);
    expect(ranged.length).toBeGreaterThanOrEqual(names.length * 2);
  });

  it('reports a server that ignores Range as this thread does', async () => {
    const r = reader();
    await started(r);
    suite.server.setFaults({ noRange: true });
    expect(await r.read(rangeRead(names[1]!))).toEqual({ fallback: 'no-range' });
  });

  it('carries an error across as the same ResolverError (code and message)', async () => {
    const r = reader();
    await started(r);
    const bad: RemoteRead = { kind: 'pep658', url: fileUrl(names[1]!), sha256: '0'.repeat(64), describe: 'beta 2.0' };
    const here = await readRemote(new HttpClient({ backoffMs: 5 }), bad).catch((e: unknown) => e);
    const there = await r.read(bad).catch((e: unknown) => e);
    expect(here).toBeInstanceOf(ResolverError);
    expect(there).toBeInstanceOf(ResolverError);
    expect((there as ResolverError).code).toBe('HASH_MISMATCH');
    expect((there as ResolverError).message).toBe((here as ResolverError).message);
  });

  it('makes the reads a dying worker had in hand on this thread', async () => {
    const r = reader();
    await started(r);
    suite.server.setFaults({ slowBodyMs: { [names[2]!]: 300 } });
    const pending = r.read(rangeRead(names[2]!));
    await (r as unknown as { worker: Worker }).worker.terminate();
    const answer = await pending;
    expect('metadata' in answer && answer.metadata.name).toBe('gamma');
    expect(r.counts.here).toBeGreaterThanOrEqual(2); // the first read (before the worker was up) and this one
    // From now on every read is made here.
    expect(await r.read(rangeRead(names[1]!))).toEqual(await readRemote(new HttpClient(), rangeRead(names[1]!)));
  });

  it('sends the worker the credentials registered after it started', async () => {
    const text = 'Metadata-Version: 2.1\nName: secret\nVersion: 1.0\n';
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Basic ${Buffer.from('user:token').toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const http = new HttpClient({ backoffMs: 5 });
      const r = reader(http);
      await started(r);
      http.credentials.register(`http://user:token@${origin.slice('http://'.length)}/simple/`);
      const read: RemoteRead = {
        kind: 'pep658',
        url: `${origin}/files/secret-1.0-py3-none-any.whl`,
        describe: 'secret',
      };
      const answer = await r.read(read);
      expect('metadata' in answer && answer.metadata.name).toBe('secret');
      expect(r.counts.worker).toBeGreaterThanOrEqual(1);
      expect(seen).toEqual([`Basic ${Buffer.from('user:token').toString('base64')}`]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
