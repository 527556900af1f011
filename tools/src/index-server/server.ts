import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { normalizeProjectName } from '../pep503/normalize.js';
import { Catalogue, type Distribution } from './catalogue.js';
import { FaultState, type FaultOptions } from './faults.js';
import { negotiateFormat, SIMPLE_JSON, TEXT_HTML, type SimpleFormat } from './negotiate.js';
import { parseRange } from './range.js';
import { projectListHtml, projectPageHtml } from './simple-html.js';
import { projectListJson, projectPageJson } from './simple-json.js';
import { fileUrlFromProjectPage, projectList, projectPage } from './simple-page.js';

export interface FixtureIndexOptions {
  /** Directory of wheels / sdists (re-read on every request, so files may be added later). */
  wheelsDir?: string;
  /** Explicit distribution files. */
  wheels?: string[];
  faults?: FaultOptions;
  /** Port on 127.0.0.1; default 0 (a free one). */
  port?: number;
  /** Link files with absolute `http://127.0.0.1:PORT/files/...` URLs (like PyPI) instead of relative ones. */
  absoluteUrls?: boolean;
}

/** One request as the index saw it, in arrival order. */
export interface RequestLog {
  method: string;
  /** Decoded pathname, e.g. `/simple/foo/`. */
  path: string;
  /** Raw request target, with query. */
  url: string;
  accept?: string;
  range?: string;
  /** Status sent; 0 when the connection was reset before any response. */
  status: number;
  /** The fault that shaped this response, if any. */
  fault?: 'status5xx' | 'resetConnection' | 'slowBody' | 'wrongContentLength';
  /** Set when the server failed internally (status 500). */
  error?: string;
}

export interface FixtureIndex {
  /** `http://127.0.0.1:PORT/simple/` */
  url: string;
  /** `http://127.0.0.1:PORT/` */
  root: string;
  /** Live log of every request (clear it with `requests.length = 0`). */
  requests: RequestLog[];
  /** Absolute URL of a served file: `http://127.0.0.1:PORT/files/<filename>`. */
  fileUrl(filename: string): string;
  /** Replace all fault knobs and reset their counters. */
  setFaults(f: FaultOptions): void;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;

/** What every exchange of one index shares. */
interface IndexState {
  catalogue: Catalogue;
  faults: FaultState;
  requests: RequestLog[];
  /** How pages link files (set once the port is known). */
  fileUrl: (filename: string) => string;
}

/** A real PEP 503 / 691 / 658 package index on 127.0.0.1 for tests. */
export async function startFixtureIndex(opts: FixtureIndexOptions): Promise<FixtureIndex> {
  const faults = new FaultState(opts.faults);
  const catalogue = new Catalogue(opts);
  // Read every distribution now, so a bad filename or path fails the test setup rather than a request.
  await catalogue.projects();
  const state: IndexState = { catalogue, faults, requests: [], fileUrl: fileUrlFromProjectPage };
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => void new Exchange(req, res, state).serve());
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const root = `http://127.0.0.1:${port}/`;
  const fileUrl = (filename: string): string => `${root}files/${encodeURIComponent(filename)}`;
  if (opts.absoluteUrls) state.fileUrl = fileUrl;
  return {
    url: `${root}simple/`,
    root,
    requests: state.requests,
    fileUrl,
    setFaults: (f) => faults.replace(f),
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolveClose());
      }),
  };
}

/** One request/response pair. */
class Exchange {
  private readonly target: URL;
  private readonly log: RequestLog;
  private readonly catalogue: Catalogue;
  private readonly faults: FaultState;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly state: IndexState,
  ) {
    this.target = new URL(req.url ?? '/', 'http://127.0.0.1');
    this.log = { method: req.method ?? 'GET', path: safeDecode(this.target.pathname), url: req.url ?? '/', status: 0 };
    if (req.headers.accept !== undefined) this.log.accept = req.headers.accept;
    if (req.headers.range !== undefined) this.log.range = req.headers.range;
    state.requests.push(this.log);
    this.catalogue = state.catalogue;
    this.faults = state.faults;
  }

  private get path(): string {
    return this.log.path;
  }

  /** Handle the request; an internal failure becomes a 500 naming it (and is kept in the log). */
  async serve(): Promise<void> {
    try {
      await this.handle();
    } catch (err) {
      this.log.error = err instanceof Error ? err.message : String(err);
      if (this.res.headersSent) this.res.destroy();
      else await this.plain(500, `fixture index error: ${this.log.error}\n`).catch(() => this.res.destroy());
    }
  }

  private async handle(): Promise<void> {
    if (this.faults.take('resetConnection', this.path)) {
      this.log.fault = 'resetConnection';
      this.req.socket.resetAndDestroy();
      return;
    }
    if (this.faults.take('status5xx', this.path)) {
      this.log.fault = 'status5xx';
      return this.plain(this.faults.current.status5xxCode ?? 503, 'injected fault: server error\n');
    }
    if (this.req.method !== 'GET' && this.req.method !== 'HEAD')
      return this.plain(405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' });

    const simple = /^\/simple(?:\/([^/]*))?(\/?)$/.exec(this.path);
    if (simple) return this.simpleRoute(simple[1], simple[2] === '/');
    const file = /^\/files\/([^/]+)$/.exec(this.path);
    if (file) return this.fileRoute(file[1]!);
    return this.plain(404, `no route for ${this.path}: use /simple/ or /files/<filename>\n`);
  }

  private async simpleRoute(name: string | undefined, trailingSlash: boolean): Promise<void> {
    if (name === undefined || name === '') {
      if (name === undefined) return this.redirect('/simple/'); // `/simple` -> `/simple/`
      const projects = projectList(await this.catalogue.projects());
      return this.page(projectListHtml(projects), projectListJson(projects));
    }
    const normalized = normalizeProjectName(name);
    // Like PyPI: a non-normalised name or missing slash redirects permanently to the canonical URL.
    if (normalized !== name || !trailingSlash) return this.redirect(`/simple/${encodeURIComponent(normalized)}/`);
    const dists = (await this.catalogue.projects()).get(normalized);
    if (dists === undefined) return this.plain(404, `no project "${normalized}" in this fixture index\n`);
    const page = projectPage(normalized, dists, { faults: this.faults, fileUrl: this.state.fileUrl });
    return this.page(projectPageHtml(page), projectPageJson(page));
  }

  private async fileRoute(filename: string): Promise<void> {
    const dist = await this.catalogue.byFilename(filename);
    if (dist) return this.serveFile(dist);
    if (filename.endsWith('.metadata')) {
      const owner = await this.catalogue.byFilename(filename.slice(0, -'.metadata'.length));
      if (owner?.metadata && !this.faults.noMetadata(owner.filename))
        return this.send(
          200,
          { 'Content-Type': 'application/octet-stream' },
          owner.metadata.byteLength,
          chunksOf(owner.metadata),
        );
    }
    return this.plain(404, `no file "${filename}" in this fixture index\n`);
  }

  private async serveFile(dist: Distribution): Promise<void> {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    const noRange = this.faults.current.noRange === true;
    if (!noRange) headers['Accept-Ranges'] = 'bytes';
    const range = noRange ? undefined : parseRange(this.req.headers.range, dist.size);
    if (range === 'unsatisfiable')
      return this.plain(416, 'range not satisfiable\n', { 'Content-Range': `bytes */${dist.size}` });
    if (range === undefined)
      return this.send(200, headers, dist.size, () => createReadStream(dist.path, { highWaterMark: CHUNK }));
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${dist.size}`;
    const { start, end } = range;
    return this.send(206, headers, end - start + 1, () =>
      createReadStream(dist.path, { start, end, highWaterMark: CHUNK }),
    );
  }

  private page(html: string, json: string): Promise<void> {
    // PyPI also accepts ?format=<content type>, which overrides the Accept header.
    const format = negotiateFormat(this.target.searchParams.get('format') ?? this.req.headers.accept);
    if (format === undefined)
      return this.plain(406, `acceptable types: ${SIMPLE_JSON}, application/vnd.pypi.simple.v1+html, ${TEXT_HTML}\n`);
    const body = Buffer.from(format === SIMPLE_JSON ? json : html, 'utf8');
    return this.send(200, { 'Content-Type': contentType(format), Vary: 'Accept' }, body.byteLength, chunksOf(body));
  }

  private redirect(location: string): Promise<void> {
    return this.plain(301, `moved to ${location}\n`, { Location: location + this.target.search });
  }

  private plain(status: number, text: string, extra: Record<string, string> = {}): Promise<void> {
    const body = Buffer.from(text, 'utf8');
    return this.send(
      status,
      { 'Content-Type': 'text/plain; charset=utf-8', ...extra },
      body.byteLength,
      chunksOf(body),
    );
  }

  /** Send a response, applying the body faults (slow chunks, wrong Content-Length). */
  private async send(
    status: number,
    headers: Record<string, string>,
    length: number,
    body: () => AsyncIterable<Buffer>,
  ): Promise<void> {
    const res = this.res;
    const wrongLength = this.faults.take('wrongContentLength', this.path);
    const slowMs = this.faults.slowBodyMs(this.path);
    if (wrongLength) this.log.fault = 'wrongContentLength';
    else if (slowMs > 0) this.log.fault = 'slowBody';
    this.log.status = status;
    res.writeHead(status, {
      ...headers,
      'Content-Length': String(wrongLength ? length + 1 : length),
      ...(wrongLength ? { Connection: 'close' } : {}),
    });
    if (this.req.method === 'HEAD') {
      res.end();
      return;
    }
    if (slowMs > 0) res.flushHeaders();
    for await (const chunk of body()) {
      if (slowMs > 0) await sleep(slowMs);
      if (res.destroyed) return;
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    // A body shorter than its Content-Length: close the connection so the client sees the truncation.
    if (wrongLength) res.end(() => this.req.socket.destroy());
    else res.end();
  }
}

function chunksOf(bytes: Buffer): () => AsyncIterable<Buffer> {
  return async function* () {
    for (let i = 0; i < bytes.byteLength; i += CHUNK) yield bytes.subarray(i, i + CHUNK);
  };
}

function contentType(format: SimpleFormat): string {
  return format === TEXT_HTML ? 'text/html; charset=utf-8' : format;
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
