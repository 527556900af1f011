import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A pypiserver (the real one, from the public Python index) serving a directory behind htpasswd auth. */
export interface PypiServer {
  /** `http://127.0.0.1:PORT/simple/` (no credentials) */
  url: string;
  /** The same with `user:password@` (percent-encoded). */
  urlWithCredentials: string;
  host: string;
  close(): Promise<void>;
}

export interface StartPypiServerOptions {
  /** Where the temp venv with pypiserver and passlib is created. */
  workDir: string;
  packagesDir: string;
  user: string;
  password: string;
  python?: string;
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * pip-install pypiserver and passlib into a venv under `workDir`, write an htpasswd file for one user
 * (passlib, apr1), and run `pypi-server run -a update,download,list -P <htpasswd>` on 127.0.0.1.
 * Resolves once the server answers (401 without credentials).
 */
export async function startPypiServer(options: StartPypiServerOptions): Promise<PypiServer> {
  const venv = join(options.workDir, 'pypiserver-venv');
  run(options.python ?? 'python3', ['-m', 'venv', venv]);
  const bin = (name: string) => join(venv, 'bin', name);
  run(bin('python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'pypiserver', 'passlib']);
  const htpasswd = join(options.workDir, 'htpasswd');
  mkdirSync(options.packagesDir, { recursive: true });
  writeFileSync(
    join(options.workDir, 'make-htpasswd.py'),
    'import sys\nfrom passlib.apache import HtpasswdFile\nh = HtpasswdFile(sys.argv[1], new=True)\nh.set_password(sys.argv[2], sys.argv[3])\nh.save()\n',
  );
  run(bin('python'), [join(options.workDir, 'make-htpasswd.py'), htpasswd, options.user, options.password]);
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin('pypi-server'),
    [
      'run',
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-a',
      'update,download,list',
      '-P',
      htpasswd,
      '--disable-fallback',
      options.packagesDir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const host = `127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const status = await fetch(`http://${host}/simple/`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 401) break;
    if (child.exitCode !== null || attempt > 300) {
      child.kill();
      throw new Error(`pypi-server did not start (last status ${status}):\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://${host}/simple/`,
    urlWithCredentials: `http://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@${host}/simple/`,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
