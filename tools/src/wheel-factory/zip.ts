import { crc32, deflateRawSync } from 'node:zlib';

/**
 * The factory's zip writer: in memory, synchronous, linear in the number of members. It writes the
 * bytes yazl 3 wrote for the factory's options (UTF-8 flag, DOS time only, sizes in the local header,
 * no data descriptors, deflate level 6), so wheels keep their sha256; yazl's pump rescans its entry
 * list from the start for every member, which made 65k-member wheels take minutes.
 */
export interface ZipMember {
  path: string;
  content: Uint8Array;
  /** Unix st_mode, e.g. 0o100644. */
  mode: number;
}

/** APPNOTE 4.4.6: 1980-01-02 00:00 (one day past the DOS epoch, see build-wheel.ts). */
const DOS_DATE = (0 << 9) | (1 << 5) | 2;
const DOS_TIME = 0;
const FLAG_UTF8 = 1 << 11;
const VERSION_NEEDED = 20;
const VERSION_NEEDED_ZIP64 = 45;
const VERSION_MADE_BY = (3 << 8) | 63;
const DEFLATE_LEVEL = 6;

export function zipMembers(members: readonly ZipMember[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.path, 'utf8');
    const data = deflateRawSync(member.content, { level: DEFLATE_LEVEL });
    const crc = crc32(member.content) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAG_UTF8, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(member.content.byteLength, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, name, data);
    central.push(centralRecord(name, member, crc, data.length, offset));
    offset += local.length + name.length + data.length;
  }
  const centralStart = offset;
  const centralSize = central.reduce((sum, record) => sum + record.length, 0);
  return Buffer.concat([...parts, ...central, endRecords(members.length, centralStart, centralSize)]);
}

function centralRecord(name: Buffer, member: ZipMember, crc: number, compressedSize: number, offset: number): Buffer {
  const zip64 = member.content.byteLength > 0xfffffffe || compressedSize > 0xfffffffe || offset > 0xfffffffe;
  const record = Buffer.alloc(46);
  record.writeUInt32LE(0x02014b50, 0);
  record.writeUInt16LE(VERSION_MADE_BY, 4);
  record.writeUInt16LE(zip64 ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED, 6);
  record.writeUInt16LE(FLAG_UTF8, 8);
  record.writeUInt16LE(8, 10);
  record.writeUInt16LE(DOS_TIME, 12);
  record.writeUInt16LE(DOS_DATE, 14);
  record.writeUInt32LE(crc, 16);
  record.writeUInt32LE(zip64 ? 0xffffffff : compressedSize, 20);
  record.writeUInt32LE(zip64 ? 0xffffffff : member.content.byteLength, 24);
  record.writeUInt16LE(name.length, 28);
  record.writeUInt16LE(zip64 ? 28 : 0, 30);
  record.writeUInt32LE((member.mode << 16) >>> 0, 38);
  record.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
  if (!zip64) return Buffer.concat([record, name]);
  const extra = Buffer.alloc(28);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(24, 2);
  extra.writeBigUInt64LE(BigInt(member.content.byteLength), 4);
  extra.writeBigUInt64LE(BigInt(compressedSize), 12);
  extra.writeBigUInt64LE(BigInt(offset), 20);
  return Buffer.concat([record, name, extra]);
}

/** APPNOTE 4.3.14–4.3.16; ZIP64 records from 65535 entries or a 4 GiB size/offset on, as yazl. */
function endRecords(count: number, centralStart: number, centralSize: number): Buffer {
  const zip64 = count >= 0xffff || centralSize >= 0xffffffff || centralStart >= 0xffffffff;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(count, 0xffff), 8);
  end.writeUInt16LE(Math.min(count, 0xffff), 10);
  end.writeUInt32LE(Math.min(centralSize, 0xffffffff), 12);
  end.writeUInt32LE(Math.min(centralStart, 0xffffffff), 16);
  if (!zip64) return end;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(VERSION_MADE_BY, 12);
  record.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(centralSize), 40);
  record.writeBigUInt64LE(BigInt(centralStart), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(centralStart + centralSize), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, end]);
}
