import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { buildPex } from '@nx-pex/archive';
import { fetchArtifacts, inspectInterpreter, loadIndexConfig } from '@nx-pex/resolver';
import { projectArtifacts, projectSources } from '../../core/build.js';
import { TEST_GROUPS, testRootsKey } from '../../core/lock.js';
import { firstPartyClosure, thirdPartyRequirements, withDependencyGroups } from '../../core/workspace.js';
import type { PythonProject } from '../../graph/python-workspace.js';
import { PluginError } from '../../utils/errors.js';
import { workspaceDataDir } from '../../utils/plugin-cache.js';
import { projectsOf, reportFailure } from '../pex/pex.impl.js';
import type { TestExecutorOptions } from './schema.js';


/** Requirements of the test environment: the closure's third-party requirements plus the chosen groups. */
export function testRequirements(project: PythonProject, closure: readonly PythonProject[], groups?: string[]): string[] {
  const chosen = groups ?? TEST_GROUPS.filter((g) => g in project.pyproject.dependencyGroups);
  const out = withDependencyGroups(project, thirdPartyRequirements(closure), chosen);
  if (chosen.length === 0) {
    logger.warn(`nx-pex: ${project.pyproject.name} defines no "test" or "dev" dependency group: pytest must come from its dependencies.`);
  }
  return out;
}

/** Pytest's arguments: the `args` option, then what follows `--` on the Nx command line. */
export function pytestArgs(options: TestExecutorOptions & { __overrides_unparsed__?: unknown }): string[] {
  const unparsed = options.__overrides_unparsed__;
  const extra = Array.isArray(unparsed) ? unparsed.filter((a): a is string => typeof a === 'string') : [];
  return [...(options.args ?? []), ...extra];
}

export default async function testExecutor(options: TestExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const { project, projects } = await projectsOf(context);
    const closure = firstPartyClosure(project, projects);
    const requirements = testRequirements(project, closure, options.groups);
    const python = options.python ?? 'python3';
    const [index, target] = await Promise.all([loadIndexConfig(), inspectInterpreter(python)]);
    // The lock holds the test environment under `<project>:test` (the default groups); other groups resolve now.
    const lockKey = options.groups ? undefined : testRootsKey(project.project);
    const artifacts = lockKey
      ? await projectArtifacts({ workspaceRoot: context.root, project, projects, log: logger }, requirements, target, index, lockKey)
      : await fetchArtifacts({ requirements, index, target });
    const sources = [];
    for (const p of closure) sources.push(...(await projectSources(context.root, p)));
    // The environment is a pex without an entry point: it behaves like the interpreter (`-m pytest`).
    const pex = join(workspaceDataDir(context.root), 'nx-pex', 'test', `${project.project}.pex`);
    await buildPex({ outputPath: pex, wheels: artifacts.map((a) => ({ path: a.path, sha256: a.sha256 })), sources, requirements });
    const args = pytestArgs(options);
    logger.info(`nx-pex: pytest for ${project.project} with ${artifacts.length} distributions`);
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(python, [pex, '-m', 'pytest', ...args], { cwd: join(context.root, project.root), stdio: 'inherit' });
      child.on('error', (e) => reject(new PluginError('PYTHON_NOT_FOUND', `cannot run ${python}: ${e.message}`)));
      child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
    });
    return { success: code === 0 };
  } catch (e) {
    return reportFailure(e);
  }
}
