import type { Release } from './release.js';

/** Read a release's metadata into the provider's cache; undefined when the provider would rather not. */
export type PrefetchMetadata = (name: string, release: Release) => Promise<unknown> | undefined;

/** Versions read ahead of the walk, and the most metadata reads the prefetcher has in flight at once. */
export const BATCH_PREFETCH = 48;

/**
 * Batch prefetch while backtracking. When the solver tries a second version of a package, it is
 * walking down that package's releases, and each step waits for one more metadata read (hundreds of
 * sequential round trips for a package with many releases whose dependency pins an old range). From
 * then on, every tried version keeps the next `window` candidates being read: first the allowed ones
 * in the solver's preference order, then older releases regardless of the current constraints (when
 * a dependency pins one version, the allowed set says nothing about where the walk goes next; uv's
 * batch prefetch makes the same fallback). A walk of N versions then costs about N / window round
 * trips instead of N. Only caches are warmed: the solver still awaits `metadata` for each decision,
 * so the decisions are the same with or without it.
 */
export class BatchPrefetcher {
  private readonly tried = new Map<string, Set<string>>();
  private readonly requested = new Set<string>();
  /** Reads not started yet, per package (a newer batch of the same package replaces them). */
  private readonly queued = new Map<string, Release[]>();
  private inFlight = 0;

  constructor(
    private readonly read: PrefetchMetadata,
    private readonly window = BATCH_PREFETCH,
  ) {}

  /**
   * `release` of `name` is being tried; `next` are the other allowed releases in the order the solver
   * would try them (read only as far as a batch needs), `all` every release of the package, newest first.
   */
  tryVersion(name: string, release: Release, next: Iterator<Release>, all: readonly Release[]): void {
    const key = release.version.toString();
    const tried = this.tried.get(name) ?? new Set<string>();
    tried.add(key);
    this.tried.set(name, tried);
    this.requested.add(`${name} ${key}`);
    if (tried.size < 2 || this.window <= 0) return;
    const batch: Release[] = [];
    const seen = new Set<string>();
    const take = (r: Release) => {
      const v = r.version.toString();
      if (seen.has(v) || tried.has(v) || !r.best || r.yanked) return;
      seen.add(v);
      batch.push(r);
    };
    while (batch.length < this.window) {
      const r = next.next();
      if (r.done) break;
      take(r.value);
    }
    // `all` is newest first: the older releases follow `release` (found by identity, else by version).
    let at = all.indexOf(release);
    if (at < 0) at = all.findIndex((r) => r.version.compare(release.version) < 0) - 1;
    for (let i = at + 1; at >= -1 && i < all.length && batch.length < this.window; i++) take(all[i]!);
    this.queued.set(
      name,
      batch.filter((r) => !this.requested.has(`${name} ${r.version}`)),
    );
    this.pump();
  }

  /** Start queued reads, packages in the order they were queued, while fewer than `window` are in flight. */
  private pump(): void {
    for (const [name, list] of this.queued) {
      while (list.length && this.inFlight < this.window) {
        const release = list.shift()!;
        const id = `${name} ${release.version}`;
        if (this.requested.has(id)) continue;
        this.requested.add(id);
        const pending = this.read(name, release);
        if (!pending) continue;
        this.inFlight++;
        // A failed read costs nothing here: the solver asks again if it needs that release.
        void pending
          .catch(() => undefined)
          .finally(() => {
            this.inFlight--;
            this.pump();
          });
      }
      if (list.length === 0) this.queued.delete(name);
      if (this.inFlight >= this.window) return;
    }
  }
}
