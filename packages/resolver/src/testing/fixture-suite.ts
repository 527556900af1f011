import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtureIndex, type FixtureIndex } from '@nx-pex/tools';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { IndexConfig } from '../config/index-config.js';

/** State of a fixture-index test file: a work dir, the index, and a fresh cache per test. */
export interface FixtureSuite {
  work: string;
  server: FixtureIndex;
  cacheDir: string;
  /** An IndexConfig for the running index (or `url`). */
  index(url?: string): IndexConfig;
}

/**
 * Registers the hooks of an integration suite: `build(wheelsDir)` once, then the fixture index on
 * 127.0.0.1; before each test a fresh cache dir, no faults and an empty request log.
 */
export function fixtureSuite(prefix: string, build: (wheelsDir: string) => Promise<void>): FixtureSuite {
  const suite = {
    index: (url?: string): IndexConfig => ({
      indexUrl: url ?? suite.server.url,
      extraIndexUrls: [],
      findLinks: [],
      noIndex: false,
    }),
  } as FixtureSuite;
  beforeAll(async () => {
    suite.work = await mkdtemp(join(tmpdir(), prefix));
    const wheels = join(suite.work, 'wheels');
    await build(wheels);
    suite.server = await startFixtureIndex({ wheelsDir: wheels });
  });
  afterAll(async () => {
    await suite.server?.close();
    // A fetch that failed leaves its other lookups and downloads to finish in the background (they
    // may still create cache directories): retry the removal as those settle.
    await rm(suite.work, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  });
  beforeEach(async () => {
    suite.cacheDir = await mkdtemp(join(suite.work, 'cache-'));
    suite.server.setFaults({});
    suite.server.requests.length = 0;
  });
  return suite;
}
