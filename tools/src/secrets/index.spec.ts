import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialForms, findSecrets, findSecretsInTree } from './index.js';

describe('secret search', () => {
  const needles = credentialForms('alice', 's3cr3t/+x');

  it('knows the plain, URL-encoded and Basic-auth forms', () => {
    expect(needles).toEqual([
      'alice',
      's3cr3t/+x',
      's3cr3t%2F%2Bx',
      Buffer.from('alice:s3cr3t/+x').toString('base64'),
      Buffer.from('alice:s3cr3t%2F%2Bx').toString('base64'),
    ]);
  });

  it('finds them in text, bytes, file names and file contents', async () => {
    expect(findSecrets(needles, 'a log', 'GET https://alice:s3cr3t%2F%2Bx@host/')).toEqual([
      '"alice" in a log',
      '"s3cr3t%2F%2Bx" in a log',
    ]);
    expect(findSecrets(needles, 'nothing', Buffer.from([0, 1, 2]))).toEqual([]);
    const root = mkdtempSync(join(tmpdir(), 'nx-pex-secrets-'));
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'alice.txt'), 'clean');
    writeFileSync(join(root, 'auth'), `Authorization: Basic ${Buffer.from('alice:s3cr3t/+x').toString('base64')}`);
    const found = await findSecretsInTree(needles, root);
    expect(found.some((f) => f.startsWith('"alice" in the name') && f.endsWith('alice.txt'))).toBe(true);
    expect(found.some((f) => f.includes(Buffer.from('alice:s3cr3t/+x').toString('base64')) && f.endsWith('auth'))).toBe(
      true,
    );
  });
});
