import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findPythons, type FoundPython } from '../pythons/find-pythons.js';
import { isolatedPipEnv } from '../pythons/pip-env.js';
import { buildWheel } from '../wheel-factory/build-wheel.js';
import type { BuiltWheel } from '../wheel-factory/spec.js';
import { startFixtureIndex, type FixtureIndex } from './server.js';

const run = promisify(execFile);
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

let work: string;
let wheelsDir: string;
let greet: BuiltWheel;
let greetOld: BuiltWheel;
let other: BuiltWheel;
let sdistName: string;
let python: FoundPython;
let index: FixtureIndex;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-fixture-index-'));
  wheelsDir = join(work, 'wheels');
  greet = await buildWheel(
    {
      name: 'Greet.Tool',
      version: '1.2.0',
      requiresPython: '>=3.8,<4',
      modules: { 'greet/__init__.py': 'X = 1\n'.repeat(30_000) },
    },
    wheelsDir,
  );
  greetOld = await buildWheel(
    { name: 'greet_tool', version: '1.0.0', modules: { 'greet/__init__.py': 'X = 0\n' } },
    wheelsDir,
  );
  other = await buildWheel(
    { name: 'other', version: '0.1', pythonTag: 'cp311', abiTag: 'cp311', platformTag: 'manylinux_2_17_x86_64' },
    wheelsDir,
  );
  const pythons = await findPythons();
  python = pythons.found[pythons.found.length - 1]!;
  // A PEP 625 sdist with PKG-INFO, made by Python's tarfile.
  sdistName = 'greet_tool-1.3.0.tar.gz';
  await run(python.path, [
    '-c',
    `import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    data = b'Metadata-Version: 2.1\\nName: greet-tool\\nVersion: 1.3.0\\nRequires-Python: >=3.9\\n'
    info = tarfile.TarInfo('greet_tool-1.3.0/PKG-INFO'); info.size = len(data)
    t.addfile(info, io.BytesIO(data))`,
    join(wheelsDir, sdistName),
  ]);
  index = await startFixtureIndex({ wheelsDir });
});
afterEach(() => {
  index.setFaults({});
  index.requests.length = 0;
});
afterAll(async () => {
  await index.close();
  await rm(work, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, index.root), { headers, redirect: 'manual' });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface JsonFile {
  filename: string;
  url: string;
  hashes: { sha256: string };
  'requires-python'?: string;
  'core-metadata': false | { sha256: string };
  'dist-info-metadata': false | { sha256: string };
  yanked: boolean | string;
  size: number;
}
async function jsonPage(project: string): Promise<{ name: string; versions: string[]; files: JsonFile[] }> {
  const res = await get(`/simple/${project}/`, { Accept: JSON_TYPE });
  expect(res.status).toBe(200);
  return (await res.json()) as { name: string; versions: string[]; files: JsonFile[] };
}
function fileNamed(files: JsonFile[], filename: string): JsonFile {
  const file = files.find((f) => f.filename === filename);
  expect(file, filename).toBeDefined();
  return file!;
}

describe('PEP 503 HTML', () => {
  it('lists every project on /simple/ with links to normalised pages', async () => {
    const res = await get('/simple/');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<meta name="pypi:repository-version" content="1.1">');
    expect([...html.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['greet-tool/', 'greet_tool'],
      ['other/', 'other'],
    ]);
  });

  it('groups wheels and sdists by project, with sha256 fragments, escaped requires-python and PEP 658/714 attributes', async () => {
    const html = await (await get('/simple/greet-tool/')).text();
    const anchors = [...html.matchAll(/<a ([^>]+)>([^<]+)<\/a>/g)].map((m) => ({ attrs: m[1]!, text: m[2]! }));
    expect(anchors.map((a) => a.text)).toEqual([greetOld.filename, greet.filename, sdistName]);
    const current = anchors[1]!.attrs;
    expect(current).toContain(`href="../../files/${greet.filename}#sha256=${greet.sha256}"`);
    expect(current).toContain('data-requires-python="&gt;=3.8,&lt;4"');
    const served = Buffer.from(await (await get(`/files/${greet.filename}.metadata`)).arrayBuffer());
    expect(current).toContain(`data-dist-info-metadata="sha256=${sha256(served)}"`);
    expect(current).toContain(`data-core-metadata="sha256=${sha256(served)}"`);
    // The sdist's Requires-Python comes from its PKG-INFO; PEP 658 metadata is for wheels only.
    expect(anchors[2]!.attrs).toContain('data-requires-python="&gt;=3.9"');
    expect(anchors[2]!.attrs).not.toContain('metadata');
  });

  it('404s an unknown project', async () => {
    expect((await get('/simple/nope/')).status).toBe(404);
  });
});

describe('PEP 691 JSON', () => {
  it('negotiates JSON for a pip-style Accept header and says so in Content-Type', async () => {
    const res = await get('/simple/greet-tool/', { Accept: PIP_ACCEPT });
    expect(res.headers.get('content-type')).toBe(JSON_TYPE);
    expect(res.headers.get('vary')).toBe('Accept');
    const page = (await res.json()) as {
      meta: { 'api-version': string };
      name: string;
      versions: string[];
      files: JsonFile[];
    };
    expect(page.meta['api-version']).toBe('1.1');
    expect(page.name).toBe('greet-tool');
    expect(page.versions).toEqual(['1.0.0', '1.2.0', '1.3.0']);
    const file = fileNamed(page.files, greet.filename);
    expect(file).toMatchObject({
      url: `../../files/${greet.filename}`,
      hashes: { sha256: greet.sha256 },
      'requires-python': '>=3.8,<4',
      yanked: false,
      size: greet.size,
    });
    expect(file['core-metadata']).toEqual(file['dist-info-metadata']);
    expect(fileNamed(page.files, sdistName)['core-metadata']).toBe(false);
  });

  it('lists projects as JSON on /simple/', async () => {
    const res = await get('/simple/', { Accept: JSON_TYPE });
    expect(await res.json()).toEqual({
      meta: { 'api-version': '1.1' },
      projects: [{ name: 'greet_tool' }, { name: 'other' }],
    });
  });

  it('prefers the higher q, honours ?format= and answers 406 when nothing is acceptable', async () => {
    const html = await get('/simple/other/', { Accept: `${JSON_TYPE};q=0.2, text/html` });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const v1html = await get('/simple/other/', { Accept: 'application/vnd.pypi.simple.latest+html' });
    expect(v1html.headers.get('content-type')).toBe('application/vnd.pypi.simple.v1+html');
    const byQuery = await get(`/simple/other/?format=${encodeURIComponent(JSON_TYPE)}`);
    expect(byQuery.headers.get('content-type')).toBe(JSON_TYPE);
    expect(((await byQuery.json()) as { files: JsonFile[] }).files.map((f) => f.filename)).toEqual([other.filename]);
    expect((await get('/simple/other/', { Accept: 'application/xml' })).status).toBe(406);
  });
});

describe('redirects, files, PEP 658 and ranges', () => {
  it('redirects non-normalised names and a missing slash with 301, keeping the query', async () => {
    const res = await get('/simple/Greet.Tool/?format=text/html');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/simple/greet-tool/?format=text/html');
    expect((await get('/simple/greet-tool')).headers.get('location')).toBe('/simple/greet-tool/');
    expect((await get('/simple')).headers.get('location')).toBe('/simple/');
    // fetch following the redirect lands on the page.
    expect((await fetch(new URL('/simple/GREET__tool', index.root))).url).toBe(`${index.url}greet-tool/`);
  });

  it('serves a file with Content-Length and Accept-Ranges, and HEAD without a body', async () => {
    const res = await get(`/files/${greet.filename}`);
    expect(res.headers.get('content-length')).toBe(String(greet.size));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(greet.sha256);
    const head = await fetch(new URL(`/files/${greet.filename}`, index.root), { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(greet.size));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves PEP 658 metadata equal to the wheel METADATA, and 404s it for sdists', async () => {
    const text = await (await get(`/files/${greet.filename}.metadata`)).text();
    expect(text).toBe('Metadata-Version: 2.1\nName: Greet.Tool\nVersion: 1.2.0\nRequires-Python: >=3.8,<4\n');
    expect((await get(`/files/${sdistName}.metadata`)).status).toBe(404);
  });

  it('answers ranges with 206 and Content-Range, and unsatisfiable ones with 416', async () => {
    const whole = await readFile(greet.path);
    const first = await get(`/files/${greet.filename}`, { Range: 'bytes=0-9' });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-9/${greet.size}`);
    expect(Buffer.from(await first.arrayBuffer())).toEqual(whole.subarray(0, 10));
    const tail = await get(`/files/${greet.filename}`, { Range: 'bytes=-22' });
    expect(tail.headers.get('content-range')).toBe(`bytes ${greet.size - 22}-${greet.size - 1}/${greet.size}`);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(greet.size - 22));
    const beyond = await get(`/files/${greet.filename}`, { Range: `bytes=${greet.size}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${greet.size}`);
  });

  it('404s unknown files and paths', async () => {
    expect((await get('/files/nope-1.0-py3-none-any.whl')).status).toBe(404);
    expect((await get('/elsewhere')).status).toBe(404);
  });

  it('sees files added to wheelsDir after start', async () => {
    const late = await buildWheel({ name: 'late', version: '1.0' }, wheelsDir);
    const page = await jsonPage('late');
    expect(page.files.map((f) => f.filename)).toEqual([late.filename]);
    await rm(late.path);
  });
});

describe('options and odd files', () => {
  it('absoluteUrls links files like PyPI, and fileUrl() gives the same URL', async () => {
    const absolute = await startFixtureIndex({ wheels: [greet.path], absoluteUrls: true });
    try {
      const res = await fetch(`${absolute.url}greet-tool/`, { headers: { Accept: JSON_TYPE } });
      const [file] = ((await res.json()) as { files: JsonFile[] }).files;
      expect(file!.url).toBe(absolute.fileUrl(greet.filename));
      expect(file!.url).toBe(`${absolute.root}files/${greet.filename}`);
      expect(sha256(Buffer.from(await (await fetch(file!.url)).arrayBuffer()))).toBe(greet.sha256);
    } finally {
      await absolute.close();
    }
  });

  it('serves a corrupt wheel as-is, without PEP 658 metadata', async () => {
    const dir = join(work, 'corrupt');
    const bad = await buildWheel({ name: 'broken', version: '1.0' }, dir);
    await writeFile(bad.path, 'not a zip');
    const corrupt = await startFixtureIndex({ wheelsDir: dir });
    try {
      const [file] = (
        (await (await fetch(`${corrupt.url}broken/`, { headers: { Accept: JSON_TYPE } })).json()) as {
          files: JsonFile[];
        }
      ).files;
      expect(file).toMatchObject({
        filename: bad.filename,
        hashes: { sha256: sha256(Buffer.from('not a zip')) },
        'core-metadata': false,
      });
      expect(await (await fetch(corrupt.fileUrl(bad.filename))).text()).toBe('not a zip');
    } finally {
      await corrupt.close();
    }
  });

  it('answers 500 naming the cause, and logs it, when a listed file disappears', async () => {
    const gone = await buildWheel({ name: 'gone', version: '1.0' }, join(work, 'gone'));
    const fragile = await startFixtureIndex({ wheels: [gone.path] });
    try {
      await rm(gone.path);
      const res = await fetch(`${fragile.url}gone/`);
      expect(res.status).toBe(500);
      expect(await res.text()).toContain('ENOENT');
      expect(fragile.requests[0]).toMatchObject({ status: 500, error: expect.stringContaining(gone.filename) });
    } finally {
      await fragile.close();
    }
  });

  it('fails at start with DISTRIBUTION_NOT_FOUND for a missing wheelsDir', async () => {
    await expect(startFixtureIndex({ wheelsDir: join(work, 'no-such-dir') })).rejects.toMatchObject({
      code: 'DISTRIBUTION_NOT_FOUND',
      message: expect.stringContaining('no-such-dir'),
    });
  });

  it('fails at start, not per request, on a file that is not a distribution', async () => {
    const odd = join(work, 'odd.whl');
    await writeFile(odd, '');
    await expect(startFixtureIndex({ wheels: [odd] })).rejects.toMatchObject({ code: 'INVALID_DISTRIBUTION_FILENAME' });
  });
});

describe('fault knobs', () => {
  it('status5xx: a global count fails the first N requests of any path', async () => {
    index.setFaults({ status5xx: 2 });
    expect((await get('/simple/')).status).toBe(503);
    expect((await get(`/files/${greet.filename}`)).status).toBe(503);
    expect((await get('/simple/')).status).toBe(200);
    expect(index.requests.map((r) => [r.status, r.fault])).toEqual([
      [503, 'status5xx'],
      [503, 'status5xx'],
      [200, undefined],
    ]);
  });

  it('status5xx: a per-path count with a chosen code fails only that path', async () => {
    index.setFaults({ status5xx: { [greet.filename]: 1 }, status5xxCode: 502 });
    expect((await get('/simple/')).status).toBe(200);
    expect((await get(`/files/${greet.filename}`)).status).toBe(502);
    expect((await get(`/files/${greet.filename}`)).status).toBe(200);
  });

  it('resetConnection: the client sees a connection error, then the next request succeeds', async () => {
    index.setFaults({ resetConnection: { '/simple/other/': 1 } });
    await expect(get('/simple/other/')).rejects.toThrow();
    expect((await get('/simple/other/')).status).toBe(200);
    expect(index.requests[0]).toMatchObject({ status: 0, fault: 'resetConnection' });
  });

  it('slowBodyMs: the body arrives no sooner than the delay, intact', async () => {
    index.setFaults({ slowBodyMs: { [greet.filename]: 150 } });
    const started = performance.now();
    const res = await get(`/files/${greet.filename}`);
    const body = Buffer.from(await res.arrayBuffer());
    // A lower bound only (timers never fire early by more than rounding): no flaky upper bounds.
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(sha256(body)).toBe(greet.sha256);
    expect(index.requests[0]?.fault).toBe('slowBody');
  });

  it('wrongContentLength: declares one byte more than it sends, so reading the body fails', async () => {
    index.setFaults({ wrongContentLength: 1 });
    const res = await get(`/files/${greetOld.filename}`);
    expect(res.headers.get('content-length')).toBe(String(greetOld.size + 1));
    await expect(res.arrayBuffer()).rejects.toThrow();
    const again = await get(`/files/${greetOld.filename}`);
    expect(sha256(Buffer.from(await again.arrayBuffer()))).toBe(greetOld.sha256);
  });

  it('wrongSha256: advertises a wrong, well-formed hash in HTML and JSON', async () => {
    index.setFaults({ wrongSha256: [greet.filename] });
    const advertised = fileNamed((await jsonPage('greet-tool')).files, greet.filename).hashes.sha256;
    expect(advertised).toMatch(/^[0-9a-f]{64}$/);
    expect(advertised).not.toBe(greet.sha256);
    const html = await (await get('/simple/greet-tool/')).text();
    expect(html).toContain(`#sha256=${advertised}"`);
    expect(fileNamed((await jsonPage('greet-tool')).files, greetOld.filename).hashes.sha256).toBe(greetOld.sha256);
  });

  it('yanked: data-yanked with the escaped reason, JSON reason string or true', async () => {
    index.setFaults({ yanked: { [greet.filename]: 'broken <b>"api"</b>', [greetOld.filename]: '' } });
    const html = await (await get('/simple/greet-tool/')).text();
    expect(html).toContain('data-yanked="broken &lt;b&gt;&quot;api&quot;&lt;/b&gt;"');
    expect(html).toMatch(new RegExp(`data-yanked="">${greetOld.filename.replace(/\./g, '\\.')}<`));
    const files = (await jsonPage('greet-tool')).files;
    expect(fileNamed(files, greet.filename).yanked).toBe('broken <b>"api"</b>');
    expect(fileNamed(files, greetOld.filename).yanked).toBe(true);
    expect(fileNamed(files, sdistName).yanked).toBe(false);
  });

  it('noMetadata: no PEP 658/714 attributes and no .metadata file', async () => {
    index.setFaults({ noMetadata: true });
    expect(await (await get('/simple/greet-tool/')).text()).not.toContain('metadata=');
    expect(fileNamed((await jsonPage('greet-tool')).files, greet.filename)['core-metadata']).toBe(false);
    expect((await get(`/files/${greet.filename}.metadata`)).status).toBe(404);
  });

  it('noRange: ignores Range and sends no Accept-Ranges', async () => {
    index.setFaults({ noRange: true });
    const res = await get(`/files/${greet.filename}`, { Range: 'bytes=0-9' });
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBeNull();
    expect((await res.arrayBuffer()).byteLength).toBe(greet.size);
  });

  it('rejects nonsense fault options with a ToolsError', () => {
    expect(() => index.setFaults({ status5xx: -1 })).toThrow(/non-negative integer/);
    expect(() => index.setFaults({ status5xxCode: 404 })).toThrow(/5xx/);
  });
});

describe('a real pip against the index', () => {
  const pip = (args: string[]) => run(python.path, ['-m', 'pip', ...args], { env: isolatedPipEnv() });

  it('downloads the newest compatible wheel, skipping a yanked one', async () => {
    index.setFaults({ yanked: { [greet.filename]: 'bad' } });
    const dest = join(work, 'pip-download');
    await pip(['download', '--no-deps', '--only-binary=:all:', '--index-url', index.url, '-d', dest, 'Greet.Tool']);
    expect(await readdir(dest)).toEqual([greetOld.filename]);
  });

  it('refuses a wheel whose advertised sha256 is wrong', async () => {
    index.setFaults({ wrongSha256: true });
    const dest = join(work, 'pip-bad-hash');
    await expect(
      pip(['download', '--no-deps', '--only-binary=:all:', '--index-url', index.url, '-d', dest, 'greet-tool==1.0.0']),
    ).rejects.toThrow(/hash|HASH/);
  });

  it('reads dependency metadata through HTTP ranges (fast-deps) when PEP 658 is off', async () => {
    index.setFaults({ noMetadata: true });
    const dest = join(work, 'pip-fast-deps');
    await pip([
      'download',
      '--use-feature=fast-deps',
      '--no-deps',
      '--only-binary=:all:',
      '--index-url',
      index.url,
      '-d',
      dest,
      'greet-tool==1.2.0',
    ]);
    const fileRequests = index.requests.filter((r) => r.path === `/files/${greet.filename}`);
    expect(fileRequests.some((r) => r.range !== undefined && r.status === 206)).toBe(true);
    expect(await readdir(dest)).toEqual([greet.filename]);
    expect(sha256(await readFile(join(dest, greet.filename)))).toBe(greet.sha256);
  });

  it('retries through a 503', async () => {
    index.setFaults({ status5xx: { '/simple/greet-tool/': 1 } });
    const dest = join(work, 'pip-retry');
    await pip([
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--retries',
      '2',
      '--index-url',
      index.url,
      '-d',
      dest,
      'greet-tool==1.0.0',
    ]);
    expect(index.requests.filter((r) => r.path === '/simple/greet-tool/').map((r) => r.status)).toEqual([503, 200]);
  });
});
