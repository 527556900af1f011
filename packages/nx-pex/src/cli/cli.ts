import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { defaultOutputPath } from '../core/output-path.js';
import { BuildProgress, progressMode } from '../core/progress.js';
import { configuredTargetOptions } from '../core/project-config.js';
import type { LockExecutorOptions } from '../executors/lock/schema.js';
import type { PexExecutorOptions } from '../executors/pex/schema.js';
import type { BuildSummary } from '../core/up-to-date.js';
import { describeError, PluginError } from '../utils/errors.js';

// node:util as a built-in, not an ES module: its ES facade reads every export, which initialises
// TextDecoder and friends (~4 ms of every command's start-up, for parseArgs alone).
const { parseArgs } = process.getBuiltinModule('node:util');

// Each command loads its modules when it runs: `help` and a wrong command line load none of the
// resolver, the archive writer, the HTTP client or the TOML parser (start-up is what every call pays).
const archive = () => import('@nx-pex/archive');
const build = () => import('../core/build.js');
const lock = () => import('../core/lock.js');
const workspace = () => import('../core/workspace.js');

export interface Io {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** Raw writes to stderr (no newline added), for the in-place progress line; only with errIsTTY. */
  errWrite?(text: string): void;
  /** Is stderr (where progress goes) a terminal? */
  errIsTTY?: boolean;
  env?: NodeJS.ProcessEnv;
}

const USAGE = `usage: nx-pex <command> [options]

commands:
  build <project-dir>    build the project's .pex (same as its Nx build target, with the options
                         nx.json targetDefaults and the project's project.json give it)
      --configuration <c>    use that configuration of the build target
      --output <path>        where to write it (default: the target's outputPath, else dist/<project-dir>/<name>.pex)
      --entry-point <ep>     module or module:function
      --script <name>        run a console script instead: the project's own [project.scripts] or a dependency's (pex -c)
      --no-build-sdists      fail on dependencies published only as an sdist instead of building them (pex --no-build)
      --python <path>        an interpreter to build for (repeatable: a multi-platform pex; default python3)
      --platform <p>         also build for a platform not on this machine, e.g. macosx_11_0_arm64-cp-312-cp312 (repeatable)
      --complete-platform <file>  the same from a "pex3 interpreter inspect --markers --tags" JSON file (repeatable)
      --layout <l>           zipapp (default), packed or loose
      --shebang <line>       the pex's first line
      --source-root <dir>    relative to the project (default src, or the project root)
      --workspace-root <dir> default: the nearest directory up with nx.json or .git
  lock <project-dir>     resolve and write the pylock.toml that serves the project (same as its lock target,
                         with its project.json options)
      --check                do not resolve: exit 1 when the lock (pylock.toml or uv.lock) is stale
      --python <path>        an interpreter the lock must serve (repeatable; default python3)
      --platform <p>         also lock for a platform not on this machine (repeatable)
      --universal            one lock for every platform and Python requires-python allows (no interpreter
                             needed; default platforms: manylinux_2_28 x86_64/aarch64, macosx_11_0_arm64,
                             macosx_13_0_x86_64, win_amd64)
      --environment <e>      a universal lock's environment, replacing the defaults (repeatable): a PEP 508
                             marker, a platform tag or an abbreviated platform
      --fork-strategy <s>    requires-python (default: newest versions per Python) or fewest
      --workspace            write the workspace's shared pylock.toml
      --no-build-sdists      fail on releases published only as an sdist instead of building and locking them
      --from <file>          write pylock.toml from a uv.lock or a hashed requirements.txt (relative to the project)
      --convert              re-lock a pylock.toml written by pip, uv or pex with nx-pex (else it is only checked)
  lock-hash <project-dir> print the sha256 of the project's part of its lock (its build's cache input)
      --group <g>            include a dependency group (repeatable: the test environment's part)
  inspect <file.pex>     print the pex's PEX-INFO as JSON
  help                   this text`;

/** The workspace root: the nearest directory up from `start` that has nx.json, else .git, else `start`. */
export function findWorkspaceRoot(start: string): string {
  for (const marker of ['nx.json', '.git']) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, marker))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  return start;
}

type CliValues = Record<string, string | boolean | string[] | undefined>;

/** The build target's configured options, overridden by the flags given. */
function buildOptions(
  values: CliValues,
  workspaceRoot: string,
  cwd: string,
  configured: PexExecutorOptions,
): PexExecutorOptions {
  const options: PexExecutorOptions = { ...configured };
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(values[k]) ? (values[k] as string[]) : undefined);
  const output = str('output');
  if (output) options.outputPath = relative(workspaceRoot, resolve(cwd, output));
  const entryPoint = str('entry-point');
  const script = str('script');
  if (entryPoint && script)
    throw new PluginError('CLI_USAGE', '--entry-point and --script exclude each other (a pex runs one thing)');
  // A flag replaces whatever the target's options chose to run.
  if (entryPoint) [options.entryPoint, options.script] = [entryPoint, undefined];
  if (script) [options.script, options.entryPoint] = [script, undefined];
  if (values['no-build-sdists']) options.buildSdists = false;
  const pythons = list('python');
  if (pythons) options.pythons = pythons;
  const platforms = list('platform');
  if (platforms) options.platforms = platforms;
  const complete = list('complete-platform');
  if (complete) options.completePlatforms = complete.map((f) => relative(workspaceRoot, resolve(cwd, f)));
  const layout = str('layout');
  if (layout) {
    if (layout !== 'zipapp' && layout !== 'packed' && layout !== 'loose')
      throw new PluginError('CLI_USAGE', `--layout must be zipapp, packed or loose, not "${layout}"`);
    options.layout = layout;
  }
  const shebang = str('shebang');
  if (shebang) options.shebang = shebang;
  const sourceRoot = str('source-root');
  if (sourceRoot) options.sourceRoot = sourceRoot;
  return options;
}

function forkStrategyFlag(value: string): 'requires-python' | 'fewest' {
  if (value !== 'requires-python' && value !== 'fewest')
    throw new PluginError('CLI_USAGE', `--fork-strategy must be requires-python or fewest, not "${value}"`);
  return value;
}

function stderrProgress(io: Io): BuildProgress {
  // The CLI prints its result (a path) on stdout: progress and notes go to stderr.
  const raw = io.errIsTTY ? io.errWrite : undefined;
  return new BuildProgress(progressMode(io.env ?? process.env, Boolean(raw)), {
    write: raw ?? ((text) => io.err(text.replace(/\n$/, ''))),
  });
}

/** The project at the one positional directory, and every Python project of its workspace. */
async function locateProject(
  positionals: string[],
  workspaceRootOption: string | undefined,
  cwd: string,
  command: string,
) {
  if (positionals.length !== 1) throw new PluginError('CLI_USAGE', `${command} takes one project directory`);
  const projectDir = resolve(cwd, positionals[0]!);
  const workspaceRoot = workspaceRootOption ? resolve(cwd, workspaceRootOption) : findWorkspaceRoot(projectDir);
  const { findPyProjectRoots, findProject, loadPythonWorkspace } = await workspace();
  const roots = await findPyProjectRoots(workspaceRoot);
  const ws = await loadPythonWorkspace(
    workspaceRoot,
    roots.map((r) => [undefined, r] as [undefined, string]),
  );
  return { workspaceRoot, project: findProject(ws, relative(workspaceRoot, projectDir) || '.'), projects: ws.projects };
}

/** `nx-pex …` without Nx: the same code as the executors. Returns the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'build': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            output: { type: 'string' },
            'entry-point': { type: 'string' },
            script: { type: 'string' },
            'no-build-sdists': { type: 'boolean' },
            python: { type: 'string', multiple: true },
            platform: { type: 'string', multiple: true },
            'complete-platform': { type: 'string', multiple: true },
            layout: { type: 'string' },
            shebang: { type: 'string' },
            'source-root': { type: 'string' },
            configuration: { type: 'string' },
            'workspace-root': { type: 'string' },
          },
        });
        if (positionals.length !== 1) throw new PluginError('CLI_USAGE', 'build takes one project directory');
        const projectDir = resolve(io.cwd, positionals[0]!);
        const workspaceRoot = values['workspace-root']
          ? resolve(io.cwd, values['workspace-root'])
          : findWorkspaceRoot(projectDir);
        // A build the stamp of its last run answers (nothing to do, or only sources) parses no pyproject.toml.
        const invocation = { argv: rest, cwd: io.cwd };
        const upToDate = await import('../core/up-to-date.js');
        const roots = await (await import('../core/pyproject-roots.js')).findPyProjectRoots(workspaceRoot);
        const workspaceDigest = await upToDate.cliWorkspaceDigest(
          workspaceRoot,
          relative(workspaceRoot, projectDir) || '.',
          roots,
          invocation,
        );
        const noted = await upToDate.notedOutput(workspaceRoot, invocation);
        const recorded = noted && (await upToDate.checkRecorded(workspaceRoot, noted, workspaceDigest));
        const progress = stderrProgress(io);
        try {
          const { buildProjectPex, describeBuild, finishChecked } = await build();
          let result: BuildSummary;
          if (recorded && recorded.kind !== 'full') {
            result = await finishChecked({ workspaceRoot, progress }, recorded);
          } else {
            const { project, projects } = await locateProject(positionals, values['workspace-root'], io.cwd, 'build');
            const configured = configuredTargetOptions(
              workspaceRoot,
              { root: project.root, name: project.project },
              'nx-pex:pex',
              {
                pluginNameKey: 'buildTargetName',
                defaultName: 'build',
                inferred: { outputPath: defaultOutputPath(project.root, project.pyproject.name) },
              },
              values.configuration,
            );
            result = await buildProjectPex({
              workspaceRoot,
              project,
              projects,
              options: buildOptions(values, workspaceRoot, io.cwd, configured.options as PexExecutorOptions),
              progress,
              workspaceDigest,
            });
          }
          await upToDate.noteOutput(workspaceRoot, invocation, result.outputPath, noted);
          progress.finish(describeBuild(result));
          io.out(resolve(workspaceRoot, result.outputPath));
        } finally {
          progress.finish();
        }
        return 0;
      }
      case 'lock': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            check: { type: 'boolean' },
            python: { type: 'string', multiple: true },
            platform: { type: 'string', multiple: true },
            universal: { type: 'boolean' },
            environment: { type: 'string', multiple: true },
            'fork-strategy': { type: 'string' },
            workspace: { type: 'boolean' },
            from: { type: 'string' },
            convert: { type: 'boolean' },
            'no-build-sdists': { type: 'boolean' },
            'workspace-root': { type: 'string' },
          },
        });
        const { workspaceRoot, project, projects } = await locateProject(
          positionals,
          values['workspace-root'],
          io.cwd,
          'lock',
        );
        const configured = configuredTargetOptions(
          workspaceRoot,
          { root: project.root, name: project.project },
          'nx-pex:lock',
          {
            pluginNameKey: 'lockTargetName',
            defaultName: 'lock',
            inferred: {},
          },
        ).options as LockExecutorOptions;
        const check = Boolean(values.check ?? configured.check);
        const workspace = Boolean(values.workspace ?? configured.workspace);
        const flags = {
          ...(values.python ? { pythons: values.python } : {}),
          ...(values.platform ? { platforms: values.platform } : {}),
          ...(values.universal ? { universal: true } : {}),
          ...(values.environment ? { environments: values.environment } : {}),
          ...(values['fork-strategy'] ? { forkStrategy: forkStrategyFlag(values['fork-strategy']) } : {}),
          ...(values.from
            ? { from: relative(resolve(workspaceRoot, project.root), resolve(io.cwd, values.from)) }
            : {}),
          ...(values.convert ? { convert: true } : {}),
          ...(values['no-build-sdists'] ? { buildSdists: false } : {}),
        };
        const { describeLock, lockAdvice, lockProject } = await import('../core/lock-target.js');
        const progress = stderrProgress(io);
        const outcome = await lockProject({
          workspaceRoot,
          project,
          projects,
          ...configured,
          check,
          workspace,
          ...flags,
          progress,
        }).finally(() => progress.finish());
        io.err(describeLock(outcome, check) + lockAdvice(outcome, project.project));
        return outcome.current ? 0 : 1;
      }
      case 'lock-hash': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { 'workspace-root': { type: 'string' }, group: { type: 'string', multiple: true } },
        });
        const { workspaceRoot, project } = await locateProject(
          positionals,
          values['workspace-root'],
          io.cwd,
          'lock-hash',
        );
        io.out(await (await lock()).projectLockHash(workspaceRoot, project, values.group ?? []));
        return 0;
      }
      case 'inspect': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        if (positionals.length !== 1) throw new PluginError('CLI_USAGE', 'inspect takes one .pex file');
        const [{ readPexInfo }, { sortKeys }] = await Promise.all([archive(), import('@nx-pex/common')]);
        io.out(JSON.stringify(sortKeys(await readPexInfo(resolve(io.cwd, positionals[0]!))), null, 2));
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new PluginError('CLI_USAGE', `unknown command "${command}"`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    io.err(describeError(e));
    if (err.code === 'CLI_USAGE' || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') io.err(USAGE);
    return err.code === 'CLI_USAGE' || err.code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  }
}
