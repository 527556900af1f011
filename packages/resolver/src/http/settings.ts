import { ResolverError } from '../errors.js';

type Env = Record<string, string | undefined>;

/** Bounds on every request, from HttpOptions, else the environment, else the defaults below. */
export interface HttpLimits {
  /** Total time for one request of a distribution file, all retries and redirects included. */
  deadlineMs: number;
  /** Total time for one project page, find-links page or metadata file. */
  pageDeadlineMs: number;
  /** Largest project page / metadata file read into memory. */
  maxPageBytes: number;
  /**
   * Largest distribution file downloaded when neither the lock nor the index gives its size (a
   * recorded size bounds the download more tightly).
   */
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  deadlineMs: 600_000,
  pageDeadlineMs: 60_000,
  maxPageBytes: 64 * 1024 * 1024,
  // The largest wheels on the public index (CUDA builds) are a few GiB.
  maxFileBytes: 16 * 1024 * 1024 * 1024,
};

/** Settings users can change, with their units (messages name them). */
export const SETTINGS = {
  deadlineMs: { env: 'NX_PEX_HTTP_TIMEOUT', unit: 's', scale: 1000 },
  pageDeadlineMs: { env: 'NX_PEX_PAGE_TIMEOUT', unit: 's', scale: 1000 },
  maxPageBytes: { env: 'NX_PEX_PAGE_MAX_BYTES', unit: 'bytes', scale: 1 },
  maxFileBytes: { env: 'NX_PEX_FILE_MAX_BYTES', unit: 'bytes', scale: 1 },
} as const;

/** `options` wins, then `NX_PEX_*` in `env`; a malformed variable is INVALID_CONFIG naming it. */
export function httpLimits(options: Partial<HttpLimits>, env: Env): HttpLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(SETTINGS) as (keyof HttpLimits)[]) {
    const given = options[key];
    const { env: name, unit, scale } = SETTINGS[key];
    const text = env[name];
    if (given !== undefined) limits[key] = given;
    else if (text !== undefined && text !== '') {
      const n = Number(text);
      if (!Number.isFinite(n) || n <= 0)
        throw new ResolverError(
          'INVALID_CONFIG',
          `${name}=${JSON.stringify(text.slice(0, 40))} is not a positive number of ${unit === 's' ? 'seconds' : unit}. Fix or unset ${name}.`,
        );
      limits[key] = Math.round(n * scale);
    }
  }
  return limits;
}

/** A limit as a message says it, with the setting to raise. */
export function describeLimit(key: keyof HttpLimits, value: number): string {
  const { env, unit, scale } = SETTINGS[key];
  return `${unit === 's' ? `${value / scale} s` : `${value} bytes`} (${env})`;
}
