import { describe, expect, it } from 'vitest';
import {
  centralDirectoryHeader,
  DOS_DATE_1980,
  endOfCentralDirectory,
  localFileHeader,
  needsZip64End,
  type EntryHeaderFields,
} from './records.js';

const small: EntryHeaderFields = {
  name: Buffer.from('a.txt'),
  method: 8,
  crc32: 0xdeadbeef,
  compressedSize: 10,
  size: 20,
  mode: 0o644,
};
const huge: EntryHeaderFields = { ...small, compressedSize: 5 * 2 ** 30, size: 6 * 2 ** 30 };

describe('localFileHeader', () => {
  it('writes the APPNOTE 4.3.7 layout with the fixed 1980-01-01 00:00 DOS time', () => {
    const header = localFileHeader(small);
    expect(header.readUInt32LE(0)).toBe(0x04034b50);
    expect(header.readUInt16LE(4)).toBe(20);
    expect(header.readUInt16LE(8)).toBe(8);
    expect(header.readUInt16LE(10)).toBe(0);
    expect(header.readUInt16LE(12)).toBe(DOS_DATE_1980);
    expect(DOS_DATE_1980).toBe(0x21);
    expect(header.readUInt32LE(14)).toBe(0xdeadbeef);
    expect(header.readUInt32LE(18)).toBe(10);
    expect(header.readUInt32LE(22)).toBe(20);
    expect(header.readUInt16LE(28)).toBe(0);
    expect(header.subarray(30).toString()).toBe('a.txt');
  });

  it('moves sizes of 4 GiB and more into a ZIP64 extra field (APPNOTE 4.5.3)', () => {
    const header = localFileHeader(huge);
    expect(header.readUInt16LE(4)).toBe(45);
    expect(header.readUInt32LE(18)).toBe(0xffffffff);
    expect(header.readUInt32LE(22)).toBe(0xffffffff);
    const extra = header.subarray(30 + 5);
    expect(extra.readUInt16LE(0)).toBe(1);
    expect(extra.readUInt16LE(2)).toBe(16);
    expect(Number(extra.readBigUInt64LE(4))).toBe(huge.size);
    expect(Number(extra.readBigUInt64LE(12))).toBe(huge.compressedSize);
  });

  it('flags UTF-8 names (APPNOTE 4.4.4 bit 11) only when they are not ASCII', () => {
    expect(localFileHeader({ ...small, name: Buffer.from('é.py') }).readUInt16LE(6)).toBe(0x800);
    expect(localFileHeader(small).readUInt16LE(6)).toBe(0);
  });
});

describe('centralDirectoryHeader', () => {
  it('records unix mode 0644/0755 regular files in the external attributes', () => {
    expect(centralDirectoryHeader(small, 0).readUInt32LE(38) >>> 16).toBe(0o100644);
    expect(centralDirectoryHeader({ ...small, mode: 0o755 }, 0).readUInt32LE(38) >>> 16).toBe(0o100755);
    expect(centralDirectoryHeader(small, 0).readUInt16LE(4) >> 8).toBe(3);
  });

  it('puts only the overflowed values into the ZIP64 extra, in order size, compressed size, offset', () => {
    const offsetOnly = centralDirectoryHeader(small, 5 * 2 ** 30);
    expect(offsetOnly.readUInt32LE(42)).toBe(0xffffffff);
    expect(offsetOnly.readUInt32LE(20)).toBe(10);
    const extra = offsetOnly.subarray(46 + 5);
    expect(extra.readUInt16LE(2)).toBe(8);
    expect(Number(extra.readBigUInt64LE(4))).toBe(5 * 2 ** 30);

    const all = centralDirectoryHeader(huge, 7 * 2 ** 30).subarray(46 + 5);
    expect(all.readUInt16LE(2)).toBe(24);
    expect([4, 12, 20].map((at) => Number(all.readBigUInt64LE(at)))).toEqual([
      huge.size,
      huge.compressedSize,
      7 * 2 ** 30,
    ]);
  });

  it('has no extra field when nothing overflows', () => {
    expect(centralDirectoryHeader(small, 100).readUInt16LE(30)).toBe(0);
  });
});

describe('endOfCentralDirectory', () => {
  it('is the 22-byte record alone for small archives', () => {
    const end = endOfCentralDirectory({ entryCount: 3, size: 100, offset: 200 });
    expect(end.length).toBe(22);
    expect(end.readUInt32LE(0)).toBe(0x06054b50);
    expect([end.readUInt16LE(10), end.readUInt32LE(12), end.readUInt32LE(16)]).toEqual([3, 100, 200]);
  });

  it('adds the ZIP64 record and locator from 65535 entries on, with markers in the classic record', () => {
    expect(needsZip64End({ entryCount: 65534, size: 1, offset: 1 })).toBe(false);
    const end = endOfCentralDirectory({ entryCount: 70000, size: 1000, offset: 5000 });
    expect(end.length).toBe(56 + 20 + 22);
    expect(end.readUInt32LE(0)).toBe(0x06064b50);
    expect(Number(end.readBigUInt64LE(4))).toBe(44);
    expect(Number(end.readBigUInt64LE(32))).toBe(70000);
    expect(Number(end.readBigUInt64LE(40))).toBe(1000);
    expect(Number(end.readBigUInt64LE(48))).toBe(5000);
    expect(end.readUInt32LE(56)).toBe(0x07064b50);
    expect(Number(end.readBigUInt64LE(64))).toBe(6000); // the ZIP64 record follows the central directory
    expect(end.readUInt16LE(76 + 10)).toBe(0xffff);
  });

  it('uses ZIP64 when the central directory starts past 4 GiB', () => {
    const end = endOfCentralDirectory({ entryCount: 1, size: 10, offset: 2 ** 33 });
    expect(end.readUInt32LE(0)).toBe(0x06064b50);
    expect(end.readUInt32LE(76 + 16)).toBe(0xffffffff);
  });
});
