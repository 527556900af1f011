import { spawn } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import type { Sample } from './report.js';

/** A command to measure: argv[0] is looked up on PATH like execvp. `env` entries set to undefined are removed. */
export interface Command {
  argv: string[];
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Default 30 minutes (torch builds with pex are slow). */
  timeoutMs?: number;
}

export interface Measured extends Sample {
  exitCode: number;
}

/**
 * Runs the command as a child of a small Python wrapper that times it with perf_counter and reads
 * getrusage(RUSAGE_CHILDREN) after it ends: user + system CPU time of the command's whole process tree
 * (every descendant that was waited for: pip under pex, Nx's task processes, uv's threads), and
 * ru_maxrss, the peak RSS of the largest process of that tree (KiB on Linux), the same figures as GNU
 * time's %U+%S and %M, without depending on /usr/bin/time being installed. The wrapper's own start-up
 * is outside both.
 * The command's stdout and stderr go to `logPath`.
 */
const WRAPPER = String.raw`
import json, os, resource, signal, subprocess, sys, time
spec = json.loads(sys.argv[1])
with open(spec["log"], "ab") as log:
    t0 = time.perf_counter()
    try:
        p = subprocess.Popen(spec["argv"], cwd=spec["cwd"], stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        try:
            code = p.wait(timeout=spec["timeout"])
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            log.write(("\nbench: killed after %ss\n" % spec["timeout"]).encode())
            code = 124
    except OSError as e:
        log.write(("bench: cannot run %s: %s\n" % (spec["argv"][0], e)).encode())
        code = 127
    wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wallMs": wall * 1000.0, "cpuMs": (ru.ru_utime + ru.ru_stime) * 1000.0, "maxRssKb": ru.ru_maxrss, "exitCode": code}))
`;

export function childEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export async function measure(python: string, cmd: Command, logPath: string): Promise<Measured> {
  await appendFile(logPath, `\n$ (cd ${cmd.cwd} && ${cmd.argv.join(' ')})\n`);
  const spec = JSON.stringify({
    argv: cmd.argv,
    cwd: cmd.cwd,
    log: logPath,
    timeout: (cmd.timeoutMs ?? 30 * 60_000) / 1000,
  });
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(python, ['-c', WRAPPER, spec], { env: childEnv(cmd.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`the timing wrapper (${python}) failed: ${stderr.trim()}`)),
    );
  });
  const parsed = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Measured;
  return parsed;
}

/** The last lines of a log, for a failure message. */
export async function logTail(logPath: string, lines = 12): Promise<string> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Run a preparation step (not measured); throws with the output's tail when it fails. */
export async function runStep(cmd: Command, logPath?: string): Promise<string> {
  const out = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(cmd.argv[0]!, cmd.argv.slice(1), {
      cwd: cmd.cwd,
      env: childEnv(cmd.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
  if (logPath) await appendFile(logPath, `\n$ (cd ${cmd.cwd} && ${cmd.argv.join(' ')})\n${out.output}`);
  if (out.code !== 0) {
    throw new Error(
      `${cmd.argv.join(' ')} exited with ${out.code}:\n${out.output.trimEnd().split('\n').slice(-12).join('\n')}`,
    );
  }
  return out.output;
}
