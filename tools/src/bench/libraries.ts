/**
 * The parts of @nx-pex/resolver and @nx-pex/archive the harness calls, loaded at run time from the
 * packages' builds. The tools package does not depend on them (their tests depend on the tools),
 * so it cannot import their types when it is built first; `libraries.spec.ts` checks at type-check
 * time that the real modules still fit these interfaces.
 */

export interface IndexConfigLike {
  indexUrl: string;
  extraIndexUrls: string[];
  findLinks: string[];
  noIndex: boolean;
}

/** Opaque here: produced by inspectInterpreter and handed back to the resolver. */
export interface TargetLike {
  tags: string[];
}

/** Opaque here: produced by resolveLock or parseLock and handed back to the resolver. */
export interface LockLike {
  packages: { name: string; version?: string }[];
}

export interface ResolverApi {
  loadIndexConfig(options?: { env?: Record<string, string | undefined> }): Promise<IndexConfigLike>;
  inspectInterpreter(python?: string): Promise<TargetLike>;
  resolveLock(options: {
    roots: Record<string, string[]>;
    index: IndexConfigLike;
    targets: TargetLike[];
    cacheDir?: string;
    universal?: boolean;
    requiresPython?: string;
    preferences?: LockLike;
  }): Promise<LockLike>;
  parseLock(text: string, file: string): LockLike;
  formatLock(lock: LockLike): string;
}

export interface ArchiveApi {
  buildPex(options: {
    outputPath: string;
    wheels: { path: string; sha256: string }[];
    sources: { archivePath: string; path: string }[];
    entryPoint?: string;
    shebang?: string;
    cacheDir?: string;
  }): Promise<{ path: string; size: number; sha256: string }>;
}

// A variable specifier keeps tsc from resolving the packages' declarations when it builds the tools.
const RESOLVER = '@nx-pex/resolver';
const ARCHIVE = '@nx-pex/archive';

export async function loadResolver(): Promise<ResolverApi> {
  return (await import(RESOLVER)) as ResolverApi;
}

export async function loadArchive(): Promise<ArchiveApi> {
  return (await import(ARCHIVE)) as ArchiveApi;
}
