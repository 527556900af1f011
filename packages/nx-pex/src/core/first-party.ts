import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import type { ProjectDistribution } from '@nx-pex/archive';
import {
  buildBackendReason,
  buildProjectWheel,
  type IndexConfig,
  type LocalArtifact,
  type TargetInterpreter,
} from '@nx-pex/resolver';
import { parse } from 'smol-toml';
import type { PythonProject } from '../graph/python-workspace.js';
import { projectDistribution } from '../pyproject/core-metadata.js';
import { PluginError } from '../utils/errors.js';
import type { BuildProgress } from './progress.js';
import { isSkippedDir } from './sources.js';

/** How the first-party projects of a pex go into it. */
export interface FirstPartyParts {
  /** dist-infos written from `[project]` (the fast path: sources copied as they are). */
  distributions: ProjectDistribution[];
  /** Wheels built by the projects' own backends (PEP 517), installed instead of their sources. */
  wheels: LocalArtifact[];
  /** Nx names of the projects built into wheels (their source directories are not copied). */
  built: Set<string>;
}

export interface FirstPartyRequest {
  workspaceRoot: string;
  /** The project and the first-party projects it bundles. */
  closure: readonly PythonProject[];
  targets: readonly TargetInterpreter[];
  index: IndexConfig;
  progress: BuildProgress;
}

/**
 * Each first-party project as a distribution, as `pip install` of its wheel would leave it: a
 * static project gets a dist-info written from `[project]` beside its sources; a project that needs
 * its build backend (`buildBackendReason`: dynamic fields, VCS versions, build hooks, …) is built by
 * it with each target interpreter, cached by the hash of its inputs, and its wheel replaces its sources.
 */
export async function firstPartyParts(req: FirstPartyRequest): Promise<FirstPartyParts> {
  const out: FirstPartyParts = { distributions: [], wheels: [], built: new Set() };
  const seen = new Set<string>();
  for (const project of req.closure) {
    const dir = join(req.workspaceRoot, project.root);
    const reason = await backendReason(dir, project);
    if (reason === undefined) {
      const dist = projectDistribution(project.pyproject);
      if (dist) out.distributions.push(dist);
      else
        req.progress.warn(
          `nx-pex: ${project.pyproject.name} has no [project] version: its pex carries no dist-info for it (importlib.metadata does not find it). Add version to [project] (PEP 621).`,
        );
      continue;
    }
    const pythons = [...new Set(req.targets.map((t) => t.python).filter((p): p is string => Boolean(p)))];
    if (pythons.length === 0) {
      throw new PluginError(
        'INVALID_OPTION',
        `${project.pyproject.name} (${posix.join(project.root, 'pyproject.toml')}) needs its build backend because ${reason}, which runs on an interpreter of this machine, but the build targets only other platforms. Add a local interpreter ("python" or "pythons") to the build target.`,
      );
    }
    const inputsHash = await projectInputsHash(dir);
    for (const python of pythons) {
      const wheel = await buildProjectWheel({
        projectDir: dir,
        project: project.pyproject.name,
        python,
        inputsHash,
        index: req.index,
      });
      // A pure wheel built by two interpreters is one distribution: the first build serves both.
      if (!seen.has(wheel.filename)) out.wheels.push(wheel);
      seen.add(wheel.filename);
    }
    req.progress.warn(`nx-pex: built ${project.pyproject.name} with its backend because ${reason}`);
    out.built.add(project.project);
  }
  return out;
}

/** Why a project needs its backend (from its pyproject.toml as parsed TOML and the files beside it), or undefined. */
async function backendReason(dir: string, project: PythonProject): Promise<string | undefined> {
  const [text, siblings] = await Promise.all([readFile(join(dir, 'pyproject.toml'), 'utf8'), readdir(dir)]);
  // The file parsed when the workspace was loaded: a TOML error here means it changed since.
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new PluginError(
      'INVALID_PYPROJECT',
      `${posix.join(project.root, 'pyproject.toml')}: not valid TOML: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  return buildBackendReason(doc, siblings);
}

const run = promisify(execFile);

/**
 * sha256 of what a project's backend reads: every file of its tree (names and contents, without
 * build by-products, VCS and tool directories) and, in a git checkout, the commit, what
 * `git describe` gives and the tags on the commit (a VCS version changes with them, the files need not).
 */
export async function projectInputsHash(dir: string): Promise<string> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!isSkippedDir(entry.name)) await walk(path);
      } else if (entry.isFile() && !/\.py[co]$/.test(entry.name)) {
        files.push(path);
      }
    }
  };
  await walk('');
  const hash = createHash('sha256');
  for (const path of files.sort()) {
    hash.update(`${path}\0`);
    hash.update(
      createHash('sha256')
        .update(await readFile(join(dir, path)))
        .digest('hex'),
    );
    hash.update('\0');
  }
  hash.update(`git\0${await gitState(dir)}`);
  return hash.digest('hex');
}

/** The commit, `git describe` and the tags on the commit of the checkout holding `dir`, or "" outside one (or without git). */
async function gitState(dir: string): Promise<string> {
  try {
    const head = await run('git', ['rev-parse', 'HEAD'], { cwd: dir });
    const describe = await run('git', ['describe', '--tags', '--long', '--always'], { cwd: dir });
    // A tag added to the commit already described may be the one a VCS version takes.
    const tags = await run('git', ['tag', '--points-at', 'HEAD'], { cwd: dir });
    return `${head.stdout.trim()} ${describe.stdout.trim()} ${tags.stdout.split('\n').filter(Boolean).sort().join(',')}`;
  } catch {
    return '';
  }
}
