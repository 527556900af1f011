// Collect real PEP 508 environment markers from the Requires-Dist lines of published distributions,
// for the resolver's real-markers differential test (packages/resolver/src/pep508/real-markers.int.spec.ts).
//
//   node tools/scripts/collect-markers.mjs [--no-resolve] [DIR_OR_WHEEL ...] [--out=tools/data/real-markers.json]
//
// Sources:
//  - the dependency closures of the widely used sets in RESOLVE (the real-world sets of the resolver's
//    opt-in suite and a few more), resolved by pip from the configured index for the newest CPython
//    found: `pip install --dry-run --ignore-installed --report` reads each release's metadata
//    (PEP 658 files where the index has them) without downloading wheels. `--no-resolve` skips it.
//  - the METADATA / PKG-INFO of every distribution installed for each CPython found
//    (`$(pyenv root)/versions/*/bin/python3`, `python3` on PATH: site-packages and dist-packages);
//  - the directories and wheels named on the command line.
// Each marker is kept once, with the projects whose metadata carries it; the output is sorted, so
// the same inputs give the same file. Run it once in a while and commit the result.
/* global process, Buffer, console */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const out = resolve(
  args.find((a) => a.startsWith('--out='))?.slice(6) ?? join(here, '..', 'data', 'real-markers.json'),
);
const extraRoots = args.filter((a) => !a.startsWith('--')).map((a) => resolve(a));
const RESOLVE = [
  'flask',
  'fastapi',
  'uvicorn[standard]',
  'django',
  'pandas',
  'black',
  'boto3',
  'sqlalchemy',
  'jupyter',
  'pytest',
  'httpx[http2,socks]',
  'requests[socks]',
  'celery[redis]',
  'scikit-learn',
  'matplotlib',
  'aiohttp',
  'pydantic[email]',
  'sphinx',
  'tox',
  'keyring',
];

function pythons() {
  const found = new Set();
  let root = process.env.PYENV_ROOT;
  try {
    root ||= execFileSync('pyenv', ['root'], { encoding: 'utf8' }).trim();
  } catch {
    // no pyenv: PATH only
  }
  if (root && existsSync(join(root, 'versions'))) {
    for (const v of readdirSync(join(root, 'versions'))) {
      const exe = join(root, 'versions', v, 'bin', 'python3');
      if (existsSync(exe)) found.add(exe);
    }
  }
  found.add('python3');
  return [...found];
}

const PROBE =
  'import json, site, sys; print(json.dumps(sorted(set([p for p in site.getsitepackages() + [site.getusersitepackages()] + sys.path if p]))))';

/** Directories where a Python keeps installed distributions. */
function sitePackages() {
  const dirs = new Set();
  for (const python of pythons()) {
    try {
      for (const dir of JSON.parse(
        execFileSync(python, ['-c', PROBE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
      ))
        dirs.add(dir);
    } catch {
      // not runnable (e.g. a Python 2 without site.getsitepackages): skipped
    }
  }
  return [...dirs].filter((d) => existsSync(d) && statSync(d).isDirectory());
}

/** `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and `*.whl` under `root` (two levels deep). */
function metadataFiles(root, depth = 0) {
  if (root.endsWith('.whl')) return [{ wheel: root }];
  const found = [];
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    const path = join(root, e.name);
    if (e.isDirectory() && e.name.endsWith('.dist-info') && existsSync(join(path, 'METADATA')))
      found.push({ file: join(path, 'METADATA') });
    else if (e.isDirectory() && e.name.endsWith('.egg-info') && existsSync(join(path, 'PKG-INFO')))
      found.push({ file: join(path, 'PKG-INFO') });
    else if (e.isFile() && e.name.endsWith('.egg-info')) found.push({ file: path });
    else if (e.isFile() && e.name.endsWith('.whl')) found.push({ wheel: path });
    else if (
      e.isDirectory() &&
      depth < 1 &&
      !e.name.startsWith('.') &&
      !e.name.endsWith('-info') &&
      !e.name.startsWith('__')
    )
      found.push(...metadataFiles(path, depth + 1));
  }
  return found;
}

/** The `*.dist-info/METADATA` member of a wheel, as text. */
function wheelMetadata(path) {
  return new Promise((resolveText, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on('entry', (entry) => {
        if (!/^[^/]+\.dist-info\/METADATA$/.test(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('end', () => {
            zip.close();
            resolveText(Buffer.concat(chunks).toString('utf8'));
          });
        });
      });
      zip.on('end', () => resolveText(''));
      zip.readEntry();
    });
  });
}

/** Name and Requires-Dist values from the header block of a core metadata file (RFC 822 style, continuation lines folded). */
function parseHeaders(text) {
  const header = text.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  let name = '';
  const requires = [];
  for (const line of header.split(/\r?\n/)) {
    const m = /^([A-Za-z-]+):\s?(.*)$/.exec(line);
    if (!m) continue;
    if (m[1].toLowerCase() === 'name') name = m[2].trim();
    if (m[1].toLowerCase() === 'requires-dist') requires.push(m[2].trim());
  }
  return { name, requires };
}

/** Name and Requires-Dist of every release pip resolves for RESOLVE (metadata only; see above). */
function resolvedByPip() {
  const minor = (p) => Number(/versions\/3\.(\d+)/.exec(p)?.[1] ?? -1);
  const python =
    pythons()
      .filter((p) => p !== 'python3')
      .sort((a, b) => minor(a) - minor(b))
      .pop() ?? 'python3';
  const dir = mkdtempSync(join(tmpdir(), 'nx-pex-markers-'));
  try {
    const report = join(dir, 'report.json');
    execFileSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--dry-run', '--ignore-installed', '--report', report, ...RESOLVE],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' },
      },
    );
    return JSON.parse(readFileSync(report, 'utf8')).install.map((i) => ({
      name: i.metadata.name,
      requires: i.metadata.requires_dist ?? [],
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const roots = [...sitePackages(), ...extraRoots];
const projects = new Map(); // marker → set of project names
const seen = new Set();
function add({ name, requires }) {
  if (!name) return;
  const project = name.toLowerCase().replace(/[-_.]+/g, '-');
  seen.add(project);
  for (const requirement of requires) {
    const semicolon = requirement.indexOf(';');
    if (semicolon === -1) continue;
    const marker = requirement.slice(semicolon + 1).trim();
    if (!projects.has(marker)) projects.set(marker, new Set());
    projects.get(marker).add(project);
  }
}
if (!args.includes('--no-resolve')) for (const release of resolvedByPip()) add(release);
for (const root of roots) {
  for (const source of metadataFiles(root))
    add(parseHeaders(source.file ? readFileSync(source.file, 'utf8') : await wheelMetadata(source.wheel)));
}

const markers = [...projects.entries()]
  .map(([marker, names]) => ({ marker, projects: [...names].sort() }))
  .sort((a, b) => (a.marker < b.marker ? -1 : a.marker > b.marker ? 1 : 0));
const data = {
  about:
    'Environment markers from the Requires-Dist lines of real distributions (tools/scripts/collect-markers.mjs). Regenerate with that script; do not edit by hand.',
  distributions: seen.size,
  markers,
};
const tmp = `${out}.tmp-${process.pid}`;
writeFileSync(tmp, `${JSON.stringify(data, null, 1)}\n`);
renameSync(tmp, out);
console.log(
  `${markers.length} distinct markers from ${seen.size} distributions (${roots.length} directories) → ${basename(dirname(out))}/${basename(out)}`,
);
