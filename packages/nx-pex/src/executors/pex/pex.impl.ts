import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { buildPex } from '@nx-pex/archive';
import { fetchArtifacts, inspectInterpreter, loadIndexConfig } from '@nx-pex/resolver';
import { moduleName, readPyProject } from '../../pyproject/pyproject.js';
import { PluginError } from '../../utils/errors.js';
import { normalizeOptions } from './normalize-options.js';
import type { PexExecutorOptions } from './schema.js';
import { collectSources } from './sources.js';
import { createProgress } from './progress.js';

export default async function pexExecutor(options: PexExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    await runPex(options, context);
    return { success: true };
  } catch (e) {
    const err = e as Error & { code?: string };
    logger.error(`nx-pex: ${err.code ? `[${err.code}] ` : ''}${err.message}`);
    if (process.env['NX_VERBOSE_LOGGING'] === 'true' && err.stack) logger.error(err.stack);
    return { success: false };
  }
}

async function runPex(options: PexExecutorOptions, context: ExecutorContext): Promise<void> {
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!projectName || !project) throw new PluginError('NO_PROJECT', 'the pex executor must run as a target of a project');
  const workspaceRoot = context.root;
  const projectDir = join(workspaceRoot, project.root);
  const pyprojectFile = join(projectDir, 'pyproject.toml');
  const pyproject = await readPyProject(pyprojectFile);
  if (!pyproject) throw new PluginError('INVALID_PYPROJECT', `${relative(workspaceRoot, pyprojectFile)} has no [project] table (PEP 621)`);

  const hasSrcDir = options.sourceRoot === undefined && existsSync(join(projectDir, 'src'));
  const sourceDir = join(projectDir, options.sourceRoot ?? (hasSrcDir ? 'src' : '.'));
  const opts = normalizeOptions(options, {
    projectRoot: project.root,
    pyproject,
    hasSrcDir,
    hasMainModule: existsSync(join(sourceDir, moduleName(pyproject.name), '__main__.py')),
  });
  const progress = createProgress(logger);

  const [index, target] = await Promise.all([loadIndexConfig(), inspectInterpreter(opts.python)]);
  if (opts.requirements.length > 0) {
    logger.warn(`nx-pex: ${pyproject.name} has no pylock.toml: resolving now, so this build is not hermetic.`);
  }
  const artifacts = await fetchArtifacts({
    requirements: opts.requirements,
    index,
    target,
    onProgress: (p) => progress(`${p.phase === 'index' ? 'resolving' : 'downloading'} ${p.project}`, p.done, p.total),
  });
  const sources = await collectSources(join(workspaceRoot, opts.sourceRoot), !hasSrcDir && options.sourceRoot === undefined);
  const built = await buildPex({
    outputPath: join(workspaceRoot, opts.outputPath),
    wheels: artifacts.map((a) => ({ path: a.path, sha256: a.sha256 })),
    sources,
    entryPoint: opts.entryPoint,
    requirements: opts.requirements,
    interpreterConstraints: opts.interpreterConstraints,
    shebang: opts.shebang,
    onProgress: (p) => progress(p.phase === 'install' ? 'installing wheels' : 'writing pex', p.done, p.total),
  });
  logger.info(
    `nx-pex: wrote ${opts.outputPath} (${built.size} bytes, ${artifacts.length} distributions, ${sources.length} source files, sha256 ${built.sha256})`,
  );
}
