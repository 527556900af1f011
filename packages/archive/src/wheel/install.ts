import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { createInflateRaw, crc32, inflateRawSync } from 'node:zlib';
import { ArchiveError } from '../errors.js';
import { RangeReader } from '../fs/range-reader.js';
import { dataStart, readCentralDirectory, ZipFormatError, type CentralEntry } from '../zip/central-directory.js';
import { sha256File } from '@nx-pex/common';
import { INSTALLED_WHEEL_TREE_FORMAT, type InstalledWheelTree, type TreeEntry } from './installed-wheel-tree.js';
import { placeMember } from './layout.js';
import { unsafeMemberNameReason } from './member-name.js';
import { isRecordExempt, parseRecord, type RecordRow } from './record.js';
import { escapedName, parseWheelFilename } from './filename.js';

export interface WheelFile {
  path: string;
  sha256: string;
}

/** Members up to these sizes are inflated in one synchronous call; larger ones are streamed (bounded memory). */
const INFLATE_AT_ONCE_COMPRESSED = 1 << 20;
const INFLATE_AT_ONCE_SIZE = 16 << 20;

/**
 * Install a wheel (PEP 427) into an `InstalledWheelTree`: check the file's sha256, check every
 * member against RECORD (hash and size) and its ZIP CRC, lay the members out, and remember where
 * each member's compressed bytes sit so the pex writer can copy them raw. The members are read in
 * file order through one read-ahead window, so the cost is a sequential read of the wheel.
 */
export async function installWheel(wheel: WheelFile): Promise<InstalledWheelTree> {
  const filename = basename(wheel.path);
  const { distribution, version } = parseWheelFilename(filename);
  const sha256 = await sha256File(wheel.path);
  if (sha256 !== wheel.sha256.toLowerCase()) {
    throw new ArchiveError(
      'HASH_MISMATCH',
      `${wheel.path} has sha256 ${sha256}, but ${wheel.sha256} was expected; the file is corrupt or not the locked artifact. Delete it and fetch it again.`,
    );
  }
  const reader = await RangeReader.open(wheel.path);
  try {
    const members = checkMembers(await zipRead(filename, () => readCentralDirectory(reader)), filename);
    const distInfoDir = findDistInfoDir([...members.keys()], filename, `${distribution}-${version}`);
    const record = await readRecord(reader, members, distInfoDir, filename);
    const dataDir = `${distInfoDir.slice(0, -'.dist-info'.length)}.data`;
    const pending: {
      entry: CentralEntry;
      placement: { path: string; isScript: boolean };
      row: RecordRow | undefined;
    }[] = [];
    const placed = new Map<string, string>();
    for (const [name, entry] of members) {
      const row = record.get(name);
      if (!row) {
        if (isRecordExempt(name, distInfoDir)) {
          pending.push({ entry, placement: { path: name, isScript: false }, row: undefined });
          continue;
        }
        throw new ArchiveError(
          'RECORD_MISMATCH',
          `member '${name}' of ${filename} is not listed in ${distInfoDir}/RECORD; the wheel was altered after it was built. Rebuild or re-download it.`,
        );
      }
      const placement = placeMember(name, dataDir, filename);
      const clash = placed.get(placement.path);
      if (clash !== undefined || placement.path === '' || placement.path.endsWith('/')) {
        throw new ArchiveError(
          'PATH_CONFLICT',
          `members '${clash ?? ''}' and '${name}' of ${filename} install to the same path '${placement.path}'; the wheel is malformed.`,
        );
      }
      placed.set(placement.path, name);
      pending.push({ entry, placement, row });
    }
    // File order: the window reads the wheel once, front to back.
    pending.sort((a, b) => a.entry.localHeaderOffset - b.entry.localHeaderOffset);
    const entries: TreeEntry[] = [];
    for (const { entry, placement, row } of pending) {
      const start = await zipRead(filename, () => dataStart(reader, entry));
      const described = describe(entry, placement, start);
      if (row) await verifyMember(reader, described, row, filename);
      entries.push(described);
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { format: INSTALLED_WHEEL_TREE_FORMAT, wheel: filename, sha256, wheelSize: reader.size, entries };
  } finally {
    await reader.close();
  }
}

async function zipRead<T>(filename: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof ZipFormatError) && !(error instanceof RangeError)) throw error;
    throw new ArchiveError(
      'INVALID_WHEEL',
      `${filename} is not a readable zip file (${error.message}); re-download it.`,
      {
        cause: error,
      },
    );
  }
}

function checkMembers(central: CentralEntry[], filename: string): Map<string, CentralEntry> {
  const members = new Map<string, CentralEntry>();
  for (const entry of central) {
    // A backslash is a separator to some extractors: read it as one, so '..\\x' is caught as a traversal.
    const name = entry.name.replace(/\\/g, '/');
    entry.name = name;
    const unsafe = unsafeMemberNameReason(name);
    if (unsafe !== undefined) {
      throw new ArchiveError(
        'UNSAFE_MEMBER_NAME',
        `${filename} has a member named '${name}': ${unsafe}. Refusing to install it; the wheel is malformed or hostile.`,
      );
    }
    // UNIX st_mode in the high 16 bits: a symlink member would point anywhere once extracted; wheels hold files.
    if (((entry.externalAttributes >>> 16) & 0o170000) === 0o120000) {
      throw new ArchiveError(
        'INVALID_WHEEL',
        `${filename} has a member '${name}' that is a symlink; wheels may only hold regular files. Refusing to install it; the wheel is malformed or hostile.`,
      );
    }
    if (name.endsWith('/')) continue; // directory entries carry no content
    if (members.has(name)) {
      throw new ArchiveError('INVALID_WHEEL', `${filename} has two members named '${name}'; the wheel is malformed.`);
    }
    if (entry.flags & 1) {
      throw new ArchiveError('INVALID_WHEEL', `member '${name}' of ${filename} is encrypted; wheels cannot be.`);
    }
    if (entry.method !== 0 && entry.method !== 8) {
      throw new ArchiveError(
        'UNSUPPORTED_COMPRESSION',
        `member '${name}' of ${filename} uses ZIP compression method ${entry.method}; only stored (0) and deflated (8) are supported. Rebuild the wheel with a standard build backend.`,
      );
    }
    members.set(name, entry);
  }
  return members;
}

/** PEP 427: exactly one `{name}-{version}.dist-info` directory at the root. */
function findDistInfoDir(names: string[], filename: string, expectedStem: string): string {
  const dirs = new Set<string>();
  for (const name of names) {
    const slash = name.indexOf('/');
    const top = name.slice(0, slash);
    if (slash > 0 && top.endsWith('.dist-info')) dirs.add(top);
  }
  const candidates = [...dirs];
  const matching = candidates.filter(
    (dir) => escapedName(dir.slice(0, -'.dist-info'.length)) === escapedName(expectedStem),
  );
  const chosen = candidates.length === 1 ? candidates[0] : matching.length === 1 ? matching[0] : undefined;
  if (chosen === undefined) {
    throw new ArchiveError(
      'INVALID_WHEEL',
      `${filename} has ${candidates.length === 0 ? 'no' : 'several'} .dist-info directories (${candidates.join(', ') || 'none'}); PEP 427 requires exactly one, ${expectedStem}.dist-info.`,
    );
  }
  return chosen;
}

async function readRecord(
  reader: RangeReader,
  members: Map<string, CentralEntry>,
  distInfoDir: string,
  filename: string,
): Promise<Map<string, RecordRow>> {
  const entry = members.get(`${distInfoDir}/RECORD`);
  if (!entry) {
    throw new ArchiveError(
      'RECORD_MISSING',
      `${filename} has no ${distInfoDir}/RECORD, so its contents cannot be verified; rebuild the wheel.`,
    );
  }
  const start = await zipRead(filename, () => dataStart(reader, entry));
  const described = describe(entry, { path: entry.name, isScript: false }, start);
  const chunks: Buffer[] = [];
  const { size, crc } = await inflateMember(reader, described, entry.size, filename, (chunk) => chunks.push(chunk));
  checkZipFields(described, size, crc, filename);
  return parseRecord(Buffer.concat(chunks).toString('utf8'), filename);
}

function describe(entry: CentralEntry, placement: { path: string; isScript: boolean }, start: number): TreeEntry {
  const executable = placement.isScript || ((entry.externalAttributes >>> 16) & 0o111) !== 0;
  return {
    path: placement.path,
    member: entry.name,
    method: entry.method as 0 | 8,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    size: entry.size,
    dataStart: start,
    mode: executable ? 0o755 : 0o644,
  };
}

/** Decompress the member once to check RECORD's hash and size and the ZIP CRC and size we will copy into the pex. */
async function verifyMember(
  reader: RangeReader,
  described: TreeEntry,
  row: RecordRow,
  filename: string,
): Promise<void> {
  const hash = createHash(row.algorithm);
  const { size, crc } = await inflateMember(reader, described, row.size, filename, (chunk) => hash.update(chunk));
  const digest = size > row.size ? undefined : hash.digest();
  if (size !== row.size || digest === undefined || !digest.equals(row.digest)) {
    throw new ArchiveError(
      'RECORD_MISMATCH',
      `member '${described.member}' of ${filename} does not match RECORD (expected ${row.algorithm} ${row.digest.toString('base64url')} and ${row.size} bytes, found ${digest === undefined ? `more than ${row.size} bytes` : `${digest.toString('base64url')} and ${size} bytes`}); the wheel is corrupt or was altered. Rebuild or re-download it.`,
    );
  }
  checkZipFields(described, size, crc, filename);
}

function checkZipFields(described: TreeEntry, size: number, crc: number, filename: string): void {
  if (size !== described.size) {
    throw new ArchiveError(
      'INVALID_WHEEL',
      `member '${described.member}' of ${filename} holds ${size} bytes, but the zip directory says ${described.size}; the wheel is corrupt or hostile. Re-download it.`,
    );
  }
  if (crc >>> 0 !== described.crc32 >>> 0) {
    throw new ArchiveError(
      'INVALID_WHEEL',
      `member '${described.member}' of ${filename} has a wrong ZIP CRC-32; the wheel is corrupt. Re-download it.`,
    );
  }
}

/**
 * Feed the member's content to `sink`, stopping once it passes `limit` bytes (a member that
 * inflates beyond what RECORD allows is never held whole: the returned size is then > limit).
 */
async function inflateMember(
  reader: RangeReader,
  described: TreeEntry,
  limit: number,
  filename: string,
  sink: (chunk: Buffer) => void,
): Promise<{ size: number; crc: number }> {
  let size = 0;
  let crc = 0;
  const take = (chunk: Buffer): boolean => {
    const kept = size + chunk.length > limit + 1 ? chunk.subarray(0, limit + 1 - size) : chunk;
    sink(kept);
    crc = crc32(kept, crc);
    size += kept.length;
    return size <= limit;
  };
  const raw = reader.chunks(described.dataStart, described.compressedSize);
  try {
    if (described.method === 0) {
      for await (const chunk of raw) if (!take(chunk)) break;
    } else if (described.compressedSize <= INFLATE_AT_ONCE_COMPRESSED && limit <= INFLATE_AT_ONCE_SIZE) {
      const compressed = await reader.read(described.dataStart, described.compressedSize);
      const inflated = inflateAtMost(compressed, limit + 1);
      // More than the limit (a bomb stopped by zlib): the caller reports the excess, as for a stream.
      if (inflated === undefined) size = limit + 1;
      else take(inflated);
    } else {
      const inflate = Readable.from(raw).pipe(createInflateRaw());
      for await (const chunk of inflate) {
        if (!take(chunk as Buffer)) {
          inflate.destroy();
          break;
        }
      }
    }
  } catch (error) {
    throw new ArchiveError(
      'INVALID_WHEEL',
      `member '${described.member}' of ${filename} cannot be decompressed (${String(error)}); the wheel is corrupt. Re-download it.`,
      { cause: error },
    );
  }
  return { size, crc };
}

/** Inflate at once, or undefined when the data inflates to more than `max` bytes (a bomb stops there). */
function inflateAtMost(compressed: Buffer, max: number): Buffer | undefined {
  try {
    return inflateRawSync(compressed, { maxOutputLength: max });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
    return undefined;
  }
}
