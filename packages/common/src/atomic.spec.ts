import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commit, tempPathBeside, writeContentAtomic, writeDirectoryAtomic, writeFileAtomic } from './atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nx-pex-common-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic writes', () => {
  it('a temp path is a hidden sibling of its target, different each time', () => {
    const a = tempPathBeside(join(dir, 'out.pex'));
    expect(a.startsWith(join(dir, '.out.pex.'))).toBe(true);
    expect(a.endsWith('.tmp')).toBe(true);
    expect(tempPathBeside(join(dir, 'out.pex'))).not.toBe(a);
  });

  it('writes the file with the given mode whatever the umask, and leaves no temp behind', async () => {
    const target = join(dir, 'run.pex');
    await writeFileAtomic(target, 0o755, (handle) => handle.writeFile('#!/usr/bin/env python3\n'));
    expect(await readFile(target, 'utf8')).toBe('#!/usr/bin/env python3\n');
    expect((await stat(target)).mode & 0o777).toBe(0o755);
    expect(await readdir(dir)).toEqual(['run.pex']);
  });

  it('a writer that fails leaves the old file as it was and no temp', async () => {
    const target = join(dir, 'lock.toml');
    await writeFile(target, 'old');
    await expect(
      writeFileAtomic(target, 0o644, async (handle) => {
        await handle.writeFile('half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readFile(target, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['lock.toml']);
  });

  it('writeContentAtomic creates the directory and replaces what was there', async () => {
    const target = join(dir, 'a', 'b', 'pylock.toml');
    await writeContentAtomic(target, 'one');
    await writeContentAtomic(target, Buffer.from('two'));
    expect(await readFile(target, 'utf8')).toBe('two');
    expect((await stat(target)).mode & 0o777).toBe(0o644);
  });

  it('commit replaces a directory with a file, and removes the temp when it cannot rename', async () => {
    const target = join(dir, 'app.pex');
    await mkdir(join(target, 'sub'), { recursive: true });
    const temp = tempPathBeside(target);
    await writeFile(temp, 'zip');
    await commit(temp, target);
    expect(await readFile(target, 'utf8')).toBe('zip');

    // The target's directory is gone: the rename fails, the temp does not stay behind.
    const stray = tempPathBeside(join(dir, 'out'));
    await writeFile(stray, 'zip');
    await expect(commit(stray, join(dir, 'missing', 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual(['app.pex']);
  });

  it('writeDirectoryAtomic fills a temp directory then swaps it in; a failing fill leaves the old one', async () => {
    const target = join(dir, 'tree');
    const filled = await writeDirectoryAtomic(target, async (temp) => {
      await writeFile(join(temp, 'a'), '1');
      return 'done';
    });
    expect(filled).toBe('done');
    await expect(
      writeDirectoryAtomic(target, async (temp) => {
        await writeFile(join(temp, 'b'), '2');
        throw new Error('bad wheel');
      }),
    ).rejects.toThrow('bad wheel');
    expect(await readdir(target)).toEqual(['a']);
    expect(await readdir(dir)).toEqual(['tree']);
  });
});
