import { createHash } from 'node:crypto';
import { canonicalJson, mapLimit } from '@nx-pex/common';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { prepareInstalledWheelTree } from '../cache/installed-wheel-cache.js';
import { defaultInstalledWheelsDir } from '../cache/cache-dir.js';
import type { Layout, PexContents, WrittenPex } from '../layout/contents.js';
import { writeZipapp } from '../layout/zipapp.js';
import type { PexInfo } from '../pex-info/pex-info.js';
import { BOOTSTRAP_DIR, loadRuntimeFiles, type RuntimeFile } from '../bootstrap/runtime-files.js';
import { ArchiveError } from '../errors.js';
import { contentHash } from './content-hash.js';
import { checkEntryPoint, checkInterpreterConstraint, checkShebang } from './checks.js';
import { allowsCPython3Below, type ParseSpecifierSet } from './interpreter-constraints.js';
import { normalizeOptions, type InheritPath } from './options.js';
import { checkedBefore, differsOnlyInSourceHashes } from './previous.js';
import type { PreviousPex } from './reuse.js';
import type { ZipReuse } from '../zip/reuse.js';
import { loadSources, type LoadedSource, type SourceFile } from './sources.js';
import type { ProjectDistInfo, ProjectDistribution } from '../project/dist-info.js';

export interface WheelInput {
  /** A wheel file on disk; its file name (PEP 427) is basename(path). */
  path: string;
  sha256: string;
}

export interface ProgressEvent {
  phase: 'install' | 'write';
  done: number;
  total: number;
  detail?: string;
}

export interface BuildPexOptions {
  outputPath: string;
  /** May hold several builds (tags) of one project: the runtime activates the best for the interpreter. */
  wheels: WheelInput[];
  sources: SourceFile[];
  entryPoint?: string;
  requirements?: string[];
  interpreterConstraints?: string[];
  /**
   * The caller's PEP 440 specifier-set parser (nx-pex: the resolver's, `(text) => new SpecifierSet(text)`), with which build-time questions
   * about `interpreterConstraints` are answered exactly (the ZIP64 warning) and the constraints
   * checked; without it those questions are answered conservatively.
   */
  specifierSet?: ParseSpecifierSet;
  /**
   * Loads the parser `specifierSet` would give, when no `specifierSet` is given: called at most once,
   * only when a question needs it (a rebuild whose constraints `previousPexInfo` already carries, and
   * that needs no ZIP64, asks none), so a caller's PEP 440 implementation need not load before.
   */
  loadSpecifierSet?: () => Promise<ParseSpecifierSet>;
  shebang?: string;
  cacheDir?: string;
  buildProperties?: Record<string, string>;
  onProgress?: (event: ProgressEvent) => void;
  /** `zipapp` (default: one file), `packed` (a directory, one zip per dependency) or `loose` (exploded). */
  layout?: Layout;
  /** A console script (or `.data/scripts` script) of a distribution to run; exclusive with entryPoint. */
  script?: string;
  /** Arguments inserted before the command line's. */
  injectArgs?: string[];
  /** Environment variables set at run time unless already set. */
  injectEnv?: Record<string, string>;
  /** pex's inherit_path: 'false' (default) isolates from site-packages. */
  inheritPath?: InheritPath;
  /** Remove PEX_* variables before running the entry point (default true, as pex). */
  stripPexEnv?: boolean;
  /** Requirements whose project's wheels are left out of the pex (pex `--exclude`). */
  excluded?: string[];
  /** Other pexes whose distributions join this one's at run time (PEX-INFO `pex_path`). */
  pexPath?: string[];
  /**
   * First-party projects in the pex: each gets a `<name>-<version>.dist-info` at the pex root (METADATA,
   * entry_points.txt, INSTALLER, RECORD), so importlib.metadata and the venv tool see it.
   */
  projects?: ProjectDistribution[];
  /** Called for each warning (also returned in `BuiltPex.warnings`). */
  onWarning?: (message: string) => void;
  /**
   * The PEX-INFO of the pex this call replaces, as this writer wrote it from the same options (the
   * caller vouches for it, e.g. from its record of that build): when only the sources differ, the new
   * PEX-INFO is not checked against the schema again. The output's bytes are the same with or without it.
   */
  previousPexInfo?: unknown;
  /**
   * The zipapp this call replaces, as the caller recorded it: the `path` and `sha256` a buildPex call
   * returned (usually the same `outputPath`). Its leading entries that this build would write alike
   * (the runtime and the installed wheels, before the PEX-INFO and the sources) are kept from a
   * kernel copy of it instead of being written again; the output's bytes are the same with or
   * without it. Nothing is kept when it is missing, no longer has that sha256, or starts otherwise.
   * Ignored for the directory layouts.
   */
  previousPex?: PreviousPex;
}

export interface BuiltPex {
  /** The pex: a file (zipapp) or a directory (packed, loose). */
  path: string;
  /** Bytes: the file, or the sum of the directory's files. */
  size: number;
  /** sha256 of the file; for a directory, of its sorted `path\0mode\0sha256` lines. */
  sha256: string;
  pexInfo: PexInfo;
  layout: Layout;
  warnings: string[];
  /** With `previousPex` (zipapp): the bytes kept from it, or why none were (the pex was written in full). */
  reuse?: ZipReuse;
}

const INSTALL_CONCURRENCY = 4;

/** Build a pex: PEX-INFO, the runtime, the sources and the installed wheels, in the chosen layout. */
export async function buildPex(options: BuildPexOptions): Promise<BuiltPex> {
  const outputPath = resolve(options.outputPath);
  const normalized = normalizeOptions(options);
  const shebang = checkShebang(options.shebang ?? '#!/usr/bin/env python3');
  if (options.entryPoint !== undefined) checkEntryPoint(options.entryPoint);
  let parser: Promise<ParseSpecifierSet | undefined> | undefined;
  const specifierSet = () =>
    (parser ??= options.specifierSet ? Promise.resolve(options.specifierSet) : options.loadSpecifierSet?.());
  const constraints = options.interpreterConstraints ?? [];
  // Constraints the previous PEX-INFO carries were checked when it was written: their shape is checked again, not their specifiers.
  const parse =
    constraints.length > 0 && !checkedBefore(constraints, options.previousPexInfo) ? await specifierSet() : undefined;
  for (const constraint of constraints) checkInterpreterConstraint(constraint, parse);
  const progress = options.onProgress ?? (() => undefined);
  const cacheDir = options.cacheDir ?? defaultInstalledWheelsDir();
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    options.onWarning?.(message);
  };

  // Modules a build without first-party projects, a script or a directory layout does not need load when one does.
  const distInfos = options.projects?.length
    ? (await import('../project/dist-info.js')).projectDistInfos(options.projects)
    : [];
  const [loadedSources, loadedRuntime] = await Promise.all([loadSources(options.sources), loadRuntimeFiles()]);
  const sources = withDistInfos(loadedSources, distInfos);
  const { runtime, bootstrapHash } = withBootstrapHash(loadedRuntime);
  let installed = 0;
  const trees = await mapLimit(normalized.wheels, INSTALL_CONCURRENCY, async (wheel) => {
    const prepared = await prepareInstalledWheelTree(wheel, cacheDir);
    installed += 1;
    progress({
      phase: 'install',
      done: installed,
      total: normalized.wheels.length,
      detail: `${prepared.tree.wheel}${prepared.fromCache ? ' (cached)' : ''}`,
    });
    return { tree: prepared.tree, path: wheel.path };
  });
  if (options.script !== undefined) {
    const { checkScript } = await import('./script.js');
    await checkScript(
      options.script,
      trees,
      distInfos.flatMap((info) => info.consoleScripts),
    );
  }

  const unchecked = withPexHash({
    bootstrap_hash: bootstrapHash,
    build_properties: { ...options.buildProperties },
    code_hash: contentHash(sources),
    distributions: Object.fromEntries(trees.map(({ tree }) => [tree.wheel, tree.sha256])),
    emit_warnings: true,
    entry_point: options.entryPoint ?? null,
    excluded: [...(options.excluded ?? [])],
    inherit_path: normalized.inheritPath,
    inject_args: [...(options.injectArgs ?? [])],
    inject_env: { ...options.injectEnv },
    interpreter_constraints: [...(options.interpreterConstraints ?? [])],
    pex_path: [...(options.pexPath ?? [])],
    requirements: [...(options.requirements ?? [])],
    script: options.script ?? null,
    strip_pex_env: options.stripPexEnv ?? true,
    venv: false,
  });
  // The schema's validator is loaded only when a PEX-INFO needs it (its start-up is most of a sources-only rebuild).
  const pexInfo = differsOnlyInSourceHashes(unchecked, options.previousPexInfo)
    ? unchecked
    : (await import('../pex-info/schema.js')).validatePexInfo(unchecked, outputPath);

  const bootstrapPrefix = `${BOOTSTRAP_DIR}/`;
  const contents: PexContents = {
    shebang,
    rootFiles: [
      { path: 'PEX-INFO', content: Buffer.from(canonicalJson(pexInfo)), mode: 0o644 },
      ...runtime
        .filter((file) => !file.archivePath.startsWith(bootstrapPrefix))
        .map((file) => ({ path: file.archivePath, content: file.content, mode: 0o644 })),
      ...sources.map((source) => ({ path: source.archivePath, content: source.content, mode: source.mode })),
    ],
    bootstrap: runtime
      .filter((file) => file.archivePath.startsWith(bootstrapPrefix))
      .map((file) => ({ path: file.archivePath.slice(bootstrapPrefix.length), content: file.content, mode: 0o644 })),
    trees,
  };

  await mkdir(dirname(outputPath), { recursive: true });
  const onWrite = (done: number, total: number): void =>
    progress({ phase: 'write', done, total, ...(done === total ? { detail: basename(outputPath) } : {}) });
  const writeDirectory = async (layout: Exclude<Layout, 'zipapp'>) =>
    (await import('../layout/directory.js')).writeDirectoryPex(outputPath, layout, contents, onWrite);
  const written: WrittenPex =
    normalized.layout === 'zipapp'
      ? await writeZipapp(
          outputPath,
          contents,
          onWrite,
          options.previousPex &&
            (await import('./reuse.js')).previousZipapp(options.previousPex, pexInfo.distributions),
        )
      : await writeDirectory(normalized.layout);
  const allowsOldZipimport = written.zip64
    ? allowsCPython3Below(
        pexInfo.interpreter_constraints,
        13,
        pexInfo.interpreter_constraints.length > 0 ? await specifierSet() : undefined,
      )
    : false;
  if (allowsOldZipimport !== false) {
    const allowed = allowsOldZipimport
      ? 'its interpreter constraints allow such interpreters'
      : 'its interpreter constraints were not evaluated (no specifierSet option)';
    warn(
      `${basename(outputPath)} needs ZIP64 (${written.fileCount} entries, ${written.size} bytes), which the zipimport of CPython < 3.13 cannot read, and ${allowed}; use layout 'packed' (a directory with one zip per dependency), or constrain the interpreter to >=3.13.`,
    );
  }
  return {
    path: outputPath,
    size: written.size,
    sha256: written.sha256,
    pexInfo,
    layout: normalized.layout,
    warnings,
    ...(written.reuse ? { reuse: written.reuse } : {}),
  };
}

/** The projects' dist-info files join the sources (so code_hash covers them); a source may not be inside one. */
function withDistInfos(sources: LoadedSource[], distInfos: ProjectDistInfo[]): LoadedSource[] {
  for (const { directory } of distInfos) {
    const clash = sources.find((source) => source.archivePath.startsWith(`${directory}/`));
    if (clash !== undefined) {
      throw new ArchiveError(
        'PATH_CONFLICT',
        `source archivePath '${clash.archivePath}' is inside ${directory}/, which buildPex writes for the project; leave the dist-info out of the sources.`,
      );
    }
  }
  return [
    ...sources,
    ...distInfos.flatMap(({ files }) =>
      files.map((file) => ({ archivePath: file.path, content: file.content, mode: 0o644 })),
    ),
  ];
}

const HASH_PLACEHOLDER = 'BOOTSTRAP_HASH = None';

/** Hash the runtime package and write the hash into `__main__.py`, which finds its byte-compiled copy by it. */
function withBootstrapHash(runtime: RuntimeFile[]): { runtime: RuntimeFile[]; bootstrapHash: string } {
  const bootstrapHash = contentHash(runtime.filter((file) => file.archivePath.startsWith(`${BOOTSTRAP_DIR}/`)));
  const main = runtime.find((file) => file.archivePath === '__main__.py');
  if (!main?.content.includes(HASH_PLACEHOLDER)) {
    throw new ArchiveError(
      'RUNTIME_MISSING',
      `the runtime's __main__.py lacks '${HASH_PLACEHOLDER}'; reinstall @nx-pex/archive.`,
    );
  }
  const filled = Buffer.from(
    main.content.toString('utf8').replace(HASH_PLACEHOLDER, `BOOTSTRAP_HASH = "${bootstrapHash}"`),
  );
  return {
    runtime: runtime.map((file) => (file === main ? { ...file, content: filled } : file)),
    bootstrapHash,
  };
}

function withPexHash(info: Omit<PexInfo, 'pex_hash'>): PexInfo {
  return { ...info, pex_hash: createHash('sha256').update(canonicalJson(info)).digest('hex') };
}
