/**
 * Byte layouts of the ZIP records we write (PKWARE APPNOTE.TXT 6.3.x, sections 4.3.7, 4.3.12,
 * 4.3.14–4.3.16, 4.5.3). Pure functions: values in, bytes out.
 */

export const ZIP32_LIMIT = 0xffffffff;
export const ENTRY_COUNT_LIMIT = 0xffff;

/** APPNOTE 4.4.6: DOS date/time. 1980-01-01 00:00 is date (0 << 9 | 1 << 5 | 1), time 0: no time zone involved. */
export const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;
export const DOS_TIME_MIDNIGHT = 0;

/** APPNOTE 4.4.5: 0 = stored, 8 = deflated; the only methods wheels use. */
export type CompressionMethod = 0 | 8;

/** APPNOTE 4.4.3: 2.0 for deflate, 4.5 when ZIP64 records are used. */
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
/** APPNOTE 4.4.2: upper byte 3 = UNIX, so the external attributes carry a st_mode. */
const MADE_BY_UNIX = 3 << 8;
/** APPNOTE 4.4.4 bit 11: file name is UTF-8. */
const FLAG_UTF8 = 1 << 11;
const S_IFREG = 0o100000;

export interface EntryHeaderFields {
  name: Buffer;
  method: CompressionMethod;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Unix permission bits, e.g. 0o644. */
  mode: number;
}

function needsUtf8Flag(name: Buffer): boolean {
  for (let index = 0; index < name.length; index++) if ((name[index] as number) >= 0x80) return true;
  return false;
}

function writeUInt64(buffer: Buffer, value: number, offset: number): void {
  buffer.writeBigUInt64LE(BigInt(value), offset);
}

/** APPNOTE 4.5.3: the local header's ZIP64 extra carries both sizes, original first. */
function localZip64Extra(fields: EntryHeaderFields): Buffer {
  const extra = Buffer.alloc(20);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(16, 2);
  writeUInt64(extra, fields.size, 4);
  writeUInt64(extra, fields.compressedSize, 12);
  return extra;
}

export function localFileHeader(fields: EntryHeaderFields): Buffer {
  const zip64 = fields.size >= ZIP32_LIMIT || fields.compressedSize >= ZIP32_LIMIT;
  const extra = zip64 ? localZip64Extra(fields) : Buffer.alloc(0);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  header.writeUInt16LE(needsUtf8Flag(fields.name) ? FLAG_UTF8 : 0, 6);
  header.writeUInt16LE(fields.method, 8);
  header.writeUInt16LE(DOS_TIME_MIDNIGHT, 10);
  header.writeUInt16LE(DOS_DATE_1980, 12);
  header.writeUInt32LE(fields.crc32 >>> 0, 14);
  header.writeUInt32LE(zip64 ? ZIP32_LIMIT : fields.compressedSize, 18);
  header.writeUInt32LE(zip64 ? ZIP32_LIMIT : fields.size, 22);
  header.writeUInt16LE(fields.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, fields.name, extra]);
}

/** APPNOTE 4.5.3: in the central directory only the fields that overflowed appear, in this order. */
function centralZip64Extra(fields: EntryHeaderFields, localHeaderOffset: number): Buffer {
  const values: number[] = [];
  if (fields.size >= ZIP32_LIMIT) values.push(fields.size);
  if (fields.compressedSize >= ZIP32_LIMIT) values.push(fields.compressedSize);
  if (localHeaderOffset >= ZIP32_LIMIT) values.push(localHeaderOffset);
  if (values.length === 0) return Buffer.alloc(0);
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, index) => writeUInt64(extra, value, 4 + 8 * index));
  return extra;
}

export function centralDirectoryHeader(fields: EntryHeaderFields, localHeaderOffset: number): Buffer {
  const extra = centralZip64Extra(fields, localHeaderOffset);
  const version = extra.length > 0 ? VERSION_ZIP64 : VERSION_DEFAULT;
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(MADE_BY_UNIX | version, 4);
  header.writeUInt16LE(version, 6);
  header.writeUInt16LE(needsUtf8Flag(fields.name) ? FLAG_UTF8 : 0, 8);
  header.writeUInt16LE(fields.method, 10);
  header.writeUInt16LE(DOS_TIME_MIDNIGHT, 12);
  header.writeUInt16LE(DOS_DATE_1980, 14);
  header.writeUInt32LE(fields.crc32 >>> 0, 16);
  header.writeUInt32LE(Math.min(fields.compressedSize, ZIP32_LIMIT), 20);
  header.writeUInt32LE(Math.min(fields.size, ZIP32_LIMIT), 24);
  header.writeUInt16LE(fields.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32); // comment length
  header.writeUInt16LE(0, 34); // disk number start
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE(((S_IFREG | fields.mode) << 16) >>> 0, 38);
  header.writeUInt32LE(Math.min(localHeaderOffset, ZIP32_LIMIT), 42);
  return Buffer.concat([header, fields.name, extra]);
}

export interface CentralDirectoryLocation {
  entryCount: number;
  size: number;
  offset: number;
}

export function needsZip64End(location: CentralDirectoryLocation): boolean {
  return location.entryCount >= ENTRY_COUNT_LIMIT || location.size >= ZIP32_LIMIT || location.offset >= ZIP32_LIMIT;
}

/**
 * The end records: APPNOTE 4.3.14 (ZIP64 end of central directory record) and 4.3.15 (its locator)
 * when any value overflows, then always 4.3.16 (end of central directory record), whose overflowed
 * fields hold the 0xFFFF / 0xFFFFFFFF markers.
 */
export function endOfCentralDirectory(location: CentralDirectoryLocation): Buffer {
  const parts: Buffer[] = [];
  const zip64 = needsZip64End(location);
  if (zip64) {
    const zip64EndOffset = location.offset + location.size;
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    writeUInt64(record, 44, 4); // size of the rest of this record
    record.writeUInt16LE(MADE_BY_UNIX | VERSION_ZIP64, 12);
    record.writeUInt16LE(VERSION_ZIP64, 14);
    record.writeUInt32LE(0, 16);
    record.writeUInt32LE(0, 20);
    writeUInt64(record, location.entryCount, 24);
    writeUInt64(record, location.entryCount, 32);
    writeUInt64(record, location.size, 40);
    writeUInt64(record, location.offset, 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(0, 4);
    writeUInt64(locator, zip64EndOffset, 8);
    locator.writeUInt32LE(1, 16);
    parts.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(Math.min(location.entryCount, ENTRY_COUNT_LIMIT), 8);
  end.writeUInt16LE(Math.min(location.entryCount, ENTRY_COUNT_LIMIT), 10);
  end.writeUInt32LE(Math.min(location.size, ZIP32_LIMIT), 12);
  end.writeUInt32LE(Math.min(location.offset, ZIP32_LIMIT), 16);
  end.writeUInt16LE(0, 20);
  parts.push(end);
  return Buffer.concat(parts);
}
