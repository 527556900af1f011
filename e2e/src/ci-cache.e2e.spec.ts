import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { buildWheel, findPythons, startFixtureIndex, type FixtureIndex, type FoundPython } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectPex, membersTimedLikeTheBuild, pexDigest, pexFileDigests, timeNeedles } from './ci-cache/inspect.js';
import { makeMachine, type Machine } from './ci-cache/machine.js';
import {
  baseEnv,
  createWorkspace,
  describeResult,
  makeTempDir,
  publishPackages,
  removeTempDir,
  trackFailures,
  repoRoot,
  runCommand,
  startLocalRegistry,
  type LocalRegistry,
  type RunResult,
  type Workspace,
} from './harness/index.js';
import { startRemoteCacheServer, type RemoteCacheServer } from './remote-cache/server.js';
import { readTar } from './remote-cache/tar.js';

// CI for a workspace with several Python services: each pex is built once; every other machine gets
// it from Nx's remote cache, bit for bit. Proven with three clones of one repository ("machines"),
// each with its own directory, HOME, caches, time zone and umask:
//   A builds everything and uploads to the remote cache;
//   B builds everything itself (its own, empty, remote cache) → the same task hashes, identical pexes;
//   C, fresh, restores everything from A's uploads without running the executor, and the pexes run.

/** The pex executor's options, as published: the packed layout and multi-platform pexes need options there. */
const executorSchema = JSON.parse(
  readFileSync(join(repoRoot, 'packages/nx-pex/src/executors/pex/schema.json'), 'utf8'),
) as {
  properties: Record<string, unknown>;
};
const HAS_LAYOUT = 'layout' in executorSchema.properties;
const HAS_PYTHONS = 'pythons' in executorSchema.properties;

// A multi-platform pex needs a second interpreter besides python3: the newest other CPython found.
const defaultPython = await runCommand(
  'python3',
  ['-c', 'import sys, sysconfig; print("%d.%d" % sys.version_info[:2], sysconfig.get_platform())'],
  baseEnv(),
  { cwd: tmpdir() },
);
const [DEFAULT_MINOR = '', PLATFORM = ''] = defaultPython.stdout.trim().split(' ');
const OTHER_PYTHON: FoundPython | undefined = (await findPythons()).found
  .filter((p) => p.version !== DEFAULT_MINOR)
  .at(-1);
const MULTI_PLATFORM_MISSING = !HAS_PYTHONS
  ? 'the pex executor has no `pythons` option (packages/nx-pex/src/executors/pex/schema.json)'
  : !OTHER_PYTHON || !DEFAULT_MINOR
    ? `a second CPython besides python3 ${DEFAULT_MINOR} is needed (none found in $(pyenv root)/versions or as python3.X on PATH)`
    : undefined;
const pyTag = (minor: string): string => `cp${minor.replace('.', '')}`;

interface Service {
  name: string;
  module: string;
  dependencies: string;
  /** What `nx-pex:pex` gets besides its defaults (a project.json beside the pyproject). */
  buildOptions?: Record<string, unknown>;
  exitCode: number;
  /** What it prints when run by CPython of this tag (cp311, …). */
  expectedOutput(tag: string): string;
}

const LIB = 'shared-utils';
const ZIPAPPS: Service[] = [
  {
    name: 'orders',
    module: 'orders',
    dependencies: `greeting==1.0.0,${LIB}`,
    exitCode: 7,
    expectedOutput: () => '[orders] Hello, orders! (greeting 1.0.0)',
  },
  {
    name: 'billing',
    module: 'billing',
    dependencies: LIB,
    exitCode: 0,
    expectedOutput: () => '[billing] no third-party code',
  },
];
const PACKED: Service = {
  name: 'reports',
  module: 'reports',
  dependencies: `greeting==1.0.0,${LIB}`,
  buildOptions: { layout: 'packed' },
  exitCode: 3,
  expectedOutput: () => '[reports] Hello, reports! (greeting 1.0.0)',
};
const MULTI_PLATFORM: Service = {
  name: 'gateway',
  module: 'gateway',
  // fastcalc has only platform-specific wheels, one per CPython: the pex must carry one per target.
  dependencies: `greeting==1.0.0,fastcalc==1.0.0,${LIB}`,
  // By command name (each machine finds its own on PATH): no machine's path in the repository.
  buildOptions: { pythons: ['python3', `python${OTHER_PYTHON?.version ?? ''}`] },
  exitCode: 5,
  expectedOutput: (tag) => `[gateway] Hello, gateway! (greeting 1.0.0) fastcalc 42 ${tag}`,
};
const SERVICES = [...ZIPAPPS, ...(HAS_LAYOUT ? [PACKED] : []), ...(MULTI_PLATFORM_MISSING ? [] : [MULTI_PLATFORM])];

/** Where the build writes it: `<name>.pex`, a file or (packed, loose) a directory of that name. */
const pexPath = (s: Service): string => `dist/apps/${s.name}/${s.name}.pex`;

function mainPy(s: Service): string {
  const usesGreeting = s.dependencies.includes('greeting');
  const usesFastcalc = s.dependencies.includes('fastcalc');
  return [
    `"""Entry point of ${s.name}, written by the CI cache e2e test."""`,
    'import sys',
    '',
    'from shared_utils import tag',
    ...(usesGreeting ? ['import greeting'] : []),
    ...(usesFastcalc ? ['import fastcalc'] : []),
    '',
    '',
    'def main():',
    usesGreeting
      ? `    text = tag("${s.name}", greeting.hello("${s.name}"))`
      : `    text = tag("${s.name}", "no third-party code")`,
    ...(usesFastcalc ? ['    text += " fastcalc " + fastcalc.answer()'] : []),
    '    print(text)',
    `    return ${s.exitCode}`,
    '',
    '',
    'if __name__ == "__main__":',
    '    sys.exit(main())',
    '',
  ].join('\n');
}

const expectOk = (result: RunResult): void => {
  expect(result.exitCode, describeResult(result)).toBe(0);
};

/** Lines of Nx's output that report a task as read from a cache (`[remote cache]` / `[local cache]`). */
function cacheMarks(output: string, project: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.includes(`${project}:build`) && /\[(remote|local) cache\]/.test(line));
}

describe('CI caching of pexes: byte-identical across machines, restored from a self-hosted Nx remote cache', () => {
  let scratch: string;
  let registry: LocalRegistry | undefined;
  let index: FixtureIndex | undefined;
  let ws: Workspace;
  let remote: RemoteCacheServer | undefined;
  /** B's own remote cache: shows which task hashes B computed and what it would upload. */
  let remoteB: RemoteCacheServer | undefined;
  const token = `nxcache-${Math.random().toString(36).slice(2)}-rw`;
  const indexSecret = `pip-${Math.random().toString(36).slice(2)}-secret`;
  let indexUrl: string;
  let a: Machine;
  let b: Machine;
  let c: Machine | undefined;
  let buildStarted: Date;
  /** Digest of each service's pex, per machine. */
  const digests: Record<'a' | 'b' | 'c', Record<string, string>> = { a: {}, b: {}, c: {} };

  beforeAll(async () => {
    scratch = await makeTempDir('ci-cache');
    const wheels = join(scratch, 'wheels');
    await buildWheel(
      {
        name: 'greeting',
        version: '1.0.0',
        modules: {
          'greeting/__init__.py': 'def hello(name):\n    return "Hello, {}! (greeting 1.0.0)".format(name)\n',
        },
      },
      wheels,
    );
    if (!MULTI_PLATFORM_MISSING) {
      // linux_x86_64 and the like: the platform tag every interpreter of this OS and machine accepts.
      const platformTag = PLATFORM.replace(/[-.]/g, '_');
      for (const minor of [DEFAULT_MINOR, OTHER_PYTHON!.version]) {
        const tag = pyTag(minor);
        await buildWheel(
          {
            name: 'fastcalc',
            version: '1.0.0',
            pythonTag: tag,
            abiTag: tag,
            platformTag,
            modules: { 'fastcalc/__init__.py': `def answer():\n    return "42 ${tag}"\n` },
          },
          wheels,
        );
      }
    }
    index = await startFixtureIndex({ wheelsDir: wheels });
    // As a CI would: the index URL carries a credential (pip's userinfo form). One index for all machines.
    const withCredential = new URL(index.url);
    withCredential.username = 'ci-reader';
    withCredential.password = indexSecret;
    indexUrl = withCredential.toString();
    remote = await startRemoteCacheServer({ readWriteToken: token });
    remoteB = await startRemoteCacheServer({ readWriteToken: token });

    registry = await startLocalRegistry();
    await publishPackages(registry);
    ws = await createWorkspace(registry, { name: 'acme' });
    await ws.nxOk(['g', 'nx-pex:python-lib', LIB]);
    await ws.writeFile(
      `libs/${LIB}/src/shared_utils/__init__.py`,
      'def tag(name, text):\n    return "[{}] {}".format(name, text)\n',
    );
    for (const s of SERVICES) {
      await ws.nxOk(['g', 'nx-pex:python-app', s.name, `--dependencies=${s.dependencies}`]);
      await ws.writeFile(`apps/${s.name}/src/${s.module}/__main__.py`, mainPy(s));
      if (s.buildOptions) {
        await ws.writeFile(
          `apps/${s.name}/project.json`,
          `${JSON.stringify({ name: s.name, targets: { build: { options: s.buildOptions } } }, null, 2)}\n`,
        );
      }
    }
    // The repository every machine clones.
    const git = (...args: string[]): Promise<RunResult> =>
      ws.runOk('git', [
        '-c',
        'user.name=e2e',
        '-c',
        'user.email=e2e@example.invalid',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ]);
    await git('init', '--quiet');
    await git('add', '-A');
    await git('commit', '--quiet', '-m', 'services');
    await registry.stop();
    registry = undefined;

    const common = { repo: ws.root, logFile: ws.logFile, pythons: OTHER_PYTHON ? [OTHER_PYTHON] : [] };
    const cacheEnv = {
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
    };
    const pipEnv = { PIP_INDEX_URL: indexUrl, PIP_CONFIG_FILE: '/dev/null' };
    a = await makeMachine({
      ...common,
      dir: join(scratch, 'machine-a'),
      checkoutPath: ['acme'],
      tz: 'UTC',
      umask: '022',
      env: { ...pipEnv, ...cacheEnv, LANG: 'C.UTF-8' },
    });
    b = await makeMachine({
      ...common,
      dir: join(scratch, 'machine-b'),
      checkoutPath: ['builds', 'job-2', 'src'],
      tz: 'Pacific/Kiritimati',
      umask: '077',
      sourceTime: new Date('2001-02-03T04:05:06Z'),
      env: {
        ...pipEnv,
        ...cacheEnv,
        NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remoteB.url,
        LANG: 'en_US.UTF-8',
        USER: 'someone-else',
        LOGNAME: 'someone-else',
      },
    });
  });

  const failed = trackFailures();

  afterAll(async () => {
    await index?.close();
    await remote?.close();
    await remoteB?.close();
    await registry?.stop();
    if (failed() && scratch) {
      process.stderr.write(
        `[e2e] a test failed: machines kept in ${scratch}, every command's output in ${ws?.logFile}\n`,
      );
    } else {
      await ws?.dispose();
      if (scratch) await removeTempDir(scratch);
    }
  });

  it('machine A builds every service (the executor runs), and uploads each build to the remote cache', async () => {
    buildStarted = new Date();
    index!.requests.length = 0;
    const build = await a.nx(['run-many', '-t', 'build', '--output-style=static']);
    expectOk(build);
    for (const s of SERVICES) {
      expect(build.output, `A did not build ${s.name}`).toContain(`nx-pex: wrote ${pexPath(s)}`);
      expect(cacheMarks(build.output, s.name), `A read ${s.name} from a cache`).toEqual([]);
      digests.a[s.name] = await pexDigest(a.path(pexPath(s)));
    }
    expect(index!.requests.map((r) => r.path).join('\n')).toMatch(/greeting/);
    const puts = remote!.requests.filter((r) => r.method === 'PUT');
    expect(
      puts.every((r) => r.status === 200),
      JSON.stringify(puts),
    ).toBe(true);
    expect(remote!.entries.size, JSON.stringify(remote!.requests)).toBeGreaterThanOrEqual(SERVICES.length);
    for (const s of SERVICES) {
      const run = await a.run('python3', [pexPath(s)]);
      expect(run.exitCode, describeResult(run)).toBe(s.exitCode);
      expect(run.stdout.trim()).toBe(s.expectedOutput(pyTag(DEFAULT_MINOR)));
    }
  });

  describe('machine B (other directory, TZ, umask, HOME, caches, source mtimes) builds the same', () => {
    let built: RunResult | undefined;
    beforeAll(async () => {
      if (Object.keys(digests.a).length !== SERVICES.length) return;
      built = await b.nx(['run-many', '-t', 'build', '--output-style=static']);
    });

    it('runs the executor itself (nothing to restore: its remote cache is empty)', () => {
      expect(built, 'machine A failed').toBeDefined();
      expectOk(built!);
      for (const s of SERVICES) {
        expect(built!.output, `B did not build ${s.name}`).toContain(`nx-pex: wrote ${pexPath(s)}`);
        expect(cacheMarks(built!.output, s.name)).toEqual([]);
      }
    });

    it('computes the same task hashes as A (the builds would be cache hits for each other)', () => {
      expect(built, 'machine A failed').toBeDefined();
      const hashes = (server: RemoteCacheServer): string[] => [...server.entries.keys()].sort();
      expect(hashes(remoteB!)).toEqual(hashes(remote!));
    });

    it('writes sha256-identical zipapp pexes', async () => {
      expect(built, 'machine A failed').toBeDefined();
      for (const s of ZIPAPPS) {
        const digest = await pexDigest(b.path(pexPath(s)));
        digests.b[s.name] = digest;
        if (digest !== digests.a[s.name]) {
          expect(
            await describeDifference(a.path(pexPath(s)), b.path(pexPath(s)), a.env),
            `${s.name}: A and B differ`,
          ).toBe('');
        }
        expect(digest).toBe(digests.a[s.name]);
      }
    });

    it('uploads the same outputs as A (file names and contents inside the cache entries)', () => {
      expect(built, 'machine A failed').toBeDefined();
      for (const [hash, bodyA] of remote!.entries) {
        const bodyB = remoteB!.entries.get(hash);
        expect(bodyB, `B did not upload ${hash}`).toBeDefined();
        const files = (body: Buffer): Record<string, string> =>
          Object.fromEntries(
            readTar(body)
              .filter((e) => e.type === '0')
              .map((e) => [e.name, e.content.toString('base64')]),
          );
        const [filesA, filesB] = [files(bodyA), files(bodyB!)];
        expect(Object.keys(filesB).sort()).toEqual(Object.keys(filesA).sort());
        const differing = Object.keys(filesA).filter((name) => filesA[name] !== filesB[name]);
        expect(differing, `cache entry ${hash}: these files differ between A and B`).toEqual([]);
      }
    });

    const packedTitle = 'writes a byte-identical packed-layout pex (a directory: every file the same)';
    (HAS_LAYOUT ? it : it.skip)(
      HAS_LAYOUT
        ? packedTitle
        : `${packedTitle} — skipped: the pex executor has no \`layout\` option yet (packages/nx-pex/src/executors/pex/schema.json)`,
      async () => {
        expect(built, 'machine A failed').toBeDefined();
        const [filesA, filesB] = [
          await pexFileDigests(a.path(pexPath(PACKED))),
          await pexFileDigests(b.path(pexPath(PACKED))),
        ];
        expect(Object.keys(filesA).length).toBeGreaterThan(1);
        expect(filesB).toEqual(filesA);
        expect(await pexDigest(b.path(pexPath(PACKED)))).toBe(digests.a[PACKED.name]);
      },
    );

    const platformsTitle =
      'writes a byte-identical multi-platform pex (a fastcalc wheel for each target CPython inside)';
    (MULTI_PLATFORM_MISSING ? it.skip : it)(
      MULTI_PLATFORM_MISSING ? `${platformsTitle} — skipped: ${MULTI_PLATFORM_MISSING}` : platformsTitle,
      async () => {
        expect(built, 'machine A failed').toBeDefined();
        const inside = await inspectPex(b.path(pexPath(MULTI_PLATFORM)), [], b.env, b.root);
        const fastcalcWheels = new Set(
          inside.times.flatMap(([member]) => /fastcalc-1\.0\.0-(cp\d+)-/.exec(member)?.[1] ?? []),
        );
        expect([...fastcalcWheels].sort()).toEqual([pyTag(DEFAULT_MINOR), pyTag(OTHER_PYTHON!.version)].sort());
        const digest = await pexDigest(b.path(pexPath(MULTI_PLATFORM)));
        if (digest !== digests.a[MULTI_PLATFORM.name]) {
          expect(
            await describeDifference(a.path(pexPath(MULTI_PLATFORM)), b.path(pexPath(MULTI_PLATFORM)), a.env),
            'A and B differ',
          ).toBe('');
        }
        expect(digest).toBe(digests.a[MULTI_PLATFORM.name]);
      },
    );
  });

  describe('machine C, fresh (no local Nx cache, no artifact cache), restores from the remote cache', () => {
    let restored: RunResult | undefined;
    let indexRequests: string[] = [];
    beforeAll(async () => {
      if (Object.keys(digests.a).length !== SERVICES.length) return;
      c = await makeMachine({
        repo: ws.root,
        logFile: ws.logFile,
        pythons: OTHER_PYTHON ? [OTHER_PYTHON] : [],
        dir: join(scratch, 'machine-c'),
        checkoutPath: ['w', 'acme-ci'],
        tz: 'America/St_Johns',
        umask: '027',
        env: {
          PIP_INDEX_URL: indexUrl,
          PIP_CONFIG_FILE: '/dev/null',
          NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remote!.url,
          NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token,
        },
      });
      expect(existsSync(c.path('.nx')), 'a clone must not carry an Nx cache').toBe(false);
      remote!.requests.length = 0;
      index!.requests.length = 0;
      restored = await c.nx(['run-many', '-t', 'build', '--output-style=static']);
      indexRequests = index!.requests.map((r) => r.path);
    });

    it('reads every build from the remote cache', () => {
      expect(restored, 'machine A failed').toBeDefined();
      expectOk(restored!);
      for (const s of SERVICES) {
        expect(cacheMarks(restored!.output, s.name), restored!.output).toEqual([
          expect.stringContaining('[remote cache]'),
        ]);
      }
      const gets = remote!.requests.filter((r) => r.method === 'GET' && r.status === 200).map((r) => r.hash);
      expect(gets.length).toBeGreaterThanOrEqual(SERVICES.length);
      expect(
        remote!.requests.filter((r) => r.method === 'PUT'),
        'C uploaded something',
      ).toEqual([]);
    });

    it('does not run the executor: no index request, nothing in its artifact cache', async () => {
      expect(restored, 'machine A failed').toBeDefined();
      expect(indexRequests).toEqual([]);
      const artifacts = existsSync(c!.artifactCache) ? await readdir(c!.artifactCache, { recursive: true }) : [];
      expect(artifacts).toEqual([]);
    });

    it('restores the pexes bit for bit, and they run', async () => {
      expect(restored, 'machine A failed').toBeDefined();
      for (const s of SERVICES) {
        digests.c[s.name] = await pexDigest(c!.path(pexPath(s)));
        expect(digests.c[s.name], s.name).toBe(digests.a[s.name]);
        const run = await c!.run('python3', [pexPath(s)]);
        expect(run.exitCode, describeResult(run)).toBe(s.exitCode);
        expect(run.stdout.trim()).toBe(s.expectedOutput(pyTag(DEFAULT_MINOR)));
      }
      if (!MULTI_PLATFORM_MISSING) {
        // The other target: the runtime activates that CPython's fastcalc wheel.
        const run = await c!.run(`python${OTHER_PYTHON!.version}`, [pexPath(MULTI_PLATFORM)]);
        expect(run.exitCode, describeResult(run)).toBe(MULTI_PLATFORM.exitCode);
        expect(run.stdout.trim()).toBe(MULTI_PLATFORM.expectedOutput(pyTag(OTHER_PYTHON!.version)));
      }
    });
  });

  describe('no machine-specific path, user name, time or credential in what is cached or hashed', () => {
    /** Strings that must appear nowhere: the machines' directories and HOMEs, this user's, the secrets. */
    function machineNeedles(): string[] {
      const needles = [scratch, a.root, b.root, a.home, b.home, token, indexSecret, `ci-reader:${indexSecret}`];
      if (c) needles.push(c.root, c.home);
      const realHome = homedir();
      if (realHome.length > 1) needles.push(realHome);
      // A user name that is also a common word ("root", "runner") legitimately appears in code.
      const user = userInfo().username;
      if (user.length >= 3 && !COMMON_USER_NAMES.has(user)) needles.push(user);
      return [...new Set(needles)];
    }

    it('the cache entries A uploaded (names, contents, tar owner fields) contain none of them', () => {
      expect(remote!.entries.size, 'A uploaded nothing').toBeGreaterThan(0);
      // A control that is there (the build's own output line) shows the search looks at the right bytes.
      const needles = [...machineNeedles(), CONTROL_IN_TERMINAL_OUTPUT];
      const hits: string[] = [];
      for (const [hash, body] of remote!.entries) {
        for (const entry of readTar(body)) {
          const fields = [entry.name, entry.uname, entry.gname];
          for (const needle of needles) {
            if (fields.some((f) => f.includes(needle)) || entry.content.includes(needle))
              hits.push(`${hash}/${entry.name}: ${needle}`);
          }
        }
      }
      const [control, leaks] = partition(hits, (hit) => hit.endsWith(`: ${CONTROL_IN_TERMINAL_OUTPUT}`));
      expect(leaks).toEqual([]);
      expect(control.length, 'the control string was not found in any cache entry').toBe(SERVICES.length);
    });

    it('nor does any member of the pexes, decompressed (wheels inside included), nor do they carry the build time', async () => {
      // The control is in the library's compressed source, found only when members are decompressed.
      const needles = [...machineNeedles(), ...timeNeedles(buildStarted), CONTROL_IN_PEX];
      for (const s of SERVICES) {
        const inside = await inspectPex(a.path(pexPath(s)), needles, a.env, a.root);
        expect(inside.members, s.name).toBeGreaterThan(3);
        const [control, leaks] = partition(inside.hits, ([, needle]) => needle === CONTROL_IN_PEX);
        expect(leaks, s.name).toEqual([]);
        expect(
          control.map(([where]) => where.replace(/^.*!/, '')),
          s.name,
        ).toContain('shared_utils/__init__.py');
        expect(
          membersTimedLikeTheBuild(inside.times, buildStarted),
          `${s.name}: zip members dated at build time`,
        ).toEqual([]);
      }
    });

    it("the build's hash inputs name none of them (and the clones' differing values did not change the hashes)", async () => {
      const needles = machineNeedles();
      const shown = await Promise.all(
        SERVICES.map((s) => a.nx(['show', 'target', 'inputs', `${s.name}:build`, '--json'])),
      );
      for (const result of shown) {
        expectOk(result);
        const hits = needles.filter((n) => result.stdout.includes(n));
        expect(hits, result.stdout).toEqual([]);
        const inputs = JSON.parse(result.stdout) as { files: string[]; environment: string[] };
        expect(inputs.environment).toContain('PIP_INDEX_URL');
        expect(
          inputs.files.every((f) => !f.startsWith('/')),
          inputs.files.join('\n'),
        ).toBe(true);
      }
    });
  });
});

const CONTROL_IN_TERMINAL_OUTPUT = 'nx-pex: wrote dist/apps/';
const CONTROL_IN_PEX = 'return "[{}] {}".format(name, text)';

function partition<T>(items: T[], predicate: (item: T) => boolean): [T[], T[]] {
  return [items.filter(predicate), items.filter((item) => !predicate(item))];
}

const COMMON_USER_NAMES = new Set([
  'root',
  'runner',
  'user',
  'admin',
  'ubuntu',
  'build',
  'builder',
  'node',
  'app',
  'test',
  'ci',
  'jenkins',
  'vscode',
]);

/** What differs between two pexes, member by member (for a failure message the owner can act on). */
async function describeDifference(left: string, right: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script = String.raw`
import hashlib, json, sys, zipfile
def members(p):
    z = zipfile.ZipFile(p)
    return {i.filename: [list(i.date_time), i.external_attr >> 16, i.compress_type, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()}
l, r = members(sys.argv[1]), members(sys.argv[2])
out = []
for n in sorted(set(l) | set(r)):
    if l.get(n) != r.get(n):
        out.append("%s: A %s / B %s" % (n, l.get(n), r.get(n)))
if not out:
    out.append("same members (time, mode, compression, content); the zip bytes differ elsewhere (order, extra fields, comment)")
print("\n".join(out[:40]))
`;
  const result = await runCommand('python3', ['-c', script, left, right], env, { cwd: join(left, '..') });
  return result.stdout.trim() || result.output;
}
