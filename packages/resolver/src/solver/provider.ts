// What the solver asks of the outside world (index pages and wheel metadata), and what it reads of
// a release's core metadata.
import type { ResolverError } from '../errors.js';
import type { Release } from './release.js';

/** What the solver reads of a release's core metadata (`name`/`version` when the source has them). */
export interface RawMetadata {
  requiresDist: string[];
  requiresPython?: string;
  name?: string;
  version?: string;
}

/** What the solver needs from the outside world (index pages and wheel metadata). */
export interface Provider {
  /** Releases usable by the target, newest first. */
  releases(name: string): Promise<Release[]>;
  /** Requires-Dist (and Requires-Python) of a release's wheel. */
  metadata(name: string, release: Release): Promise<RawMetadata>;
  /** Start fetching a project page early (optional). */
  prefetch?(name: string): void;
  /**
   * Start reading a release's metadata early (optional): the solver guesses the release it will
   * probably choose for each requirement as soon as its page is known, and follows the guess's own
   * requirements, so pages and metadata of the whole tree load in parallel instead of one decision at
   * a time. Undefined when the provider would rather not (e.g. the release must be built).
   */
  prefetchMetadata?(name: string, release: Release): Promise<{ requiresDist: string[] }> | undefined;
  /** A NO_COMPATIBLE_WHEEL error for a release that has no usable wheel. */
  noWheel(name: string, release: Release): ResolverError;
  /** Where we looked, for messages. */
  describeSources(): string;
  /** A version to try first when it is allowed (a locked or already chosen version), like uv/pip-tools. */
  preference?(name: string): string | undefined;
}
