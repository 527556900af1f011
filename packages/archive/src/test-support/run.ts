import { spawn } from 'node:child_process';

export interface Run {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables added to (or, when undefined, removed from) the test process's environment. */
  env?: Record<string, string | undefined>;
  stdin?: string;
  cwd?: string;
  /** Called with the child once it is spawned (e.g. to signal it). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

/** Run a command to completion; never rejects (the exit code, signal and output are the result). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: 127, signal: null, stdout, stderr: stderr + String(error) }));
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
    options.onSpawn?.(child);
  });
}
