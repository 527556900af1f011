import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { pylockPython } from '../testing/pylock-python.js';
import { validatePylock } from './validate.js';

// Differential against packaging.pylock (packaging >= 25.1; the PEP 751 reference validator): every
// document it rejects, validatePylock rejects too (ours is never laxer). The corpus: the pip/uv/pex
// fixtures and a lock in nx-pex's shape, and every single mutation of them (a key deleted, a value
// replaced by a value of another type or an invalid string).
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const fixture = (name: string) =>
  parseToml(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as unknown as Json;

const ours: Json = parseToml(
  [
    'lock-version = "1.0"',
    'environments = ["sys_platform == \'linux\'"]',
    'requires-python = ">=3.9"',
    'extras = ["fancy"]',
    'dependency-groups = ["test"]',
    'default-groups = []',
    'created-by = "nx-pex"',
    '[[packages]]',
    'name = "a-b"',
    'version = "1.0"',
    'marker = "\'test\' in dependency_groups"',
    'requires-python = ">=3.8"',
    'dependencies = [{ name = "c", version = "2" }]',
    'index = "https://pypi.org/simple"',
    `sdist = { name = "a_b-1.0.tar.gz", url = "https://f.example/a_b-1.0.tar.gz", size = 3, hashes = { sha256 = "${'ab'.repeat(32)}" } }`,
    `wheels = [{ name = "a_b-1.0-py3-none-any.whl", url = "https://f.example/a_b-1.0-py3-none-any.whl", size = 4, hashes = { sha256 = "${'cd'.repeat(32)}" } }]`,
    '[[packages]]',
    'name = "c"',
    'version = "2"',
    'directory = { path = "libs/c", editable = false }',
  ].join('\n'),
) as unknown as Json;

const REPLACEMENTS: Json[] = [null, 1, '', '!!', [], {}, ['x'], true];

/** Every document that differs from `doc` in one place. */
function mutations(doc: Json, path: (string | number)[] = []): { path: string; doc: Json }[] {
  const out: { path: string; doc: Json }[] = [];
  const set = (root: Json, at: (string | number)[], value: Json | undefined): Json => {
    if (at.length === 0) return value as Json;
    const [head, ...rest] = at;
    if (Array.isArray(root)) {
      const copy = [...root];
      if (value === undefined && rest.length === 0) copy.splice(head as number, 1);
      else copy[head as number] = set(root[head as number]!, rest, value);
      return copy;
    }
    const copy = { ...(root as Record<string, Json>) };
    if (value === undefined && rest.length === 0) delete copy[head as string];
    else copy[head as string] = set(copy[head as string]!, rest, value);
    return copy;
  };
  const walk = (node: Json, at: (string | number)[]) => {
    if (at.length) {
      out.push({ path: `${at.join('.')} deleted`, doc: set(doc, at, undefined) });
      for (const r of REPLACEMENTS)
        if (JSON.stringify(r) !== JSON.stringify(node))
          out.push({ path: `${at.join('.')} = ${JSON.stringify(r)}`, doc: set(doc, at, r) });
    }
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...at, i]));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...at, k]);
  };
  walk(doc, path);
  return out.filter((m) => m.doc !== null);
}

describe('validatePylock against packaging.pylock', () => {
  it('rejects every document packaging rejects (fixtures from pip, uv, pex, nx-pex and all their single mutations)', async (ctx) => {
    const py = await pylockPython;
    if (!py) return ctx.skip();
    const bases = {
      pip: fixture('pylock.pip.toml'),
      uv: fixture('pylock.uv.toml'),
      pex: fixture('pylock.pex.toml'),
      nxPex: ours,
    };
    const corpus = Object.entries(bases).flatMap(([name, doc]) => [
      { path: `${name} as written`, doc },
      ...mutations(doc).map((m) => ({ path: `${name}: ${m.path}`, doc: m.doc })),
    ]);
    const script = [
      'import json, sys',
      'from packaging.pylock import Pylock',
      'out = []',
      'for doc in json.load(sys.stdin):',
      '    try:',
      '        Pylock.from_dict(doc); out.append(True)',
      '    except Exception:',
      '        out.append(False)',
      'print(json.dumps(out))',
    ].join('\n');
    // JSON null stands for "no value" in a replacement; TOML has none, so drop those keys before both sides see them.
    const clean = (j: Json): Json =>
      Array.isArray(j)
        ? j.filter((v) => v !== null).map(clean)
        : j && typeof j === 'object'
          ? Object.fromEntries(
              Object.entries(j)
                .filter(([, v]) => v !== null)
                .map(([k, v]) => [k, clean(v)]),
            )
          : j;
    const docs = corpus.map((c) => clean(c.doc));
    const theirs = JSON.parse(
      execFileSync(py, ['-c', script], { input: JSON.stringify(docs), encoding: 'utf8', maxBuffer: 64 << 20 }),
    ) as boolean[];
    const laxer = corpus.filter((c, i) => !theirs[i] && validatePylock(docs[i]).length === 0).map((c) => c.path);
    expect(laxer).toEqual([]);
    // Not vacuous: packaging rejects a good part of the corpus, and we reject more (stricter by design:
    // URLs, hash lengths, dependency names, group names).
    const rejected = theirs.filter((ok) => !ok).length;
    const ourRejected = docs.filter((d) => validatePylock(d).length > 0).length;
    console.log(
      `validatePylock vs packaging.pylock: ${corpus.length} documents, packaging rejects ${rejected}, nx-pex rejects ${ourRejected}, nx-pex laxer on 0`,
    );
    expect(rejected).toBeGreaterThan(corpus.length / 4);
    // The unmutated documents are valid on both sides.
    Object.keys(bases).forEach((name) => {
      const i = corpus.findIndex((c) => c.path === `${name} as written`);
      expect([theirs[i], validatePylock(docs[i])]).toEqual([true, []]);
    });
    expect(corpus.length).toBeGreaterThan(500);
  });
});
