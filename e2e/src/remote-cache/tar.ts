import { gunzipSync } from 'node:zlib';

// Enough of a tar reader to look inside what Nx uploads to a remote cache: ustar headers, GNU long
// names ('L') and pax headers ('x', for path only). A gzip-compressed body is inflated first.

export interface TarEntry {
  name: string;
  /** '0' file, '5' directory, '2' symlink, … (typeflag as written). */
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Seconds since the epoch. */
  mtime: number;
  content: Buffer;
}

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function octal(block: Buffer, start: number, length: number): number {
  const field = text(block, start, length).trim();
  return field === '' ? 0 : parseInt(field, 8);
}

function paxPath(content: Buffer): string | undefined {
  // Records: "<len> <key>=<value>\n"
  let offset = 0;
  let path: string | undefined;
  while (offset < content.length) {
    const space = content.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(content.subarray(offset, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = content.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    offset += length;
  }
  return path;
}

/** The entries of a tar (or tar.gz) body, in order; long-name and pax records are applied, not listed. */
export function readTar(body: Buffer): TarEntry[] {
  const tar = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
  const entries: TarEntry[] = [];
  let offset = 0;
  let nextName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header, 124, 12);
    const type = text(header, 156, 1) || '0';
    const content = Buffer.from(tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      nextName = text(content, 0, content.length);
      continue;
    }
    if (type === 'x') {
      nextName = paxPath(content) ?? nextName;
      continue;
    }
    if (type === 'g') continue;
    const prefix = text(header, 345, 155);
    const name = nextName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    nextName = undefined;
    entries.push({
      name,
      type,
      mode: octal(header, 100, 8),
      uid: octal(header, 108, 8),
      gid: octal(header, 116, 8),
      uname: text(header, 265, 32),
      gname: text(header, 297, 32),
      mtime: octal(header, 136, 12),
      content,
    });
  }
  return entries;
}
