import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { ArchiveError } from '../errors.js';
import { sha256File } from './hash.js';
import { INSTALLED_WHEEL_TREE_FORMAT, type InstalledWheelTree, type TreeEntry } from './installed-wheel-tree.js';
import { placeMember } from './layout.js';
import { unsafeMemberNameReason } from './member-name.js';
import { isRecordExempt, parseRecord, type RecordRow } from './record.js';
import { parseWheelFilename } from './filename.js';

export interface WheelFile {
  path: string;
  sha256: string;
}

/**
 * Install a wheel (PEP 427) into an `InstalledWheelTree`: check the file's sha256, check every
 * member against RECORD (hash and size), lay the members out, and remember where each member's
 * compressed bytes sit so the pex writer can copy them raw.
 */
export async function installWheel(wheel: WheelFile): Promise<InstalledWheelTree> {
  const filename = basename(wheel.path);
  const { distribution, version } = parseWheelFilename(filename);
  const [wheelSize, sha256] = await Promise.all([fileSize(wheel.path), sha256File(wheel.path)]);
  if (sha256 !== wheel.sha256.toLowerCase()) {
    throw new ArchiveError(
      'HASH_MISMATCH',
      `${wheel.path} has sha256 ${sha256}, but ${wheel.sha256} was expected; the file is corrupt or not the locked artifact. Delete it and fetch it again.`,
    );
  }
  const zip = await openWheel(wheel.path, filename);
  try {
    const members = await readMembers(zip, filename);
    const distInfoDir = findDistInfoDir([...members.keys()], filename, `${distribution}-${version}`);
    const record = await readRecord(zip, members, distInfoDir, filename);
    const dataDir = `${distInfoDir.slice(0, -'.dist-info'.length)}.data`;
    const entries: TreeEntry[] = [];
    const placed = new Map<string, string>();
    for (const [name, entry] of members) {
      const row = record.get(name);
      if (!row) {
        if (isRecordExempt(name, distInfoDir)) {
          entries.push(await describe(zip, entry, name, { path: name, isScript: false }));
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
      const described = await describe(zip, entry, name, placement);
      await verifyMember(zip, entry, described, row, filename);
      entries.push(described);
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { format: INSTALLED_WHEEL_TREE_FORMAT, wheel: filename, sha256, wheelSize, entries };
  } finally {
    zip.close();
  }
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

async function openWheel(path: string, filename: string): Promise<yauzl.ZipFile> {
  try {
    return await yauzl.openPromise(path, { lazyEntries: true, decodeStrings: false, autoClose: false });
  } catch (error) {
    throw new ArchiveError('INVALID_WHEEL', `${filename} is not a readable zip file (${String(error)}); re-download it.`, {
      cause: error,
    });
  }
}

async function readMembers(zip: yauzl.ZipFile, filename: string): Promise<Map<string, yauzl.Entry>> {
  const members = new Map<string, yauzl.Entry>();
  for await (const entry of zip.eachEntry()) {
    const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
    const unsafe = unsafeMemberNameReason(name);
    if (unsafe !== undefined) {
      throw new ArchiveError(
        'UNSAFE_MEMBER_NAME',
        `${filename} has a member named '${name}': ${unsafe}. Refusing to install it; the wheel is malformed or hostile.`,
      );
    }
    // UNIX st_mode in the high 16 bits: a symlink member would point anywhere once extracted; wheels hold files.
    if (((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000) {
      throw new ArchiveError('INVALID_WHEEL', `${filename} has a member '${name}' that is a symlink; wheels may only hold regular files. Refusing to install it; the wheel is malformed or hostile.`);
    }
    if (name.endsWith('/')) continue; // directory entries carry no content
    if (members.has(name)) {
      throw new ArchiveError('INVALID_WHEEL', `${filename} has two members named '${name}'; the wheel is malformed.`);
    }
    if (entry.isEncrypted()) {
      throw new ArchiveError('INVALID_WHEEL', `member '${name}' of ${filename} is encrypted; wheels cannot be.`);
    }
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
      throw new ArchiveError(
        'UNSUPPORTED_COMPRESSION',
        `member '${name}' of ${filename} uses ZIP compression method ${entry.compressionMethod}; only stored (0) and deflated (8) are supported. Rebuild the wheel with a standard build backend.`,
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
    const top = name.split('/')[0] ?? '';
    if (name.includes('/') && top.endsWith('.dist-info')) dirs.add(top);
  }
  const candidates = [...dirs];
  const normalise = (stem: string): string => stem.toLowerCase().replace(/[-_.]+/g, '_');
  const matching = candidates.filter((dir) => normalise(dir.slice(0, -'.dist-info'.length)) === normalise(expectedStem));
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
  zip: yauzl.ZipFile,
  members: Map<string, yauzl.Entry>,
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
  const chunks: Buffer[] = [];
  for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
  return parseRecord(Buffer.concat(chunks).toString('utf8'), filename);
}

async function describe(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  member: string,
  placement: { path: string; isScript: boolean },
): Promise<TreeEntry> {
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const executable = placement.isScript || ((entry.externalFileAttributes >>> 16) & 0o111) !== 0;
  return {
    path: placement.path,
    member,
    method: entry.compressionMethod as 0 | 8,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    size: entry.uncompressedSize,
    dataStart: fileDataStart,
    mode: executable ? 0o755 : 0o644,
  };
}

/** Decompress the member once to check RECORD's hash and size and the ZIP CRC we will copy into the pex. */
async function verifyMember(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  described: TreeEntry,
  row: RecordRow,
  filename: string,
): Promise<void> {
  // yauzl 3.4's openReadStreamLowLevelPromise calls the wrong method, so wrap the callback form.
  const stream = await new Promise<Readable>((resolve, reject) => {
    zip.openReadStreamLowLevel(
      described.dataStart,
      entry.compressedSize,
      0,
      entry.compressedSize,
      entry.compressionMethod === 8,
      entry.uncompressedSize,
      (error, readable) => (error ? reject(error) : resolve(readable)),
    );
  });
  const hash = createHash(row.algorithm);
  let size = 0;
  let crc = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      crc = crc32(bytes, crc);
      size += bytes.length;
    }
  } catch (error) {
    throw new ArchiveError(
      'INVALID_WHEEL',
      `member '${described.member}' of ${filename} cannot be decompressed (${String(error)}); the wheel is corrupt. Re-download it.`,
      { cause: error },
    );
  }
  const digest = hash.digest();
  if (size !== row.size || !digest.equals(row.digest)) {
    throw new ArchiveError(
      'RECORD_MISMATCH',
      `member '${described.member}' of ${filename} does not match RECORD (expected ${row.algorithm} ${row.digest.toString('base64url')} and ${row.size} bytes, found ${digest.toString('base64url')} and ${size} bytes); the wheel is corrupt or was altered. Rebuild or re-download it.`,
    );
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw new ArchiveError(
      'INVALID_WHEEL',
      `member '${described.member}' of ${filename} has a wrong ZIP CRC-32; the wheel is corrupt. Re-download it.`,
    );
  }
}
