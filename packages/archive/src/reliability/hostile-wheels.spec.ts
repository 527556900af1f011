// Hostile wheels through the public buildPex: path traversal, absolute and drive-letter names,
// backslashes, symlinks, duplicate names, sizes the central directory lies about, a RECORD that lies.
// Each is rejected with its ArchiveError code and a message naming the member and the wheel; no pex
// is written and nothing appears outside the build's own directories.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, type ArchiveErrorCode } from '../errors.js';
import { buildPex } from '../pex/build.js';
import { recordFor, writeZip } from '../test-support/zip-file.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-hostile-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const DIST_INFO = 'evil-1.0.dist-info';
const base: [string, string][] = [
  ['evil/__init__.py', 'X = 1\n'],
  [`${DIST_INFO}/METADATA`, 'Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n'],
  [`${DIST_INFO}/WHEEL`, 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n'],
];

/** Central directory headers of a zip: [offset, name]. */
function centralHeaders(zip: Buffer): [number, string][] {
  const headers: [number, string][] = [];
  for (
    let at = zip.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1')), cd = zip.readUInt32LE(at + 16);
    zip.readUInt32LE(cd) === 0x02014b50;
  ) {
    const nameLength = zip.readUInt16LE(cd + 28);
    headers.push([cd, zip.toString('utf8', cd + 46, cd + 46 + nameLength)]);
    cd += 46 + nameLength + zip.readUInt16LE(cd + 30) + zip.readUInt16LE(cd + 32);
    if (cd >= at) break;
  }
  return headers;
}

/** A wheel of `members` + a RECORD of `recorded`; `patch` may then edit the central directory entry of a member. */
async function craft(
  members: [string, string | Buffer][],
  options: { recorded?: [string, string | Buffer][]; patch?: (zip: Buffer, header: number, name: string) => void } = {},
) {
  const dir = join(work, 'wheels', randomBytes(4).toString('hex'));
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'evil-1.0-py3-none-any.whl');
  await writeZip(path, [
    ...members,
    [`${DIST_INFO}/RECORD`, recordFor(options.recorded ?? members, `${DIST_INFO}/RECORD`)],
  ]);
  if (options.patch) {
    const zip = await readFile(path);
    for (const [header, name] of centralHeaders(zip)) options.patch(zip, header, name);
    await writeFile(path, zip);
  }
  return {
    path,
    sha256: createHash('sha256')
      .update(await readFile(path))
      .digest('hex'),
  };
}

async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (!entry.isDirectory()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  return out.sort();
}

/** Build a pex of `wheel` in a fresh sandbox; expect `code`; nothing but the wheel and the cache dir may exist afterwards. */
async function expectRejected(wheel: { path: string; sha256: string }, code: ArchiveErrorCode, member: RegExp) {
  const sandbox = await mkdtemp(join(work, 'sandbox-'));
  const outputPath = join(sandbox, 'out', 'app.pex');
  await mkdir(join(sandbox, 'out'));
  const before = await listTree(work);
  const error = await buildPex({ outputPath, wheels: [wheel], sources: [], cacheDir: join(sandbox, 'cache') }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  expect((error as ArchiveError).code, (error as Error).message).toBe(code);
  expect((error as Error).message).toContain('evil-1.0-py3-none-any.whl');
  expect((error as Error).message).toMatch(member);
  const after = (await listTree(work)).filter((p) => !before.includes(p));
  expect(after, 'files written by a rejected build').toEqual([]);
  expect(await readdir(join(sandbox, 'out'))).toEqual([]);
}

const S_IFLNK = 0o120000;

describe('hostile wheels are rejected by buildPex', () => {
  it('a well-formed wheel of the same shape builds (so each failure below is about its one defect)', async () => {
    const sandbox = await mkdtemp(join(work, 'ok-'));
    const built = await buildPex({
      outputPath: join(sandbox, 'ok.pex'),
      wheels: [await craft(base)],
      sources: [],
      cacheDir: join(sandbox, 'cache'),
    });
    expect(Object.keys(built.pexInfo.distributions)).toEqual(['evil-1.0-py3-none-any.whl']);
  });

  for (const name of [
    '../escape.py',
    'evil/../../escape.py',
    '/tmp/nx-pex-absolute-escape.py',
    'C:/escape.py',
    'evil/./x.py',
    'evil//x.py',
  ]) {
    it(`a member named ${JSON.stringify(name)}: UNSAFE_MEMBER_NAME`, async () => {
      await expectRejected(await craft([...base, [name, 'pwned = True\n']]), 'UNSAFE_MEMBER_NAME', /escape|x\.py/);
    });
  }

  it('a member with a backslash path (a traversal where it is extracted on Windows): UNSAFE_MEMBER_NAME', async () => {
    await expectRejected(
      await craft([...base, ['..\\..\\escape.py', 'pwned = True\n']]),
      'UNSAFE_MEMBER_NAME',
      /escape\.py/,
    );
  });

  it('a symlink member (pointing outside): rejected as INVALID_WHEEL', async () => {
    const wheel = await craft([...base, ['evil/link', '../../../../etc/passwd']], {
      patch: (zip, header, name) => {
        if (name === 'evil/link') zip.writeUInt32LE(((S_IFLNK | 0o777) << 16) >>> 0, header + 38);
      },
    });
    await expectRejected(wheel, 'INVALID_WHEEL', /evil\/link.*symlink|symlink.*evil\/link/);
  });

  it('two members with the same name: INVALID_WHEEL', async () => {
    await expectRejected(
      await craft([...base, ['evil/x.py', 'a = 1\n'], ['evil/x.py', 'a = 2\n']]),
      'INVALID_WHEEL',
      /evil\/x\.py/,
    );
  });

  it('a member whose central directory declares a huge uncompressed size (zip bomb header): rejected', async () => {
    const wheel = await craft([...base, ['evil/bomb.bin', Buffer.alloc(4096)]], {
      patch: (zip, header, name) => {
        if (name === 'evil/bomb.bin') zip.writeUInt32LE(0xfffffff0, header + 24);
      },
    });
    await expectRejected(wheel, 'INVALID_WHEEL', /evil\/bomb\.bin/);
  });

  it('a member that inflates far beyond the size RECORD states (a real bomb): RECORD_MISMATCH', async () => {
    const bomb = Buffer.alloc(32 * 1024 * 1024);
    await expectRejected(
      await craft([...base, ['evil/bomb.bin', bomb]], { recorded: [...base, ['evil/bomb.bin', 'tiny']] }),
      'RECORD_MISMATCH',
      /evil\/bomb\.bin/,
    );
  });

  it('a RECORD that lies about a hash: RECORD_MISMATCH naming the member', async () => {
    await expectRejected(
      await craft(base, { recorded: [[base[0]![0], 'X = 2\n'], ...base.slice(1)] }),
      'RECORD_MISMATCH',
      /evil\/__init__\.py/,
    );
  });

  it('a RECORD that lies about a size: RECORD_MISMATCH naming the member', async () => {
    const rows = recordFor(base, `${DIST_INFO}/RECORD`).replace(/^(evil\/__init__\.py,[^,]+),6$/m, '$1,7');
    expect(rows).toContain('evil/__init__.py,sha256=');
    expect(rows).toMatch(/__init__\.py,[^,]+,7$/m);
    const path = join(await mkdtemp(join(work, 'size-liar-')), 'evil-1.0-py3-none-any.whl');
    const sha256 = await writeZip(path, [...base, [`${DIST_INFO}/RECORD`, rows]]);
    await expectRejected({ path, sha256 }, 'RECORD_MISMATCH', /evil\/__init__\.py/);
  });
});
