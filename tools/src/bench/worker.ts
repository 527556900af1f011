// The library calls the bench measures, each in its own process (so its wall time and peak RSS are
// those of one Node process doing that call): `node worker.js <resolve|build-pex> <spec.json>`.
import { readFile, writeFile } from 'node:fs/promises';
import module from 'node:module';
import { loadArchive, loadResolver } from './libraries.js';

// As the nx-pex CLI does (bin/nx-pex.js): the libraries, loaded below, come from Node's compile
// cache after the first run instead of being compiled at every start.
module.enableCompileCache?.();

export interface ResolveSpec {
  requirements: string[];
  python: string;
  /** Where to write the resolved `name==version` list (JSON array). */
  out: string;
  /** A universal lock (every default environment of requires-python) instead of one for `python`. */
  universal?: { requiresPython: string };
  /**
   * A pylock.toml, as `nx-pex lock` keeps one: when it exists its versions are preferred (a re-lock),
   * and the new lock is written there.
   */
  lock?: string;
}

export interface BuildPexSpec {
  wheels: { path: string; sha256: string }[];
  sources: { archivePath: string; path: string }[];
  entryPoint: string;
  output: string;
}

async function resolve(spec: ResolveSpec): Promise<void> {
  const r = await loadResolver();
  const index = await r.loadIndexConfig();
  const lockFile = spec.lock;
  const previous = lockFile ? await readFile(lockFile, 'utf8').catch(() => undefined) : undefined;
  const preferences = lockFile && previous !== undefined ? { preferences: r.parseLock(previous, lockFile) } : {};
  // A universal lock inspects no interpreter: its environments are synthetic.
  const lock = spec.universal
    ? await r.resolveLock({
        roots: { bench: spec.requirements },
        index,
        targets: [],
        universal: true,
        requiresPython: spec.universal.requiresPython,
        ...preferences,
      })
    : await r.resolveLock({
        roots: { bench: spec.requirements },
        index,
        targets: [await r.inspectInterpreter(spec.python)],
        ...preferences,
      });
  if (lockFile) await writeFile(lockFile, r.formatLock(lock));
  // One line per distinct version (a universal lock has an entry per fork that differs).
  const pins = [...new Set(lock.packages.map((p) => (p.version ? `${p.name}==${p.version}` : p.name)))].sort();
  await writeFile(spec.out, JSON.stringify(pins, null, 2));
  process.stdout.write(`resolved ${pins.length} packages\n`);
}

async function buildPex(spec: BuildPexSpec): Promise<void> {
  const a = await loadArchive();
  const built = await a.buildPex({
    outputPath: spec.output,
    wheels: spec.wheels,
    sources: spec.sources,
    entryPoint: spec.entryPoint,
  });
  process.stdout.write(`wrote ${built.path} (${built.size} bytes)\n`);
}

const [command, specPath] = process.argv.slice(2);
if (!command || !specPath) {
  process.stderr.write('usage: worker.js <resolve|build-pex> <spec.json>\n');
  process.exit(2);
}
const spec: unknown = JSON.parse(await readFile(specPath, 'utf8'));
if (command === 'resolve') await resolve(spec as ResolveSpec);
else if (command === 'build-pex') await buildPex(spec as BuildPexSpec);
else {
  process.stderr.write(`worker.js: unknown command ${command}\n`);
  process.exit(2);
}
