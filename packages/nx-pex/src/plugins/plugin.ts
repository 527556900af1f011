import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type {
  CreateNodes,
  CreateNodesResult,
  ProjectConfiguration,
  ProjectGraphExternalNode,
  TargetConfiguration,
} from '@nx/devkit';
import {
  normalizeName,
  parsePyProject,
  parseRequirement,
  projectNameHint,
  type PyProject,
} from '../pyproject/pyproject.js';
import { defaultOutputPath } from '../core/output-path.js';
import { PluginError } from '../utils/errors.js';
import { externalNode } from '../graph/external-nodes.js';
import { PluginCache, workspaceDataDir } from '../utils/plugin-cache.js';
import { buildTarget } from './targets/build.js';
import { runTarget } from './targets/run.js';
import { testTarget } from './targets/test.js';
import { lockTarget } from './targets/lock.js';
import { SOURCES_INPUT, sourcesNamedInput, sourcesNamedInputOf } from './targets/inputs.js';
import { lockPartHashes, resolverLockPartHasher, sha256, type LockPart } from './lock-subsets.js';

export interface NxPexPluginOptions {
  /** Name of the inferred build target, or false for none (default `build`). */
  buildTargetName?: string | false;
  /** Name of the inferred run target of applications, or false for none (default `run`). */
  runTargetName?: string | false;
  /** Name of the inferred pytest target of projects with tests, or false for none (default `test`). */
  testTargetName?: string | false;
  /** Name of the inferred lock target, or false for none (default `lock`). */
  lockTargetName?: string | false;
  /**
   * Write universal pylock.toml files (one resolution for every environment of requires-python ×
   * the default platforms) for every project that does not say otherwise (docs/locks.md). Read by
   * the lock target through core/ (project-config.ts nxPexPluginOption), not by createNodes.
   */
  universal?: boolean;
}

/** Hashes of a project's parts of the shared workspace lock (the resolver's lockSubsetHash). */
export interface ProjectLockHashes {
  /** Its build's part: the runtime requirements of its closure. */
  build: string;
  /** Its test environment's part: the runtime part plus its dependency groups. */
  test: string;
}

/** What createNodes knows of the workspace besides the pyproject files. */
export interface WorkspaceFacts {
  /**
   * For each project (by Nx project name) that the shared workspace pylock.toml serves, the hashes of
   * its parts of that lock. They go into the targets' options, which Nx hashes into every task of the
   * project: a change to another project's part of the lock leaves this project's tasks cached.
   */
  lockHashes?: Record<string, ProjectLockHashes>;
  /**
   * The workspace has a package manager lock, so Nx's graph has an `npm:nx-pex` node: the targets
   * then name it as their only external dependency. Without that, Nx hashes every external node,
   * and the `pypi:*` nodes of unrelated projects would invalidate every Python build.
   */
  hasNpmLock?: boolean;
}

const NPM_LOCKS = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];

interface ParsedProject {
  root: string;
  pyproject: PyProject;
  /** Has a tests/ or test/ directory, or a test dependency group. */
  hasTests: boolean;
}

/** A pyproject.toml that cannot be used: its project still appears, and its tasks fail with `error`. */
interface BrokenProject {
  root: string;
  name: string;
  error: PluginError;
}

function targetsFor(
  p: ParsedProject,
  options: NxPexPluginOptions,
  facts: WorkspaceFacts,
): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  const lock = options.lockTargetName ?? 'lock';
  if (lock !== false) targets[lock] = lockTarget();
  const test = options.testTargetName ?? 'test';
  const lockHashes = facts.lockHashes?.[p.pyproject.name];
  if (test !== false && p.hasTests) targets[test] = testTarget(facts.hasNpmLock, lockHashes?.test);
  if (p.pyproject.tool.type === 'lib') return targets;
  const build = options.buildTargetName ?? 'build';
  if (build !== false) {
    targets[build] = buildTarget(defaultOutputPath(p.root, p.pyproject.name), lockHashes?.build, facts.hasNpmLock);
    const run = options.runTargetName ?? 'run';
    if (run !== false) targets[run] = runTarget(build);
  }
  return targets;
}

/**
 * `requirements`: the project's third-party external nodes (`pypi:name@version`). Besides showing in
 * `nx show project`, they make a project's configuration change whenever its external nodes do: the
 * Nx 22–23 daemon refreshes the external nodes createNodes returns only when some project's
 * configuration hash changes, so an added requirement never reached its graph (Nx 24 takes them on
 * every recomputation).
 */
function projectConfig(
  p: ParsedProject,
  requirements: string[],
  options: NxPexPluginOptions,
  facts: WorkspaceFacts,
): Omit<ProjectConfiguration, 'root'> {
  return {
    name: p.pyproject.name,
    projectType: p.pyproject.tool.type === 'lib' ? 'library' : 'application',
    namedInputs: { [SOURCES_INPUT]: sourcesNamedInputOf(p.pyproject.dynamic) },
    targets: targetsFor(p, options, facts),
    tags: ['lang:python'],
    metadata: { technologies: ['python'], nxPex: { requirements } },
  };
}

/**
 * A broken project keeps its place in the graph with the targets of an app; their executors read the
 * same file and fail with the same file:line message, so only this project's tasks fail.
 */
function brokenProjectConfig(
  b: BrokenProject,
  options: NxPexPluginOptions,
  facts: WorkspaceFacts,
): Omit<ProjectConfiguration, 'root'> {
  const pyproject: PyProject = {
    name: b.name,
    dependencies: [],
    scripts: {},
    optionalDependencies: {},
    dependencyGroups: {},
    uvSources: {},
    tool: {},
  };
  const targets = targetsFor({ root: b.root, pyproject, hasTests: false }, options, facts);
  const description = `nx-pex cannot use this project: [${b.error.code}] ${b.error.message}`;
  for (const t of Object.values(targets)) t.metadata = { ...t.metadata, description };
  return {
    name: b.name,
    projectType: 'application',
    namedInputs: { [SOURCES_INPUT]: sourcesNamedInput },
    targets,
    tags: ['lang:python'],
  };
}

/**
 * Third-party requirements of all Python projects, as external nodes, and which of them each project
 * requires. The version is the pinned one for `==` pins, else the specifier as written (there is no
 * lock to say more yet).
 */
function externalNodes(
  projects: ParsedProject[],
  brokenNames: readonly string[],
): { nodes: Record<string, ProjectGraphExternalNode>; byProject: Map<ParsedProject, string[]> } {
  // A broken project is still first-party: never a pypi: node.
  const firstParty = new Set([...projects.map((p) => p.pyproject.name), ...brokenNames].map(normalizeName));
  const nodes: Record<string, ProjectGraphExternalNode> = {};
  const byProject = new Map<ParsedProject, string[]>();
  for (const p of projects) {
    const own: string[] = [];
    for (const text of p.pyproject.dependencies) {
      const req = parseRequirement(text, posix.join(p.root, 'pyproject.toml'));
      const name = normalizeName(req.name);
      if (firstParty.has(name)) continue;
      const specifier = req.specifier.toString();
      const pin = /^===?([^,]+)$/.exec(specifier)?.[1];
      const node = externalNode(name, pin ?? (specifier || '*'));
      nodes[node.name] = node;
      own.push(`${node.name}@${node.data.version}`);
    }
    byProject.set(p, own.sort());
  }
  return { nodes, byProject };
}

/** A pyproject.toml as createNodes sees it: path, text, and whether a tests/ or test/ directory is beside it. */
export type PyProjectFile = readonly [file: string, text: string, hasTestsDir?: boolean];

/** One file's project: parsed, broken (its own error, never the workspace's), or none (no [project] table). */
function parseOne([file, text, hasTestsDir]: PyProjectFile): ParsedProject | BrokenProject | undefined {
  const root = dirname(file);
  try {
    const pyproject = parsePyProject(text, file);
    if (!pyproject) return undefined;
    const hasTests =
      Boolean(hasTestsDir) || 'test' in pyproject.dependencyGroups || 'dev' in pyproject.dependencyGroups;
    return { root, pyproject, hasTests };
  } catch (e) {
    if (!(e instanceof PluginError)) throw e;
    // A file without a [project] header (e.g. tool settings only) is no project, broken or not.
    if (!/^[ \t]*\[[ \t]*project\b/m.test(text)) return undefined;
    return { root, name: projectNameHint(text, root), error: e };
  }
}

/** A broken project's name must not collide with another's (Nx would then refuse the whole graph): else its root, dashed. */
function uniqueNames(parsed: ReadonlyArray<ParsedProject | BrokenProject | undefined>): void {
  const taken = new Set(parsed.flatMap((p) => (p && 'pyproject' in p ? [p.pyproject.name] : [])));
  for (const p of parsed) {
    if (!p || 'pyproject' in p) continue;
    if (taken.has(p.name)) p.name = p.root.split('/').join('-');
    taken.add(p.name);
  }
}

type ParsedFile = readonly [file: string, project: ParsedProject | BrokenProject | undefined];

/** Every file's project, broken ones with unique names. */
function parseAll(files: ReadonlyArray<PyProjectFile>): ParsedFile[] {
  const parsed = files.map((f) => [f[0], parseOne(f)] as const);
  uniqueNames(parsed.map(([, p]) => p));
  return parsed;
}

/** Pure: the projects and external nodes inferred from pyproject.toml files. */
export function inferFromPyProjects(
  files: ReadonlyArray<PyProjectFile>,
  options: NxPexPluginOptions = {},
  facts: WorkspaceFacts = {},
): Array<readonly [string, CreateNodesResult]> {
  return inferFromParsed(parseAll(files), options, facts);
}

function inferFromParsed(
  parsed: readonly ParsedFile[],
  options: NxPexPluginOptions,
  facts: WorkspaceFacts,
): Array<readonly [string, CreateNodesResult]> {
  const projects = parsed.flatMap(([, p]) => (p && 'pyproject' in p ? [p] : []));
  const external = externalNodes(
    projects,
    parsed.flatMap(([, p]) => (p && !('pyproject' in p) ? [p.name] : [])),
  );
  const first = parsed.findIndex(([, p]) => p !== undefined && 'pyproject' in p);
  return parsed.map(([file, p], i) => {
    if (!p) return [file, {}] as const;
    const config =
      'pyproject' in p
        ? projectConfig(p, external.byProject.get(p) ?? [], options, facts)
        : brokenProjectConfig(p, options, facts);
    const result: CreateNodesResult = { projects: { [p.root]: config } };
    // External nodes ride along with the first project; Nx merges them across results.
    if (i === first && Object.keys(external.nodes).length > 0) result.externalNodes = external.nodes;
    return [file, result] as const;
  });
}

/** The shared workspace lock's file name (core/lock.ts LOCK_FILE; not imported: core/lock loads the resolver). */
const WORKSPACE_LOCK = 'pylock.toml';

/**
 * The parts of the shared workspace lock each project uses, hashed (see lock-subsets.ts). A project
 * with its own pylock.toml (and the workspace-root project, whose own lock that file is) has it as a
 * file input instead.
 */
async function sharedLockHashes(
  workspaceRoot: string,
  lockText: string,
  parsed: readonly ParsedFile[],
  ownLockRoots: ReadonlySet<string>,
): Promise<Record<string, ProjectLockHashes>> {
  const served = parsed.flatMap(([, p]) =>
    p && 'pyproject' in p && p.root !== '.' && !ownLockRoots.has(p.root) ? [p] : [],
  );
  const parts: LockPart[] = served.flatMap((p) => [
    { project: p.pyproject.name },
    { project: p.pyproject.name, dependencyGroups: Object.keys(p.pyproject.dependencyGroups) },
  ]);
  const cache = new PluginCache<string>(join(workspaceDataDir(workspaceRoot), 'nx-pex-lock-parts.json'));
  const hashes = await lockPartHashes(lockText, parts, cache, (text) => resolverLockPartHasher(text, WORKSPACE_LOCK));
  cache.save();
  return Object.fromEntries(
    served.map((p, i) => [p.pyproject.name, { build: hashes[2 * i]!, test: hashes[2 * i + 1]! }]),
  );
}

export const createNodes: CreateNodes<NxPexPluginOptions> = [
  // pylock.toml too: Nx re-runs createNodes only when a matched file changes, and the shared
  // workspace lock's content (each project's part of it) is in the targets' options.
  '**/{pyproject.toml,pylock.toml}',
  async (files, options, context) => {
    const pyprojects = files.filter((f) => posix.basename(f) === 'pyproject.toml');
    const texts = pyprojects.map((file): PyProjectFile => {
      const dir = join(context.workspaceRoot, dirname(file));
      return [
        file,
        readFileSync(join(context.workspaceRoot, file), 'utf8'),
        existsSync(join(dir, 'tests')) || existsSync(join(dir, 'test')),
      ];
    });
    const lockText = files.includes(WORKSPACE_LOCK)
      ? readFileSync(join(context.workspaceRoot, WORKSPACE_LOCK), 'utf8')
      : undefined;
    const ownLockRoots = new Set(
      files.filter((f) => posix.basename(f) === WORKSPACE_LOCK && f !== WORKSPACE_LOCK).map((f) => posix.dirname(f)),
    );
    const hasNpmLock = NPM_LOCKS.some((f) => existsSync(join(context.workspaceRoot, f)));
    // Nx's advice for fast graphs: reuse results while the inputs (all pyprojects, which of them
    // have their own lock, the shared lock, options) are unchanged.
    const key = createHash('sha256')
      .update(
        JSON.stringify([
          texts,
          options ?? {},
          hasNpmLock,
          [...ownLockRoots].sort(),
          lockText === undefined ? null : sha256(lockText),
          7,
        ]),
      )
      .digest('hex');
    const cache = new PluginCache<Array<readonly [string, CreateNodesResult]>>(
      join(workspaceDataDir(context.workspaceRoot), 'nx-pex-nodes.json'),
    );
    let result = cache.peek(key);
    if (result === undefined) {
      const parsed = parseAll(texts);
      const facts: WorkspaceFacts = hasNpmLock ? { hasNpmLock } : {};
      if (lockText !== undefined)
        facts.lockHashes = await sharedLockHashes(context.workspaceRoot, lockText, parsed, ownLockRoots);
      const inferred = inferFromParsed(parsed, options ?? {}, facts);
      result = cache.get(key, () => inferred);
    }
    cache.save();
    return result;
  },
];

/** The name older Nx versions (22) look for. */
export const createNodesV2 = createNodes;
