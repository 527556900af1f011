import { spawn } from 'node:child_process';
import { PluginError } from '../utils/errors.js';

/** Runs `python args…` with the terminal attached; resolves to its exit code (128 + n when killed by signal n, as shells report). */
export function runPython(python: string, args: readonly string[], cwd: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(python, args, { cwd, stdio: 'inherit' });
    child.on('error', (e) =>
      reject(
        new PluginError(
          'PYTHON_NOT_FOUND',
          `cannot run ${python}: ${e.message}. Install it or set the target's "python" option.`,
        ),
      ),
    );
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
