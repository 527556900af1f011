// Throughput of buildPex against the floor (a copy of the input wheels' bytes), with peak memory.
//
//   npm run build (or tsc -p packages/archive/tsconfig.lib.json and tools/tsconfig.lib.json), then
//   npm exec -- node packages/archive/scripts/throughput.mjs [--mb=1024] [--wheels=4] [--layout=zipapp] [--keep] [--cpu-prof]
//
// Generates `--wheels` synthetic wheels of about `--mb` MiB in total (many small text modules, some
// medium files, one large partly compressible binary per wheel; deflated by the tools wheel
// factory) in a temp dir, then measures, each in its own process so peak RSS is per phase:
//   copy   the wheels' bytes copied to one file (what `cat wheels > file` does): the floor
//   cold   buildPex with an empty prepared-tree cache (sha256, RECORD verification, write)
//   warm   buildPex with the prepared trees cached (raw copy of the members)
// and prints a table with the ratios to the copy (the copy runs twice; the faster is the floor).
// --keep keeps the temp dir; --cpu-prof writes a V8 profile of each phase there. No assertions:
// figures for humans (and the bench). The page cache is warm for every phase (the wheels were just
// written), as on a build machine whose wheel cache is warm.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value ?? 'true'];
  }),
);
const MB = Number(args.mb ?? 1024);
const WHEELS = Number(args.wheels ?? 4);
const LAYOUT = args.layout ?? 'zipapp';

/** Deterministic pseudo-random bytes (xorshift), `compressible` of them runs of text. */
function bytes(length, seed, compressible) {
  const out = Buffer.allocUnsafe(length);
  let x = seed | 1;
  for (let index = 0; index < length; index += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeInt32LE(x | 0, Math.min(index, length - 4));
  }
  const text = Buffer.from('def f(x):\n    return x * 2  # padding text that deflates well\n');
  for (let index = 0; index < length * compressible; index += text.length * 8)
    text.copy(out, index, 0, Math.min(text.length * 4, length - index));
  return out;
}

async function generate(dir) {
  const { buildWheel } = await import('@nx-pex/tools');
  const perWheel = (MB * 1024 * 1024) / WHEELS;
  const wheels = [];
  for (let w = 0; w < WHEELS; w++) {
    const modules = {};
    const name = `synthetic${w}`;
    let budget = perWheel;
    // One large binary (~half the wheel), like a torch .so.
    const large = Math.floor(perWheel * 0.5);
    modules[`${name}/lib/_C.so`] = bytes(large, w * 7 + 1, 0.3);
    budget -= large;
    // Medium files of 256 KiB–2 MiB (~30%).
    for (let i = 0; budget > perWheel * 0.2; i++) {
      const size = (256 + ((i * 389) % 1792)) * 1024;
      modules[`${name}/data/m${i}.bin`] = bytes(size, w * 1000 + i + 3, 0.5);
      budget -= size;
    }
    // Small text modules of 1–16 KiB (the rest).
    for (let i = 0; budget > 0; i++) {
      const size = 1024 + ((i * 977) % (15 * 1024));
      modules[`${name}/pkg${i % 50}/mod${i}.py`] = bytes(size, w * 100000 + i + 5, 0.9);
      budget -= size;
    }
    const built = await buildWheel(
      { name, version: '1.0', pythonTag: 'cp312', abiTag: 'cp312', platformTag: 'manylinux_2_17_x86_64', modules },
      dir,
    );
    wheels.push({ path: built.path, sha256: built.sha256, members: Object.keys(modules).length });
  }
  return wheels;
}

async function phase(name, work, wheels) {
  const started = performance.now();
  if (name === 'copy') {
    const out = createWriteStream(join(work, 'copy.bin'));
    for (const wheel of wheels) await pipeline(createReadStream(wheel.path), out, { end: false });
    await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  } else {
    const { buildPex } = await import('@nx-pex/archive');
    await buildPex({
      outputPath: join(work, `${name}.pex`),
      wheels: wheels.map(({ path, sha256 }) => ({ path, sha256 })),
      sources: [],
      cacheDir: join(work, 'cache'),
      layout: LAYOUT,
      interpreterConstraints: ['>=3.13'],
    });
  }
  return { ms: performance.now() - started, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

/** Run one phase in a fresh process: its peak RSS is its own. */
function child(name, work, wheels) {
  // Each phase starts alike: the previous outputs gone and their dirty pages written back.
  for (const output of ['copy.bin', 'cold.pex', 'warm.pex'])
    rmSync(join(work, output), { recursive: true, force: true });
  spawnSync('sync');
  const result = spawnSync(
    process.execPath,
    [
      ...(args['cpu-prof'] && name !== 'generate' ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profiles')}`] : []),
      fileURLToPath(import.meta.url),
      `--phase=${name}`,
      `--work=${work}`,
      `--layout=${LAYOUT}`,
      `--mb=${MB}`,
      `--wheels=${WHEELS}`,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, ...(wheels ? { NX_PEX_THROUGHPUT_WHEELS: JSON.stringify({ wheels }) } : {}) },
    },
  );
  if (result.status !== 0) throw new Error(`phase ${name} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1));
}

if (args.phase) {
  const work = args.work;
  if (args.phase === 'generate') {
    await mkdir(join(work, 'wheels'), { recursive: true });
    const wheels = await generate(join(work, 'wheels'));
    console.log(JSON.stringify({ wheels }));
  } else {
    const { wheels } = JSON.parse(process.env.NX_PEX_THROUGHPUT_WHEELS ?? 'null') ?? { wheels: await listWheels(work) };
    console.log(JSON.stringify(await phase(args.phase, work, wheels)));
  }
} else {
  const work = await mkdtemp(join(tmpdir(), 'nx-pex-throughput-'));
  try {
    const generated = Date.now();
    const { wheels } = child('generate', work);
    const totalBytes = (await Promise.all(wheels.map((wheel) => stat(wheel.path)))).reduce((sum, s) => sum + s.size, 0);
    const members = wheels.reduce((sum, wheel) => sum + wheel.members, 0);
    console.log(
      `${wheels.length} wheels, ${(totalBytes / 2 ** 20).toFixed(0)} MiB, ${members} members (generated in ${((Date.now() - generated) / 1000).toFixed(1)} s); layout ${LAYOUT}`,
    );
    const rows = [];
    const copy = child('copy', work, wheels);
    rows.push(['copy (floor)', copy]);
    rows.push(['buildPex cold', child('cold', work, wheels)]);
    rows.push(['buildPex warm', child('warm', work, wheels)]);
    const again = child('copy', work, wheels);
    rows.push(['copy (again)', again]);
    const floor = Math.min(copy.ms, again.ms);
    console.log('phase            time (s)   MiB/s   × floor   peak RSS (MiB)');
    for (const [label, { ms, maxRssMb }] of rows) {
      console.log(
        `${label.padEnd(16)} ${(ms / 1000).toFixed(2).padStart(8)} ${(totalBytes / 2 ** 20 / (ms / 1000)).toFixed(0).padStart(7)} ${(ms / floor).toFixed(2).padStart(9)} ${maxRssMb.toFixed(0).padStart(16)}`,
      );
    }
  } finally {
    if (!args.keep) await rm(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

async function listWheels(work) {
  const dir = join(work, 'wheels');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.whl')).sort();
  return Promise.all(
    names.map(async (name) => {
      const hash = createHash('sha256');
      await pipeline(createReadStream(join(dir, name)), hash);
      return { path: join(dir, name), sha256: hash.digest('hex') };
    }),
  );
}
