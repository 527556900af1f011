import { createHash } from 'node:crypto';

/** PEP 376/427 RECORD hash: `sha256=` + urlsafe base64 without padding. */
export function recordHash(content: Uint8Array): string {
  return 'sha256=' + createHash('sha256').update(content).digest('base64url');
}

/** RECORD is CSV: quote a field holding a comma, quote or newline. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RECORD text: one `path,hash,size` row per file, and `<record path>,,` for RECORD itself. */
export function recordText(files: ReadonlyArray<{ path: string; content: Uint8Array }>, recordPath: string): string {
  const rows = files.map((f) => `${csvField(f.path)},${recordHash(f.content)},${f.content.byteLength}`);
  rows.push(`${csvField(recordPath)},,`);
  return rows.join('\n') + '\n';
}
