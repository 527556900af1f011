import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ResolverError } from '../errors.js';
import { normalizeName } from '../names.js';
import { parseCoreMetadata, type CoreMetadata } from './core-metadata.js';

function open(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

function readEntry(zip: ZipFile, entry: Entry): Promise<string> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

/** Find `<name>-<version>.dist-info/METADATA` (PEP 427) among the top-level entries. */
function findMetadata(zip: ZipFile, project: string): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    let found: Entry | undefined;
    zip.on('entry', (entry: Entry) => {
      const m = /^([^/]+)-[^/-]+\.dist-info\/METADATA$/.exec(entry.fileName);
      if (m && (!found || normalizeName(m[1] as string) === project)) found = entry;
      zip.readEntry();
    });
    zip.on('end', () => resolve(found));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Read the core metadata of a wheel file. */
export async function readWheelMetadata(path: string, project: string, filename: string): Promise<CoreMetadata> {
  let zip: ZipFile | undefined;
  try {
    zip = await open(path);
    const entry = await findMetadata(zip, normalizeName(project));
    if (!entry) throw new Error('no *.dist-info/METADATA entry');
    return parseCoreMetadata(await readEntry(zip, entry));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ResolverError(
      'METADATA_ERROR',
      `Could not read the metadata of ${filename} (${reason}). The wheel is malformed; report it to the project or pick another version.`,
      { cause: err },
    );
  } finally {
    zip?.close();
  }
}
