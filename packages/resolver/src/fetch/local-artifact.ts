/** A wheel in the local cache, verified, with the metadata a resolver and an installer need. */
export interface LocalArtifact {
  /** PEP 503 normalised project name. */
  name: string;
  version: string;
  filename: string;
  /** Absolute path inside the cache. */
  path: string;
  sha256: string;
  size: number;
  /** Where it came from, credential-free. */
  url: string;
  requiresDist: string[];
  requiresPython?: string;
}

export interface FetchProgress {
  /** `index`: a project page read; `metadata`: a release's core metadata read (the resolution's walk); `download`: a file. */
  phase: 'index' | 'metadata' | 'download';
  project: string;
  done: number;
  total: number;
  bytes?: number;
  /**
   * On a finished download (`done` counts it): true when no byte of it was fetched in this run, the
   * artifact cache had it (or the wheel built from a cached sdist); false when it was downloaded.
   */
  cached?: boolean;
}
