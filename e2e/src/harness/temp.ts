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
