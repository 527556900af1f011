import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import { readBody } from '../http/body.js';
import type { HttpClient, HttpResponse } from '../http/client.js';
import { redactUrl } from '../http/credentials.js';
import type { PageCache } from '../http/page-cache.js';
import { describeLimit, SETTINGS } from '../http/settings.js';
import { checkSettingUrl, displayUrl } from '../http/urls.js';
import { acceptFiles, joinAccepted, type SkippedLink } from './accept.js';
import { normalizeName } from '../names.js';
import { parseSimpleHtml } from './html.js';
import { PEP691_JSON, parseSimpleJson } from './json.js';
import type { IndexFile } from './types.js';

// PEP 691 content negotiation: prefer JSON, accept the HTML forms.
const ACCEPT = `${PEP691_JSON}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01`;

function isUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

/** A find-links entry as a URL: local paths (absolute or relative to cwd) become file:// URLs. */
function toUrl(location: string): string {
  if (isUrl(location)) return location;
  return pathToFileURL(isAbsolute(location) ? location : resolve(location)).toString();
}

/** A project or find-links page's text, refused past `maxBytes` (HttpLimits.maxPageBytes) with the setting to raise. */
async function readPage(
  body: AsyncIterable<Uint8Array>,
  what: string,
  url: string,
  maxBytes: number,
  contentLength?: number,
): Promise<string> {
  const tooLarge = (limit: number) =>
    new ResolverError(
      'INDEX_ERROR',
      `${what} at ${displayUrl(url)} is larger than ${describeLimit('maxPageBytes', limit)}. Check the index URL, or raise ${SETTINGS.maxPageBytes.env} if the page is really that large.`,
    );
  if (contentLength !== undefined && contentLength > maxBytes) throw tooLarge(maxBytes);
  return (await readBody(body, `${what} from ${displayUrl(url)}`, maxBytes, tooLarge)).toString('utf8');
}

/**
 * Lists the files of a project across the configured sources: the index and extra indexes
 * (PEP 503 / PEP 691, over HTTP(S) or file://) and find-links (directories or HTML pages).
 */
export class IndexClient {
  private readonly indexes: string[];
  private readonly findLinks: string[];
  private findLinksFiles: Promise<IndexFile[]> | undefined;
  /** Links the pages listed that were not usable (bad filename, URL or hash), with the reason. */
  readonly skipped: SkippedLink[] = [];

  /** `pageCache`: HTTP caching of project pages (ETag / Cache-Control), e.g. under the run's cache dir. */
  constructor(
    private readonly http: HttpClient,
    config: IndexConfig,
    private readonly pageCache?: PageCache,
  ) {
    // Register credentials once; from here on only credential-free URLs are handled.
    const register = (u: string) => this.http.credentials.register(u);
    const indexes = config.noIndex
      ? []
      : [
          checkSettingUrl(config.indexUrl, 'index-url (pip.conf / PIP_INDEX_URL)'),
          ...config.extraIndexUrls.map((u) => checkSettingUrl(u, 'extra-index-url (pip.conf / PIP_EXTRA_INDEX_URL)')),
        ];
    this.indexes = indexes.map(register);
    this.findLinks = config.findLinks
      .map((f) => checkSettingUrl(toUrl(f), 'find-links (pip.conf / PIP_FIND_LINKS)'))
      .map(register);
  }

  /** Credential-free descriptions of every source, for messages. */
  describeSources(): string {
    const all = [...this.indexes, ...this.findLinks.map((f) => `find-links ${f}`)];
    return all.length ? all.join(', ') : '(no index and no find-links configured)';
  }

  async projectFiles(project: string): Promise<IndexFile[]> {
    const name = normalizeName(project);
    const pages = this.indexes.map((index) => this.projectPage(index, name));
    return joinAccepted(await Promise.all([...pages, this.allFindLinks()]));
  }

  private async projectPage(index: string, name: string): Promise<IndexFile[]> {
    // PEP 503: the project page is `<index>/<normalized name>/`.
    const pageUrl = `${index.endsWith('/') ? index : `${index}/`}${name}/`;
    const source = redactUrl(pageUrl);
    const describe = `the project page of ${name}`;
    const max = this.http.limits.maxPageBytes;
    if (pageUrl.startsWith('file:')) {
      const text = await readLocalPage(fileURLToPath(pageUrl), describe, max);
      return text === undefined ? [] : this.accept(parseSimpleHtml(text, pageUrl, source), pageUrl);
    }
    // Relative links resolve against the URL that answered, after redirects (as pip does).
    const parse = (text: string, contentType: string, finalUrl: string) =>
      this.accept(
        contentType.startsWith(PEP691_JSON)
          ? parseSimpleJson(text, finalUrl, source)
          : parseSimpleHtml(text, finalUrl, source),
        finalUrl,
      );
    const read = (res: HttpResponse) => readPage(res.body, describe, res.url, max, res.contentLength);
    if (this.pageCache) {
      const page = await this.pageCache.get(this.http, pageUrl, ACCEPT, describe, read);
      return page ? parse(page.text, page.contentType, page.url) : [];
    }
    return this.http.get(pageUrl, ACCEPT, describe, async (res) => parse(await read(res), res.contentType, res.url), {
      onNotFound: () => [],
      kind: 'page',
    });
  }

  /** Files from this module's parsers (html.ts, json.ts, a directory listing): their URLs are WHATWG-serialized. */
  private accept(files: IndexFile[], pageUrl: string): IndexFile[] {
    return acceptFiles(files, pageUrl, this.skipped, true);
  }

  private allFindLinks(): Promise<IndexFile[]> {
    this.findLinksFiles ??= Promise.all(this.findLinks.map((f) => this.findLinksEntry(f))).then(joinAccepted);
    return this.findLinksFiles;
  }

  private async findLinksEntry(location: string): Promise<IndexFile[]> {
    const max = this.http.limits.maxPageBytes;
    if (location.startsWith('file:')) {
      const path = fileURLToPath(location);
      const info = await stat(path).catch(() => undefined);
      if (!info) {
        throw new ResolverError(
          'INDEX_ERROR',
          `find-links location ${path} does not exist. Fix find-links in pip.conf / PIP_FIND_LINKS.`,
        );
      }
      if (info.isDirectory()) {
        // pip: a find-links directory offers every file in it.
        const names = (await readdir(path)).sort();
        return this.accept(
          names.map((n) => ({
            filename: n,
            url: pathToFileURL(join(path, n)).toString(),
            hashes: {},
            yanked: false,
            coreMetadata: false,
            source: location,
          })),
          location,
        );
      }
      const text = await readLocalPage(path, 'the find-links page', max);
      return text === undefined ? [] : this.accept(parseSimpleHtml(text, location, location), location);
    }
    const describe = 'the find-links page';
    return this.http.get(
      location,
      'text/html',
      describe,
      async (res) =>
        this.accept(
          parseSimpleHtml(
            await readPage(res.body, describe, res.url, max, res.contentLength),
            res.url,
            redactUrl(location),
          ),
          res.url,
        ),
      { kind: 'page' },
    );
  }
}

/** A file:// page (a project directory's `index.html`, as pip reads it, or a find-links file), at most `maxBytes`. */
async function readLocalPage(path: string, what: string, maxBytes: number): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  const file = info.isDirectory() ? join(path, 'index.html') : path;
  const page = await stat(file).catch(() => undefined);
  if (!page?.isFile()) return undefined;
  const url = pathToFileURL(file).toString();
  return readPage(createReadStream(file), what, url, maxBytes, page.size);
}
