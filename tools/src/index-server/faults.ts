import { ToolsError } from '../errors.js';

/**
 * How often a fault fires: `true` on every request, a number for the first N requests (any path), or
 * per path: `{ '/files/foo-1.0-py3-none-any.whl': 2 }`. A per-path key matches the request pathname
 * exactly, or its last segment(s) (`'foo-1.0-py3-none-any.whl'`, `'simple/foo/'`).
 */
export type FaultCount = boolean | number | Record<string, number | boolean>;

/** Fault knobs of the fixture index. `setFaults` replaces them all and resets the counters. */
export interface FaultOptions {
  /** Answer with `status5xxCode` (default 503) instead of the real response. */
  status5xx?: FaultCount;
  status5xxCode?: number;
  /** Destroy the TCP connection before any response byte is sent. */
  resetConnection?: FaultCount;
  /** Flush headers, then wait this long before each 64 KiB chunk of the body (a number applies to every path). */
  slowBodyMs?: number | Record<string, number>;
  /** Declare a Content-Length 1 byte longer than the body, then close the connection (a truncated body). */
  wrongContentLength?: FaultCount;
  /** Advertise a wrong `#sha256=` / `hashes.sha256` on the pages: `true` for every file, or these filenames. */
  wrongSha256?: boolean | string[];
  /** PEP 592: filename -> yank reason (`''` yanks with no reason). */
  yanked?: Record<string, string>;
  /** Omit PEP 658/714 metadata (attributes and `.metadata` files): `true` for every file, or these filenames. */
  noMetadata?: boolean | string[];
  /** Ignore `Range` headers and do not send `Accept-Ranges`. */
  noRange?: boolean;
}

type CountedFault = 'status5xx' | 'resetConnection' | 'wrongContentLength';

export function pathMatches(key: string, pathname: string): boolean {
  if (key === pathname) return true;
  const bare = key.replace(/^\/+/, '');
  return bare !== '' && pathname.endsWith('/' + bare);
}

/** Fault options plus the counters of faults already fired. */
export class FaultState {
  private fired = new Map<string, number>();

  constructor(private options: FaultOptions = {}) {
    validateFaults(options);
  }

  get current(): Readonly<FaultOptions> {
    return this.options;
  }

  replace(options: FaultOptions): void {
    validateFaults(options);
    this.options = options;
    this.fired = new Map();
  }

  /** Whether `fault` fires for this request; consumes one from its count when it does. */
  take(fault: CountedFault, pathname: string): boolean {
    const count = this.options[fault];
    if (count === undefined || count === false) return false;
    if (count === true) return true;
    if (typeof count === 'number') return this.consume(fault, count);
    for (const [key, n] of Object.entries(count))
      if (pathMatches(key, pathname)) return n === true || (n !== false && this.consume(`${fault} ${key}`, n));
    return false;
  }

  slowBodyMs(pathname: string): number {
    const slow = this.options.slowBodyMs;
    if (slow === undefined) return 0;
    if (typeof slow === 'number') return slow;
    for (const [key, ms] of Object.entries(slow)) if (pathMatches(key, pathname)) return ms;
    return 0;
  }

  wrongSha256(filename: string): boolean {
    return appliesTo(this.options.wrongSha256, filename);
  }

  noMetadata(filename: string): boolean {
    return appliesTo(this.options.noMetadata, filename);
  }

  yankReason(filename: string): string | undefined {
    return this.options.yanked?.[filename];
  }

  private consume(counter: string, limit: number): boolean {
    const used = this.fired.get(counter) ?? 0;
    if (used >= limit) return false;
    this.fired.set(counter, used + 1);
    return true;
  }
}

function appliesTo(option: boolean | string[] | undefined, filename: string): boolean {
  return option === true || (Array.isArray(option) && option.includes(filename));
}

function validateFaults(options: FaultOptions): void {
  const code = options.status5xxCode;
  if (code !== undefined && !(Number.isInteger(code) && code >= 500 && code <= 599))
    throw new ToolsError('INVALID_FAULT_OPTIONS', `status5xxCode ${code} is not a 5xx status. Use 500-599.`);
  for (const fault of ['status5xx', 'resetConnection', 'wrongContentLength'] as const) {
    const count = options[fault];
    const counts = typeof count === 'object' ? Object.values(count) : [count];
    for (const n of counts)
      if (typeof n === 'number' && !(Number.isInteger(n) && n >= 0))
        throw new ToolsError('INVALID_FAULT_OPTIONS', `${fault} count ${n} is not a non-negative integer.`);
  }
}
