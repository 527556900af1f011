import { chmod, copyFile, mkdtemp, readdir, readFile, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPythons } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectInterpreter } from './inspect.js';

const python = (await findPythons()).found[0];

describe.runIf(python)('inspectInterpreter: the probe cache', () => {
  let work: string;
  let cache: string;
  const saved = process.env.NX_PEX_CACHE_DIR;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'nx-pex-inspect-'));
    cache = join(work, 'cache');
    process.env.NX_PEX_CACHE_DIR = cache;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.NX_PEX_CACHE_DIR;
    else process.env.NX_PEX_CACHE_DIR = saved;
    await rm(work, { recursive: true, force: true });
  });
  const entries = () => readdir(join(cache, 'interpreters')).catch(() => [] as string[]);

  it('keeps the answer per executable file, probes again when the file or the entry changes', async () => {
    // A copy of the interpreter binary of its own: its mtime can be changed without touching the real one.
    const binary = join(work, 'python-copy');
    await copyFile(await realpath(python!.path), binary);
    await chmod(binary, 0o755);
    // A copied binary still finds its standard library through its build-time prefix.
    const first = await inspectInterpreter(binary);
    expect(await entries()).toHaveLength(1);
    const [entry] = await entries();
    const path = join(cache, 'interpreters', entry!);
    const answer = JSON.parse(await readFile(path, 'utf8')) as { markers: Record<string, string> };

    // The entry is what a second inspection reads: an edited entry shows through.
    answer.markers.platform_release = 'from-the-cache';
    await writeFile(path, JSON.stringify(answer));
    expect((await inspectInterpreter(binary)).markers?.platform_release).toBe('from-the-cache');

    // A damaged entry is probed again (and replaced).
    await writeFile(path, '{"implementation": "cpy');
    expect(await inspectInterpreter(binary)).toEqual(first);

    // Another mtime is another file: probed again, a second entry.
    await utimes(binary, new Date(), new Date(Date.now() - 60_000));
    expect(await inspectInterpreter(binary)).toEqual(first);
    expect(await entries()).toHaveLength(2);
  });

  it('always runs a launcher script (a shim may run another interpreter each time)', async () => {
    const before = (await entries()).length;
    const shim = join(work, 'shim');
    await writeFile(shim, `#!/bin/sh\nexec ${JSON.stringify(python!.path)} "$@"\n`, { mode: 0o755 });
    const viaShim = await inspectInterpreter(shim);
    expect(viaShim.version.slice(0, 2).join('.')).toBe(python!.version);
    expect(await entries()).toHaveLength(before);
  });
});
