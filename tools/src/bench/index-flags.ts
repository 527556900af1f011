import type { IndexConfigLike } from './libraries.js';

/**
 * The same index settings (as the resolver reads them, pip's way) spelled for each reference tool,
 * so that every contender resolves against the same index and find-links. pex runs pip isolated
 * from PIP_* variables and pip.conf, and uv reads neither: both get them as flags.
 */
export function pipIndexFlags(c: IndexConfigLike): string[] {
  if (c.noIndex) return ['--no-index', ...c.findLinks.flatMap((f) => ['--find-links', f])];
  return [
    '--index-url',
    c.indexUrl,
    ...c.extraIndexUrls.flatMap((u) => ['--extra-index-url', u]),
    ...c.findLinks.flatMap((f) => ['--find-links', f]),
  ];
}

export function pexIndexFlags(c: IndexConfigLike): string[] {
  // pex: --no-pypi drops its default index; --index-url adds one; -f adds find-links.
  return [
    '--no-pypi',
    ...(c.noIndex ? [] : [c.indexUrl, ...c.extraIndexUrls].flatMap((u) => ['--index-url', u])),
    ...c.findLinks.flatMap((f) => ['--find-links', f]),
  ];
}

/** `uv pip` takes pip's spelling of the same settings. */
export const uvIndexFlags = pipIndexFlags;
