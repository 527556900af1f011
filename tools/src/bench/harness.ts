// The harness of `npm run bench`: nx-pex against pex, pip, uv and a plain venv, measured in the same run.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchUsageError, parseBenchArgs, USAGE, type BenchOptions } from './args.js';
import type { BenchContext } from './context.js';
import { loadResolver } from './libraries.js';
import { installReferenceTools } from './reference-tools.js';
import { finishWorkload, resultFileName, stripCredentials, type BenchReport, type WorkloadResult } from './report.js';
import { runWorkload } from './runner.js';
import { renderTable } from './table.js';
import { createWorkload, Preparations, SkipWorkload } from './workloads.js';

/** tools/{src,dist}/bench/main.* → the repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function probePython(python: string): { executable: string; version: string } {
  const out = execFileSync(
    python,
    ['-c', 'import sys, platform; print(sys.executable); print(platform.python_version())'],
    { encoding: 'utf8' },
  );
  const [executable, version] = out.trim().split('\n');
  return { executable: executable!, version: version! };
}

export function emptyReport(options: BenchOptions, python: string, startedAt: Date): BenchReport {
  return {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    host: {
      hostname: hostname(),
      platform: process.platform,
      arch: process.arch,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryBytes: totalmem(),
      node: process.versions.node,
      python,
      loadAverage: { start: loadavg()[0] ?? 0, end: loadavg()[0] ?? 0 },
    },
    options: {
      runs: options.runs,
      warmup: options.warmup,
      quick: options.quick,
      only: options.only,
      torch: options.torch,
      torchCuda: options.torchCuda,
      resolveSets: options.resolveSets,
    },
    index: { indexUrl: '', extraIndexUrls: [], findLinks: [], noIndex: false },
    tools: [],
    workloads: [],
  };
}

/** Parse the arguments, run the selected workloads, print the table, save the JSON. Returns the exit code. */
export async function runBench(argv: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (e) {
    if (e instanceof BenchUsageError) {
      process.stderr.write(`bench: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = new Date();
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const py = probePython(options.python);
  const report = emptyReport(options, py.version, started);
  const resultsDir = options.resultsDir ? resolve(options.resultsDir) : join(REPO_ROOT, 'bench', 'results');
  const resultsFile = join(resultsDir, resultFileName(started, hostname()));
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const runDir = await mkdtemp(join(tmpdir(), 'nx-pex-bench-'));
  // The workspaces of this run (the service's, the scale ones) side by side under one directory of
  // the repo's tmp/, so that nx and nx-pex resolve from the repo's node_modules.
  const benchDir = join(REPO_ROOT, 'tmp', 'bench', `ws-${stamp}`);
  const workspaceDir = join(benchDir, 'service');
  const logPath = join(tmpdir(), `nx-pex-bench-${stamp}.log`);
  progress(
    `bench: workloads ${options.workloads.join(', ')}; ${options.runs} runs + ${options.warmup} warm-up; log ${logPath}`,
  );

  const resolver = await loadResolver();
  const index = await resolver.loadIndexConfig();
  report.index = {
    indexUrl: stripCredentials(index.indexUrl),
    extraIndexUrls: index.extraIndexUrls.map(stripCredentials),
    findLinks: index.findLinks.map(stripCredentials),
    noIndex: index.noIndex,
  };

  progress(`bench: installing the reference tools into a temporary venv (${py.executable})`);
  const tools = await installReferenceTools(py.executable, join(runDir, 'tools-venv'), logPath);
  report.tools = tools.report;
  for (const t of tools.report)
    if (!t.installed)
      progress(`bench: ${t.name} ${t.version} could not be installed, its contenders are skipped: ${t.error}`);

  const ctx: BenchContext = {
    repoRoot: REPO_ROOT,
    node: process.execPath,
    python: py.executable,
    pythonVersion: py.version,
    runDir,
    workspaceDir,
    index,
    tools,
    logPath,
    torchCuda: options.torchCuda,
    progress,
  };
  const prep = new Preparations(ctx);
  const save = async () => {
    report.finishedAt = new Date().toISOString();
    report.host.loadAverage.end = loadavg()[0] ?? 0;
    await mkdir(resultsDir, { recursive: true });
    await writeFile(resultsFile, JSON.stringify(report, null, 2) + '\n');
  };
  try {
    for (const id of options.workloads) {
      progress(`bench: ${id}`);
      let result: WorkloadResult;
      let load = loadavg()[0] ?? 0;
      try {
        const workload = await createWorkload(ctx, prep, id);
        load = loadavg()[0] ?? 0; // after the (untimed) preparation, as the runs start
        result = finishWorkload(
          await runWorkload(workload, {
            runs: options.runs,
            warmup: options.warmup,
            python: py.executable,
            logPath,
            progress,
          }),
        );
      } catch (e) {
        const why = e instanceof SkipWorkload ? e.message : `preparation failed: ${(e as Error).message}`;
        progress(`bench: ${id} skipped: ${why}`);
        result = { id, title: id, reference: '', notes: [], contenders: [], skipped: why };
      }
      report.workloads.push({ ...result, loadAverage: load });
      await save();
    }
  } finally {
    if (!options.keep) {
      await rm(runDir, { recursive: true, force: true });
      await rm(benchDir, { recursive: true, force: true });
    }
  }
  await save();
  process.stdout.write(
    `${renderTable(report)}\n\nresults: ${resultsFile}\nlog: ${logPath}${options.keep ? `\nkept: ${runDir} and ${benchDir}` : ''}\n`,
  );
  return 0;
}
