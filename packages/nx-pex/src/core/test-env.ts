import { join } from 'node:path';
import { buildPex } from '@nx-pex/archive';
import { inspectInterpreter, loadIndexConfig } from '@nx-pex/resolver';
import { environmentArtifacts } from './build.js';
import { defaultTestGroups, lockFileOf } from './lock.js';
import { sourceDirsOf } from './model.js';
import type { BuildProgress } from './progress.js';
import { runPython } from './run-python.js';
import { collectProjectSources } from './sources.js';
import { firstPartyClosure, thirdPartyRequirements, withDependencyGroups } from './workspace.js';
import type { PythonProject } from '../graph/python-workspace.js';
import { workspaceDataDir } from '../utils/plugin-cache.js';

export interface TestRequest {
  workspaceRoot: string;
  project: PythonProject;
  projects: readonly PythonProject[];
  /** PEP 735 groups of the environment; default: `test` and `dev` where defined. */
  groups?: string[];
  python?: string;
  pytestArgs: string[];
  progress: BuildProgress;
}

/** Requirements of the test environment: the closure's third-party requirements plus the chosen groups. */
export function testRequirements(
  project: PythonProject,
  closure: readonly PythonProject[],
  groups: readonly string[],
): string[] {
  return withDependencyGroups(project, thirdPartyRequirements(closure), groups);
}

/**
 * pytest for a project: a pex of its closure's sources and its test environment (a pex without an
 * entry point behaves like the interpreter: `-m pytest`), run from the project's directory.
 */
export async function runProjectTests(req: TestRequest): Promise<number> {
  const { workspaceRoot, project, progress } = req;
  const closure = firstPartyClosure(project, req.projects);
  const groups = req.groups ?? defaultTestGroups(project);
  if (groups.length === 0)
    progress.warn(
      `nx-pex: ${project.pyproject.name} defines no "test" or "dev" dependency group: pytest must come from its dependencies.`,
    );
  const requirements = testRequirements(project, closure, groups);
  const python = req.python ?? 'python3';
  const [index, target] = await Promise.all([loadIndexConfig(), inspectInterpreter(python)]);
  // The lock holds every dependency group of the project (PEP 751 group markers): the test
  // environment is its runtime part plus the groups asked for.
  const { artifacts } = await environmentArtifacts({
    workspaceRoot,
    project,
    projects: req.projects,
    lockFile: lockFileOf(workspaceRoot, project),
    groups,
    defaultGroups: req.groups === undefined,
    requirements,
    targets: [target],
    index,
    progress,
  });
  const sources = await collectProjectSources(workspaceRoot, sourceDirsOf(workspaceRoot, closure));
  const pex = join(workspaceDataDir(workspaceRoot), 'nx-pex', 'test', `${project.project}.pex`);
  await buildPex({
    outputPath: pex,
    wheels: artifacts.map((a) => ({ path: a.path, sha256: a.sha256 })),
    sources,
    requirements,
  });
  progress.finish(`nx-pex: pytest for ${project.project} with ${artifacts.length} distributions`);
  return runPython(python, [pex, '-m', 'pytest', ...req.pytestArgs], join(workspaceRoot, project.root));
}
