import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { userCacheDir } from './cache-dir.js';
import { mapLimit } from './map-limit.js';
import { normalizeName } from './names.js';
import { sha256File } from './sha256-file.js';
import { tomlString } from './toml.js';

describe('userCacheDir', () => {
  it('NX_PEX_CACHE_DIR, else XDG_CACHE_HOME/nx-pex, else HOME/.cache/nx-pex, all from the env given', () => {
    expect(userCacheDir({ NX_PEX_CACHE_DIR: '/a', XDG_CACHE_HOME: '/b', HOME: '/h' })).toBe('/a');
    expect(userCacheDir({ XDG_CACHE_HOME: '/b', HOME: '/h' })).toBe(join('/b', 'nx-pex'));
    expect(userCacheDir({ HOME: '/h' })).toBe(join('/h', '.cache', 'nx-pex'));
  });

  it('empty variables count as unset; without HOME the OS home directory is used', () => {
    expect(userCacheDir({ NX_PEX_CACHE_DIR: '', XDG_CACHE_HOME: '', HOME: '' })).toBe(
      join(homedir(), '.cache', 'nx-pex'),
    );
    expect(userCacheDir({})).toBe(join(homedir(), '.cache', 'nx-pex'));
  });
});

describe('sha256File', () => {
  it('hashes the bytes of a file, across read chunks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nx-pex-common-'));
    try {
      await writeFile(join(dir, 'empty'), '');
      expect(await sha256File(join(dir, 'empty'))).toBe(
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      );
      await writeFile(join(dir, 'abc'), 'abc');
      expect(await sha256File(join(dir, 'abc'))).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      // 9 MiB of 'a' spans three 4 MiB reads.
      await writeFile(join(dir, 'big'), Buffer.alloc(9 << 20, 'a'));
      const { createHash } = await import('node:crypto');
      expect(await sha256File(join(dir, 'big'))).toBe(
        createHash('sha256')
          .update(Buffer.alloc(9 << 20, 'a'))
          .digest('hex'),
      );
      await expect(sha256File(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('normalizeName', () => {
  it('PEP 503: lower case, runs of - _ . become one -', () => {
    expect(normalizeName('Foo.Bar__baz--Qux')).toBe('foo-bar-baz-qux');
    expect(normalizeName('zope.interface')).toBe('zope-interface');
    expect(normalizeName('a')).toBe('a');
  });
});

describe('tomlString', () => {
  it('round-trips through a TOML parser, control characters and DEL included', () => {
    const values = ['plain', 'quote " and \\ backslash', 'tab\tnew\nline\rcr', '\u0000\u001f\u007f', 'snow ☃ 𝄞'];
    for (const value of values) expect(parse(`v = ${tomlString(value)}`)).toEqual({ v: value });
    expect(tomlString('\u007f')).toBe('"\\u007f"');
  });
});

describe('@nx-pex/common loads nothing but Node built-ins', () => {
  it('every module imports only node: modules and its siblings (the resolver’s light standards entry reaches it)', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = import.meta.dirname;
    const modules = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(modules).toContain('index.ts');
    for (const module of modules) {
      const text = await readFile(join(dir, module), 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
        expect(m[1], module).toMatch(/^(node:|\.\/)/);
      }
    }
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order, and keeps a "__proto__" key as a key', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }, 'x'], é: true, Z: 0 })).toBe(
      '{"Z":0,"a":[{"c":null,"d":2},"x"],"b":1,"é":true}',
    );
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
    expect(canonicalJson('s')).toBe('"s"');
  });
});

describe('mapLimit', () => {
  it('keeps input order with at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n, i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return `${i}:${n * 10}`;
    });
    expect(out).toEqual(['0:50', '1:10', '2:40', '3:20', '4:30']);
    expect(most).toBe(2);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapLimit([1, 2, 3], 3, async (n) => {
        if (n === 2) throw new Error('two');
        return n;
      }),
    ).rejects.toThrow('two');
  });
});
