import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { redactUrl } from '../http/credentials.js';
import type { PageCache } from '../http/page-cache.js';
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

async function readStream(body: AsyncIterable<Uint8Array>, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
  } catch (err) {
    // A page that breaks off (truncated, reset) is an index failure with a message, not a raw socket error.
    throw new ResolverError('INDEX_ERROR', `Reading ${what} broke off (${err instanceof Error ? err.message : String(err)}). Check that the index is reachable, or retry later.`, { cause: err });
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Lists the files of a project across the configured sources: the index and extra indexes
 * (PEP 503 / PEP 691, over HTTP(S) or file://) and find-links (directories or HTML pages).
 */
export class IndexClient {
  private readonly indexes: string[];
  private readonly findLinks: string[];
  private findLinksFiles: Promise<IndexFile[]> | undefined;

  /** `pageCache`: HTTP caching of project pages (ETag / Cache-Control), e.g. under the run's cache dir. */
  constructor(private readonly http: HttpClient, config: IndexConfig, private readonly pageCache?: PageCache) {
    // Register credentials once; from here on only credential-free URLs are handled.
    const register = (u: string) => this.http.credentials.register(u);
    this.indexes = config.noIndex ? [] : [config.indexUrl, ...config.extraIndexUrls].map(register);
    this.findLinks = config.findLinks.map(toUrl).map(register);
  }

  /** Credential-free descriptions of every source, for messages. */
  describeSources(): string {
    const all = [...this.indexes, ...this.findLinks.map((f) => `find-links ${f}`)];
    return all.length ? all.join(', ') : '(no index and no find-links configured)';
  }

  async projectFiles(project: string): Promise<IndexFile[]> {
    const name = normalizeName(project);
    const pages = this.indexes.map((index) => this.projectPage(index, name));
    const lists = await Promise.all([...pages, this.allFindLinks()]);
    return lists.flat();
  }

  private async projectPage(index: string, name: string): Promise<IndexFile[]> {
    // PEP 503: the project page is `<index>/<normalized name>/`.
    const pageUrl = `${index.endsWith('/') ? index : `${index}/`}${name}/`;
    const source = redactUrl(pageUrl);
    if (pageUrl.startsWith('file:')) {
      const text = await readLocalPage(fileURLToPath(pageUrl));
      return text === undefined ? [] : parseSimpleHtml(text, pageUrl, source);
    }
    const describe = `the project page of ${name}`;
    const parse = (text: string, contentType: string) =>
      contentType.startsWith(PEP691_JSON) ? parseSimpleJson(text, pageUrl, source) : parseSimpleHtml(text, pageUrl, source);
    if (this.pageCache) {
      const page = await this.pageCache.get(this.http, pageUrl, ACCEPT, describe, (res) => readStream(res.body, `${describe} from ${source}`));
      return page ? parse(page.text, page.contentType) : [];
    }
    return this.http.get(pageUrl, ACCEPT, describe, async (res) => parse(await readStream(res.body, `${describe} from ${source}`), res.contentType), () => []);
  }

  private allFindLinks(): Promise<IndexFile[]> {
    this.findLinksFiles ??= Promise.all(this.findLinks.map((f) => this.findLinksEntry(f))).then((l) => l.flat());
    return this.findLinksFiles;
  }

  private async findLinksEntry(location: string): Promise<IndexFile[]> {
    if (location.startsWith('file:')) {
      const path = fileURLToPath(location);
      const info = await stat(path).catch(() => undefined);
      if (!info) {
        throw new ResolverError('INDEX_ERROR', `find-links location ${path} does not exist. Fix find-links in pip.conf / PIP_FIND_LINKS.`);
      }
      if (info.isDirectory()) {
        // pip: a find-links directory offers every file in it.
        const names = (await readdir(path)).sort();
        return names.map((n) => ({ filename: n, url: pathToFileURL(join(path, n)).toString(), hashes: {}, yanked: false, coreMetadata: false, source: location }));
      }
      return parseSimpleHtml(await readFile(path, 'utf8'), location, location);
    }
    return this.http.get(location, 'text/html', 'the find-links page', async (res) => parseSimpleHtml(await readStream(res.body, `the find-links page ${redactUrl(location)}`), location, redactUrl(location)));
  }
}

/** A file:// project page is `index.html` inside the project directory (as pip reads it). */
async function readLocalPage(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  return readFile(info.isDirectory() ? join(path, 'index.html') : path, 'utf8').catch(() => undefined);
}
