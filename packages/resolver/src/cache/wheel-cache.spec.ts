import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WheelCache } from './wheel-cache.js';

const FILE = 'demo-1.0-py3-none-any.whl';
const CONTENT = Buffer.from('PK wheel bytes '.repeat(100));
const SHA = createHash('sha256').update(CONTENT).digest('hex');

async function* bytes(b: Buffer): AsyncIterable<Uint8Array> {
  yield b;
}

/** Rewrites the file in place with other bytes of the same size, and sets its mtime back: only the ctime tells. */
function tamperKeepingSizeAndMtime(path: string): void {
  const before = statSync(path);
  const other = Buffer.from(CONTENT);
  other[0] = other[0]! ^ 0xff;
  writeFileSync(path, other);
  utimesSync(path, before.atime, before.mtime);
}

/** The stamp a verified `path` gets: its sha256 and the stat fields that change when the file does. */
function stampOf(path: string): Record<string, string> {
  const st = statSync(path, { bigint: true });
  return {
    sha256: SHA,
    size: String(st.size),
    mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs),
    ino: String(st.ino),
    dev: String(st.dev),
  };
}

let root: string;
let cache: WheelCache;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'nx-pex-wheel-cache-'));
  cache = new WheelCache(root);
  await cache.store(FILE, bytes(CONTENT), SHA, () => {}, FILE);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('WheelCache verification stamps', () => {
  const supported = typeof process.getuid === 'function';

  it.runIf(supported)('records the identity of a wheel once re-hashed, and serves later hits from it', async () => {
    expect(existsSync(cache.stampPathFor(SHA, FILE))).toBe(false);
    expect(await cache.lookup(SHA, FILE)).toEqual({ path: cache.pathFor(SHA, FILE), size: CONTENT.length });
    const stamp = JSON.parse(readFileSync(cache.stampPathFor(SHA, FILE), 'utf8')) as Record<string, string>;
    expect(stamp).toEqual(stampOf(cache.pathFor(SHA, FILE)));
    expect(await cache.lookup(SHA, FILE)).toEqual({ path: cache.pathFor(SHA, FILE), size: CONTENT.length });
  });

  it('a wheel rewritten with the same size and mtime after its stamp is re-hashed, found corrupt and removed', async () => {
    await cache.lookup(SHA, FILE);
    tamperKeepingSizeAndMtime(cache.pathFor(SHA, FILE));
    expect(await cache.lookup(SHA, FILE)).toBeUndefined();
    expect(existsSync(cache.pathFor(SHA, FILE))).toBe(false);
  });

  it('a stamp that does not parse is ignored: the hit is re-hashed and the stamp rewritten', async () => {
    await cache.lookup(SHA, FILE);
    if (supported) writeFileSync(cache.stampPathFor(SHA, FILE), '{not json');
    expect(await cache.lookup(SHA, FILE)).toEqual({ path: cache.pathFor(SHA, FILE), size: CONTENT.length });
    if (supported) expect(existsSync(cache.stampPathFor(SHA, FILE))).toBe(true);
  });

  it('a stamp is not trusted when another account could have written the wheel or the stamp', async () => {
    const path = cache.pathFor(SHA, FILE);
    await cache.lookup(SHA, FILE);
    tamperKeepingSizeAndMtime(path);
    // Forge the stamp for the tampered file (what only the owner can do in a private cache)...
    writeFileSync(cache.stampPathFor(SHA, FILE), JSON.stringify(stampOf(path)));
    // ...in a directory others may write to: the wheel is re-hashed and the tampering found.
    chmodSync(dirname(path), 0o777);
    expect(await cache.lookup(SHA, FILE)).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });
});

describe('WheelCache.store', () => {
  it('streams a download of many chunks without piling up listeners on the file (one wait per chunk)', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7); // above the write stream's buffer: every write waits for drain
    const chunks = 64;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      async function* body() {
        for (let i = 0; i < chunks; i++) yield chunk;
      }
      const sha = createHash('sha256');
      for (let i = 0; i < chunks; i++) sha.update(chunk);
      const stored = await cache.store('big-1.0-py3-none-any.whl', body(), sha.digest('hex'), () => {}, 'big');
      expect(stored.size).toBe(chunk.length * chunks);
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
