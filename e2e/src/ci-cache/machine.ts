import { mkdir, readdir, rm, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { baseEnv, runCommand, runOrThrow, type RunResult } from '../harness/index.js';

// A "CI machine" for the cache proofs: its own clone of the workspace repository (git clone, then a
// copy of node_modules as `npm ci` would lay it), its own HOME, caches, time zone and umask.

export interface MachineOptions {
  /** The git repository to clone (the workspace made by create-nx-workspace). */
  repo: string;
  /** Where this machine's files go: a fresh dir; HOME, caches and the clone are made inside it. */
  dir: string;
  /** Path segments under `dir` to clone into (so that clones differ in depth as well as name). */
  checkoutPath: string[];
  /** e.g. 'UTC', 'Pacific/Kiritimati'. */
  tz: string;
  /** Octal string for `umask`, e.g. '022', '077'. It applies to the clone and to every command. */
  umask: string;
  /** Set every checked-out file's mtime to this (a checkout's times are whatever the clone's are). */
  sourceTime?: Date;
  /** Extra env for every command (PIP_INDEX_URL, NX_SELF_HOSTED_REMOTE_CACHE_SERVER, …). */
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Interpreters to put on PATH as python3.X (in a bin dir of this machine), besides python3. */
  pythons?: Array<{ version: string; path: string }>;
}

export interface Machine {
  /** The clone: the workspace root. */
  root: string;
  home: string;
  /** NX_PEX_CACHE_DIR: nx-pex's artifact cache. */
  artifactCache: string;
  env: NodeJS.ProcessEnv;
  /** `nx <args>` from the clone's node_modules, under this machine's umask. */
  nx(args: readonly string[]): Promise<RunResult>;
  /** Any command, in the clone, under this machine's umask. */
  run(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult>;
  path(...segments: string[]): string;
}

async function setTimes(dir: string, time: Date): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === '.git' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await setTimes(path, time);
    await utimes(path, time, time);
  }
}

export async function makeMachine(o: MachineOptions): Promise<Machine> {
  const root = join(o.dir, ...o.checkoutPath);
  const home = join(o.dir, 'home');
  const artifactCache = join(o.dir, 'nx-pex-cache');
  await mkdir(home, { recursive: true });
  await mkdir(join(root, '..'), { recursive: true });
  const bin = join(o.dir, 'bin');
  await mkdir(bin, { recursive: true });
  for (const python of o.pythons ?? []) await symlink(python.path, join(bin, `python${python.version}`));
  const env: NodeJS.ProcessEnv = {
    ...baseEnv([join(root, 'node_modules', '.bin'), bin]),
    HOME: home,
    TZ: o.tz,
    XDG_CACHE_HOME: join(home, '.cache'),
    NX_PEX_CACHE_DIR: artifactCache,
    PEX_ROOT: join(home, '.pex'),
    ...o.env,
  };
  const umasked = (cmd: string, args: readonly string[], cwd: string, extra?: NodeJS.ProcessEnv): Promise<RunResult> =>
    runCommand('sh', ['-c', `umask ${o.umask} && exec "$@"`, 'sh', cmd, ...args], env, {
      cwd,
      logFile: o.logFile,
      timeoutMs: 600_000,
      ...(extra ? { env: extra } : {}),
    });
  const clone = await umasked('git', ['clone', '--quiet', '--no-hardlinks', o.repo, root], o.dir);
  if (clone.exitCode !== 0) throw new Error(`git clone failed:\n${clone.output}`);
  if (o.sourceTime) await setTimes(root, o.sourceTime);
  // node_modules as `npm ci` would install it from the same lockfile: the same files. Hard links
  // (nothing writes there) keep it fast; a plain copy where they cannot be made.
  const from = join(o.repo, 'node_modules');
  const linked = await runCommand('cp', ['-al', from, join(root, 'node_modules')], env, {
    cwd: o.dir,
    logFile: o.logFile,
  });
  if (linked.exitCode !== 0) {
    await rm(join(root, 'node_modules'), { recursive: true, force: true });
    await runOrThrow('cp', ['-a', from, join(root, 'node_modules')], env, { cwd: o.dir, logFile: o.logFile });
  }
  return {
    root,
    home,
    artifactCache,
    env,
    nx: (args) => umasked('nx', args, root),
    run: (cmd, args, extra) => umasked(cmd, args, root, extra),
    path: (...segments) => join(root, ...segments),
  };
}
