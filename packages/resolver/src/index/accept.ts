import { debug } from '../debug.js';
import { distributionFilenameProblem } from '../filename/validate.js';
import { displayUrl, schemeProblem, urlProblem, type Scheme } from '../http/urls.js';
import type { IndexFile } from './types.js';

const SHA256 = /^[0-9a-f]{64}$/;

const REMOTE_SCHEMES: readonly Scheme[] = ['http:', 'https:'];
const LOCAL_SCHEMES: readonly Scheme[] = ['http:', 'https:', 'file:'];

/** A link an index page listed and nx-pex ignored, with the reason. */
export interface SkippedLink {
  filename: string;
  url: string;
  reason: string;
}

/**
 * Why `file`, listed on a page at `pageUrl`, is not usable, or undefined when it is. `parsedUrls`:
 * the page's parser gave every URL as WHATWG URL serializes it (index/html.ts, index/json.ts): such a
 * URL is absolute and an http(s) one has a host, so only its scheme is left to check.
 */
export function linkProblem(file: IndexFile, pageUrl: string, parsedUrls = false): string | undefined {
  const filename = distributionFilenameProblem(file.filename);
  if (filename) return `the filename ${filename}`;
  // A remote page may only link remote files; only a local index or find-links may name local files.
  const schemes = pageUrl.startsWith('file:') ? LOCAL_SCHEMES : REMOTE_SCHEMES;
  // Both lists take http(s): most links need no more than a look at their first characters.
  const http = file.url.startsWith('https:') || file.url.startsWith('http:');
  const url = parsedUrls ? (http ? undefined : schemeProblem(file.url, schemes)) : urlProblem(file.url, schemes);
  if (url) return `the URL ${url}`;
  const sha256 = file.hashes.sha256;
  if (sha256 !== undefined && !SHA256.test(sha256)) return 'its sha256 is not 64 hex digits';
  const metadata = file.coreMetadata ? file.coreMetadata.hashes.sha256 : undefined;
  if (metadata !== undefined && !SHA256.test(metadata))
    return 'the sha256 of its metadata file (PEP 658) is not 64 hex digits';
  return undefined;
}

/** Lists of files whose names passed `distributionFilenameProblem`: `acceptFiles` results, and joins of them. */
const checkedLists = new WeakSet<readonly IndexFile[]>();

/**
 * Whether every file of `files` passed the checks of `acceptFiles` (a list it returned, or
 * `joinAccepted` made): grouping such a list by release need not check the names again.
 */
export function namesChecked(files: readonly IndexFile[]): boolean {
  return checkedLists.has(files);
}

/** The files of several lists in order; checked (`namesChecked`) when each list is `acceptFiles`' or empty. */
export function joinAccepted(lists: readonly (readonly IndexFile[])[]): IndexFile[] {
  const all = lists.flat();
  if (lists.every((l) => l.length === 0 || checkedLists.has(l))) checkedLists.add(all);
  return all;
}

/**
 * The usable files of a page. As pip does with links it cannot use, the others are skipped (not an
 * error): each is logged (`NODE_DEBUG=nx-pex`) and added to `skipped`.
 */
export function acceptFiles(
  files: IndexFile[],
  pageUrl: string,
  skipped: SkippedLink[],
  parsedUrls = false,
): IndexFile[] {
  const usable: IndexFile[] = [];
  for (const file of files) {
    const reason = linkProblem(file, pageUrl, parsedUrls);
    if (reason === undefined) {
      usable.push(file);
      continue;
    }
    const shown = { filename: JSON.stringify(file.filename.slice(0, 200)), url: displayUrl(file.url) };
    skipped.push({ filename: file.filename, url: shown.url, reason });
    debug('Skipping link %s (%s) on %s: %s', shown.filename, shown.url, displayUrl(pageUrl), reason);
  }
  checkedLists.add(usable);
  return usable;
}
