import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import { Credentials, redactUrl } from './credentials.js';
import { loadNetrc } from './netrc.js';
import { describeLimit, httpLimits, SETTINGS, type HttpLimits } from './settings.js';
import { displayUrl, urlProblem } from './urls.js';

export interface HttpOptions extends Partial<HttpLimits> {
  /** Extra attempts after the first on 5xx, 429, resets and timeouts (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled each attempt (default 250). */
  backoffMs?: number;
  /** Connect, header and idle-body timeout in ms (default 30 000); `deadlineMs` / `pageDeadlineMs` bound the whole request. */
  timeoutMs?: number;
  /** `.netrc` file for hosts without credentials in their URL (default `$NETRC`, else `~/.netrc`); false: none. */
  netrc?: string | false;
  /** PEM text of the CA certificates to trust instead of Node's defaults (pip's `cert` / `PIP_CERT`). */
  ca?: string;
  /** Where HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case), NETRC and the NX_PEX_* limits are read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export interface HttpResponse {
  statusCode: number;
  contentType: string;
  body: AsyncIterable<Uint8Array>;
  contentLength?: number;
  /** `Content-Range` of a 206 answer. */
  contentRange?: string;
  /** Response headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** The URL that answered, after redirects, without credentials: relative links resolve against it (as pip does). */
  url: string;
  /** Drop the rest of the body (e.g. a 200 where a range was asked for). */
  discard(): Promise<void>;
}

export interface GetOptions<T> {
  /** A 404 is this answer (PEP 503: the index has no such project), not an error. */
  onNotFound?: () => T;
  headers?: Record<string, string>;
  /** `page` (project pages, find-links pages, metadata): the page deadline; `file` (default): the download deadline. */
  kind?: 'page' | 'file';
}

/** Thrown inside the retry loop for conditions worth another attempt. */
class Retryable extends Error {}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * Worth another attempt: a retryable status, or a network failure — also one met while `consume`
 * read the body (a download that broke off), which arrives wrapped in the reader's own error.
 */
function isRetryable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Retryable) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  }
  return false;
}

// pip (requests) follows up to 30 redirects; an index needs one or two (name normalisation, a CDN).
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** HTTP GET with credentials, redirects, timeouts, a total deadline and bounded retries with exponential backoff. */
export class HttpClient {
  readonly credentials: Credentials;
  readonly limits: HttpLimits;
  /** undici is loaded on the first request: a build whose artifacts are all cached never pays for it. */
  private connection?: Promise<{ dispatcher: Dispatcher; request: typeof import('undici').request }>;
  private readonly openConnection: () => Promise<{ dispatcher: Dispatcher; request: typeof import('undici').request }>;
  private readonly retries: number;
  private readonly backoffMs: number;

  constructor(options: HttpOptions = {}) {
    const timeout = options.timeoutMs ?? 30_000;
    const env = options.env ?? process.env;
    this.limits = httpLimits(options, env);
    this.credentials = new Credentials(loadNetrc(options.netrc, env));
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    const tls = options.ca ? { ca: options.ca } : {};
    const base = {
      connectTimeout: timeout,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connect: { timeout, ...tls },
    };
    const proxy = proxySettings(env);
    // Redirects are followed here, not by undici, so the final URL is known and loops are named.
    this.openConnection = async () => {
      const { Agent, EnvHttpProxyAgent, request } = await import('undici');
      return {
        dispatcher: proxy
          ? new EnvHttpProxyAgent({ ...base, ...proxy, requestTls: tls, proxyTls: tls })
          : new Agent(base),
        request,
      };
    };
  }

  /**
   * GET `url` and hand the response to `consume`; a retryable failure anywhere (status or body
   * stream) re-runs the whole request, within one total deadline (`kind`). `describe` says what was
   * being fetched, for error messages.
   */
  async get<T>(
    url: string,
    accept: string,
    describe: string,
    consume: (res: HttpResponse) => Promise<T>,
    options: GetOptions<T> = {},
  ): Promise<T> {
    const invalid = urlProblem(url, ['http:', 'https:']);
    if (invalid)
      throw new ResolverError(
        'INDEX_ERROR',
        `Cannot fetch ${describe}: ${displayUrl(url)} ${invalid}. Fix the index URL, find-links or the lock entry it came from.`,
      );
    const headers: Record<string, string> = { ...options.headers, accept, 'user-agent': 'nx-pex-resolver' };
    const deadlineKey = options.kind === 'page' ? 'pageDeadlineMs' : 'deadlineMs';
    const signal = AbortSignal.timeout(this.limits[deadlineKey]);
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      try {
        if (attempt > 0) await sleep(this.backoffMs * 2 ** (attempt - 1), undefined, { signal });
        const { res, finalUrl } = await this.follow(url, headers, describe, signal);
        if (res.statusCode >= 500 || res.statusCode === 429) {
          await res.body.dump();
          throw new Retryable(`HTTP ${res.statusCode}`);
        }
        if (res.statusCode === 404 && options.onNotFound) {
          await res.body.dump();
          return options.onNotFound();
        }
        if (res.statusCode >= 400) {
          await res.body.dump();
          throw httpError(res.statusCode, finalUrl, describe);
        }
        const type = res.headers['content-type'];
        const length = Number(res.headers['content-length']);
        const range = res.headers['content-range'];
        return await consume({
          statusCode: res.statusCode,
          contentType: (Array.isArray(type) ? type[0] : type) ?? '',
          body: res.body,
          headers: res.headers,
          url: finalUrl,
          discard: async () => {
            // Aborting emits an AbortError on the stream: expected here, not a failure.
            res.body.on('error', () => undefined);
            res.body.destroy();
          },
          ...(Number.isFinite(length) ? { contentLength: length } : {}),
          ...(typeof range === 'string' ? { contentRange: range } : {}),
        });
      } catch (err) {
        if (signal.aborted) {
          throw new ResolverError(
            'INDEX_ERROR',
            `Gave up on ${describe} from ${displayUrl(url)}: not done within ${describeLimit(deadlineKey, this.limits[deadlineKey])}, the total time allowed per request. The server is stalled or too slow; retry later or raise ${SETTINGS[deadlineKey].env}.`,
            { cause: err },
          );
        }
        if (!isRetryable(err)) throw tlsError(err, url, describe) ?? err;
        lastError = err;
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new ResolverError(
      'INDEX_ERROR',
      `Could not fetch ${describe} from ${displayUrl(url)} after ${this.retries + 1} attempts (${reason}). Check that the index is reachable, or retry later.`,
      { cause: lastError },
    );
  }

  /** One GET, following redirects (credentials per hop's origin); a loop or more than MAX_REDIRECTS is an INDEX_ERROR saying so. */
  private async follow(
    url: string,
    base: Record<string, string>,
    describe: string,
    signal: AbortSignal,
  ): Promise<{ res: Dispatcher.ResponseData; finalUrl: string }> {
    this.connection ??= this.openConnection();
    const { dispatcher, request } = await this.connection;
    const chain = [redactUrl(url)];
    let current = url;
    for (;;) {
      const headers = { ...base };
      const auth = this.credentials.authorization(current);
      if (auth) headers.authorization = auth;
      const res = await request(redactUrl(current), { method: 'GET', headers, dispatcher, signal });
      if (!REDIRECTS.has(res.statusCode)) return { res, finalUrl: redactUrl(current) };
      await res.body.dump();
      const location = res.headers.location;
      const redirect = (problem: string) =>
        new ResolverError(
          'INDEX_ERROR',
          `${describe}: ${displayUrl(url)} ${problem}. Fix the index URL or the server's redirects.`,
        );
      let next: string;
      try {
        next = new URL(String(Array.isArray(location) ? location[0] : (location ?? '')), current).toString();
      } catch {
        throw redirect(`answered HTTP ${res.statusCode} without a usable Location`);
      }
      const problem = urlProblem(next, ['http:', 'https:']);
      if (problem) throw redirect(`redirects to ${displayUrl(next)}, which ${problem}`);
      const shown = redactUrl(next);
      if (chain.includes(shown))
        throw redirect(`is a redirect loop (${[...chain, shown].map(displayUrl).join(' → ')})`);
      chain.push(shown);
      if (chain.length > MAX_REDIRECTS + 1)
        throw redirect(`redirected more than ${MAX_REDIRECTS} times (last to ${displayUrl(next)})`);
      current = next;
    }
  }

  async close(): Promise<void> {
    if (this.connection) await (await this.connection).dispatcher.close();
  }
}

function httpError(status: number, url: string, describe: string): ResolverError {
  const hint =
    status === 401 || status === 403
      ? 'Check the credentials in the index URL (https://user:token@host/...) or your pip configuration.'
      : 'Check the index URL and the project name.';
  return new ResolverError('INDEX_ERROR', `HTTP ${status} fetching ${describe} from ${displayUrl(url)}. ${hint}`);
}

/** Proxy URLs from the environment (lower case wins, as curl and pip), or undefined when none is set. */
function proxySettings(
  env: Record<string, string | undefined>,
): { httpProxy: string; httpsProxy: string; noProxy: string } | undefined {
  const pick = (name: string) => env[name.toLowerCase()] ?? env[name.toUpperCase()] ?? '';
  const httpProxy = pick('http_proxy');
  const httpsProxy = pick('https_proxy') || httpProxy;
  if (!httpProxy && !httpsProxy) return undefined;
  return { httpProxy, httpsProxy, noProxy: pick('no_proxy') };
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'UNABLE_TO_GET_ISSUER_CERT',
]);

/** A certificate failure as an INDEX_ERROR that says how to trust the index's CA. */
function tlsError(err: unknown, url: string, describe: string): ResolverError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !TLS_CODES.has(code)) return undefined;
  return new ResolverError(
    'INDEX_ERROR',
    `TLS certificate of ${displayUrl(url)} was rejected while fetching ${describe} (${code}). If the index uses a private CA, point pip's \`cert\` option (pip.conf) or PIP_CERT at its PEM bundle.`,
    { cause: err },
  );
}

/** `http` with the CA bundle of `index.cert` (pip's `cert`) unless `http.ca` is already set. */
export function httpOptionsFor(http: HttpOptions | undefined, index: IndexConfig | undefined): HttpOptions {
  if (!index?.cert || http?.ca) return http ?? {};
  let ca: string;
  try {
    ca = readFileSync(index.cert, 'utf8');
  } catch (err) {
    throw new ResolverError(
      'INVALID_CONFIG',
      `Cannot read the CA bundle ${index.cert} (pip's \`cert\` / PIP_CERT): ${(err as Error).message}. Fix the path or remove the setting.`,
      { cause: err },
    );
  }
  return { ...http, ca };
}
