import { API_VERSION, type ProjectListEntry, type ProjectPage } from './simple-page.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function document(title: string, body: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    // PEP 629: the repository version the page speaks.
    `    <meta name="pypi:repository-version" content="${API_VERSION}">`,
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    `    <h1>${escapeHtml(title)}</h1>`,
    ...body.map((line) => `    ${line}`),
    '  </body>',
    '</html>',
    '',
  ].join('\n');
}

/** PEP 503 root: one anchor per project, text = name, href = normalised project URL (relative to /simple/). */
export function projectListHtml(projects: readonly ProjectListEntry[]): string {
  return document(
    'Simple index',
    projects.map((p) => `<a href="${escapeHtml(encodeURIComponent(p.normalized))}/">${escapeHtml(p.name)}</a><br/>`),
  );
}

/** PEP 503 project page, with PEP 592 `data-yanked`, PEP 503 `data-requires-python` and PEP 658/714 metadata attributes. */
export function projectPageHtml(page: ProjectPage): string {
  const anchors = page.files.map((f) => {
    const attrs = [`href="${escapeHtml(`${f.url}#sha256=${f.sha256}`)}"`];
    if (f.requiresPython !== undefined) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.coreMetadataSha256 !== undefined) {
      // PEP 714 renamed the attribute; keep the PEP 658 spelling for older clients.
      attrs.push(`data-dist-info-metadata="sha256=${f.coreMetadataSha256}"`);
      attrs.push(`data-core-metadata="sha256=${f.coreMetadataSha256}"`);
    }
    if (f.yanked !== undefined) attrs.push(`data-yanked="${escapeHtml(f.yanked)}"`);
    return `<a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br/>`;
  });
  return document(`Links for ${page.name}`, anchors);
}
