// Speculative prefetch: as soon as a requirement is known, start loading its project page and the
// metadata of the release the solver will most likely choose, then follow that release's own
// requirements, so the pages and metadata of the whole tree load in parallel instead of one decision
// at a time. Only caches are warmed: decisions still await the provider, so they are the same with
// or without it. (Batch prefetch while backtracking is batch-prefetch.ts.)
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import type { CandidateSelector } from './candidates.js';
import type { Provider } from './provider.js';

export class SpeculativePrefetch {
  /** Requirements (`name[extras]`) already followed. */
  private readonly followed = new Set<string>();

  constructor(
    private readonly provider: Provider,
    private readonly env: MarkerEnvironment,
    private readonly candidates: CandidateSelector,
  ) {}

  /**
   * Prefetch the page of `r`'s project and, with `prefetchMetadata`, the metadata of the release the
   * solver would likely pick for it (newest allowed, preferred first), then the same for that
   * release's requirements.
   */
  follow(r: Requirement): void {
    this.provider.prefetch?.(r.key);
    if (!this.provider.prefetchMetadata) return;
    const extras = [...r.normalizedExtras].sort();
    const key = `${r.key}[${extras.join(',')}]`;
    if (this.followed.has(key)) return;
    this.followed.add(key);
    void (async () => {
      const releases = await this.provider.releases(r.key);
      // Lazily, cheap checks first: the guess is usually the first allowed release (`best` may classify files).
      const allowed = {
        *[Symbol.iterator]() {
          for (const rel of releases) if (!rel.yanked && r.specifier.contains(rel.version, true) && rel.best) yield rel;
        },
      };
      const guess = this.candidates.likely(r.key, allowed);
      if (!guess) return;
      const metadata = await this.provider.prefetchMetadata?.(r.key, guess);
      if (!metadata) return;
      for (const text of metadata.requiresDist) {
        const dep = Requirement.parse(text);
        if (!dep.url && dep.appliesTo(this.env, ['', ...extras])) this.follow(dep);
      }
    })().catch(() => undefined); // a failed guess costs nothing: the solver asks again when it decides
  }
}
