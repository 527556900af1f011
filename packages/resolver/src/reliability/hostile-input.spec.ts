// Issue 11, pure side: names, filenames, URLs and paths from an index, a lock or a config are checked
// where they enter (PEP grammars, one path component, containment), and hostile input gives a typed
// error or a skipped link — never a crash, a path outside the cache, or a credential in a message.
import { writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathInside } from '../cache/paths.js';
import { cacheError } from '../cache/wheel-cache.js';
import { loadIndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import { lockedFileProblem } from '../filename/locked.js';
import { parseSdistFilename, sdistFilenameProblem } from '../filename/sdist.js';
import { distributionFilenameProblem } from '../filename/validate.js';
import { tryParseWheelFilename, wheelFilenameProblem } from '../filename/wheel.js';
import { httpLimits } from '../http/settings.js';
import { displayUrl } from '../http/urls.js';
import { acceptFiles, type SkippedLink } from '../index/accept.js';
import { parseSimpleHtml, unescapeHtml } from '../index/html.js';
import { parseSimpleJson } from '../index/json.js';
import { importUvLock } from '../lock/import.js';
import { parseLock } from '../lock/parse.js';
import { isValidName, normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { versionText } from '@nx-pex/tools';
import { anyText, fcParams, mutated, runs } from '../testing/reliability-fuzz.js';

const RUNS = runs(3_000, 200_000);
const ROOT = resolve('/cache-root');
const SHA = 'a'.repeat(64);

/** PEP 508 names, including the `.`/`_`/`-` runs PEP 503 collapses. */
const nameText = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,12}[A-Za-z0-9])?$/);
const tagText = fc.constantFrom(
  'py3',
  'cp311',
  'py2.py3',
  'abi3',
  'none',
  'cp311d',
  'any',
  'manylinux_2_17_x86_64.manylinux2014_x86_64',
  'win_amd64',
  'macosx_11_0_arm64',
);
const normalVersion = versionText
  .map((v) => Version.tryParse(v)?.toString())
  .filter((v): v is string => v !== undefined);
const wheelName = fc
  .tuple(
    nameText,
    normalVersion,
    fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
    tagText,
    tagText,
    tagText,
  )
  .map(
    ([n, v, b, py, abi, plat]) =>
      `${n.replace(/[-_.]+/g, '_')}-${v}${b === undefined ? '' : `-${b}`}-${py}-${abi}-${plat}.whl`,
  );
const traversal = fc.constantFrom('../', '..\\', '/', '\\', '\0', '..%2f', '%2e%2e%2f', '/etc/passwd', '\n', '..');

/** Insert a traversal piece somewhere in `text`, percent-decoding as filenameOf does. */
const withTraversal = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, fc.nat(), traversal).map(([t, at, piece]) => {
    const i = at % (t.length + 1);
    return decodeURIComponent(t.slice(0, i) + piece.replace(/%2e/g, '.').replace(/%2f/g, '/') + t.slice(i));
  });

function typed<T>(fn: () => T): T | ResolverError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ResolverError) return err;
    throw new Error(`untyped exception: ${String(err)}`, { cause: err });
  }
}

describe('distribution filenames (PEP 427 / sdist) are single path components', () => {
  it('accepts generated PEP 427 filenames and keeps name, version and tags', () => {
    fc.assert(
      fc.property(wheelName, (filename) => {
        const parsed = tryParseWheelFilename(filename);
        expect(parsed, filename).toBeDefined();
        expect(isValidName(parsed!.name)).toBe(true);
        expect(pathInside(ROOT, ['wheels', SHA, filename])).toBe(join(ROOT, 'wheels', SHA, filename));
      }),
      fcParams(RUNS),
    );
  });

  it('rejects every filename with a separator, NUL, control character or `..` component — and whatever it accepts stays inside the cache', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          withTraversal(wheelName),
          mutated(wheelName),
          anyText,
          withTraversal(nameText.map((n) => `${n}-1.0.tar.gz`)),
        ),
        (filename) => {
          const problem = distributionFilenameProblem(filename);
          if (/[/\\\0\n]/.test(filename) || filename === '..') expect(problem, JSON.stringify(filename)).toBeDefined();
          if (problem === undefined) {
            const path = pathInside(ROOT, ['wheels', filename]);
            expect(path.startsWith(ROOT + sep)).toBe(true);
            expect(path.split(sep).includes('..')).toBe(false);
          }
        },
      ),
      fcParams(RUNS),
    );
  });

  it('names the issue-11 cases: %2F../ in a platform tag, a `../` name, a bad version or tag', () => {
    expect(wheelFilenameProblem('pkg-1.0-py3-none-../../../../tmp/evil.whl')).toMatch(/separator/);
    expect(wheelFilenameProblem('pkg-1.0-py3-none-any..whl')).toMatch(/PEP 425/);
    expect(wheelFilenameProblem('../pkg-1.0-py3-none-any.whl')).toMatch(/separator/);
    expect(wheelFilenameProblem('pkg-one-py3-none-any.whl')).toMatch(/PEP 440/);
    expect(wheelFilenameProblem('pkg-1.0-x1-py3-none-any.whl')).toMatch(/build tag/);
    expect(wheelFilenameProblem('pk$g-1.0-py3-none-any.whl')).toMatch(/PEP 508/);
    expect(sdistFilenameProblem('..-1.0.tar.gz')).toBeDefined();
    expect(sdistFilenameProblem('pkg-1.0/../../x.tar.gz')).toMatch(/separator/);
    expect(parseSdistFilename('pkg-1.0 .tar.gz', 'pkg')).toBeUndefined();
    expect(parseSdistFilename('python-dateutil-2.9.0.post0.tar.gz', 'python-dateutil')?.version).toBe('2.9.0.post0');
  });
});

describe('project names (PEP 508)', () => {
  it('a valid name has no path characters, normalises to a valid name, and builds a page URL under the index', () => {
    fc.assert(
      fc.property(fc.oneof(nameText, anyText, withTraversal(nameText)), (name) => {
        if (!isValidName(name)) return;
        expect(name).not.toMatch(/[/\\%\0]/);
        const normal = normalizeName(name);
        expect(isValidName(normal)).toBe(true);
        expect(new URL(`${normal}/`, 'https://idx.example/simple/').pathname).toBe(`/simple/${normal}/`);
      }),
      fcParams(RUNS),
    );
  });
});

describe('pathInside (every cache and download path)', () => {
  it('returns a path inside the root or throws CACHE_ERROR, for any segments', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(anyText, traversal, fc.constant('..'), fc.constant('.'), fc.constant('')), {
          minLength: 1,
          maxLength: 4,
        }),
        (segments) => {
          const result = typed(() => pathInside(ROOT, segments));
          if (result instanceof ResolverError) expect(result.code).toBe('CACHE_ERROR');
          else expect(result.startsWith(ROOT + sep)).toBe(true);
        },
      ),
      fcParams(RUNS),
    );
  });

  it('names the root and the setting', () => {
    expect(() => pathInside(ROOT, ['wheels', '..', '..', 'etc'])).toThrow(
      /Refusing the path .* under .*cache-root \(NX_PEX_CACHE_DIR\)/,
    );
  });
});

describe('index pages: unusable links are skipped with a reason (as pip does)', () => {
  const page = 'http://idx.example/simple/pkg/';
  const good = `<a href="../../files/pkg-1.0-py3-none-any.whl#sha256=${SHA}">ok</a>`;

  it('skips a percent-encoded ../ in a platform tag, other schemes and non-hex hashes; keeps the rest', () => {
    const html = `${good}
      <a href="/files/pkg-1.0-py3-none-..%2F..%2F..%2Ftmp%2Fevil.whl#sha256=${SHA}">evil</a>
      <a href="javascript:alert(1)//pkg-1.0-py3-none-any.whl">js</a>
      <a href="file:///etc/pkg-1.0-py3-none-any.whl">local</a>
      <a href="data:text/plain;base64,AA==/pkg-1.0.tar.gz">data</a>
      <a href="/files/pkg-1.0.exe">installer</a>`;
    const skipped: SkippedLink[] = [];
    const files = acceptFiles(parseSimpleHtml(html, page, page), page, skipped);
    expect(files.map((f) => f.filename)).toEqual(['pkg-1.0-py3-none-any.whl']);
    expect(skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/separator/),
      expect.stringMatching(/scheme javascript:/),
      expect.stringMatching(/scheme file:/),
      expect.stringMatching(/scheme data:/),
      expect.stringMatching(/filename is not "\{name\}-\{version\}"/),
    ]);
  });

  it('skips JSON files whose filename or hashes are hostile', () => {
    const doc = JSON.stringify({
      meta: { 'api-version': '1.1' },
      files: [
        { filename: '../../evil-1.0-py3-none-any.whl', url: '/f/a.whl', hashes: { sha256: SHA } },
        { filename: 'pkg-1.0-py3-none-any.whl', url: '/f/pkg-1.0-py3-none-any.whl', hashes: { sha256: '../../../x' } },
        {
          filename: 'pkg-1.0-py3-none-any.whl',
          url: '/f/pkg-1.0-py3-none-any.whl',
          hashes: { sha256: SHA },
          'core-metadata': { sha256: '../..' },
        },
        { filename: 'pkg-1.0-py3-none-any.whl', url: 'http://[bad', hashes: { sha256: SHA } },
        { filename: 'pkg-1.0-py3-none-any.whl', url: '/f/pkg-1.0-py3-none-any.whl', hashes: { sha256: SHA } },
      ],
    });
    const skipped: SkippedLink[] = [];
    const files = acceptFiles(parseSimpleJson(doc, page, page), page, skipped);
    expect(files).toHaveLength(1);
    expect(skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/separator/),
      expect.stringMatching(/sha256/),
      expect.stringMatching(/PEP 658/),
    ]);
  });

  it("decodes numeric character references as Python's html.unescape (U+FFFD out of range), never throwing", () => {
    expect(unescapeHtml('&#99999999999;')).toBe('\ufffd');
    expect(unescapeHtml(`&#${'9'.repeat(500)};`)).toBe('\ufffd');
    expect(unescapeHtml('&#xD800;&#0;&#x80;&#x1;&#13;&#x10FFFF;&#65&gt;=3.8&bogus;')).toBe(
      '\ufffd\ufffd\u20ac\rA>=3.8&bogus;',
    );
    const html = `<a href="pkg-1.0-py3-none-any.whl" data-requires-python="&#99999999999;&gt;=3">x</a>`;
    expect(parseSimpleHtml(html, page, page)[0]?.requiresPython).toBe('\ufffd>=3');
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            anyText,
            fc.bigInt({ min: 0n, max: 10n ** 30n }).map((n) => `&#${n};`),
            fc.bigInt({ min: 0n, max: 16n ** 12n }).map((n) => `&#x${n.toString(16)}`),
          ),
          { maxLength: 8 },
        ),
        (pieces) => {
          const text = pieces.join('');
          expect(typeof unescapeHtml(text)).toBe('string');
          const files = acceptFiles(
            parseSimpleHtml(`<a href="${text}" data-requires-python="${text}">${text}</a>`, page, page),
            page,
            [],
          );
          for (const f of files) expect(distributionFilenameProblem(f.filename)).toBeUndefined();
        },
      ),
      fcParams(RUNS),
    );
  });
});

describe('locks: a bad entry is INVALID_LOCK naming the file and the package', () => {
  const lockWith = (wheel: string) =>
    `lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "evil"\nversion = "1.0"\nwheels = [${wheel}]\n`;
  const cases: [string, RegExp][] = [
    [
      `{ name = "../../../tmp/evil-1.0-py3-none-any.whl", url = "https://h/evil-1.0-py3-none-any.whl", hashes = { sha256 = "${SHA}" } }`,
      /filename .*separator/,
    ],
    [`{ url = "https://h/evil-1.0-py3-none-..%2F..%2Fx.whl", hashes = { sha256 = "${SHA}" } }`, /separator/],
    [
      `{ url = "javascript:alert(1)//evil-1.0-py3-none-any.whl", hashes = { sha256 = "${SHA}" } }`,
      /scheme javascript:/,
    ],
    [
      `{ url = "data:application/zip;base64,AA==/evil-1.0-py3-none-any.whl", hashes = { sha256 = "${SHA}" } }`,
      /scheme data:/,
    ],
    [`{ url = "ftp://h/evil-1.0-py3-none-any.whl", hashes = { sha256 = "${SHA}" } }`, /scheme ftp:/],
    [
      `{ url = "https://tok:s3cret@h:99999/evil-1.0-py3-none-any.whl", hashes = { sha256 = "${SHA}" } }`,
      /not an absolute URL \(or its host or port is invalid\)/,
    ],
    [`{ url = "https://h/%E0%A4%A.whl", hashes = { sha256 = "${SHA}" } }`, /not a valid wheel filename/],
  ];
  it.each(cases)('%s', (wheel, reason) => {
    const err = typed(() => parseLock(lockWith(wheel), 'pylock.toml'));
    expect(err).toBeInstanceOf(ResolverError);
    expect((err as ResolverError).code).toBe('INVALID_LOCK');
    expect((err as ResolverError).message).toMatch(/^pylock\.toml: packages\[0\]\.wheels\[0\]/);
    expect((err as ResolverError).message).toMatch(reason);
    expect((err as ResolverError).message).not.toContain('s3cret');
  });

  it('the same for uv.lock files', () => {
    const uv = `version = 1\n[[package]]\nname = "evil"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [{ url = "https://h/..%2F..%2Fevil-1.0-py3-none-any.whl", hash = "sha256:${SHA}" }]\n`;
    expect(() => importUvLock(uv, 'uv.lock')).toThrow(/uv\.lock.*package\[0\] \(evil\)\.wheels\[0\].*separator/);
    expect(lockedFileProblem({ url: 'https://h/evil-1.0-py3-none-any.whl' }, 'sdist')).toMatch(
      /not a valid sdist filename/,
    );
  });
});

describe('settings: invalid index URLs name the setting, without credentials', () => {
  it('PIP_INDEX_URL with a bad port, pip.conf with javascript:', async () => {
    await expect(
      loadIndexConfig({
        env: { PIP_INDEX_URL: 'https://user:s3cret@idx.example:99999/simple/' },
        homeDir: '/nonexistent',
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/^PIP_INDEX_URL: "https:\/\/idx\.example:99999\/simple\/" is not an absolute URL/),
    });
    const conf = join(process.env.TMPDIR ?? '/tmp', `nx-pex-pip-${process.pid}.conf`);
    await writeFile(conf, '[global]\nextra-index-url = javascript:alert(1)\n');
    await expect(loadIndexConfig({ env: { PIP_CONFIG_FILE: conf }, homeDir: '/nonexistent' })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining(
        `extra-index-url ([global] in ${conf}): "javascript:alert(1)" uses the scheme javascript:`,
      ),
    });
    await expect(
      loadIndexConfig({ env: { PIP_FIND_LINKS: 'ftp://h/wheels/ ./local-dir' }, homeDir: '/nonexistent' }),
    ).rejects.toThrow(/PIP_FIND_LINKS.*ftp:/);
  });

  it('NX_PEX_* limits: numbers in seconds / bytes, else INVALID_CONFIG naming the variable', () => {
    expect(httpLimits({}, { NX_PEX_HTTP_TIMEOUT: '2.5', NX_PEX_PAGE_MAX_BYTES: '1000' })).toMatchObject({
      deadlineMs: 2500,
      maxPageBytes: 1000,
      pageDeadlineMs: 60_000,
    });
    expect(httpLimits({ deadlineMs: 5 }, { NX_PEX_HTTP_TIMEOUT: '9' }).deadlineMs).toBe(5);
    expect(() => httpLimits({}, { NX_PEX_PAGE_TIMEOUT: 'soon' })).toThrow(
      /^NX_PEX_PAGE_TIMEOUT="soon" is not a positive number of seconds/,
    );
  });
});

describe('messages', () => {
  it('cut huge URLs and strip credentials even from URLs that do not parse', () => {
    const huge = `https://tok:s3cret@h/${'x'.repeat(4_000_000)}`;
    expect(displayUrl(huge).length).toBeLessThan(250);
    expect(displayUrl(huge)).not.toContain('s3cret');
    expect(displayUrl('https://tok:s3cret@h:99999/x')).toBe('https://h:99999/x');
  });

  it('CACHE_ERROR names the file, the errno and the setting (a real ENOSPC from /dev/full)', async () => {
    const enospc = await writeFile('/dev/full', 'x').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((enospc as { code?: string } | undefined)?.code, 'writing /dev/full must fail with ENOSPC').toBe('ENOSPC');
    const err = cacheError('/c', enospc, '/c/wheels/sha256/aa/x.whl');
    expect(err.code).toBe('CACHE_ERROR');
    expect(err.message).toBe(
      'Could not write /c/wheels/sha256/aa/x.whl in the artifact cache /c: no space left on the device (ENOSPC). Free space or fix permissions, or point NX_PEX_CACHE_DIR (or the cacheDir option) at another directory.',
    );
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/c/x'"), { code: 'EACCES' });
    expect(cacheError('/c', eacces, '/c/x').message).toMatch(
      /^Could not write \/c\/x in the artifact cache \/c: permission denied \(EACCES\)\./,
    );
  });
});
