// Test support (not shipped): the opt-in real-world suites talk to the public index only.
import { DEFAULT_INDEX_URL, loadIndexConfig, type IndexConfig } from '../config/index-config.js';

/** The public index alone (no extra indexes, no find-links), with the machine's CA bundle setting (pip's cert / PIP_CERT) if any. */
export async function publicIndexConfig(): Promise<IndexConfig> {
  const { cert } = await loadIndexConfig();
  return { indexUrl: DEFAULT_INDEX_URL, extraIndexUrls: [], findLinks: [], noIndex: false, ...(cert ? { cert } : {}) };
}
