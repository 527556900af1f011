import { createHash } from 'node:crypto';
import { writeContentAtomic } from '@nx-pex/common';
import { pathInside } from '../cache/paths.js';
import { readCacheText } from '../cache/read.js';
import { redactUrl } from '../http/credentials.js';

/** The cache area: `<cache>/metadata-packs/<sha256 of the project name>.json`. */
export const PACKS_AREA = 'metadata-packs';
/** Bump when an entry's shape changes: a pack of another format is a miss (and is replaced). */
const FORMAT = 1;
/** A pack larger than this is not read (a miss, replaced by the next write): every read has a bound. */
export const MAX_PACK_BYTES = 64 * 1024 * 1024;

/** One release file's metadata as an index served it (headers only: the description is not needed). */
interface Entry {
  metadata: string;
  /** sha256 of `metadata`: a damaged entry is a miss. */
  digest: string;
  /** For range reads: what the index said about the file (its URL without credentials, its sha256). */
  url?: string;
  sha256?: string;
}
type Entries = Record<string, Entry>;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The headers of a METADATA text, up to its first blank line: all `parseCoreMetadata` reads (the
 * description after them is most of the bytes of many projects' METADATA).
 */
export function metadataHeaders(text: string): string {
  const lines = text.split(/\r?\n/);
  const end = lines.indexOf('');
  return (end < 0 ? lines : lines.slice(0, end)).join('\n');
}

/** A METADATA text as the caches keep it: its headers, and their sha256. */
export interface Headers {
  headers: string;
  digest: string;
}

export function headersOf(text: string): Headers {
  const headers = metadataHeaders(text);
  return { headers, digest: sha256Hex(headers) };
}

function rangeKey(url: string, sha256: string): string {
  return `range-${sha256Hex(JSON.stringify([redactUrl(url), sha256]))}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Metadata for resolution — of verified wheels, PEP 658 files, METADATA read by range requests —
 * cached one file per project instead of one per release: a cold backtracking walk reads hundreds of releases of one
 * project, and creating a file for each cost more than the requests (file creation is slow on many
 * filesystems; a warm walk then opened as many files again). A pack is read once per session, the
 * first time one of its project's releases is needed, and written once, when the session settles:
 * what is on disk then (another process may have added to it) merged with what this session read,
 * written to a temporary file and renamed into place. Two sessions writing at once lose at most each
 * other's new entries, which costs requests, never a wrong answer.
 *
 * Trust is per entry, as with one file per entry:
 * - a verified entry is written only once a wheel with that sha256 was downloaded and its hash checked,
   so a lying index cannot poison it;
 * - a range-read entry records what one index said about one file (its URL without credentials and the
 *   sha256 it advertised) and is used only when a page says the same again, so a lying index can only
 *   mislead itself, as its live answers could;
 * - a PEP 658 entry is keyed by the metadata file's sha256 the index advertised, checked when it was
 *   downloaded, so it vouches only for itself.
 * Each entry also holds the sha256 of its own text: a damaged entry is a miss.
 */
export class MetadataPacks {
  private readonly packs = new Map<string, Promise<Entries>>();
  private readonly added = new Map<string, Entries>();

  constructor(private readonly cacheRoot: string) {}

  /** The pack's path: named by a hash of the (normalized) project name, so a name never becomes a path. */
  private path(project: string): string {
    return pathInside(this.cacheRoot, [PACKS_AREA, `${sha256Hex(project)}.json`]);
  }

  private async readPack(project: string): Promise<Entries> {
    const text = await readCacheText(this.path(project), MAX_PACK_BYTES);
    if (text === undefined) return {};
    try {
      const pack = JSON.parse(text) as unknown;
      if (!isRecord(pack) || pack.format !== FORMAT || pack.project !== project || !isRecord(pack.entries)) return {};
      return pack.entries as Entries;
    } catch {
      return {}; // damaged: a miss
    }
  }

  private entries(project: string): Promise<Entries> {
    let pack = this.packs.get(project);
    if (!pack) {
      pack = this.readPack(project);
      this.packs.set(project, pack);
    }
    return pack;
  }

  private async find(project: string, key: string, matches: (e: Entry) => boolean): Promise<Headers | undefined> {
    const entries = await this.entries(project);
    if (!Object.hasOwn(entries, key)) return undefined;
    const e = entries[key];
    if (!isRecord(e) || typeof e.metadata !== 'string' || typeof e.digest !== 'string' || !matches(e)) return undefined;
    return sha256Hex(e.metadata) === e.digest ? { headers: e.metadata, digest: e.digest } : undefined;
  }

  private add(project: string, key: string, read: Headers, about: Pick<Entry, 'url' | 'sha256'> = {}): void {
    let entries = this.added.get(project);
    if (!entries) {
      entries = {};
      this.added.set(project, entries);
    }
    entries[key] = { ...about, metadata: read.headers, digest: read.digest };
  }

  /** METADATA read by ranges from the file at `url`, whose sha256 the index said is `sha256`. */
  ranged(project: string, url: string, sha256: string): Promise<Headers | undefined> {
    const shown = redactUrl(url);
    return this.find(project, rangeKey(url, sha256), (e) => e.url === shown && e.sha256 === sha256);
  }

  addRanged(project: string, url: string, sha256: string, read: Headers): void {
    this.add(project, rangeKey(url, sha256), read, { url: redactUrl(url), sha256 });
  }

  /** Metadata of a wheel with this sha256 that was downloaded and verified (see `MetadataSource.confirm`). */
  verified(project: string, sha256: string): Promise<Headers | undefined> {
    return this.find(project, `wheel-${sha256}`, () => true);
  }

  addVerified(project: string, sha256: string, read: Headers): void {
    this.add(project, `wheel-${sha256}`, read);
  }

  /** A PEP 658 metadata file whose sha256 (checked when it was downloaded) is `metadataSha256`. */
  pep658(project: string, metadataSha256: string): Promise<Headers | undefined> {
    return this.find(project, `pep658-${metadataSha256}`, () => true);
  }

  addPep658(project: string, metadataSha256: string, read: Headers): void {
    this.add(project, `pep658-${metadataSha256}`, read);
  }

  /** Write what this session added, one pack per project (temp + rename); failures only cost requests later. */
  async flush(): Promise<void> {
    const added = [...this.added];
    this.added.clear();
    if (!added.length) return;
    await Promise.all(
      added.map(async ([project, entries]) => {
        try {
          const merged = { ...(await this.readPack(project)), ...entries };
          await writeContentAtomic(this.path(project), JSON.stringify({ format: FORMAT, project, entries: merged }));
        } catch {
          // The cache is an optimisation.
        }
      }),
    );
  }
}
