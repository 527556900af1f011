import { debug } from '../debug.js';
import { distributionFilenameProblem } from '../filename/validate.js';
import { tryParseWheelFilename } from '../filename/wheel.js';
import { displayUrl, schemeProblem, urlProblem, type Scheme } from '../http/urls.js';
import type { IndexFile } from './types.js';

const SHA256 = /^[0-9a-f]{64}$/;

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
 * `validWheelName`: the caller parsed the filename as a wheel's (PEP 427) already.
 */
export function linkProblem(
  file: IndexFile,
  pageUrl: string,
  parsedUrls = false,
  validWheelName = false,
): string | undefined {
  const filename = validWheelName ? undefined : distributionFilenameProblem(file.filename);
  if (filename) return `the filename ${filename}`;
  // A remote page may only link remote files; only a local index or find-links may name local files.
  const schemes: Scheme[] = pageUrl.startsWith('file:') ? ['http:', 'https:', 'file:'] : ['http:', 'https:'];
  const url = parsedUrls ? schemeProblem(file.url, schemes) : urlProblem(file.url, schemes);
  if (url) return `the URL ${url}`;
  const sha256 = file.hashes.sha256;
  if (sha256 !== undefined && !SHA256.test(sha256)) return 'its sha256 is not 64 hex digits';
  const metadata = file.coreMetadata ? file.coreMetadata.hashes.sha256 : undefined;
  if (metadata !== undefined && !SHA256.test(metadata))
    return 'the sha256 of its metadata file (PEP 658) is not 64 hex digits';
  return undefined;
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
    // A wheel's name is parsed once, here, and kept for classifying the page for each target.
    const wheel = file.filename.endsWith('.whl') ? tryParseWheelFilename(file.filename) : undefined;
    const reason = linkProblem(file, pageUrl, parsedUrls, wheel !== undefined);
    if (reason === undefined) {
      if (wheel) file.wheel = wheel;
      usable.push(file);
      continue;
    }
    const shown = { filename: JSON.stringify(file.filename.slice(0, 200)), url: displayUrl(file.url) };
    skipped.push({ filename: file.filename, url: shown.url, reason });
    debug('Skipping link %s (%s) on %s: %s', shown.filename, shown.url, displayUrl(pageUrl), reason);
  }
  return usable;
}
