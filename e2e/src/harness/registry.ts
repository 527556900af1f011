import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { baseEnv, repoRoot, runOrThrow } from './exec.js';
import { makeTempDir, removeTempDir } from './temp.js';

/** Our packages: published to the local registry, never proxied from the public one. */
export const OWN_PACKAGE_PATTERNS = ['nx-pex', '@nx-pex/*'] as const;

export interface LocalRegistry {
  /** e.g. http://127.0.0.1:43121/ (with the trailing slash npm writes in configs). */
  url: string;
  port: number;
  /** The registry upstream everything else is proxied from. */
  uplink: string;
  /** Temp dir with storage, config and verdaccio's log. */
  dir: string;
  logFile: string;
  /** An npm userconfig pointing at this registry with a throwaway token; use it instead of ~/.npmrc. */
  userconfig: string;
  /** Env vars that point npm (and npx, nx add, create-nx-workspace) at this registry. */
  npmEnv: NodeJS.ProcessEnv;
  /** The last lines of verdaccio's log, for failure messages. */
  logTail(lines?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface StartLocalRegistryOptions {
  /** Defaults to `npm config get registry` as configured for the user running the tests. */
  uplink?: string;
  /** Defaults to 60 s. */
  startTimeoutMs?: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a probe server'));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

async function configuredUplink(): Promise<string> {
  // The user's own npm config decides where public packages come from (a mirror, a proxy, npmjs).
  const result = await runOrThrow('npm', ['config', 'get', 'registry'], baseEnv(), {
    cwd: repoRoot,
    timeoutMs: 60_000,
  });
  const url = result.stdout.trim();
  if (!/^https?:\/\//.test(url)) throw new Error(`npm config get registry returned ${JSON.stringify(url)}, not a URL`);
  return url.endsWith('/') ? url : `${url}/`;
}

function verdaccioConfig(dir: string, uplink: string): Record<string, unknown> {
  const own = { access: '$all', publish: '$all', unpublish: '$all' };
  // Nobody can register (max_users: -1), so '$authenticated' means: nobody publishes anything else.
  const proxied = { access: '$all', publish: '$authenticated', unpublish: '$authenticated', proxy: 'npmjs' };
  return {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: -1 } },
    uplinks: {
      npmjs: { url: uplink, timeout: '120s', max_fails: 20, fail_timeout: '10s', maxage: '30m', cache: true },
    },
    // Order matters: verdaccio uses the first pattern that matches.
    packages: {
      'nx-pex': own,
      '@nx-pex/*': own,
      '@*/*': proxied,
      '**': proxied,
    },
    server: { keepAliveTimeout: 60 },
    web: { enable: false },
    max_body_size: '500mb',
    log: { type: 'stdout', format: 'json', level: 'warn' },
  };
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`verdaccio exited (${child.exitCode ?? child.signalCode}) before answering`);
    }
    try {
      const response = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer ${url}-/ping within ${timeoutMs} ms (last: ${lastError})`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Start verdaccio 6 as a child process (not in-process: a test that runs a synchronous child, e.g.
 * execFileSync('npm'), would otherwise block the very event loop that must answer npm) on 127.0.0.1,
 * with fresh storage, proxying everything except our packages from the user's registry.
 */
export async function startLocalRegistry(options: StartLocalRegistryOptions = {}): Promise<LocalRegistry> {
  const uplink = options.uplink ?? (await configuredUplink());
  const dir = await makeTempDir('registry');
  const configFile = join(dir, 'config.yaml');
  // JSON is YAML: verdaccio's YAML loader reads it as is.
  await writeFile(configFile, JSON.stringify(verdaccioConfig(dir, uplink), null, 2));
  const logFile = join(dir, 'verdaccio.log');
  const require = createRequire(join(repoRoot, 'package.json'));
  const verdaccioBin = join(dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    // A free port can be taken between probing and binding; a failed start is retried on a new one.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, [verdaccioBin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
      cwd: dir,
      env: baseEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    try {
      await waitUntilUp(url, child, options.startTimeoutMs ?? 60_000);
    } catch (error) {
      lastError = error;
      await stopChild(child);
      log.end();
      continue;
    }
    const userconfig = join(dir, 'npmrc');
    const hostPath = url.replace(/^https?:/, '');
    // A throwaway token: npm refuses to publish without one; verdaccio lets anyone publish our packages.
    await writeFile(userconfig, `registry=${url}\n${hostPath}:_authToken=nx-pex-e2e-throwaway\n`);
    const npmEnv: NodeJS.ProcessEnv = {
      npm_config_registry: url,
      npm_config_userconfig: userconfig,
      // The npm cache is shared between runs and a port can come back: revalidate every packument,
      // so a stale one from an earlier registry on the same port never names another tarball.
      npm_config_prefer_online: 'true',
    };
    return {
      url,
      port,
      uplink,
      dir,
      logFile,
      userconfig,
      npmEnv,
      async logTail(lines = 40) {
        const text = await readFile(logFile, 'utf8').catch(() => '');
        return text.split('\n').slice(-lines).join('\n');
      },
      async stop() {
        await stopChild(child);
        log.end();
        await removeTempDir(dir);
      },
    };
  }
  const tail = await readFile(logFile, 'utf8').catch(() => '');
  await removeTempDir(dir);
  throw new Error(`could not start verdaccio: ${String(lastError)}\n${tail.slice(-4000)}`);
}
