import { execFile } from 'node:child_process';
import { findPythons } from '@nx-pex/tools';
import { describe, expect, it } from 'vitest';
import { RUNTIME_DIR } from './runtime-files.js';

const pythons = await findPythons();
const python = pythons.found.at(-1)?.path;

function runDriver(interpreter: string, driver: string, stdin: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = execFile(interpreter, ['-c', driver, RUNTIME_DIR], (error, stdout, stderr) =>
      error ? reject(new Error(stderr || String(error))) : resolve(stdout),
    );
    child.stdin?.end(stdin);
  });
}

// The interpreter-constraint checks are compared with packaging in pex/interpreter-constraints.int.spec.ts.

// Differential test: the runtime's small PEX-INFO parser against Python's json module.
const PARSER_DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
from nx_pex_runtime.pex_info import _value
bad = []
for text in json.load(sys.stdin):
    value, end = _value(text, 0)
    if value != json.loads(text) or text[end:].strip():
        bad.append(text)
print(json.dumps(bad))
`;

it.skipIf(!python)('parses PEX-INFO JSON exactly like the json module', async () => {
  const documents = [
    { a: ['x', 'y'], b: { c: null, d: true, e: false }, s: 'q"\\/\n\t\u00e9\u{1F600}\u0001' },
    [],
    {},
    [[]],
    { k: '', ünï: ['\u2028'] },
  ];
  const texts = documents.flatMap((document) => [JSON.stringify(document), JSON.stringify(document, null, 2)]);
  const output = await runDriver(python!, PARSER_DRIVER, JSON.stringify(texts));
  expect(JSON.parse(output)).toEqual([]);
});

// Differential test: the runtime's sys_tags() against the packaging vendored by each interpreter's pip.
const TAGS_DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
from nx_pex_runtime.tags import sys_tags
from pip._vendor import packaging
from pip._vendor.packaging.tags import sys_tags as reference
print(json.dumps({"version": packaging.__version__, "ours": ["-".join(t) for t in sys_tags()], "theirs": [str(t) for t in reference()]}))
`;

describe.each(pythons.found.map((found): [string, string] => [found.full, found.path]))(
  'tags on CPython %s',
  (_full, interpreter) => {
    it('ranks tags in the order of packaging.tags.sys_tags()', async () => {
      const { version, ours, theirs } = JSON.parse(await runDriver(interpreter, TAGS_DRIVER, '')) as {
        version: string;
        ours: string[];
        theirs: string[];
      };
      // packaging 22+ yields `cpXY-none-any` (after the platform tags of `pyXY`); the packaging 21.3 that
      // older pips vendor does not. We follow the current packaging: compare without it for the old one.
      const interpreterAny = ours.find((tag) => /^cp\d+-none-any$/.test(tag));
      const expected = Number(version.split('.')[0]) >= 22 ? ours : ours.filter((tag) => tag !== interpreterAny);
      expect(theirs.length).toBeGreaterThan(10);
      expect(expected).toEqual(theirs);
    });
  },
);
