import { inflateRawSync } from 'node:zlib';
import { normalizeName } from '../names.js';

// Reading one member of a remote ZIP (a wheel's METADATA) with HTTP range requests, as pip's
// "lazy wheel" does: the tail holds the end of central directory record (APPNOTE.TXT 4.3.16),
// which points at the central directory (4.3.12), which points at the member's local header (4.3.7).

/** Bytes `[start, start + data.length)` of a file of `total` bytes. */
export interface ByteRange {
  start: number;
  data: Buffer;
  total: number;
}

/** Fetch a byte range (`start` ≥ 0, or the last `-start` bytes when negative); undefined = the server ignored Range. */
export type RangeFetcher = (start: number, endInclusive?: number) => Promise<ByteRange | undefined>;

/** Thrown when the archive is outside what this reader handles (ZIP64, odd compression): fall back to a full download. */
export class UnsupportedZip extends Error {}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
// The tail read first: the end of central directory record, and for most wheels (up to ~150 members)
// the central directory and METADATA too (both sit near the end). Larger reads cost more than the
// rare extra request saves: a backtracking walk reads ~840 tails (16 KiB instead of 64 KiB: ~0.7 s
// less CPU receiving them, boto3's walk; same requests but 3).
const TAIL_BYTES = 16 * 1024;

/** Bytes `[start, end)`, from `have` when it covers them, else with one more range request. */
async function slice(fetch: RangeFetcher, have: ByteRange, start: number, end: number): Promise<Buffer> {
  if (start >= have.start && end <= have.start + have.data.length)
    return have.data.subarray(start - have.start, end - have.start);
  const got = await fetch(start, end - 1);
  if (!got) throw new UnsupportedZip('the server stopped honouring Range');
  if (got.start !== start || got.data.length < end - start) throw new UnsupportedZip('short range answer');
  return got.data.subarray(0, end - start);
}

interface Member {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
  nameLength: number;
}

function centralDirectory(cd: Buffer): Member[] {
  const members: Member[] = [];
  let at = 0;
  while (at + 46 <= cd.length && cd.readUInt32LE(at) === CENTRAL_SIGNATURE) {
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    members.push({
      name: cd.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
      method: cd.readUInt16LE(at + 10),
      compressedSize: cd.readUInt32LE(at + 20),
      localHeaderOffset: cd.readUInt32LE(at + 42),
      nameLength,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** PEP 427: `<name>-<version>.dist-info/METADATA` at the top level; the project's own wins. */
function metadataMember(members: Member[], project: string): Member | undefined {
  let found: Member | undefined;
  for (const m of members) {
    const match = /^([^/]+)-[^/-]+\.dist-info\/METADATA$/.exec(m.name);
    if (match && (!found || normalizeName(match[1]!) === project)) found = m;
  }
  return found;
}

/**
 * The text of the wheel's METADATA, read with range requests. Returns undefined when the server
 * ignores Range (the caller downloads the whole file); throws UnsupportedZip for archives this
 * reader does not handle.
 */
export async function readMetadataByRanges(
  fetch: RangeFetcher,
  project: string,
  tailBytes = TAIL_BYTES,
): Promise<string | undefined> {
  const tail = await fetch(-tailBytes);
  if (!tail) return undefined;
  const eocd = tail.data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > tail.data.length || tail.data.readUInt32LE(eocd) !== EOCD_SIGNATURE)
    throw new UnsupportedZip('no end of central directory record');
  const cdSize = tail.data.readUInt32LE(eocd + 12);
  const cdOffset = tail.data.readUInt32LE(eocd + 16);
  if (cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new UnsupportedZip('ZIP64 archive');
  const cd = await slice(fetch, tail, cdOffset, cdOffset + cdSize);
  const member = metadataMember(centralDirectory(cd), normalizeName(project));
  if (!member) throw new UnsupportedZip('no *.dist-info/METADATA entry');
  if (member.method !== 0 && member.method !== 8) throw new UnsupportedZip(`compression method ${member.method}`);
  // The local header's extra field may differ from the central one: read generously, then exactly.
  const guess = member.localHeaderOffset + 30 + member.nameLength + member.compressedSize + 1024;
  const first = await slice(fetch, tail, member.localHeaderOffset, Math.min(guess, tail.total));
  if (first.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new UnsupportedZip('bad local header');
  const dataStart = member.localHeaderOffset + 30 + first.readUInt16LE(26) + first.readUInt16LE(28);
  const have: ByteRange = { start: member.localHeaderOffset, data: first, total: tail.total };
  const data = await slice(fetch, have, dataStart, dataStart + member.compressedSize);
  return (member.method === 8 ? inflateRawSync(data) : data).toString('utf8');
}
