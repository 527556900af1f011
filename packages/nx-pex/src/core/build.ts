import { buildPex, type BuiltPex } from '@nx-pex/archive';
import {
  fetchArtifacts,
  loadIndexConfig,
  SpecifierSet,
  type FetchProgress,
  type IndexConfig,
  type LocalArtifact,
  type TargetInterpreter,
} from '@nx-pex/resolver';
import { join } from 'node:path';
import { fetchFromLock, openProjectLock } from './lock.js';
import { firstPartyParts } from './first-party.js';
import { pexTargetModel, type PexTargetModel } from './model.js';
import { BuildProgress, type ProgressEvent } from './progress.js';
import { collectProjectSources, excludeSources, type SourceEntry } from './sources.js';
import { resolveTargets } from './targets.js';
import { firstPartyClosure } from './workspace.js';
import type { PythonProject } from '../graph/python-workspace.js';
import type { PexExecutorOptions } from '../executors/pex/schema.js';

export interface BuildRequest {
  workspaceRoot: string;
  project: PythonProject;
  /** Every Python project of the workspace (to find first-party dependencies). */
  projects: readonly PythonProject[];
  /** The build target's options as Nx merged them (or as the CLI read them). */
  options: PexExecutorOptions;
  progress: BuildProgress;
}

export interface BuildResult extends BuiltPex {
  model: PexTargetModel;
  artifacts: LocalArtifact[];
  sources: SourceEntry[];
  /** Set when no lock served the build: it resolved from the index now. */
  notHermetic: boolean;
}

/** Resolver progress → the build's progress line. */
export function fetchProgress(progress: BuildProgress): (p: FetchProgress) => void {
  return (p) =>
    progress.update({
      phase: p.phase === 'index' ? 'resolving' : 'downloading',
      done: p.done,
      total: p.total,
      current: p.project,
      ...(p.bytes !== undefined ? { bytes: p.bytes } : {}),
    });
}

export interface ArtifactsRequest {
  workspaceRoot: string;
  project: PythonProject;
  projects: readonly PythonProject[];
  lockFile: string | undefined;
  /** Dependency groups installed besides the runtime (a test environment); `defaultGroups`: not asked for by name. */
  groups?: readonly string[];
  defaultGroups?: boolean;
  requirements: string[];
  targets: readonly TargetInterpreter[];
  index: IndexConfig;
  progress: BuildProgress;
  /** Build sdist-only releases with the target's interpreter (default true, pex --build). */
  buildSdists?: boolean;
}

/**
 * The wheels for an environment, all targets together (a multi-platform pex carries the wheels of
 * every target; the runtime activates the matching ones): from the lock when one serves the project
 * (offline when cached), else resolved now from the index — which `hermetic: false` reports.
 */
export async function environmentArtifacts(
  req: ArtifactsRequest,
): Promise<{ artifacts: LocalArtifact[]; hermetic: boolean }> {
  const onProgress = fetchProgress(req.progress);
  const artifacts = new Map<string, LocalArtifact>();
  const buildSdists = req.buildSdists ?? true;
  const served = await openProjectLock({ ...req, warn: (m) => req.progress.warn(m) });
  for (const target of req.targets) {
    const found = served
      ? await fetchFromLock(served, target, req.index, onProgress, buildSdists)
      : await fetchArtifacts({ requirements: req.requirements, index: req.index, target, buildSdists, onProgress });
    for (const a of found) artifacts.set(a.sha256, a);
  }
  return { artifacts: [...artifacts.values()], hermetic: req.lockFile !== undefined || req.requirements.length === 0 };
}

/** The warning a build without a lock gives (once per build, in its summary). */
export function notHermeticNote(project: string): string {
  return `not hermetic: no pylock.toml serves ${project}, its requirements were resolved now (\`nx run ${project}:lock\` writes one)`;
}

/**
 * Build the pex of a project: its sources and those of the first-party projects it depends on, and
 * the wheels of their third-party requirements for the target interpreters.
 */
export async function buildProjectPex(req: BuildRequest): Promise<BuildResult> {
  const { workspaceRoot, project, progress } = req;
  const model = pexTargetModel(workspaceRoot, project, req.projects, req.options);
  if (model.entryPointNote) progress.warn(model.entryPointNote);
  const [index, targets] = await Promise.all([loadIndexConfig(), resolveTargets(workspaceRoot, model.targets)]);
  const firstParty = await firstPartyParts({
    workspaceRoot,
    closure: firstPartyClosure(project, req.projects),
    targets,
    index,
    progress,
  });
  const { artifacts, hermetic } = await environmentArtifacts({
    workspaceRoot,
    project,
    projects: req.projects,
    lockFile: model.lockFile,
    requirements: model.requirements,
    targets,
    index,
    progress,
    buildSdists: model.buildSdists,
  });
  // A project built by its backend is installed from its wheel: its tree (and what the backend left in it) is not copied.
  const sourceDirs = model.sourceDirs.filter((d) => !firstParty.built.has(d.project));
  const sources = excludeSources(await collectProjectSources(workspaceRoot, sourceDirs), model.exclude);
  const wheels = [...artifacts, ...firstParty.wheels];
  const installOrWrite = (p: {
    phase: 'install' | 'write';
    done: number;
    total: number;
    detail?: string;
  }): ProgressEvent => ({
    phase: p.phase === 'install' ? 'installing' : 'writing',
    done: p.done,
    total: p.total,
    ...(p.detail ? { current: p.detail } : {}),
  });
  const built = await buildPex({
    outputPath: join(workspaceRoot, model.outputPath),
    layout: model.layout,
    wheels: wheels.map((a) => ({ path: a.path, sha256: a.sha256 })),
    sources,
    projects: firstParty.distributions,
    specifierSet: (text) => new SpecifierSet(text),
    ...(model.entryPoint ? { entryPoint: model.entryPoint } : {}),
    ...(model.script ? { script: model.script } : {}),
    requirements: model.requirements,
    interpreterConstraints: model.interpreterConstraints,
    shebang: model.shebang,
    ...model.runtime,
    onWarning: (m) => progress.warn(`nx-pex: ${m}`),
    onProgress: (p) => progress.update(installOrWrite(p)),
  });
  return { ...built, model, artifacts: wheels, sources, notHermetic: !hermetic };
}

/** The one line a build leaves: what it wrote, and whether it is hermetic. */
export function describeBuild(result: BuildResult): string {
  const { model } = result;
  const libs = model.bundled.length > 0 ? `, first-party: ${model.bundled.join(', ')}` : '';
  const note = result.notHermetic ? `; ${notHermeticNote(model.project)}` : '';
  return `nx-pex: wrote ${model.outputPath} (${model.layout}, ${result.size} bytes, ${result.artifacts.length} distributions, ${result.sources.length} source files${libs}, sha256 ${result.sha256})${note}`;
}
