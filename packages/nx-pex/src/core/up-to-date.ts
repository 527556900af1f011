import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { access, lstat, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ProjectDistribution } from '@nx-pex/archive';
import { canonicalJson, executableIdentity, sha256File, writeContentAtomic } from '@nx-pex/common';
import type { PexExecutorOptions } from '../executors/pex/schema.js';
import { packagePath } from '../utils/package-path.js';
import { workspaceDataDir } from '../utils/plugin-cache.js';
import type { PexTargetModel } from './model.js';
import { defaultOutputPath } from './output-path.js';
import { collectProjectSources, excludeSources } from './sources.js';

/**
 * The up-to-date check of a pex build (issue 15): a build with a lock records a stamp — a digest of
 * everything its bytes depend on besides the sources (the key), each source's path, mode, size,
 * mtime and sha256, and the state of the output it wrote. The next build of the same output compares:
 * key and output unchanged and no source changed → nothing to do; only sources changed → the pex is
 * rewritten from the recorded wheels and distributions (no lock, index or interpreter work); anything
 * else → a full build. This module loads none of the resolver, the archive writer or the TOML parser:
 * a no-op costs a few stats and small reads. Those reads and the sources' stats are synchronous: a
 * promise-based readFile costs ~0.2 ms of CPU (thread pool and promise round trips), a synchronous
 * one ~0.03 ms, and a check makes dozens of them.
 */

/** Bumped whenever the stamp's shape or the meaning of its key changes: older stamps are ignored. */
export const STAMP_FORMAT = 2;

/** One source file as the build read it. */
export interface SourceState {
  archivePath: string;
  path: string;
  mode: number;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** One file of the output as the build left it: any write, chmod, touch or replacement changes one of these. */
export interface OutputFileState {
  /** Relative to the output ('' for a zipapp, the file itself). */
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** What a build reports, whether it wrote the pex or found it up to date. */
export interface BuildSummary {
  project: string;
  /** Workspace-relative. */
  outputPath: string;
  layout: PexTargetModel['layout'];
  size: number;
  sha256: string;
  distributions: number;
  sourceFiles: number;
  bundled: string[];
  notHermetic: boolean;
  /** How the build went: everything written, only the sources rewritten, or nothing to do. */
  mode: 'full' | 'sources' | 'up-to-date';
}

/** What a sources-only rebuild takes from the build that wrote the stamp (valid while the key is). */
export interface StampedInputs {
  model: PexTargetModel;
  wheels: { path: string; sha256: string }[];
  distributions: ProjectDistribution[];
}

export interface BuildStamp extends StampedInputs, StampKey {
  format: number;
  /** The CLI's digest of what decided the parsed workspace and the options (checkRecorded), when the CLI built. */
  workspace?: string;
  sources: SourceState[];
  output: OutputFileState[];
  /** When the sources were read (ms since the epoch): a file with a later mtime is hashed again. */
  readAt: number;
  summary: Omit<BuildSummary, 'mode'>;
  warnings: string[];
  /** The output's PEX-INFO (a sources-only rebuild gives it to buildPex as the previous one). */
  pexInfo: unknown;
}

/** A build's key and what it was computed from. */
export interface StampKey {
  key: string;
  fixed: string;
  probes: KeyProbes;
  /** What `fixed` digests (without the format), kept to say which of it changed. */
  settings?: KeySettings;
  /** The probes as they read and this code's identity, kept to say which of them changed. */
  parts?: KeyParts;
}

/** What the parsed workspace and the options say (`fixed` is their digest). */
export interface KeySettings {
  workspaceRoot: string;
  project: [string, string];
  closure: [string, string][];
  options: unknown;
}

/** The probes of a key as read (the file digests, directory entries, existence, interpreters) and the code's identity. */
export interface KeyParts {
  files: [string, string | null][];
  listings: [string, string[] | null][];
  present: [string, boolean][];
  interpreters: unknown[];
  code: unknown;
}

export type UpToDateCheck =
  /** Nothing changed: the output is what the stamp says. */
  | { kind: 'up-to-date'; inputs: StampKey; stamp: BuildStamp; outputRestored: boolean }
  /** Only sources changed (edited, added, removed): `sources` is their state now; `reason` names them. */
  | { kind: 'sources'; inputs: StampKey; stamp: BuildStamp; sources: SourceState[]; readAt: number; reason: string }
  /** `reason`: the first difference found, for a user (`apps/svc/pylock.toml changed`). */
  | { kind: 'full'; inputs: StampKey; reason: string };

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The output path a build of these options writes (as the model decides it), workspace-relative. */
export function stampedOutputPath(
  project: { root: string; pyproject: { name: string } },
  options: PexExecutorOptions,
): string {
  return options.outputPath ?? defaultOutputPath(project.root, project.pyproject.name);
}

/** Where the stamp of an output lives: the workspace's data directory (Nx's, for plugins), keyed by the output path. */
export function stampPath(workspaceRoot: string, outputPath: string): string {
  const id = sha256(resolve(workspaceRoot, outputPath)).slice(0, 32);
  return join(workspaceDataDir(workspaceRoot), 'nx-pex', 'build-stamps', `${id}.json`);
}

/** A file's sha256, or null when it does not exist. */
async function fileDigest(path: string): Promise<string | null> {
  try {
    return sha256(readFileSync(path));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function listing(dir: string): Promise<string[] | null> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return null;
  }
}

/** Files whose size and mtime change when the package is rebuilt or its runtime edited (besides its version). */
const CODE_FILES: Record<string, string[]> = {
  'nx-pex': ['dist/core/build.js', 'dist/core/up-to-date.js', 'dist/core/model.js'],
  '@nx-pex/archive': ['dist/index.js', 'dist/pex/build.js', 'dist/layout/zipapp.js', 'runtime/__main__.py'],
  '@nx-pex/resolver': ['dist/index.js'],
};

/**
 * This code: the packages' versions, the size and mtime of a few files a rebuild rewrites (and of the
 * Python runtime every pex carries), and zlib's version (our deflated bytes depend on it).
 */
async function codeIdentity(): Promise<unknown> {
  const require = createRequire(import.meta.url);
  const out: unknown[] = [process.versions.zlib];
  for (const [name, files] of Object.entries(CODE_FILES)) {
    const manifest = name === 'nx-pex' ? packagePath('package.json') : require.resolve(`${name}/package.json`);
    const dir = dirname(manifest);
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
    const runtime = name === '@nx-pex/archive' ? await runtimeState(join(dir, 'runtime')) : [];
    const stats = files.map((f) => {
      const s = statOrUndefined(join(dir, f));
      return [f, s?.size, s?.mtimeMs];
    });
    out.push([name, version, stats, runtime]);
  }
  return out;
}

async function runtimeState(dir: string): Promise<unknown[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return files.map((f) => {
    const s = statSync(f);
    return [f.slice(dir.length), s.size, s.mtimeMs];
  });
}

function statOrUndefined(path: string): ReturnType<typeof statSync> {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * An interpreter's identity without running it (see `executableIdentity`); a launcher script (a
 * version manager's shim, a wrapper) may choose another interpreter on every run: it is identified by
 * what it reports when run (the resolver's probe), never by the script's own file.
 */
export async function interpreterIdentity(python: string, env: NodeJS.ProcessEnv = process.env): Promise<unknown> {
  const identity = await executableIdentity(python, env);
  if (!('script' in identity)) return identity;
  const { inspectInterpreter } = await import('@nx-pex/resolver');
  return { ...identity, probed: await inspectInterpreter(python) };
}

/** The files, directories and interpreters a key reads; recorded in the stamp so a re-check needs no parsed workspace. */
export interface KeyProbes {
  /** Workspace-relative files taken by their bytes (null when missing). */
  files: string[];
  /** Workspace-relative directories taken by their entries' names. */
  listings: string[];
  /** Workspace-relative paths taken by whether they exist. */
  exists: string[];
  /** Interpreters as the options name them. */
  pythons: string[];
}

/** The key: `fixed` with the probes as they read now and this code's identity (`parts`, what it digests). */
export async function evaluateKey(
  workspaceRoot: string,
  inputs: { fixed: string; probes: KeyProbes },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ key: string; parts: KeyParts }> {
  const at = (f: string) => join(workspaceRoot, f);
  const { probes } = inputs;
  const [files, listings, present, interpreters, code] = await Promise.all([
    Promise.all(probes.files.map(async (f): Promise<[string, string | null]> => [f, await fileDigest(at(f))])),
    Promise.all(probes.listings.map(async (d): Promise<[string, string[] | null]> => [d, await listing(at(d))])),
    Promise.all(probes.exists.map(async (f): Promise<[string, boolean]> => [f, await exists(at(f))])),
    Promise.all(probes.pythons.map((p) => interpreterIdentity(p, env))),
    codeIdentity(),
  ]);
  const key = sha256(canonicalJson({ fixed: inputs.fixed, probes, files, listings, present, interpreters, code }));
  return { key, parts: { files, listings, present, interpreters, code } };
}

/**
 * The sources of a model now, each hashed unless its mode, size and mtime are those `previous`
 * recorded and it was not modified after that read (a write within the same clock tick as the read
 * would keep the mtime: such a file is hashed again, as git does with a racy index).
 */
export async function sourceStates(
  workspaceRoot: string,
  model: Pick<PexTargetModel, 'sourceDirs' | 'exclude'>,
  previous?: { sources: readonly SourceState[]; readAt: number },
): Promise<SourceState[]> {
  const known = new Map((previous?.sources ?? []).map((s) => [s.path, s]));
  const entries = await excludeSources(await collectProjectSources(workspaceRoot, model.sourceDirs), model.exclude);
  return Promise.all(
    entries.map(async ({ archivePath, path }) => {
      const s = statSync(path);
      const mode = s.mode & 0o777;
      const old = known.get(path);
      const same =
        old !== undefined &&
        old.archivePath === archivePath &&
        old.mode === mode &&
        old.size === s.size &&
        old.mtimeMs === s.mtimeMs &&
        s.mtimeMs < previous!.readAt;
      return {
        archivePath,
        path,
        mode,
        size: s.size,
        mtimeMs: s.mtimeMs,
        sha256: same ? old.sha256 : sha256(readFileSync(path)),
      };
    }),
  );
}

/** The output's files now (one for a zipapp, every file of a directory pex), or undefined when it is missing. */
export async function outputState(path: string): Promise<OutputFileState[] | undefined> {
  const top = await lstat(path).catch(() => undefined);
  if (top === undefined) return undefined;
  const state = (rel: string, s: Awaited<ReturnType<typeof lstat>>): OutputFileState => ({
    path: rel,
    size: Number(s.size),
    mtimeMs: Number(s.mtimeMs),
    ctimeMs: Number(s.ctimeMs),
    ino: Number(s.ino),
  });
  if (!top.isDirectory()) return [state('', top)];
  const out: OutputFileState[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of (await readdir(join(path, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else out.push(state(child, await lstat(join(path, child))));
    }
  };
  await walk('');
  return out;
}

/** Two lists of records equal in order and in `keys`. */
const sameBy =
  <T>(keys: readonly (keyof T)[]) =>
  (a: readonly T[], b: readonly T[]): boolean =>
    a.length === b.length && a.every((x, i) => keys.every((k) => x[k] === b[i]![k]));

const sameOutput = sameBy<OutputFileState>(['path', 'size', 'mtimeMs', 'ctimeMs', 'ino']);
const sameSources = sameBy<SourceState>(['archivePath', 'path', 'mode', 'sha256']);

/** Is a single-file output the file the stamp's build wrote (size, then sha256)? A directory is not compared. */
async function sameBytes(
  path: string,
  output: readonly OutputFileState[],
  summary: Pick<BuildSummary, 'size' | 'sha256'>,
): Promise<boolean> {
  if (output.length !== 1 || output[0]!.path !== '' || output[0]!.size !== summary.size) return false;
  return (await sha256File(path)) === summary.sha256;
}

export async function readStamp(path: string): Promise<BuildStamp | undefined> {
  try {
    const stamp = JSON.parse(readFileSync(path, 'utf8')) as BuildStamp;
    return stamp && stamp.format === STAMP_FORMAT && typeof stamp.key === 'string' ? stamp : undefined;
  } catch {
    return undefined; // absent or unreadable: a full build writes a new one
  }
}

/**
 * The same check from a stamp alone (its recorded probes), for a caller that has not parsed the
 * workspace: valid only when `workspace` (the caller's digest of what decides the parsed workspace and
 * the options) is the one the stamp recorded. Undefined when that does not hold: do the full check.
 */
export async function checkRecorded(
  workspaceRoot: string,
  outputPath: string,
  workspace: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<UpToDateCheck | undefined> {
  const stamp = await readStamp(stampPath(workspaceRoot, outputPath));
  if (!stamp || stamp.workspace === undefined || stamp.workspace !== workspace) return undefined;
  const { key, parts } = await evaluateKey(workspaceRoot, stamp, env);
  if (key !== stamp.key) return undefined;
  const inputs: StampKey = { fixed: stamp.fixed, probes: stamp.probes, key, parts };
  return compareWithStamp(
    workspaceRoot,
    outputPath,
    stamp.settings ? { ...inputs, settings: stamp.settings } : inputs,
    stamp,
  );
}

/** The check once the key is known: the stamp's key, the output as it recorded it, then the sources. */
export async function compareWithStamp(
  workspaceRoot: string,
  outputPath: string,
  inputs: StampKey,
  stamp: BuildStamp | undefined,
): Promise<UpToDateCheck> {
  if (!stamp) return { kind: 'full', inputs, reason: await noStampReason(stampPath(workspaceRoot, outputPath)) };
  if (stamp.model.outputPath !== outputPath)
    return { kind: 'full', inputs, reason: `the last build recorded here wrote ${stamp.model.outputPath}` };
  if (stamp.key !== inputs.key) return { kind: 'full', inputs, reason: keyChange(stamp, inputs) };
  const output = await outputState(join(workspaceRoot, outputPath));
  if (!output) return { kind: 'full', inputs, reason: `${outputPath} was removed` };
  // Written again with the same bytes (a restore from Nx's cache): as good as untouched.
  const outputRestored = !sameOutput(output, stamp.output);
  if (outputRestored && !(await sameBytes(join(workspaceRoot, outputPath), output, stamp.summary)))
    return { kind: 'full', inputs, reason: `${outputPath} was changed after the last build` };
  const readAt = Date.now();
  const sources = await sourceStates(workspaceRoot, stamp.model, stamp);
  if (sameSources(sources, stamp.sources)) return { kind: 'up-to-date', inputs, stamp, outputRestored };
  return {
    kind: 'sources',
    inputs,
    stamp,
    sources,
    readAt,
    reason: sourcesChange(workspaceRoot, stamp.sources, sources),
  };
}

/** Why there is no stamp to compare with: none yet, one from another format, or one that says why it cannot serve. */
async function noStampReason(path: string): Promise<string> {
  let recorded: { format?: unknown; uncheckable?: unknown };
  try {
    recorded = JSON.parse(readFileSync(path, 'utf8')) as typeof recorded;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'no earlier build is recorded'
      : 'the record of the last build is unreadable';
  }
  if (recorded?.format !== STAMP_FORMAT)
    return `the last build was recorded by ${typeof recorded?.format === 'number' && recorded.format > STAMP_FORMAT ? 'a newer' : 'an older'} nx-pex`;
  return typeof recorded.uncheckable === 'string'
    ? `the last build cannot be checked: ${recorded.uncheckable}`
    : 'the record of the last build is incomplete';
}

/** The first part of the key found to differ from the stamp's, in words (a stamp of an older build may not say). */
export function keyChange(stamp: StampKey, now: StampKey): string {
  const before = stamp.settings;
  const after = now.settings;
  if (stamp.fixed !== now.fixed) {
    if (!before || !after) return 'the options or the first-party projects changed';
    if (before.workspaceRoot !== after.workspaceRoot) return 'the workspace moved';
    if (canonicalJson(before.project) !== canonicalJson(after.project)) return 'the project moved';
    if (canonicalJson(before.closure) !== canonicalJson(after.closure)) {
      const names = (c: [string, string][]) => new Set(c.map(([name]) => name));
      const [was, is] = [names(before.closure), names(after.closure)];
      const added = [...is].filter((n) => !was.has(n));
      const removed = [...was].filter((n) => !is.has(n));
      const list = [
        added.length ? `added ${added.join(', ')}` : '',
        removed.length ? `removed ${removed.join(', ')}` : '',
      ];
      const which = list.filter(Boolean).join('; ');
      return `the first-party projects it bundles changed${which ? ` (${which})` : ''}`;
    }
    const [o, n] = [before.options as Record<string, unknown>, after.options as Record<string, unknown>];
    const changed = [...new Set([...Object.keys(o ?? {}), ...Object.keys(n ?? {})])]
      .sort()
      .filter((k) => canonicalJson(o?.[k] ?? null) !== canonicalJson(n?.[k] ?? null));
    return changed.length
      ? `the option${changed.length > 1 ? 's' : ''} ${changed.join(', ')} changed`
      : 'the options changed';
  }
  const [was, is] = [stamp.parts, now.parts];
  if (!was || !is) return 'its inputs changed';
  const differs = <T>(a: readonly [string, T][], b: readonly [string, T][]) => {
    const old = new Map(a.map(([k, v]) => [k, canonicalJson(v)]));
    return b.find(([k, v]) => old.get(k) !== canonicalJson(v));
  };
  const file = differs(was.files, is.files);
  if (file) {
    const had = was.files.find(([f]) => f === file[0])?.[1];
    return `${file[0]} ${had === null ? 'appeared' : file[1] === null ? 'was removed' : 'changed'}`;
  }
  const dir = differs(was.listings, is.listings);
  if (dir) {
    const had = new Set(was.listings.find(([d]) => d === dir[0])?.[1] ?? []);
    const has = new Set(dir[1] ?? []);
    const added = [...has].filter((n) => !had.has(n)).map((n) => `${n} added`);
    const removed = [...had].filter((n) => !has.has(n)).map((n) => `${n} removed`);
    return `the files of ${dir[0] || '.'} changed (${[...added, ...removed].join(', ')})`;
  }
  const exists = differs(was.present, is.present);
  if (exists) return `${exists[0]} ${exists[1] ? 'appeared' : 'was removed'}`;
  const python = now.probes.pythons.find(
    (_, i) => canonicalJson(was.interpreters[i]) !== canonicalJson(is.interpreters[i]),
  );
  if (python !== undefined) return `the interpreter ${python} changed`;
  if (canonicalJson(was.code) !== canonicalJson(is.code)) return codeChange(was.code, is.code);
  return 'its inputs changed';
}

/** Which code changed: zlib, or a package of nx-pex (its version when that moved). */
function codeChange(before: unknown, after: unknown): string {
  const [a, b] = [before as unknown[], after as unknown[]];
  if (!Array.isArray(a) || !Array.isArray(b)) return "nx-pex's code changed";
  if (a[0] !== b[0]) return `zlib changed (${String(a[0])} → ${String(b[0])})`;
  for (let i = 1; i < b.length; i++) {
    if (canonicalJson(a[i] ?? null) === canonicalJson(b[i])) continue;
    const [name, version] = b[i] as [string, string | undefined];
    const was = (a[i] as [string, string | undefined] | undefined)?.[1];
    return `the code of ${name} changed${was !== version ? ` (${String(was)} → ${String(version)})` : ''}`;
  }
  return "nx-pex's code changed";
}

/** The sources' change in words: the first file changed (else added, else removed), and the counts when more. */
function sourcesChange(workspaceRoot: string, before: readonly SourceState[], after: readonly SourceState[]): string {
  const old = new Map(before.map((s) => [s.path, s]));
  const now = new Set(after.map((s) => s.path));
  const changed: string[] = [];
  const added: string[] = [];
  for (const s of after) {
    const o = old.get(s.path);
    if (!o) added.push(s.path);
    else if (o.sha256 !== s.sha256 || o.mode !== s.mode || o.archivePath !== s.archivePath) changed.push(s.path);
  }
  const removed = before.filter((s) => !now.has(s.path)).map((s) => s.path);
  const groups = (
    [
      [changed, 'changed'],
      [added, 'added'],
      [removed, 'removed'],
    ] as const
  ).filter(([list]) => list.length > 0);
  if (groups.length === 0) return 'the sources were reordered';
  const [list, verb] = groups[0]!;
  const first = `${relative(workspaceRoot, list[0]!).split(sep).join('/')} ${verb}`;
  const total = changed.length + added.length + removed.length;
  if (total === 1) return first;
  return `${first} (${total} source files: ${groups.map(([l, v]) => `${l.length} ${v}`).join(', ')})`;
}

/** Record a build (temp file + rename: a reader sees the old stamp or the new one, never half of one). */
export async function writeStamp(workspaceRoot: string, stamp: Omit<BuildStamp, 'format' | 'output'>): Promise<void> {
  const output = await outputState(join(workspaceRoot, stamp.model.outputPath));
  if (!output) return;
  await writeContentAtomic(
    stampPath(workspaceRoot, stamp.model.outputPath),
    JSON.stringify({ format: STAMP_FORMAT, ...stamp, output }),
  );
}

/**
 * Forget the stamp of an output (a build that cannot be checked cheaply: no lock, or wheels the lock
 * does not pin), leaving only `why`, which the next build gives as the reason it builds in full.
 */
export async function removeStamp(workspaceRoot: string, outputPath: string, why?: string): Promise<void> {
  const path = stampPath(workspaceRoot, outputPath);
  if (why === undefined) await rm(path, { force: true });
  else await writeContentAtomic(path, JSON.stringify({ format: STAMP_FORMAT, uncheckable: why }));
}

/**
 * What decides the CLI's parsed workspace and its build options: its command line and directory,
 * every pyproject.toml of the workspace (where, and their bytes), nx.json and the project's
 * project.json. Equal digests: the same projects and options, so the stamp's key inputs still hold.
 */
export async function cliWorkspaceDigest(
  workspaceRoot: string,
  projectRoot: string,
  roots: readonly string[],
  invocation: unknown,
): Promise<string> {
  const at = (...parts: string[]) => join(workspaceRoot, ...parts);
  const [pyprojects, nxJson, projectJson] = await Promise.all([
    Promise.all(roots.map(async (r) => [r, await fileDigest(at(r, 'pyproject.toml'))])),
    fileDigest(at('nx.json')),
    fileDigest(at(projectRoot, 'project.json')),
  ]);
  return sha256(canonicalJson({ invocation, projectRoot, pyprojects, nxJson, projectJson }));
}

/** Where the CLI notes which output an invocation built (so its next run finds the stamp before parsing anything). */
function cliNotePath(workspaceRoot: string, invocation: unknown): string {
  const id = sha256(canonicalJson({ workspaceRoot: resolve(workspaceRoot), invocation })).slice(0, 32);
  return join(workspaceDataDir(workspaceRoot), 'nx-pex', 'cli-builds', `${id}.json`);
}

/** The output the last CLI run of `invocation` built, if noted. */
export async function notedOutput(workspaceRoot: string, invocation: unknown): Promise<string | undefined> {
  try {
    const { outputPath } = JSON.parse(readFileSync(cliNotePath(workspaceRoot, invocation), 'utf8')) as {
      outputPath?: unknown;
    };
    return typeof outputPath === 'string' ? outputPath : undefined;
  } catch {
    return undefined;
  }
}

export async function noteOutput(
  workspaceRoot: string,
  invocation: unknown,
  outputPath: string,
  noted?: string,
): Promise<void> {
  // Usually the same output as the last run noted (`noted`, from notedOutput): nothing to write.
  if (noted === outputPath) return;
  await writeContentAtomic(cliNotePath(workspaceRoot, invocation), JSON.stringify({ outputPath }));
}
