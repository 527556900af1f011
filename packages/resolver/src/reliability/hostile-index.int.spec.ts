// Issue 11, against hostile servers on 127.0.0.1 (tools' startHostileServer) and file:// sources:
// traversal links, endless and dripping bodies, huge pages, redirect loops, relative links after a
// redirect, a 414 with a huge URL, an unusable cache, and cache files deleted during a build.
import { rmSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  buildWheel,
  drip,
  endless,
  redirectTo,
  respond,
  startHostileServer,
  type HostileRoute,
  type HostileServer,
} from '@nx-pex/tools';
import { afterEach, describe, expect, it } from 'vitest';
import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import { fetchArtifacts } from '../fetch/fetch-artifacts.js';
import { HttpClient } from '../http/client.js';
import { IndexClient } from '../index/client.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { fetchLocked } from '../lock/fetch-locked.js';
import { formatLock } from '../lock/format.js';
import { resolveLock } from '../lock/resolve-lock.js';
import { fixtureSuite } from '../testing/fixture-suite.js';

const target: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 11, 7],
  tags: ['py3-none-any'],
  markers: { python_version: '3.11', sys_platform: 'linux' },
};
const config = (indexUrl: string, extra: Partial<IndexConfig> = {}): IndexConfig => ({
  indexUrl,
  extraIndexUrls: [],
  findLinks: [],
  noIndex: false,
  ...extra,
});
const FAST: { retries: number; backoffMs: number; netrc: false; env: Record<string, string> } = {
  retries: 0,
  backoffMs: 1,
  netrc: false,
  env: {},
};
const WHEEL = 'pkg-1.0-py3-none-any.whl';

let wheel: { path: string; sha256: string; size: number; bytes: Buffer };
const suite = fixtureSuite('nx-pex-hostile-', async (dir) => {
  const built = await buildWheel(
    { name: 'pkg', version: '1.0', modules: { 'pkg/__init__.py': 'X = 1\n', 'pkg/blob.txt': 'y'.repeat(200_000) } },
    dir,
  );
  wheel = { ...built, bytes: await readFile(built.path) };
});

const servers: HostileServer[] = [];
async function serve(routes: Record<string, HostileRoute>): Promise<HostileServer> {
  const server = await startHostileServer(routes);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const wheelRoute = (): HostileRoute => respond(200, wheel.bytes, { 'Content-Type': 'application/octet-stream' });
const locked = (url: string, size = wheel.size) => [
  { name: 'pkg', version: '1.0', filename: WHEEL, url, sha256: wheel.sha256, size },
];
const link = (href: string, text = 'x') => `<a href="${href}">${text}</a>`;

/** What `fn` threw: it must be a ResolverError (an untyped crash fails the test). */
async function failure(fn: () => Promise<unknown>): Promise<ResolverError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ResolverError)) throw new Error(`expected a ResolverError, got ${String(err)}`, { cause: err });
  return err;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}
async function tempFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const f of walk(dir)) if (f.endsWith('.tmp')) found.push(f);
  return found;
}

describe('traversal names from an index never become paths or lock entries', () => {
  it('skips a %2F../ platform tag (HTML and JSON pages); the lock records only the valid wheel', async () => {
    const evil = `pkg-2.0-py3-none-..%2F..%2F..%2F..%2Fhostile-escape.whl#sha256=${wheel.sha256}`;
    const html = [link(`../../files/${WHEEL}#sha256=${wheel.sha256}`), link(`../../files/${evil}`)].join('\n');
    const json = JSON.stringify({
      meta: { 'api-version': '1.1' },
      files: [
        { filename: WHEEL, url: `../../files/${WHEEL}`, hashes: { sha256: wheel.sha256 } },
        {
          filename: 'pkg-2.0-py3-none-../../../../hostile-escape.whl',
          url: '../../files/evil.whl',
          hashes: { sha256: wheel.sha256 },
        },
      ],
    });
    for (const [page, type] of [
      [html, 'text/html'],
      [json, 'application/vnd.pypi.simple.v1+json'],
    ] as const) {
      const server = await serve({
        '/simple/pkg/': respond(200, page, { 'Content-Type': type }),
        [`/files/${WHEEL}`]: wheelRoute(),
        '/files/*': wheelRoute(),
      });
      const lock = await resolveLock({
        roots: { app: ['pkg'] },
        index: config(`${server.origin}/simple/`),
        targets: [target],
        cacheDir: suite.cacheDir,
        http: FAST,
      });
      const text = formatLock(lock);
      expect(lock.packages.map((p) => [p.name, p.version])).toEqual([['pkg', '1.0']]);
      expect(text).not.toMatch(/hostile-escape|\.\.\//);
      await expect(stat(join(dirname(suite.cacheDir), 'hostile-escape.whl'))).rejects.toThrow();
      expect(server.requests.filter((p) => p.includes('escape'))).toEqual([]);
    }
  });

  it('fetchLocked refuses a traversal filename handed to it directly (INVALID_FILENAME)', async () => {
    const err = await failure(() =>
      fetchLocked(
        [
          {
            name: 'pkg',
            version: '1.0',
            filename: '../../pkg-1.0-py3-none-any.whl',
            url: pathToFileURL(wheel.path).toString(),
            sha256: wheel.sha256,
          },
        ],
        { cacheDir: suite.cacheDir },
      ),
    );
    expect(err.code).toBe('INVALID_FILENAME');
  });
});

describe('downloads stop at the recorded or advertised size, temp files removed', () => {
  it("an HTTP body that never ends is cut at the lock's size", async () => {
    const server = await serve({ [`/files/${WHEEL}`]: endless() });
    const err = await failure(() =>
      fetchLocked(locked(`${server.origin}/files/${WHEEL}`), { cacheDir: suite.cacheDir, http: FAST }),
    );
    expect(err.code).toBe('INDEX_ERROR');
    expect(err.message).toMatch(/goes on past \d+ bytes, more than its recorded size allows/);
    expect(await tempFiles(suite.cacheDir)).toEqual([]);
  });

  /** Resolve `pkg` from a JSON page listing one wheel (`size`: PEP 700) whose download never ends. */
  async function endlessFromPage(size: number | undefined, http: typeof FAST): Promise<ResolverError> {
    const json = JSON.stringify({
      meta: { 'api-version': size === undefined ? '1.0' : '1.1' },
      files: [{ filename: WHEEL, url: `/files/${WHEEL}`, hashes: { sha256: wheel.sha256 }, size }],
    });
    const server = await serve({
      '/simple/pkg/': respond(200, json, { 'Content-Type': 'application/vnd.pypi.simple.v1+json' }),
      [`/files/${WHEEL}`]: endless(),
      [`/files/${WHEEL}.metadata`]: respond(404, ''),
    });
    return failure(() =>
      fetchArtifacts({
        requirements: ['pkg'],
        index: config(`${server.origin}/simple/`),
        target,
        cacheDir: suite.cacheDir,
        http,
      }),
    );
  }

  it('a PEP 700 size on a JSON page bounds the download too', async () => {
    const err = await endlessFromPage(wheel.size, FAST);
    expect(err.message).toMatch(/goes on past/);
    expect(await tempFiles(suite.cacheDir)).toEqual([]);
  });

  it('without a recorded or advertised size, a download is cut at NX_PEX_FILE_MAX_BYTES', async () => {
    const err = await endlessFromPage(undefined, { ...FAST, env: { NX_PEX_FILE_MAX_BYTES: '300000' } });
    expect(err.code).toBe('INDEX_ERROR');
    expect(err.message).toMatch(
      /goes on past 300000 bytes, the most a file may have \(300000 bytes \(NX_PEX_FILE_MAX_BYTES\)\)/,
    );
    expect(await tempFiles(suite.cacheDir)).toEqual([]);
  });

  it('file:// sources: a device is refused, a file longer than recorded is cut off', async () => {
    const device = await failure(() => fetchLocked(locked('file:///dev/zero'), { cacheDir: suite.cacheDir }));
    expect(device.message).toMatch(/is not a regular file/);
    const big = join(suite.work, `big-${WHEEL}`);
    await writeFile(big, Buffer.alloc(wheel.size + 1_000_000));
    const long = await failure(() => fetchLocked(locked(pathToFileURL(big).toString()), { cacheDir: suite.cacheDir }));
    expect(long.message).toMatch(/goes on past/);
    expect(await tempFiles(suite.cacheDir)).toEqual([]);
  });
});

describe('deadlines and page size caps', () => {
  it('gives up on a page that drips one byte every 2 s (total deadline, not per read)', async () => {
    const server = await serve({ '/simple/pkg/': drip(link(WHEEL).repeat(10), 2_000) });
    const err = await failure(() =>
      fetchArtifacts({
        requirements: ['pkg'],
        index: config(`${server.origin}/simple/`),
        target,
        cacheDir: suite.cacheDir,
        http: { ...FAST, pageDeadlineMs: 1_000 },
      }),
    );
    expect(err.code).toBe('INDEX_ERROR');
    expect(err.message).toMatch(
      /^Gave up on the project page of pkg from http:\/\/127\.0\.0\.1:\d+\/simple\/pkg\/: not done within 1 s \(NX_PEX_PAGE_TIMEOUT\)/,
    );
  });

  it('gives up on a dripping download and keeps no temp file', async () => {
    const server = await serve({ [`/files/${WHEEL}`]: drip('x'.repeat(1000), 200, 'application/octet-stream') });
    const err = await failure(() =>
      fetchLocked(locked(`${server.origin}/files/${WHEEL}`), {
        cacheDir: suite.cacheDir,
        http: { ...FAST, deadlineMs: 1_000 },
      }),
    );
    expect(err.message).toMatch(/^Gave up on .* \(NX_PEX_HTTP_TIMEOUT\)/);
    expect(await tempFiles(suite.cacheDir)).toEqual([]);
  });

  it('refuses a page larger than the cap, with or without Content-Length, naming the URL and the setting', async () => {
    const page = link(WHEEL).repeat(100_000);
    const chunked: HostileRoute = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(page);
    };
    const server = await serve({ '/a/pkg/': respond(200, page), '/b/pkg/': chunked });
    for (const prefix of ['a', 'b']) {
      const err = await failure(() =>
        fetchArtifacts({
          requirements: ['pkg'],
          index: config(`${server.origin}/${prefix}/`),
          target,
          cacheDir: suite.cacheDir,
          http: { ...FAST, maxPageBytes: 1_000_000 },
        }),
      );
      expect(err.message).toBe(
        `the project page of pkg at ${server.origin}/${prefix}/pkg/ is larger than 1000000 bytes (NX_PEX_PAGE_MAX_BYTES). Check the index URL, or raise NX_PEX_PAGE_MAX_BYTES if the page is really that large.`,
      );
    }
  });

  it('reads a page with an out-of-range numeric entity (U+FFFD, as Python) instead of crashing', async () => {
    const page = `<a href="../../files/${WHEEL}#sha256=${wheel.sha256}" data-requires-python="&gt;=3&#99999999999;">&#99999999999;</a>`;
    const server = await serve({ '/simple/pkg/': respond(200, page), [`/files/${WHEEL}`]: wheelRoute() });
    const [got] = await fetchArtifacts({
      requirements: ['pkg'],
      index: config(`${server.origin}/simple/`),
      target,
      cacheDir: suite.cacheDir,
      http: FAST,
    });
    expect(got?.filename).toBe(WHEEL);
  });
});

describe('redirects and error messages', () => {
  const files = (index: string, http = {}) => {
    const client = new HttpClient({ ...FAST, ...http });
    return new IndexClient(client, config(index)).projectFiles('pkg').finally(() => client.close());
  };

  it('names a redirect loop and a redirect chain that is too long (instead of "no files usable")', async () => {
    const server = await serve({
      '/loop/pkg/': redirectTo('/other/pkg/'),
      '/other/pkg/': redirectTo('/loop/pkg/'),
      '/chain/*': (req, res) => {
        const n = Number(/(\d+)\/$/.exec(req.url ?? '')?.[1] ?? 0);
        res.writeHead(302, { Location: `/chain/pkg/${n + 1}/` }).end();
      },
    });
    await expect(files(`${server.origin}/loop/`)).rejects.toMatchObject({
      code: 'INDEX_ERROR',
      message: expect.stringMatching(/is a redirect loop \(.*\/loop\/pkg\/ → .*\/other\/pkg\/ → .*\/loop\/pkg\/\)/),
    });
    await expect(files(`${server.origin}/chain/`)).rejects.toMatchObject({
      code: 'INDEX_ERROR',
      message: expect.stringMatching(/redirected more than 10 times/),
    });
  });

  it('resolves relative links against the URL after redirects (as pip), also from the page cache', async () => {
    const page = link(`../../files/${WHEEL}#sha256=${wheel.sha256}`);
    const server = await serve({
      '/old/pkg/': redirectTo('/new/simple/pkg/', 301),
      '/new/simple/pkg/': respond(200, page, { 'Content-Type': 'text/html', 'Cache-Control': 'max-age=600' }),
      [`/new/files/${WHEEL}`]: wheelRoute(),
    });
    const run = () =>
      fetchArtifacts({
        requirements: ['pkg'],
        index: config(`${server.origin}/old/`),
        target,
        cacheDir: suite.cacheDir,
        http: FAST,
      });
    expect((await run())[0]?.url).toBe(`${server.origin}/new/files/${WHEEL}`);
    await rm(join(suite.cacheDir, 'wheels'), { recursive: true });
    server.requests.length = 0;
    expect((await run())[0]?.url).toBe(`${server.origin}/new/files/${WHEEL}`);
    expect(server.requests.filter((p) => !p.startsWith('/new/files/'))).toEqual([]); // page from the cache, links still right
  });

  it('a 414 does not echo a huge URL, nor credentials', async () => {
    const server = await serve({ '/files/*': respond(414, 'URI Too Long') });
    const url = `${server.origin.replace('//', '//tok:s3cret@')}/files/${WHEEL}?${'q'.repeat(12_000)}`;
    const err = await failure(() => fetchLocked(locked(url), { cacheDir: suite.cacheDir, http: FAST }));
    expect(err.message).toMatch(/^HTTP 414 fetching/);
    expect(err.message.length).toBeLessThan(600);
    expect(err.message).not.toContain('s3cret');
  });
});

describe('the artifact cache', () => {
  it('an unusable cache directory is CACHE_ERROR naming the file and NX_PEX_CACHE_DIR', async () => {
    const server = await serve({
      '/simple/pkg/': respond(200, link(`../../files/${WHEEL}#sha256=${wheel.sha256}`), {
        'Content-Type': 'text/html',
        ETag: '"1"',
      }),
      [`/files/${WHEEL}`]: wheelRoute(),
    });
    const notADir = join(suite.work, 'cache-is-a-file');
    await writeFile(notADir, '');
    const err = await failure(() =>
      fetchArtifacts({
        requirements: ['pkg'],
        index: config(`${server.origin}/simple/`),
        target,
        cacheDir: notADir,
        http: FAST,
      }),
    );
    expect(err.code).toBe('CACHE_ERROR');
    expect(err.message).toMatch(
      new RegExp(
        `^Could not write ${notADir}/\\S+ in the artifact cache ${notADir}(/http)?: .*\\(ENOTDIR\\)\\. .*NX_PEX_CACHE_DIR`,
      ),
    );
  });

  it('fetches again when the cache is deleted during a download', async () => {
    const server = await serve({
      '/simple/pkg/': respond(200, link(`../../files/${WHEEL}#sha256=${wheel.sha256}`)),
      [`/files/${WHEEL}`]: wheelRoute(),
    });
    let deleted = false;
    const [got] = await fetchArtifacts({
      requirements: ['pkg'],
      index: config(`${server.origin}/simple/`),
      target,
      cacheDir: suite.cacheDir,
      http: FAST,
      onProgress: (p) => {
        if (p.phase === 'download' && p.bytes && !deleted) {
          deleted = true;
          rmSync(join(suite.cacheDir, 'wheels'), { recursive: true, force: true });
        }
      },
    });
    expect(deleted).toBe(true);
    expect((await stat(got!.path)).size).toBe(wheel.size);
    expect(server.requests.filter((p) => p.startsWith('/files/')).length).toBeGreaterThanOrEqual(1);
  });

  it('cache files deleted over and over during builds: each build succeeds or says so (CACHE_ERROR), never a raw ENOENT', async () => {
    const server = await serve({
      '/simple/pkg/': respond(200, link(`../../files/${WHEEL}#sha256=${wheel.sha256}`)),
      [`/files/${WHEEL}`]: wheelRoute(),
    });
    let running = true;
    const cleaner = (async () => {
      while (running) {
        // ENOTEMPTY when a download creates files while rm walks: the cleaner's race, not the product's.
        await rm(join(suite.cacheDir, 'wheels'), { recursive: true, force: true }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const result = await fetchArtifacts({
          requirements: ['pkg'],
          index: config(`${server.origin}/simple/`),
          target,
          cacheDir: suite.cacheDir,
          http: FAST,
        }).then(
          () => 'ok',
          (e: unknown) => e,
        );
        if (result !== 'ok' && !(result instanceof ResolverError && result.code === 'CACHE_ERROR')) throw result;
        outcomes.push(result === 'ok' ? 'ok' : 'CACHE_ERROR');
      }
    } finally {
      running = false;
      await cleaner;
    }
    expect(outcomes).toHaveLength(8);
  });
});
