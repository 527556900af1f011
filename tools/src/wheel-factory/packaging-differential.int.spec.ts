import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { normalizeProjectName } from '../pep503/normalize.js';
import { findPythons } from '../pythons/find-pythons.js';
import { wheelFilename } from './filename.js';
import type { WheelSpec } from './spec.js';

const run = promisify(execFile);

// Python's own packaging (vendored in pip) judges our filenames and name normalisation.
const JUDGE = `
import json, sys
from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename
out = []
for case in json.load(sys.stdin):
    name, version, build, tags = parse_wheel_filename(case["filename"])
    out.append({"name": str(name), "version": str(version), "build": list(build), "tags": sorted(str(t) for t in tags),
                "canonical": canonicalize_name(case["name"])})
print(json.dumps(out))
`;

const nameArb = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?$/);
const versionArb = fc.constantFrom(
  '1.0',
  '0.1.2',
  '2!1.0',
  '1.0a1',
  '1.0.post2',
  '1.0.dev3',
  '1.0+local.7',
  '10.4.0rc1',
);
const specArb = fc.record({
  name: nameArb,
  version: versionArb,
  buildTag: fc.option(fc.constantFrom('1', '2_a', '10'), { nil: undefined }),
  pythonTag: fc.constantFrom('py3', 'py2.py3', 'cp311'),
  platformTag: fc.constantFrom('any', 'manylinux_2_17_x86_64.manylinux2014_x86_64', 'macosx_11_0_arm64'),
});

it('wheel filenames parse with packaging to the same name, version, build and tags', async () => {
  const specs: WheelSpec[] = fc.sample(specArb, { numRuns: 300, seed: 42 });
  const cases = specs.map((spec) => ({ name: spec.name, filename: wheelFilename(spec) }));
  const python = (await findPythons()).found.at(-1)!;
  const child = run(python.path, ['-c', JUDGE]);
  child.child.stdin!.end(JSON.stringify(cases));
  const judged = JSON.parse((await child).stdout) as {
    name: string;
    version: string;
    build: unknown[];
    tags: string[];
    canonical: string;
  }[];
  judged.forEach((j, i) => {
    const spec = specs[i]!;
    expect(j.name, cases[i]!.filename).toBe(normalizeProjectName(spec.name));
    expect(j.canonical).toBe(normalizeProjectName(spec.name));
    expect(j.version).toBe(spec.version);
    expect(j.build.length > 0).toBe(spec.buildTag !== undefined);
    expect(j.tags.length).toBe(spec.pythonTag!.split('.').length * spec.platformTag!.split('.').length);
  });
});
