import { beforeEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir; `nx-pex-e2e-<label>-XXXXXX`. */
export async function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `nx-pex-e2e-${label}-`));
}

/** Set NX_PEX_E2E_KEEP=1 to keep every temp dir (workspaces, registry storage, logs) for a post-mortem. */
export function keepTempDirs(): boolean {
  return Boolean(process.env.NX_PEX_E2E_KEEP);
}

export async function removeTempDir(dir: string): Promise<void> {
  if (keepTempDirs()) {
    process.stderr.write(`[e2e] kept ${dir}\n`);
    return;
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Call inside a describe block: the returned function tells whether a test in it has failed so far
 * (an afterAll then keeps the temp dirs for a post-mortem instead of removing them).
 */
export function trackFailures(): () => boolean {
  let failed = false;
  beforeEach((context) => {
    context.onTestFailed(() => {
      failed = true;
    });
  });
  return () => failed;
}
