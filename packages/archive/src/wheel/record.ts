import { ArchiveError } from '../errors.js';

/** One row of a wheel's RECORD (PEP 376 / binary distribution format): path, hash, size. */
export interface RecordRow {
  path: string;
  /** node:crypto algorithm name, e.g. 'sha256'. */
  algorithm: string;
  /** The digest, decoded from urlsafe base64 without padding. */
  digest: Buffer;
  size: number;
}

/** The wheel spec allows sha256 "or better"; md5 and sha1 are not acceptable. */
const ACCEPTED_ALGORITHMS = new Set(['sha256', 'sha384', 'sha512']);

/** Files the RECORD cannot list with a hash (the spec exempts RECORD and its signatures). */
export function isRecordExempt(memberName: string, distInfoDir: string): boolean {
  return [`${distInfoDir}/RECORD`, `${distInfoDir}/RECORD.jws`, `${distInfoDir}/RECORD.p7s`].includes(memberName);
}

/** RECORD is written by Python's csv module (default dialect): comma-separated, '"' quoting, '""' escapes. */
export function parseCsv(text: string): string[][] {
  // Without quotes every line is a row and every comma a separator: the common case, done in bulk.
  if (!text.includes('"')) {
    return text
      .split(/\r\n|\n|\r/)
      .filter((line) => line.length > 0)
      .map((line) => line.split(','));
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
      fieldStarted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
      fieldStarted = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') index++;
      if (fieldStarted || field.length > 0) row.push(field);
      if (row.length > 0) rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
    } else {
      field += char;
      fieldStarted = true;
    }
  }
  if (fieldStarted || field.length > 0) row.push(field);
  if (row.length > 0) rows.push(row);
  return rows;
}

/** Parse RECORD into rows keyed by path; rows without a hash (RECORD itself) are left out. */
export function parseRecord(text: string, where: string): Map<string, RecordRow> {
  const rows = new Map<string, RecordRow>();
  for (const [path, hash = '', size = ''] of parseCsv(text)) {
    if (path === undefined || hash === '') continue;
    const separator = hash.indexOf('=');
    const algorithm = hash.slice(0, separator);
    if (separator < 0 || !ACCEPTED_ALGORITHMS.has(algorithm)) {
      throw new ArchiveError(
        'INVALID_WHEEL',
        `RECORD of ${where} lists '${path}' with hash '${hash}'; the wheel spec requires sha256 or a stronger algorithm. Rebuild the wheel with a current build backend.`,
      );
    }
    if (!/^\d+$/.test(size)) {
      throw new ArchiveError(
        'INVALID_WHEEL',
        `RECORD of ${where} lists '${path}' without a valid size ('${size}'); every file but RECORD needs a hash and a size. Rebuild the wheel.`,
      );
    }
    rows.set(path, {
      path,
      algorithm,
      digest: Buffer.from(hash.slice(separator + 1), 'base64url'),
      size: Number(size),
    });
  }
  return rows;
}
