// Warm start of a pex against `python -c pass` and a plain virtualenv running the same code, for
// each layout and each CPython 3.8–3.13 found.
//
//   build first (tsc -p packages/archive/tsconfig.lib.json and tools/tsconfig.lib.json), then
//   npm exec -- node packages/archive/scripts/warm-start.mjs [--runs=21] [--importtime]
//
// The app imports one module of a dependency wheel. Every variant runs once first (the pex extracts
// into a temp PEX_ROOT), then `--runs` rounds run each variant once, in an order rotated every round
// (a shared machine's load hits all variants alike); the table shows the median user+sys CPU time
// of each process in ms (steadier than wall time on a busy machine) and the overhead over the venv. --importtime prints `python -X importtime` of the zipapp's warm start (top entries).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPex } from '@nx-pex/archive';
import { buildWheel, findPythons } from '@nx-pex/tools';

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => [arg.replace(/^--/, '').split('=')[0], arg.split('=')[1] ?? 'true']),
);
const RUNS = Number(args.runs ?? 21);
const work = mkdtempSync(join(tmpdir(), 'nx-pex-warm-start-'));
const env = { ...process.env, PEX_ROOT: join(work, 'pex_root') };
delete env.PYTHONPATH;

/**
 * Runs the variants from a small Python driver that reads each child's rusage (os.wait4): the
 * figure is the child's user+sys CPU time, which a loaded machine disturbs far less than wall time.
 */
const DRIVER = `
import json, os, sys
variants = json.load(sys.stdin)
names = list(variants)
def run(argv):
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_RDWR)
        os.dup2(fd, 1)
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        sys.exit("failed: %r" % (argv,))
    return (usage.ru_utime + usage.ru_stime) * 1000
for name in names:
    run(variants[name])
times = {name: [] for name in names}
for round in range(${RUNS}):
    for index in range(len(names)):
        name = names[(index + round) % len(names)]
        times[name].append(run(variants[name]))
print(json.dumps({name: sorted(values)[len(values) // 2] for name, values in times.items()}))
`;

function measure(driverPython, variants) {
  const input = JSON.stringify(
    Object.fromEntries(Object.entries(variants).map(([name, [command, argv]]) => [name, [command, ...argv]])),
  );
  const result = spawnSync(driverPython, ['-c', DRIVER], { env, input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`measuring failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

try {
  const wheel = await buildWheel(
    {
      name: 'dep',
      version: '1.0',
      modules: { 'dep/__init__.py': 'VALUE = 1\n', 'dep/util.py': 'def f():\n    return 2\n' },
    },
    join(work, 'wheels'),
  );
  mkdirSync(join(work, 'src', 'app'), { recursive: true });
  spawnSync('sh', [
    '-c',
    `printf '' > ${join(work, 'src', 'app', '__init__.py')}; printf 'import dep.util\\ndep.util.f()\\n' > ${join(work, 'src', 'app', 'main.py')}`,
  ]);
  const sources = ['app/__init__.py', 'app/main.py'].map((archivePath) => ({
    archivePath,
    path: join(work, 'src', archivePath),
  }));
  const pexes = {};
  for (const layout of ['zipapp', 'packed', 'loose']) {
    const built = await buildPex({
      outputPath: join(work, 'dist', `${layout}.pex`),
      wheels: [{ path: wheel.path, sha256: wheel.sha256 }],
      sources,
      entryPoint: 'app.main',
      layout,
      cacheDir: join(work, 'cache'),
    });
    pexes[layout] = built.path;
  }
  const found = (await findPythons()).found;
  console.log(`median of ${RUNS} runs, user+sys CPU ms of the process (overhead vs venv)`);
  console.log('python   -c pass    venv    zipapp            packed            loose');
  for (const python of found) {
    const venv = join(work, `venv-${python.version}`);
    spawnSync(python.path, ['-m', 'venv', '--without-pip', venv]);
    const site = spawnSync(
      join(venv, 'bin', 'python'),
      ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
      { encoding: 'utf8' },
    ).stdout.trim();
    spawnSync(join(venv, 'bin', 'python'), ['-m', 'zipfile', '-e', wheel.path, site]);
    cpSync(join(work, 'src', 'app'), join(site, 'app'), { recursive: true });
    spawnSync(join(venv, 'bin', 'python'), ['-m', 'compileall', '-q', site]);
    const variants = {
      pass: [python.path, ['-c', 'pass']],
      venv: [join(venv, 'bin', 'python'), ['-m', 'app.main']],
      zipapp: [python.path, [pexes.zipapp]],
      packed: [python.path, [pexes.packed]],
      loose: [python.path, [pexes.loose]],
    };
    const m = measure(found.at(-1).path, variants);
    const over = (name) =>
      `${m[name].toFixed(1).padStart(6)} (${m[name] - m.venv >= 0 ? '+' : ''}${(m[name] - m.venv).toFixed(1)})`;
    console.log(
      `${python.version.padEnd(6)} ${m.pass.toFixed(1).padStart(8)} ${m.venv.toFixed(1).padStart(7)} ${over('zipapp').padEnd(17)} ${over('packed').padEnd(17)} ${over('loose')}`,
    );
    if (args.importtime) {
      const traced = spawnSync(python.path, ['-X', 'importtime', pexes.zipapp], { env, encoding: 'utf8' });
      const rows = traced.stderr
        .split('\n')
        .filter((line) => line.startsWith('import time:') && !line.includes('self [us]'));
      rows.sort((a, b) => Number(b.split('|')[0].replace(/\D/g, '')) - Number(a.split('|')[0].replace(/\D/g, '')));
      console.log(rows.slice(0, 12).join('\n'));
    }
  }
} finally {
  if (!args.keep) rmSync(work, { recursive: true, force: true });
}
