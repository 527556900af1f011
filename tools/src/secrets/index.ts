import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The forms an index credential takes on the wire and in text: the user and password as written,
 * the password percent-encoded (as in a URL), and the HTTP Basic `user:password` in base64 (with the
 * password plain and percent-encoded). A test greps outputs for all of them.
 */
export function credentialForms(user: string, password: string): string[] {
  const encoded = encodeURIComponent(password);
  const forms = [
    user,
    password,
    encoded,
    Buffer.from(`${user}:${password}`).toString('base64'),
    Buffer.from(`${user}:${encoded}`).toString('base64'),
  ];
  return [...new Set(forms)];
}

/** Every needle found in `data` (bytes read as latin1, so any byte sequence matches), as "needle in where". */
export function findSecrets(needles: readonly string[], where: string, data: Buffer | string): string[] {
  const text = Buffer.isBuffer(data) ? data.toString('latin1') : data;
  return needles.filter((n) => text.includes(n)).map((n) => `${JSON.stringify(n)} in ${where}`);
}

/** `findSecrets` over every file name and file content below `root`. */
export async function findSecretsInTree(needles: readonly string[], root: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    found.push(...findSecrets(needles, `the name ${path}`, path));
    if (entry.isFile()) found.push(...findSecrets(needles, path, await readFile(path)));
  }
  return found;
}
