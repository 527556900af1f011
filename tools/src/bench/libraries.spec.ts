// Type-level guard: tsc (npm run typecheck) fails here when the packages' public API no longer
// fits what the harness calls through its run-time imports (libraries.ts).
import { describe, expect, it } from 'vitest';
import type * as Archive from '@nx-pex/archive';
import type * as Resolver from '@nx-pex/resolver';
import type { ArchiveApi, ResolverApi } from './libraries.js';

export function fitsResolver(real: typeof Resolver): ResolverApi {
  return real;
}
export function fitsArchive(real: typeof Archive): ArchiveApi {
  return real;
}

describe('library interfaces', () => {
  it('are checked by the type checker (see fitsResolver / fitsArchive)', () => {
    expect(typeof fitsResolver).toBe('function');
    expect(typeof fitsArchive).toBe('function');
  });
});
