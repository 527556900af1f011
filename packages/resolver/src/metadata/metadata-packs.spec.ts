import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCoreMetadata } from './core-metadata.js';
import { headersOf, MAX_PACK_BYTES, metadataHeaders, MetadataPacks, PACKS_AREA } from './metadata-packs.js';

const METADATA = [
  'Metadata-Version: 2.1',
  'Name: boto3',
  'Version: 1.28.17',
  'Requires-Python: >= 3.7',
  'Requires-Dist: botocore (<1.32.0,>=1.31.17)',
  'Requires-Dist: crt',
  '  continued',
  'Provides-Extra: crt',
  '',
  'Boto3 - The AWS SDK for Python',
  '',
  'Requires-Dist: not-a-header',
].join('\r\n');
const URL = 'https://files.example/packages/boto3-1.28.17-py3-none-any.whl';
const SHA = 'a'.repeat(64);
const packPath = (root: string, project: string) =>
  join(root, PACKS_AREA, `${createHash('sha256').update(project).digest('hex')}.json`);

describe('metadata packs', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'nx-pex-packs-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('keeps only the headers, which parse as the whole text does', () => {
    expect(metadataHeaders(METADATA)).not.toContain('AWS SDK');
    expect(parseCoreMetadata(metadataHeaders(METADATA))).toEqual(parseCoreMetadata(METADATA));
    expect(metadataHeaders('Name: a\nVersion: 1')).toBe('Name: a\nVersion: 1');
    expect(metadataHeaders('\nName: a')).toBe('');
  });

  it('writes one file per project when the session settles, read back by the next session', async () => {
    const first = new MetadataPacks(root);
    first.addRanged('boto3', URL, SHA, headersOf(METADATA));
    first.addPep658('boto3', 'b'.repeat(64), headersOf(METADATA));
    first.addVerified('botocore', 'c'.repeat(64), headersOf('Name: botocore\n\nlong description'));
    expect(await readdir(root)).toEqual([]); // nothing written before the session settles
    await first.flush();
    expect((await readdir(join(root, PACKS_AREA))).sort()).toEqual(
      [packPath(root, 'boto3'), packPath(root, 'botocore')].map((p) => p.slice(p.lastIndexOf('/') + 1)).sort(),
    );
    const next = new MetadataPacks(root);
    expect((await next.ranged('boto3', URL, SHA))?.headers).toBe(metadataHeaders(METADATA));
    expect((await next.pep658('boto3', 'b'.repeat(64)))?.headers).toBe(metadataHeaders(METADATA));
    expect((await next.verified('botocore', 'c'.repeat(64)))?.headers).toBe('Name: botocore');
    // Each entry answers only for what it was written for.
    expect(await next.verified('boto3', 'b'.repeat(64))).toBeUndefined();
    expect(await next.pep658('botocore', 'c'.repeat(64))).toBeUndefined();
    expect(await next.ranged('botocore', URL, SHA)).toBeUndefined();
  });

  it('uses a range entry only for the same file URL (credentials aside) and the same advertised sha256', async () => {
    const first = new MetadataPacks(root);
    first.addRanged('boto3', URL.replace('https://', 'https://user:secret@'), SHA, headersOf(METADATA));
    await first.flush();
    expect(await readFile(packPath(root, 'boto3'), 'utf8')).not.toContain('secret');
    const next = new MetadataPacks(root);
    expect((await next.ranged('boto3', URL, SHA))?.headers).toBe(metadataHeaders(METADATA));
    expect(await next.ranged('boto3', URL, 'd'.repeat(64))).toBeUndefined();
    expect(await next.ranged('boto3', URL.replace('files.example', 'other.example'), SHA)).toBeUndefined();
  });

  it('treats a damaged entry, a damaged or foreign pack and an oversized pack as misses', async () => {
    const first = new MetadataPacks(root);
    first.addRanged('boto3', URL, SHA, headersOf(METADATA));
    first.addPep658('boto3', 'b'.repeat(64), headersOf(METADATA));
    await first.flush();
    const path = packPath(root, 'boto3');
    const pack = JSON.parse(await readFile(path, 'utf8')) as { entries: Record<string, { metadata: string }> };
    const key = Object.keys(pack.entries).find((k) => k.startsWith('range-'))!;
    pack.entries[key]!.metadata += '\nRequires-Dist: evil';
    await writeFile(path, JSON.stringify(pack));
    const damaged = new MetadataPacks(root);
    expect(await damaged.ranged('boto3', URL, SHA)).toBeUndefined();
    expect((await damaged.pep658('boto3', 'b'.repeat(64)))?.headers).toBe(metadataHeaders(METADATA));

    // A pack that claims another project (copied over, renamed) is not read.
    await writeFile(packPath(root, 'requests'), await readFile(path));
    expect(await new MetadataPacks(root).pep658('requests', 'b'.repeat(64))).toBeUndefined();

    await writeFile(path, '{"format": 1, "project": "boto3", "entr');
    const truncated = new MetadataPacks(root);
    expect(await truncated.pep658('boto3', 'b'.repeat(64))).toBeUndefined();
    truncated.addRanged('boto3', URL, SHA, headersOf(METADATA));
    await truncated.flush(); // replaced by what this session read
    expect((await new MetadataPacks(root).ranged('boto3', URL, SHA))?.headers).toBe(metadataHeaders(METADATA));

    await truncate(path, MAX_PACK_BYTES + 1);
    expect(await new MetadataPacks(root).ranged('boto3', URL, SHA)).toBeUndefined();
  });

  it('merges with what another session wrote meanwhile', async () => {
    const a = new MetadataPacks(root);
    const b = new MetadataPacks(root);
    a.addPep658('boto3', 'b'.repeat(64), headersOf(METADATA));
    b.addVerified('boto3', SHA, headersOf(METADATA));
    await a.flush();
    await b.flush();
    const next = new MetadataPacks(root);
    expect((await next.pep658('boto3', 'b'.repeat(64)))?.headers).toBe(metadataHeaders(METADATA));
    expect((await next.verified('boto3', SHA))?.headers).toBe(metadataHeaders(METADATA));
    expect((await readdir(join(root, PACKS_AREA))).filter((f) => !f.endsWith('.json'))).toEqual([]);
  });
});
