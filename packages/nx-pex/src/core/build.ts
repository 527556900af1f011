import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildPex, type BuiltPex } from '@nx-pex/archive';
import { fetchArtifacts, inspectInterpreter, loadIndexConfig, type FetchProgress, type IndexConfig, type LocalArtifact, type TargetInterpreter } from '@nx-pex/resolver';
import { lockedArtifacts } from './lock.js';
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

  const [index, target] = await Promise.all([loadIndexConfig(), inspectInterpreter(opts.python)]);
  const onProgress = (p: FetchProgress) => progress(`${p.phase === 'index' ? 'resolving' : 'downloading'} ${p.project}`, p.done, p.total);
  const artifacts = await projectArtifacts(req, requirements, target, index, project.project, onProgress);
  const sources: SourceEntry[] = [];
  for (const p of closure) sources.push(...(await projectSources(workspaceRoot, p, p === project ? req.options.sourceRoot : undefined)));
  const built = await buildPex({
    outputPath: join(workspaceRoot, opts.outputPath),
    wheels: artifacts.map((a) => ({ path: a.path, sha256: a.sha256 })),
    sources,
    entryPoint: opts.entryPoint,
    requirements,
    interpreterConstraints: opts.interpreterConstraints,
    shebang: opts.shebang,
    onProgress: (p) => progress(p.phase === 'install' ? 'installing wheels' : 'writing pex', p.done, p.total),
  });
  return { ...built, options: opts, artifacts, sources, bundled: closure.slice(1).map((p) => p.project) };
}

export function describeBuild(result: BuildResult): string {
  const libs = result.bundled.length > 0 ? `, first-party: ${result.bundled.join(', ')}` : '';
  return `nx-pex: wrote ${result.options.outputPath} (${result.size} bytes, ${result.artifacts.length} distributions, ${result.sources.length} source files${libs}, sha256 ${result.sha256})`;
}
