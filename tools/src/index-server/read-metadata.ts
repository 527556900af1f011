import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import { ToolsError } from '../errors.js';

/** PEP 427: the core metadata of a wheel is `<name>-<version>.dist-info/METADATA` at the archive root. */
export function readWheelMetadata(path: string): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (openErr, zip) => {
      if (openErr) return reject(notFound(path, `cannot open it as a zip (${openErr.message})`, openErr));
      let found = false;
      zip.on('error', (err: Error) => reject(notFound(path, err.message, err)));
      zip.on('end', () => {
        if (!found) reject(notFound(path, 'it has no <name>-<version>.dist-info/METADATA'));
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!/^[^/]+\.dist-info\/METADATA$/.test(entry.fileName)) return zip.readEntry();
        found = true;
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr) return reject(notFound(path, streamErr.message, streamErr));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (err) => reject(notFound(path, err.message, err)));
          stream.on('end', () => {
            zip.close();
            resolvePromise(Buffer.concat(chunks));
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** An sdist's `<name>-<version>/PKG-INFO` (core metadata), read from a gzipped ustar archive; undefined if absent. */
export async function readSdistPkgInfo(path: string): Promise<Buffer | undefined> {
  const tar = gunzipSync(await readFile(path));
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    const name = cString(header.subarray(0, 100));
    if (name === '') return undefined; // end-of-archive blocks
    const prefix = cString(header.subarray(345, 500));
    const size = parseInt(cString(header.subarray(124, 136)).trim() || '0', 8);
    const full = prefix ? `${prefix}/${name}` : name;
    const start = offset + 512;
    if (/^[^/]+\/PKG-INFO$/.test(full)) return Buffer.from(tar.subarray(start, start + size));
    offset = start + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(end === -1 ? bytes : bytes.subarray(0, end)).toString('utf8');
}

/** First value of a core-metadata header field (RFC 822 style), e.g. `Requires-Python`. */
export function metadataField(metadata: Buffer, field: string): string | undefined {
  const text = metadata.toString('utf8');
  const headerEnd = text.search(/\r?\n\r?\n/);
  const headers = headerEnd === -1 ? text : text.slice(0, headerEnd);
  const wanted = field.toLowerCase();
  for (const line of headers.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return line.slice(colon + 1).trim();
  }
  return undefined;
}

function notFound(path: string, why: string, cause?: unknown): ToolsError {
  return new ToolsError('METADATA_NOT_FOUND', `Cannot read the core metadata of ${path}: ${why}. Rebuild the wheel.`, {
    cause,
  });
}
