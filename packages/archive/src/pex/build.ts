import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { prepareInstalledWheelTree } from '../cache/installed-wheel-cache.js';
import { defaultInstalledWheelsDir } from '../cache/cache-dir.js';
import { ArchiveError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { canonicalJson } from '../json/canonical.js';
import type { PexInfo } from '../pex-info/pex-info.js';
import { validatePexInfo } from '../pex-info/schema.js';
import { loadRuntimeFiles } from '../bootstrap/runtime-files.js';
import type { InstalledWheelTree } from '../wheel/installed-wheel-tree.js';
import { parseWheelFilename } from '../wheel/filename.js';
import { FileSink } from '../zip/sink.js';
import { deflatedEntry, ZipWriter, type ZipEntry } from '../zip/writer.js';
import { compareNames, contentHash } from './content-hash.js';
import { checkEntryPoint, checkInterpreterConstraint } from './checks.js';
import { loadSources, type SourceFile } from './sources.js';

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
  wheels: WheelInput[];
  sources: SourceFile[];
  entryPoint?: string;
  requirements?: string[];
  interpreterConstraints?: string[];
  shebang?: string;
  cacheDir?: string;
  buildProperties?: Record<string, string>;
  onProgress?: (event: ProgressEvent) => void;
}

export interface BuiltPex {
  path: string;
  size: number;
  sha256: string;
  pexInfo: PexInfo;
}

const DEFAULT_SHEBANG = '#!/usr/bin/env python3';
const INSTALL_CONCURRENCY = 4;
const PROGRESS_EVERY = 1000;
const DEPS_DIR = '.deps';

/** Build a pex: shebang + deterministic zip of PEX-INFO, the runtime, the sources and the installed wheels. */
export async function buildPex(options: BuildPexOptions): Promise<BuiltPex> {
  const outputPath = resolve(options.outputPath);
  const shebang = checkShebang(options.shebang ?? DEFAULT_SHEBANG);
  if (options.entryPoint !== undefined) checkEntryPoint(options.entryPoint);
  for (const constraint of options.interpreterConstraints ?? []) checkInterpreterConstraint(constraint);
  checkDistinctWheelNames(options.wheels);
  const progress = options.onProgress ?? (() => undefined);
  const cacheDir = options.cacheDir ?? defaultInstalledWheelsDir();

  const [sources, runtime] = await Promise.all([loadSources(options.sources), loadRuntimeFiles()]);
  let installed = 0;
  const trees = await mapLimit(options.wheels, INSTALL_CONCURRENCY, async (wheel) => {
    const prepared = await prepareInstalledWheelTree(wheel, cacheDir);
    installed += 1;
    progress({
      phase: 'install',
      done: installed,
      total: options.wheels.length,
      detail: `${prepared.tree.wheel}${prepared.fromCache ? ' (cached)' : ''}`,
    });
    return { tree: prepared.tree, path: wheel.path };
  });

  const pexInfo = validatePexInfo(
    withPexHash({
      bootstrap_hash: contentHash(runtime),
      build_properties: { ...options.buildProperties },
      code_hash: contentHash(sources),
      distributions: Object.fromEntries(trees.map(({ tree }) => [tree.wheel, tree.sha256])),
      emit_warnings: true,
      entry_point: options.entryPoint ?? null,
      inherit_path: 'false',
      interpreter_constraints: [...(options.interpreterConstraints ?? [])],
      pex_path: [],
      requirements: [...(options.requirements ?? [])],
      strip_pex_env: true,
      venv: false,
    }),
    outputPath,
  );

  const entries: ZipEntry[] = [
    deflatedEntry('PEX-INFO', Buffer.from(canonicalJson(pexInfo)), 0o644),
    ...runtime.map((file) => deflatedEntry(file.archivePath, file.content, 0o644)),
    ...sources.map((source) => deflatedEntry(source.archivePath, source.content, source.mode)),
    ...trees.flatMap(({ tree, path }) => treeEntries(tree, path)),
  ].sort((a, b) => compareNames(a.name, b.name));

  await mkdir(dirname(outputPath), { recursive: true });
  const hash = createHash('sha256');
  await writeFileAtomic(outputPath, 0o755, async (handle) => {
    const sink = new FileSink(handle, hash);
    await sink.write(Buffer.from(`${shebang}\n`));
    const writer = new ZipWriter(sink);
    try {
      for (const [index, entry] of entries.entries()) {
        await writer.add(entry);
        if ((index + 1) % PROGRESS_EVERY === 0) progress({ phase: 'write', done: index + 1, total: entries.length });
      }
      await writer.finish();
    } finally {
      await writer.close();
    }
    progress({ phase: 'write', done: entries.length, total: entries.length, detail: basename(outputPath) });
  });
  return { path: outputPath, size: (await stat(outputPath)).size, sha256: hash.digest('hex'), pexInfo };
}

function withPexHash(info: Omit<PexInfo, 'pex_hash'>): PexInfo {
  return { ...info, pex_hash: createHash('sha256').update(canonicalJson(info)).digest('hex') };
}

function treeEntries(tree: InstalledWheelTree, wheelPath: string): ZipEntry[] {
  return tree.entries.map((entry) => ({
    name: `${DEPS_DIR}/${tree.wheel}/${entry.path}`,
    mode: entry.mode,
    method: entry.method,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    size: entry.size,
    data: { kind: 'file-range', path: wheelPath, start: entry.dataStart },
  }));
}

function checkShebang(shebang: string): string {
  if (!shebang.startsWith('#!') || /[\r\n]/.test(shebang)) {
    throw new ArchiveError(
      'INVALID_SOURCE',
      `shebang '${shebang}' must be a single line starting with '#!', e.g. '#!/usr/bin/env python3'.`,
    );
  }
  return shebang;
}

function checkDistinctWheelNames(wheels: WheelInput[]): void {
  const seen = new Set<string>();
  for (const wheel of wheels) {
    const name = basename(wheel.path);
    parseWheelFilename(name);
    if (seen.has(name)) {
      throw new ArchiveError(
        'PATH_CONFLICT',
        `wheel ${name} is given twice; each wheel installs to .deps/<file name>/, so pass each wheel once.`,
      );
    }
    seen.add(name);
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
