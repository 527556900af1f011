/**
 * Reading a zip's central directory (PKWARE APPNOTE.TXT 6.3.x, 4.3.12, 4.3.14–4.3.16, 4.5.3) and
 * its local headers: just what installing a wheel needs, in one read of the end of the file and one
 * of the whole central directory (a per-entry read made 65k-member wheels crawl).
 */
import type { RangeReader } from '../fs/range-reader.js';

export interface CentralEntry {
  /** Decoded name: UTF-8 when flag bit 11 is set (or an Info-ZIP Unicode Path field says so), else CP437, as CPython's zipfile. */
  name: string;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  externalAttributes: number;
  localHeaderOffset: number;
}

/** A zip that cannot be read; callers turn it into their own error (with the file's role in it). */
export class ZipFormatError extends Error {}

const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const MAX_COMMENT = 0xffff;
const CP437_UPPER =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ';

export async function readCentralDirectory(reader: RangeReader): Promise<CentralEntry[]> {
  const tailLength = Math.min(reader.size, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE);
  const tailStart = reader.size - tailLength;
  const tail = Buffer.from(await reader.read(tailStart, tailLength));
  let eocd = -1;
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (tail.readUInt32LE(at) === 0x06054b50 && at + EOCD_SIZE + tail.readUInt16LE(at + 20) === tail.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end of central directory record');
  let count = tail.readUInt16LE(eocd + 10);
  let size = tail.readUInt32LE(eocd + 12);
  let offset = tail.readUInt32LE(eocd + 16);
  const locator = eocd - ZIP64_LOCATOR_SIZE;
  if (locator >= 0 && tail.readUInt32LE(locator) === 0x07064b50) {
    const recordOffset = safeNumber(tail.readBigUInt64LE(locator + 8));
    const record = await readOrFail(reader, recordOffset, ZIP64_EOCD_SIZE, 'ZIP64 end of central directory record');
    if (record.readUInt32LE(0) !== 0x06064b50) throw new ZipFormatError('bad ZIP64 end of central directory signature');
    count = safeNumber(record.readBigUInt64LE(32));
    size = safeNumber(record.readBigUInt64LE(40));
    offset = safeNumber(record.readBigUInt64LE(48));
  }
  if (offset + size > reader.size) throw new ZipFormatError('central directory past the end of the file');
  const directory = Buffer.from(await reader.read(offset, size));
  const entries: CentralEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) {
      throw new ZipFormatError(`central directory entry ${index} is truncated or has a bad signature`);
    }
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new ZipFormatError(`central directory entry ${index} is truncated`);
    const nameBytes = directory.subarray(at + 46, at + 46 + nameLength);
    const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const entry: CentralEntry = {
      name: '',
      flags,
      method: directory.readUInt16LE(at + 10),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      externalAttributes: directory.readUInt32LE(at + 38),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    entry.name = applyExtraFields(entry, nameBytes, extra);
    entries.push(entry);
    at = end;
  }
  return entries;
}

/** Where the entry's compressed bytes start: after its local header (whose name and extra lengths may differ from the central ones). */
export async function dataStart(reader: RangeReader, entry: CentralEntry): Promise<number> {
  const header = await readOrFail(reader, entry.localHeaderOffset, 30, `local header of '${entry.name}'`);
  if (header.readUInt32LE(0) !== 0x04034b50) throw new ZipFormatError(`bad local header signature for '${entry.name}'`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > reader.size)
    throw new ZipFormatError(`member '${entry.name}' runs past the end of the file`);
  return start;
}

/** APPNOTE 4.5.3 (ZIP64 sizes and offset, present only for the overflowed fields) and the Info-ZIP Unicode Path field (0x7075). */
function applyExtraFields(entry: CentralEntry, nameBytes: Buffer, extra: Buffer): string {
  let name = entry.flags & (1 << 11) ? nameBytes.toString('utf8') : decodeCp437(nameBytes);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    const data = extra.subarray(at + 4, at + 4 + length);
    if (data.length < length) throw new ZipFormatError(`extra field of '${name}' is truncated`);
    if (id === 0x0001) {
      let field = 0;
      const next = (what: string): number => {
        if (field + 8 > data.length) throw new ZipFormatError(`ZIP64 extra field of '${name}' lacks the ${what}`);
        const value = safeNumber(data.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next('size');
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next('compressed size');
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next('local header offset');
    } else if (id === 0x7075 && data.length >= 6 && data.readUInt8(0) === 1) {
      name = data.subarray(5).toString('utf8');
    }
    at += 4 + length;
  }
  return name;
}

function decodeCp437(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : CP437_UPPER[byte - 0x80];
  return text;
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError(`a ZIP64 value (${value}) is out of range`);
  return Number(value);
}

async function readOrFail(reader: RangeReader, start: number, length: number, what: string): Promise<Buffer> {
  try {
    return await reader.read(start, length);
  } catch {
    throw new ZipFormatError(`${what} is past the end of the file`);
  }
}
