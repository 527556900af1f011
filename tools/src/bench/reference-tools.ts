import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ReferenceTool } from './report.js';
import { runStep } from './measure.js';

/** Current releases when the harness was written (`pip index versions <name>`); bump them together. */
export const PINNED = { pip: '26.3', pex: '2.105.2', uv: '0.13.9' } as const;

export interface ReferenceTools {
  /** The tools venv's interpreter (runs pip). */
  python: string;
  pex?: string;
  uv?: string;
  pip?: string;
  report: ReferenceTool[];
}

/**
 * A throwaway venv with pip, pex and uv at the pinned versions, each installed on its own so one
 * that cannot be installed (an index without it, no wheel for this platform) is skipped and named
 * while the others still run. pip reads the index settings the usual way (PIP_INDEX_URL, pip.conf…).
 */
export async function installReferenceTools(python: string, venvDir: string, logPath: string): Promise<ReferenceTools> {
  await runStep({ argv: [python, '-m', 'venv', venvDir], cwd: venvDir.replace(/[/\\][^/\\]*$/, '') }, logPath);
  const bin = join(venvDir, 'bin');
  const venvPython = join(bin, 'python');
  const tools: ReferenceTools = { python: venvPython, report: [] };
  for (const name of ['pip', 'pex', 'uv'] as const) {
    const version = PINNED[name];
    try {
      await runStep(
        {
          argv: [venvPython, '-m', 'pip', 'install', '--disable-pip-version-check', '-q', `${name}==${version}`],
          cwd: venvDir,
        },
        logPath,
      );
      const exe = name === 'pip' ? venvPython : join(bin, name);
      if (!existsSync(exe)) throw new Error(`${exe} missing after install`);
      tools[name] = exe;
      tools.report.push({ name, version, installed: true });
    } catch (e) {
      tools.report.push({
        name,
        version,
        installed: false,
        error: (e as Error).message.split('\n').slice(-3).join(' '),
      });
    }
  }
  return tools;
}
