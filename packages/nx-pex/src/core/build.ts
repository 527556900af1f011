import type { BuiltPex, PreviousPex, ProjectDistribution } from '@nx-pex/archive';
import type { IndexConfig, LocalArtifact, TargetInterpreter } from '@nx-pex/resolver';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PexTargetModel } from './model.js';
import { fetchProgress, formatBytes, type BuildProgress, type ProgressEvent } from './progress.js';
import type { SourceEntry } from './sources.js';
import {
  removeStamp,
  sourceStates,
  writeStamp,
  type BuildSummary,
  type SourceState,
  type StampedInputs,
  type StampKey,
  type UpToDateCheck,
} from './up-to-date.js';
import type { PythonProject } from '../graph/python-workspace.js';
import type { PexExecutorOptions } from '../executors/pex/schema.js';

// The resolver, the archive writer and the lock reader load only when a build has work to do: a
// no-op build (up-to-date.ts) costs a few stats, not their start-up.
const archive = () => import('@nx-pex/archive');
const resolver = () => import('@nx-pex/resolver');

export interface BuildRequest {
  workspaceRoot: string;
  project: PythonProject;
  /** Every Python project of the workspace (to find first-party dependencies). */
  projects: readonly PythonProject[];
  /** The build target's options as Nx merged them (or as the CLI read them). */
  options: PexExecutorOptions;
  progress: BuildProgress;
  /** The CLI's digest of what decided `projects` and `options`, recorded so that its next run may skip parsing them. */
  workspaceDigest?: string;
}

export type { BuildSummary };

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
  const { fetchFromLock, openProjectLock } = await import('./lock.js');
  const served = await openProjectLock({ ...req, warn: (m) => req.progress.warn(m) });
  for (const target of req.targets) {
    const found = served
      ? await fetchFromLock(served, target, req.index, onProgress, buildSdists)
      : await (
          await resolver()
        ).fetchArtifacts({ requirements: req.requirements, index: req.index, target, buildSdists, onProgress });
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
 * the wheels of their third-party requirements for the target interpreters. With a lock, a build
 * whose inputs and output are as the last one left them does nothing, and one whose only change is
 * in the sources rewrites the pex from the wheels and distributions that build used (up-to-date.ts).
 */
export async function buildProjectPex(req: BuildRequest): Promise<BuildSummary> {
  const { checkUpToDate } = await import('./up-to-date-key.js');
  const check = await checkUpToDate(req);
  if (check.kind !== 'full') return finishChecked(req, check);
  req.progress.say(rebuildNote(req.project.project, check));
  return fullBuild(req, check.inputs);
}

/** Why a build is not a no-op, as the progress shows it: `nx-pex: rebuilding svc (sources only): apps/svc/src/svc/main.py changed`. */
export function rebuildNote(project: string, check: Extract<UpToDateCheck, { reason: string }>): string {
  return `nx-pex: rebuilding ${project} (${check.kind === 'full' ? 'full build' : 'sources only'}): ${check.reason}`;
}

/**
 * A build the stamp answers (nothing to do, or only the sources to rewrite): needs no parsed
 * workspace, so the CLI takes this path straight from `checkRecorded`.
 */
export async function finishChecked(
  req: Pick<BuildRequest, 'workspaceRoot' | 'progress'>,
  check: Exclude<UpToDateCheck, { kind: 'full' }>,
): Promise<BuildSummary> {
  const { stamp } = check;
  for (const warning of stamp.warnings) req.progress.warn(warning);
  if (check.kind === 'up-to-date') {
    // The same bytes written again (Nx restored them from its cache): the stamp records the file as it is now.
    if (check.outputRestored) await writeStamp(req.workspaceRoot, stamp);
    return { ...stamp.summary, mode: 'up-to-date' };
  }
  req.progress.say(rebuildNote(stamp.model.project, check));
  // The stamp vouches that the output is the one it records: its PEX-INFO is the previous one. A
  // zipapp keeps the previous file's unchanged leading entries (the archive checks its sha256 first).
  const previousPex = { path: join(req.workspaceRoot, stamp.model.outputPath), sha256: stamp.summary.sha256 };
  const built = await writeProjectPex(req, stamp, check.sources, stamp.pexInfo, previousPex);
  if (built.reuse && 'keptBytes' in built.reuse)
    req.progress.say(`nx-pex: kept ${formatBytes(built.reuse.keptBytes)} of the previous pex, wrote the rest`);
  const summary = summarize(stamp.model, built, stamp.wheels.length, check.sources.length, false);
  await writeStamp(req.workspaceRoot, {
    ...stamp,
    ...check.inputs,
    sources: check.sources,
    readAt: check.readAt,
    summary,
    warnings: req.progress.warnings,
    pexInfo: built.pexInfo,
  });
  return { ...summary, mode: 'sources' };
}

async function fullBuild(req: BuildRequest, key: StampKey): Promise<BuildSummary> {
  const { workspaceRoot, project, progress } = req;
  const [{ pexTargetModel }, { firstPartyParts }, { resolveTargets }, { firstPartyClosure }, { loadIndexConfig }] =
    await Promise.all([
      import('./model.js'),
      import('./first-party.js'),
      import('./targets.js'),
      import('./workspace.js'),
      resolver(),
    ]);
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
  const sourceModel = { ...model, sourceDirs: model.sourceDirs.filter((d) => !firstParty.built.has(d.project)) };
  const readAt = Date.now();
  const sources = await sourceStates(workspaceRoot, sourceModel);
  const wheels = [...artifacts, ...firstParty.wheels].map((a) => ({ path: a.path, sha256: a.sha256 }));
  const inputs: StampedInputs = { model: sourceModel, wheels, distributions: firstParty.distributions };
  const built = await writeProjectPex(req, inputs, sources);
  const summary = summarize(model, built, wheels.length, sources.length, !hermetic);
  const uncheckable = await uncheckableBecause(workspaceRoot, model.lockFile, firstParty.wheels.length, wheels);
  if (uncheckable === undefined) {
    await writeStamp(workspaceRoot, {
      ...inputs,
      ...key,
      ...(req.workspaceDigest !== undefined ? { workspace: req.workspaceDigest } : {}),
      sources,
      readAt,
      summary,
      warnings: progress.warnings,
      pexInfo: built.pexInfo,
    });
  } else {
    await removeStamp(workspaceRoot, model.outputPath, uncheckable);
  }
  return { ...summary, mode: 'full' };
}

/**
 * Why the next build cannot be checked by the stamp alone, or undefined when it can: only when a lock
 * served this one and pins every wheel in the pex by its sha256: a resolve from the index may give
 * another answer tomorrow, and a wheel built here (an sdist, a first-party project through its
 * backend) is not pinned by its inputs.
 */
async function uncheckableBecause(
  workspaceRoot: string,
  lockFile: string | undefined,
  builtWheels: number,
  wheels: readonly { sha256: string }[],
): Promise<string | undefined> {
  if (lockFile === undefined) return 'no lock served it, its requirements were resolved';
  if (builtWheels > 0) return 'it carries wheels built here (a first-party project through its build backend)';
  const text = (await readFile(join(workspaceRoot, lockFile), 'utf8')).toLowerCase();
  if (wheels.every((w) => text.includes(w.sha256.toLowerCase()))) return undefined;
  return `${lockFile} does not pin every wheel it carries (an sdist built here)`;
}

/** Write the pex of a model from its wheels, distributions and sources (as read into `sources`). */
async function writeProjectPex(
  req: Pick<BuildRequest, 'workspaceRoot' | 'progress'>,
  inputs: StampedInputs,
  sources: readonly SourceState[],
  previousPexInfo?: unknown,
  previousPex?: PreviousPex,
): Promise<BuiltPex> {
  const { model, wheels, distributions } = inputs;
  const { progress } = req;
  const { buildPex } = await archive();
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
  const outputPath = join(req.workspaceRoot, model.outputPath);
  return buildPex({
    outputPath,
    ...(previousPexInfo !== undefined ? { previousPexInfo } : {}),
    ...(previousPex ? { previousPex } : {}),
    layout: model.layout,
    wheels: [...wheels],
    sources: sources.map((s): SourceEntry => ({ archivePath: s.archivePath, path: s.path })),
    projects: distributions as ProjectDistribution[],
    // The resolver's PEP 440 loads only when the archive asks (a sources-only rebuild with unchanged constraints does not).
    loadSpecifierSet: async () => {
      const { SpecifierSet } = await import('@nx-pex/resolver/standards');
      return (text) => new SpecifierSet(text);
    },
    ...(model.entryPoint ? { entryPoint: model.entryPoint } : {}),
    ...(model.script ? { script: model.script } : {}),
    requirements: model.requirements,
    interpreterConstraints: model.interpreterConstraints,
    shebang: model.shebang,
    ...model.runtime,
    onWarning: (m) => progress.warn(`nx-pex: ${m}`),
    onProgress: (p) => progress.update(installOrWrite(p)),
  });
}

function summarize(
  model: PexTargetModel,
  built: BuiltPex,
  distributions: number,
  sourceFiles: number,
  notHermetic: boolean,
): Omit<BuildSummary, 'mode'> {
  return {
    project: model.project,
    outputPath: model.outputPath,
    layout: model.layout,
    size: built.size,
    sha256: built.sha256,
    distributions,
    sourceFiles,
    bundled: model.bundled,
    notHermetic,
  };
}

/** The one line a build leaves: what it wrote (or that nothing needed writing), and whether it is hermetic. */
export function describeBuild(result: BuildSummary): string {
  const libs = result.bundled.length > 0 ? `, first-party: ${result.bundled.join(', ')}` : '';
  const note = result.notHermetic ? `; ${notHermeticNote(result.project)}` : '';
  const what =
    result.mode === 'up-to-date'
      ? `${result.outputPath} is up to date`
      : `wrote ${result.outputPath}${result.mode === 'sources' ? ' (sources changed)' : ''}`;
  return `nx-pex: ${what} (${result.layout}, ${result.size} bytes, ${result.distributions} distributions, ${result.sourceFiles} source files${libs}, sha256 ${result.sha256})${note}`;
}
