import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { validatePylock } from './validate.js';

const sha = 'ab'.repeat(32);
const head = 'lock-version = "1.0"\ncreated-by = "t"\n';
const problems = (text: string) => validatePylock(parseToml(text)).map((p) => `${p.field} ${p.problem}`);

describe('validatePylock (PEP 751)', () => {
  it('accepts a complete lock with every source kind and the request keys', () => {
    expect(
      problems(
        [
          head,
          'environments = ["sys_platform == \'linux\'"]',
          'requires-python = ">=3.9"',
          'extras = ["fancy"]',
          'dependency-groups = ["test"]',
          'default-groups = []',
          '[[packages]]',
          'name = "a"',
          'version = "1.0"',
          'marker = "\'test\' in dependency_groups"',
          'requires-python = ">=3.8"',
          'index = "https://pypi.org/simple"',
          'dependencies = [{ name = "b" }]',
          `sdist = { url = "https://f.example/a-1.0.tar.gz", upload-time = 2024-01-01T00:00:00Z, size = 10, hashes = { sha256 = "${sha}" } }`,
          `wheels = [{ name = "a-1.0-py3-none-any.whl", url = "https://f.example/x?y", hashes = { sha256 = "${sha}", md5 = "${'c'.repeat(32)}" } }]`,
          'attestation-identities = [{ kind = "GitHub", repository = "o/r" }]',
          '[[packages]]',
          'name = "b"',
          'directory = { path = "libs/b", editable = true }',
          '[[packages]]',
          'name = "c"',
          'vcs = { type = "git", url = "https://example.com/c.git", commit-id = "0123" }',
          '[[packages]]',
          'name = "d"',
          `archive = { path = "d.zip", hashes = { sha256 = "${sha}" } }`,
          '[packages.tool.other]',
          'x = 1',
          '[tool.other]',
          'y = 2',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it.each([
    ['', ['lock-version is required', 'created-by is required', 'packages is required']],
    ['lock-version = "2.0"\ncreated-by = "t"\npackages = []', ['lock-version is "2.0"; only 1.x is supported']],
    [`${head}packages = {}`, ['packages must be an array']],
    [`${head}extras = ["Fancy_X"]\npackages = []`, ['extras[0] must be normalised ("Fancy_X" → "fancy-x")']],
    [`${head}dependency-groups = [1]\npackages = []`, ['dependency-groups[0] must be a string']],
    [`${head}environments = ["os_name =="]\npackages = []`, [/^environments\[0\] is not a valid PEP 508 marker/]],
    [
      `${head}[[packages]]\nname = "A_b"\nversion = "1"\ndirectory = { path = "." }`,
      ['packages[0].name must be normalised ("A_b" → "a-b")'],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = []`,
      ['packages[0] has no source (vcs, directory, archive, sdist or wheels)'],
    ],
    [`${head}[[packages]]\nname = "a"`, ['packages[0] has no source (vcs, directory, archive, sdist or wheels)']],
    [
      `${head}[[packages]]\nname = "a"\ndirectory = { path = "." }\nsdist = { url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${sha}" } }`,
      ['packages[0] has directory and sdist/wheels; a package has one source'],
    ],
    [
      `${head}[[packages]]\nname = "a"\ndirectory = {}\narchive = { url = "https://x/a.zip", hashes = { sha256 = "${sha}" } }`,
      ['packages[0] has directory and archive; a package has one source', 'packages[0].directory.path is required'],
    ],
    [
      `${head}[[packages]]\nname = "a"\nvcs = { type = "git", url = "https://x/y" }`,
      ['packages[0].vcs.commit-id is required'],
    ],
    [
      `${head}[[packages]]\nname = "a"\nversion = "2.0"\nwheels = [{ url = "https://x/a-1.0-py3-none-any.whl", hashes = { sha256 = "${sha}" } }]`,
      [
        /^packages\[0\]\.wheels\[0\] has the filename "a-1\.0-py3-none-any\.whl", whose version is not the package's 2\.0/,
      ],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ url = "https://x/b-1.0-py3-none-any.whl", hashes = { sha256 = "${sha}" } }]`,
      [/which is not a wheel of a$/],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1.0.tar.gz", hashes = { sha256 = "${sha}" } }]`,
      [/not a valid wheel filename/],
    ],
    [
      `${head}[[packages]]\nname = "a"\nsdist = { url = "https://x/b-1.0.tar.gz", hashes = { sha256 = "${sha}" } }`,
      [/which is not a sdist of a$/],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ name = "../a-1.0-py3-none-any.whl", path = "x", hashes = { sha256 = "${sha}" } }]`,
      [/path separator|not a valid wheel filename/],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ url = "javascript:alert(1)/a-1.0-py3-none-any.whl", hashes = { sha256 = "${sha}" } }]`,
      [/^packages\[0\]\.wheels\[0\] has a url that .*javascript:/],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1.0-py3-none-any.whl", hashes = {} }]`,
      ['packages[0].wheels[0].hashes must hold at least one hash (PEP 751), e.g. sha256'],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1.0-py3-none-any.whl", hashes = { sha256 = "xyz" } }]`,
      ['packages[0].wheels[0].hashes.sha256 must be a hex digest'],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1.0-py3-none-any.whl", hashes = { sha512 = "${sha}" } }]`,
      ['packages[0].wheels[0].hashes.sha512 must be 128 hex digits (got 64)'],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1.0-py3-none-any.whl", size = -1, hashes = { sha256 = "${sha}" } }]`,
      ['packages[0].wheels[0].size must be a non-negative integer'],
    ],
    [
      `${head}[[packages]]\nname = "a"\nwheels = [{ hashes = { sha256 = "${sha}" } }]`,
      ['packages[0].wheels[0] needs a url or a path'],
    ],
    [
      `${head}[[packages]]\nname = "a"\ndependencies = [{ name = "zz" }]\ndirectory = { path = "." }`,
      ['packages[0].dependencies[0].name names zz, which has no [[packages]] entry'],
    ],
    [
      `${head}[[packages]]\nname = "a"\nversion = "x y"\nmarker = "nope"\nrequires-python = ">>3"\ndirectory = { path = "." }`,
      [
        /^packages\[0\]\.version is not a valid PEP 440 version/,
        /^packages\[0\]\.marker is not a valid PEP 508 marker/,
        /^packages\[0\]\.requires-python is not a valid PEP 440 specifier set/,
      ],
    ],
  ])('reports every problem of %j', (text, expected) => {
    const got = problems(text);
    expect(got).toHaveLength(expected.length);
    expected.forEach((e, i) => (typeof e === 'string' ? expect(got[i]).toBe(e) : expect(got[i]).toMatch(e)));
  });
});
