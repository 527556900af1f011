import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { commit, removeTemp, tempPathBeside } from '@nx-pex/common';
import { pathInside } from '../cache/paths.js';
import { cacheError } from '../cache/wheel-cache.js';
import type { HttpClient, HttpResponse } from './client.js';
import { redactUrl } from './credentials.js';

/** A cached index page: the body with what is needed to reuse (max-age) or revalidate (ETag / Last-Modified) it. */
interface Entry {
  url: string;
  /** The URL that answered after redirects (credential-free): links on the page are relative to it. */
  finalUrl?: string;
  accept: string;
  contentType: string;
  text: string;
  etag?: string;
  lastModified?: string;
  /** Epoch ms until which the page is fresh without asking (Cache-Control max-age); 0: always revalidate. */
  freshUntil: number;
}

export interface CachedPage {
  text: string;
  contentType: string;
  /** The URL that answered after redirects (credential-free). */
  url: string;
}

/**
 * HTTP caching of index pages on disk (`<dir>/<aa>/<sha256>.json`, keyed by the URL without
 * credentials and the Accept header): a page within its `Cache-Control: max-age` is reused without a
 * request; otherwise `If-None-Match` / `If-Modified-Since` are sent and a 304 reuses the stored body.
 * `no-store` pages are not kept; `no-cache` ones are always revalidated. Credentials are never stored.
 */
export class PageCache {
  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  private path(url: string, accept: string): string {
    const key = createHash('sha256')
      .update(`${redactUrl(url)}\n${accept}`)
      .digest('hex');
    return pathInside(this.dir, [key.slice(0, 2), `${key}.json`]);
  }

  private async read(path: string): Promise<Entry | undefined> {
    try {
      const entry = JSON.parse(await readFile(path, 'utf8')) as Partial<Entry> | null;
      // A damaged or foreign entry is a miss, never a crash.
      const ok =
        typeof entry?.text === 'string' &&
        typeof entry.contentType === 'string' &&
        typeof entry.url === 'string' &&
        typeof entry.freshUntil === 'number';
      return ok ? (entry as Entry) : undefined;
    } catch {
      return undefined; // absent or damaged: fetch anew
    }
  }

  private async write(path: string, entry: Entry): Promise<void> {
    const temp = tempPathBeside(path);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temp, JSON.stringify(entry));
      await commit(temp, path);
    } catch (err) {
      await removeTemp(temp);
      throw cacheError(this.dir, err, path);
    }
  }

  /** GET `url` through the cache; `read` turns a 200 body into text. Undefined when the server says 404. */
  async get(
    http: HttpClient,
    url: string,
    accept: string,
    describe: string,
    read: (res: HttpResponse) => Promise<string>,
  ): Promise<CachedPage | undefined> {
    const path = this.path(url, accept);
    const cached = await this.read(path);
    if (cached && cached.freshUntil > this.now()) return page(cached);
    const conditional: Record<string, string> = {};
    if (cached?.etag) conditional['if-none-match'] = cached.etag;
    if (cached?.lastModified) conditional['if-modified-since'] = cached.lastModified;
    return http.get(
      url,
      accept,
      describe,
      async (res) => {
        const policy = cachePolicy(res.headers, this.now());
        if (res.statusCode === 304 && cached) {
          await res.discard();
          const renewed: Entry = {
            ...cached,
            finalUrl: res.url,
            freshUntil: policy.freshUntil,
            ...validators(res.headers, cached),
          };
          if (policy.store) await this.write(path, renewed);
          return page(renewed);
        }
        const text = await read(res);
        const entry: Entry = {
          url: redactUrl(url),
          finalUrl: res.url,
          accept,
          contentType: res.contentType,
          text,
          freshUntil: policy.freshUntil,
          ...validators(res.headers),
        };
        if (policy.store && (entry.freshUntil > 0 || entry.etag || entry.lastModified)) await this.write(path, entry);
        return page(entry);
      },
      { onNotFound: () => undefined, headers: conditional, kind: 'page' },
    );
  }
}

function page(entry: Entry): CachedPage {
  return { text: entry.text, contentType: entry.contentType, url: entry.finalUrl ?? entry.url };
}

function header(headers: HttpResponse['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function validators(headers: HttpResponse['headers'], previous?: Entry): { etag?: string; lastModified?: string } {
  const etag = header(headers, 'etag') ?? previous?.etag;
  const lastModified = header(headers, 'last-modified') ?? previous?.lastModified;
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

function cachePolicy(headers: HttpResponse['headers'], now: number): { store: boolean; freshUntil: number } {
  const directives = (header(headers, 'cache-control') ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store')) return { store: false, freshUntil: 0 };
  if (directives.includes('no-cache')) return { store: true, freshUntil: 0 };
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)).find(Boolean);
  if (!maxAge) return { store: true, freshUntil: 0 };
  const age = Number(header(headers, 'age') ?? 0) || 0;
  const seconds = Number(maxAge[1]) - age;
  return { store: true, freshUntil: seconds > 0 ? now + seconds * 1000 : 0 };
}
