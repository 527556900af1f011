import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseEnv,
  makeTempDir,
  removeTempDir,
  runCommand,
  startLocalRegistry,
  type LocalRegistry,
} from './harness/index.js';

// The local registry is the ground every other e2e test stands on: check its contract on its own.
describe('local npm registry (verdaccio)', () => {
  let registry: LocalRegistry;
  let scratch: string;
  const env = baseEnv();

  beforeAll(async () => {
    registry = await startLocalRegistry();
    scratch = await makeTempDir('registry-probe');
  });
  afterAll(async () => {
    await registry?.stop();
    if (scratch) await removeTempDir(scratch);
  });

  async function probePackage(name: string): Promise<string> {
    const dir = join(scratch, name.replace(/[@/]/g, '_'));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', description: 'e2e probe' }));
    await writeFile(join(dir, 'index.js'), 'module.exports = 1;\n');
    return dir;
  }

  it('listens on 127.0.0.1 and answers its ping', async () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const response = await fetch(new URL('-/ping', registry.url));
    expect(response.status).toBe(200);
  });

  it('proxies public packages from the uplink', async () => {
    const result = await runCommand('npm', ['view', 'semver', 'name'], env, { cwd: scratch, env: registry.npmEnv });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.stdout.trim()).toBe('semver');
    const packument = (await (await fetch(new URL('semver', registry.url))).json()) as {
      versions: Record<string, { dist: { tarball: string } }>;
    };
    // Tarballs are served through the local registry too, not fetched from the uplink by npm itself.
    const tarball = Object.values(packument.versions)[0]?.dist.tarball ?? '';
    expect(tarball.startsWith(registry.url)).toBe(true);
  });

  it('accepts anonymous publishes of @nx-pex/* and serves them back', async () => {
    const dir = await probePackage('@nx-pex/e2e-probe');
    const published = await runCommand('npm', ['publish', '--access', 'public'], env, {
      cwd: dir,
      env: registry.npmEnv,
    });
    expect(published.exitCode, published.output).toBe(0);
    const viewed = await runCommand('npm', ['view', '@nx-pex/e2e-probe', 'version'], env, {
      cwd: scratch,
      env: registry.npmEnv,
    });
    expect(viewed.exitCode, viewed.output).toBe(0);
    expect(viewed.stdout.trim()).toBe('1.0.0');
  });

  it('refuses publishes of any other package', async () => {
    const dir = await probePackage('nx-pex-e2e-foreign-probe');
    const published = await runCommand('npm', ['publish'], env, { cwd: dir, env: registry.npmEnv });
    expect(published.exitCode, published.output).not.toBe(0);
    expect(published.output).toMatch(/E40[13]|forbidden|unauthorized/i);
  });

  it('never asks the uplink about our own names', async () => {
    // A stand-in uplink that records every path it is asked for.
    const asked: string[] = [];
    const uplink = createServer((req, res) => {
      asked.push(decodeURIComponent(req.url ?? ''));
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
    await new Promise<void>((r) => uplink.listen(0, '127.0.0.1', () => r()));
    const { port } = uplink.address() as AddressInfo;
    const isolated = await startLocalRegistry({ uplink: `http://127.0.0.1:${port}/` });
    try {
      for (const name of ['nx-pex', '@nx-pex%2farchive', 'some-public-package']) {
        const response = await fetch(new URL(name, isolated.url));
        expect(response.status).toBe(404);
      }
      expect(asked.some((path) => path.includes('some-public-package'))).toBe(true);
      expect(asked.filter((path) => /nx-pex/.test(path))).toEqual([]);
    } finally {
      await isolated.stop();
      await new Promise((r) => uplink.close(r));
    }
  });

  it('stops cleanly and frees its port', async () => {
    const url = registry.url;
    await registry.stop();
    await expect(fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    // Started again so afterAll's stop() stays harmless and other tests in this file would still work.
    registry = await startLocalRegistry({ uplink: registry.uplink });
  });
});
