import { existsSync } from 'node:fs';
import { minimatch } from 'minimatch';
import { join } from 'node:path';
import { buildPex, type BuiltPex } from '@nx-pex/archive';
import { fetchArtifacts, loadIndexConfig, type FetchProgress, type IndexConfig, type LocalArtifact, type TargetInterpreter } from '@nx-pex/resolver';
import { lockedArtifacts } from './lock.js';
import { resolveTargets } from './targets.js';
import type { PythonProject } from '../graph/python-workspace.js';
import { moduleName } from '../pyproject/pyproject.js';
import { normalizeOptions, type NormalizedPexOptions } from '../executors/pex/normalize-options.js';
import type { PexExecutorOptions } from '../executors/pex/schema.js';
import { collectSources, type SourceEntry } from '../executors/pex/sources.js';
import { createProgress } from '../executors/pex/progress.js';
import { firstPartyClosure, thirdPartyRequirements } from './workspace.js';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
}

export interface BuildRequest {
  workspaceRoot: string;
  project: PythonProject;
  /** Every Python project of the workspace (to find first-party dependencies). */
  projects: readonly PythonProject[];
  options: PexExecutorOptions;
  log: Log;
}

export interface BuildResult extends BuiltPex {
  options: NormalizedPexOptions;
  artifacts: LocalArtifact[];
  sources: SourceEntry[];
  bundled: string[];
}

/** A project's own importable files: its source root's contents (src/ layout) or its packages (flat layout). */
export async function projectSources(workspaceRoot: string, project: PythonProject, sourceRoot?: string): Promise<SourceEntry[]> {
  const dir = join(workspaceRoot, project.root);
  if (sourceRoot !== undefined) return collectSources(join(dir, sourceRoot), false);
  const src = join(dir, 'src');
  return existsSync(src) ? collectSources(src, false) : collectSources(dir, true);
}

/** Sources minus those matching an `exclude` glob (matched against their path inside the pex). */
export function excludeSources(sources: SourceEntry[], patterns: string[]): SourceEntry[] {
  if (patterns.length === 0) return sources;
  return sources.filter((s) => !patterns.some((p) => minimatch(s.archivePath, p, { dot: true })));
}

/**
 * The wheels for a project's environment: from its lock when one serves it (offline when cached),
 * else resolved now from the index, which the log says is not hermetic.
 */
export async function projectArtifacts(
  req: Pick<BuildRequest, 'workspaceRoot' | 'project' | 'projects' | 'log'>,
  requirements: string[],
  target: TargetInterpreter,
  index: IndexConfig,
  lockKey: string,
  onProgress?: (p: FetchProgress) => void,
): Promise<LocalArtifact[]> {
  const locked = await lockedArtifacts(req.workspaceRoot, req.project, req.projects, target, index, lockKey);
  if (locked) return locked;
  if (requirements.length > 0) {
    req.log.warn(`nx-pex: no pylock.toml serves ${req.project.project}: resolving now, so this build is not hermetic (\`nx run ${req.project.project}:lock\` writes one).`);
  }
  return fetchArtifacts({ requirements, index, target, ...(onProgress ? { onProgress } : {}) });
}

/**
 * Build the pex of a project: its sources and those of the first-party projects it depends on, and
 * the wheels of their third-party requirements for the target interpreter.
 */
export async function buildProjectPex(req: BuildRequest): Promise<BuildResult> {
  const { workspaceRoot, project, log } = req;
  const projectDir = join(workspaceRoot, project.root);
  const hasSrcDir = req.options.sourceRoot === undefined && existsSync(join(projectDir, 'src'));
  const sourceDir = join(projectDir, req.options.sourceRoot ?? (hasSrcDir ? 'src' : '.'));
  const closure = firstPartyClosure(project, req.projects);
  const opts = normalizeOptions(req.options, {
    projectRoot: project.root,
    pyproject: project.pyproject,
    hasSrcDir,
    hasMainModule: existsSync(join(sourceDir, moduleName(project.pyproject.name), '__main__.py')),
  });
  const requirements = thirdPartyRequirements(closure);
  const progress = createProgress(log);
  const onProgress = (p: FetchProgress) => progress(`${p.phase === 'index' ? 'resolving' : 'downloading'} ${p.project}`, p.done, p.total);

  const index = await loadIndexConfig();
  // A multi-platform pex carries the wheels of every target; the runtime activates the matching build.
  const artifacts = new Map<string, LocalArtifact>();
  for (const target of await resolveTargets(workspaceRoot, opts.targets)) {
    for (const a of await projectArtifacts(req, requirements, target, index, project.project, onProgress)) artifacts.set(a.sha256, a);
  }
  const sources: SourceEntry[] = [];
  for (const p of closure) sources.push(...(await projectSources(workspaceRoot, p, p === project ? req.options.sourceRoot : undefined)));
  const kept = excludeSources(sources, opts.exclude);
  const built = await buildPex({
    outputPath: join(workspaceRoot, opts.outputPath),
    layout: opts.layout,
    wheels: [...artifacts.values()].map((a) => ({ path: a.path, sha256: a.sha256 })),
    sources: kept,
    ...(opts.entryPoint ? { entryPoint: opts.entryPoint } : {}),
    ...(opts.script ? { script: opts.script } : {}),
    requirements,
    interpreterConstraints: opts.interpreterConstraints,
    shebang: opts.shebang,
    ...opts.runtime,
    onWarning: (m) => log.warn(`nx-pex: ${m}`),
    onProgress: (p) => progress(p.phase === 'install' ? 'installing wheels' : 'writing pex', p.done, p.total),
  });
  return { ...built, options: opts, artifacts: [...artifacts.values()], sources: kept, bundled: closure.slice(1).map((p) => p.project) };
}

export function describeBuild(result: BuildResult): string {
  const libs = result.bundled.length > 0 ? `, first-party: ${result.bundled.join(', ')}` : '';
  return `nx-pex: wrote ${result.options.outputPath} (${result.size} bytes, ${result.artifacts.length} distributions, ${result.sources.length} source files${libs}, sha256 ${result.sha256})`;
}
