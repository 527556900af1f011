import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { ResolverError } from '../errors.js';
import { Credentials, redactUrl } from './credentials.js';

export interface HttpOptions {
  /** Extra attempts after the first on 5xx, 429, resets and timeouts (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled each attempt (default 250). */
  backoffMs?: number;
  /** Per-request header and idle-body timeout in ms (default 30 000). */
  timeoutMs?: number;
}

export interface HttpResponse {
  statusCode: number;
  contentType: string;
  body: AsyncIterable<Uint8Array>;
  contentLength?: number;
  /** `Content-Range` of a 206 answer. */
  contentRange?: string;
  /** Drop the rest of the body (e.g. a 200 where a range was asked for). */
  discard(): Promise<void>;
}

/** Thrown inside the retry loop for conditions worth another attempt. */
class Retryable extends Error {}

const RETRYABLE_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

function isRetryable(err: unknown): boolean {
  if (err instanceof Retryable) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** HTTP GET with credentials, redirects, timeouts and bounded retries with exponential backoff. */
export class HttpClient {
  readonly credentials = new Credentials();
  private readonly dispatcher: Dispatcher;
  private readonly retries: number;
  private readonly backoffMs: number;

  constructor(options: HttpOptions = {}) {
    const timeout = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.dispatcher = new Agent({ connectTimeout: timeout, headersTimeout: timeout, bodyTimeout: timeout })
      .compose(interceptors.redirect({ maxRedirections: 10 }));
  }

  /**
   * GET `url` and hand the response to `consume`; a retryable failure anywhere (status or body
   * stream) re-runs the whole request. `describe` says what was being fetched, for error messages.
   * With `onNotFound`, a 404 is an answer (PEP 503: the index has no such project), not an error.
   */
  async get<T>(
    url: string,
    accept: string,
    describe: string,
    consume: (res: HttpResponse) => Promise<T>,
    onNotFound?: () => T,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...extraHeaders, accept, 'user-agent': 'nx-pex-resolver' };
    const auth = this.credentials.authorization(url);
    if (auth) headers.authorization = auth;
    const target = redactUrl(url);
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await sleep(this.backoffMs * 2 ** (attempt - 1));
      try {
        const res = await request(target, { method: 'GET', headers, dispatcher: this.dispatcher });
        if (res.statusCode >= 500 || res.statusCode === 429) {
          await res.body.dump();
          throw new Retryable(`HTTP ${res.statusCode}`);
        }
        if (res.statusCode === 404 && onNotFound) {
          await res.body.dump();
          return onNotFound();
        }
        if (res.statusCode >= 400) {
          await res.body.dump();
          throw httpError(res.statusCode, url, describe);
        }
        const type = res.headers['content-type'];
        const length = Number(res.headers['content-length']);
        const range = res.headers['content-range'];
        return await consume({
          statusCode: res.statusCode,
          contentType: (Array.isArray(type) ? type[0] : type) ?? '',
          body: res.body,
          discard: async () => {
            // Aborting emits an AbortError on the stream: expected here, not a failure.
            res.body.on('error', () => undefined);
            res.body.destroy();
          },
          ...(Number.isFinite(length) ? { contentLength: length } : {}),
          ...(typeof range === 'string' ? { contentRange: range } : {}),
        });
      } catch (err) {
        if (!isRetryable(err)) throw err;
        lastError = err;
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new ResolverError('INDEX_ERROR', `Could not fetch ${describe} from ${redactUrl(url)} after ${this.retries + 1} attempts (${reason}). Check that the index is reachable, or retry later.`, { cause: lastError });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

function httpError(status: number, url: string, describe: string): ResolverError {
  const hint = status === 401 || status === 403
    ? 'Check the credentials in the index URL (https://user:token@host/...) or your pip configuration.'
    : 'Check the index URL and the project name.';
  return new ResolverError('INDEX_ERROR', `HTTP ${status} fetching ${describe} from ${redactUrl(url)}. ${hint}`);
}
