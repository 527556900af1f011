import { describe, expect, it } from 'vitest';
import type { Distribution } from './catalogue.js';
import { FaultState } from './faults.js';
import { projectListHtml, projectPageHtml } from './simple-html.js';
import { projectListJson, projectPageJson } from './simple-json.js';
import { projectList, projectPage } from './simple-page.js';

const dist = (filename: string, extra: Partial<Distribution> = {}): Distribution => ({
  filename,
  path: `/x/${filename}`,
  kind: 'wheel',
  project: 'p',
  displayName: 'P',
  version: filename.split('-')[1]!,
  sha256: 'ab'.repeat(32),
  size: 3,
  ...extra,
});

describe('simple pages', () => {
  it('percent-encodes filenames in links (local versions have +)', () => {
    const page = projectPage('p', [dist('p-1.0+local-py3-none-any.whl')]);
    expect(page.files[0]!.url).toBe('../../files/p-1.0%2Blocal-py3-none-any.whl');
    expect(projectPageHtml(page)).toContain('href="../../files/p-1.0%2Blocal-py3-none-any.whl#sha256=');
  });

  it('escapes HTML in requires-python and yank reasons', () => {
    const html = projectPageHtml(
      projectPage('p', [dist('p-1-py3-none-any.whl', { requiresPython: `>=3.8,!='3.9'` })], {
        faults: new FaultState({ yanked: { 'p-1-py3-none-any.whl': '<&>' } }),
      }),
    );
    expect(html).toContain('data-requires-python="&gt;=3.8,!=&#39;3.9&#39;"');
    expect(html).toContain('data-yanked="&lt;&amp;&gt;"');
  });

  it('lists versions once, sorted, and links projects by normalised name with display text', () => {
    const dists = [
      dist('p-1-py3-none-any.whl'),
      dist('p-1-py2-none-any.whl'),
      dist('p-2.tar.gz', { kind: 'sdist', version: '2' }),
    ];
    expect(projectPage('p', dists).versions).toEqual(['1', '2']);
    const list = projectList(new Map([['p', dists]]));
    expect(projectListHtml(list)).toContain('<a href="p/">P</a>');
    expect(JSON.parse(projectListJson(list))).toEqual({ meta: { 'api-version': '1.1' }, projects: [{ name: 'P' }] });
  });

  it('writes PEP 691 JSON without requires-python when absent and with metadata false when not served', () => {
    const json = JSON.parse(projectPageJson(projectPage('p', [dist('p-1-py3-none-any.whl')]))) as {
      files: Record<string, unknown>[];
    };
    expect(json.files[0]).toEqual({
      filename: 'p-1-py3-none-any.whl',
      url: '../../files/p-1-py3-none-any.whl',
      hashes: { sha256: 'ab'.repeat(32) },
      'core-metadata': false,
      'dist-info-metadata': false,
      yanked: false,
      size: 3,
    });
  });

  it('uses a custom file URL when asked (absolute links)', () => {
    const page = projectPage('p', [dist('p-1-py3-none-any.whl')], { fileUrl: (f) => `http://h/files/${f}` });
    expect(page.files[0]!.url).toBe('http://h/files/p-1-py3-none-any.whl');
  });
});
