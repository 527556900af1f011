import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPythons, startFixtureIndex, type FixtureIndex } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { markerEnvironment } from '../fetch/fetch-artifacts.js';
import { resolveLock } from '../lock/resolve-lock.js';
import { selectFromLock } from '../lock/select.js';
import { normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { abbreviatedPlatform, environmentPlatform, universalTargets } from '../platform/environments.js';
import { pipDryRun } from '../testing/pip-report.js';
import {
  scenarioTarget,
  uvSelection,
  uvUniversalLock,
  writeScenarioDistributions,
  type PackseScenario,
} from '../testing/packse-scenarios.js';

// Opt-in (NX_PEX_PACKSE=1, run by `npm run packse -w @nx-pex/resolver`): packse's scenarios, from
// `packse inspect --no-hash` (NX_PEX_PACKSE_JSON), served by the fixture index, resolved with
// resolveLock for the scenario's Python. Universal scenarios (`resolver_options.universal`, run by uv as
// `uv lock`) get a universal lock for the root's requires-python, and every environment of it must
// install what packse expects (`expected.packages`, when given) and what uv's lock installs there
// (NX_PEX_PACKSE_UV: uv, run on the same index; its exported pins, markers evaluated per environment).
// Every scenario passes or is listed in KNOWN with the reason; a listed scenario that passes fails the
// suite (the list stays honest). NX_PEX_PACKSE_REPORT: a JSON report.
const ENABLED = process.env.NX_PEX_PACKSE === '1';
const JSON_FILE = process.env.NX_PEX_PACKSE_JSON;
const UV = process.env.NX_PEX_PACKSE_UV;
/** Comma-separated scenario names: run only those (for investigating one). */
const ONLY = process.env.NX_PEX_PACKSE_ONLY?.split(',').map((n) => n.trim());

const UV_PRERELEASES =
  'uv takes a pre-release only when a first-party requirement names one; PEP 440 (and pip) also when any requirement on the package names one';
const IF_NECESSARY =
  'PEP 440 "if necessary": we take a pre-release when no final release satisfies the requirement; uv and pip do not (a policy choice, kept)';
// Universal scenarios: uv forks on markers over every marker world; nx-pex resolves each environment
// of the lock (default platforms × Pythons) on its own, sharing versions where they fit (docs/locks.md,
// "How the resolution forks"). Each environment's selection is walked through the lock's Requires-Dist
// (selectFromLock), so a lock we write is valid in every environment it covers.
const FORK_ORDER =
  'another valid lock: uv keeps one version across its forks, one the macOS fork can use (the root requires the `<` range on darwin), on Linux and Windows too; nx-pex solves Linux first and each platform takes the newest version valid there';
const NEWEST_PER_ENVIRONMENT =
  "another valid lock: uv's marker forking settles on cleaver 1.0.0 (the scenario checks it is stable across preferences); resolved environment by environment, nx-pex takes cleaver 2.0.0, valid in each";
const NO_UV_FORK =
  'uv does not fork here, so one version of the shared package must serve every marker world, and none does; nx-pex resolves each environment on its own, and each has a solution';
const SDIST =
  'only an sdist (or no wheel for the target) — uv builds it or reads its static metadata; this suite serves sdists without a build backend';
/**
 * Scenarios nx-pex does not pass, and why. `pip: true`: pip (its resolver, same index, same
 * Python version) resolves exactly as we do, which the suite checks — a uv policy, not a bug.
 */
const KNOWN: Record<string, { reason: string; pip?: true }> = {
  'wrong-backtracking-indirect': {
    reason:
      "uv's lock differs, ours is the answer the scenario intends (its expected packages are commented out until uv's issue 12060 is fixed: a 1.0.0, b 1.0.0, b-inner 2.0.9); uv still walks b-inner down to 1.0.0 and too-old",
  },
  'conflict-in-fork': {
    reason:
      "the conflict is under sys_platform 'os1' / 'os2', which uv's marker worlds include and no environment nx-pex locks for does: there neither requirement applies",
  },
  'fork-non-local-fork-marker-direct': { reason: NO_UV_FORK },
  'fork-non-local-fork-marker-transitive': { reason: NO_UV_FORK },
  'preferences-dependent-forking-conflicting': { reason: NO_UV_FORK },
  'fork-allows-non-conflicting-non-overlapping-dependencies': { reason: FORK_ORDER },
  'fork-marker-selection': { reason: FORK_ORDER },
  'fork-marker-track': { reason: FORK_ORDER },
  'preferences-dependent-forking-bistable': { reason: NEWEST_PER_ENVIRONMENT },
  'preferences-dependent-forking-tristable': { reason: NEWEST_PER_ENVIRONMENT },
  'requires-python-wheels': {
    reason:
      "the only wheels are tagged cpXY-cpXY-any, a tag no interpreter supports (packaging pairs `any` with the abi `none` only): no environment can install a, so the universal lock fails; uv's lock records the cp310 and cp311 wheels by requires-python without checking they install",
  },
  'specific-architecture': {
    reason:
      "b's only wheels are for CPython 3.13 and c's Linux arm64 wheel is manylinux2010_aarch64, a tag no aarch64 system supports (PEP 599 defines manylinux2010 for x86_64 and i686 only): nx-pex leaves those environments out of the lock, with the reason; uv's lock records a and b or c there by architecture marker, and cannot install them there either",
  },
  'package-only-prereleases-in-range': { reason: IF_NECESSARY },
  'transitive-package-only-prereleases-in-range': { reason: IF_NECESSARY },
  'transitive-prerelease-and-stable-dependency': { reason: UV_PRERELEASES, pip: true },
  'transitive-prerelease-and-stable-dependency-many-versions': { reason: UV_PRERELEASES, pip: true },
  'transitive-prerelease-and-stable-dependency-many-versions-holes': { reason: IF_NECESSARY },
  'transitive-yanked-and-unyanked-dependency': {
    reason: 'uv uses a yanked release only when the user pins it; PEP 592 (and pip) allow it through any == pin',
    pip: true,
  },
  'python-less-than-current': {
    reason: 'uv ignores Requires-Python upper bounds (<=3.8 on 3.9); we and pip honour them',
    pip: true,
  },
  'only-wheels-no-binary': { reason: 'no `no_binary` option (install from sdists only)' },
  'incompatible-python-compatible-override-available-no-wheels': { reason: SDIST },
  'incompatible-python-compatible-override-no-compatible-wheels': { reason: SDIST },
  'incompatible-python-compatible-override-other-wheel': { reason: SDIST },
  'incompatible-python-compatible-override-unavailable-no-wheels': { reason: SDIST },
  'no-wheels-with-matching-platform': { reason: SDIST },
  'no-wheels': { reason: SDIST },
};

const UNSATISFIABLE = new Set([
  'RESOLUTION_CONFLICT',
  'NO_MATCHING_DISTRIBUTION',
  'NO_COMPATIBLE_WHEEL',
  'INVALID_CONFIG',
]);

interface Outcome {
  name: string;
  pass: boolean;
  detail: string;
  got?: Record<string, string>;
  known?: string;
  pip?: string;
}

/** Name → version, versions in PEP 440 normal form, sorted: one text to compare. */
function packageSet(pins: Record<string, string>): string {
  return JSON.stringify(
    Object.entries(pins)
      .map(([name, version]) => [normalizeName(name), Version.parse(version).toString()])
      .sort(),
  );
}

describe.runIf(ENABLED)('packse scenarios', () => {
  let work: string;
  let server: FixtureIndex;
  let scenarios: PackseScenario[] = [];
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    if (!JSON_FILE)
      throw new Error(
        'Set NX_PEX_PACKSE_JSON to the output of `packse inspect --no-hash <scenarios>` (npm run packse -w @nx-pex/resolver does).',
      );
    scenarios = (JSON.parse(await readFile(JSON_FILE, 'utf8')) as { scenarios: PackseScenario[] }).scenarios;
    if (ONLY) scenarios = scenarios.filter((s) => ONLY.includes(s.name));
    work = await mkdtemp(join(tmpdir(), 'nx-pex-packse-'));
    const dists = join(work, 'dists');
    const yanked = await writeScenarioDistributions(scenarios, dists);
    server = await startFixtureIndex({ wheelsDir: dists });
    server.setFaults({ yanked });
  }, 600_000);

  afterAll(async () => {
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
    const passed = outcomes.filter((o) => o.pass).length;
    const report = { scenarios: outcomes.length, passed, failed: outcomes.filter((o) => !o.pass) };
    if (process.env.NX_PEX_PACKSE_REPORT)
      await writeFile(process.env.NX_PEX_PACKSE_REPORT, JSON.stringify(report, null, 2));
  });

  const index = () => ({ indexUrl: server.url, extraIndexUrls: [], findLinks: [], noIndex: false });
  const roots = (s: PackseScenario) => ({ root: s.root.requires.map((r) => r.requirement) });

  /** `uv pip install`-style scenarios: one target, the scenario's Python and platform. */
  async function runOne(s: PackseScenario): Promise<Outcome> {
    const lock = await resolveLock({
      roots: roots(s),
      index: index(),
      targets: [scenarioTarget(s)],
      cacheDir: join(work, 'cache'),
      http: { retries: 0 },
    });
    const got = Object.fromEntries(lock.packages.map((p) => [normalizeName(p.name), p.version ?? '']));
    if (!s.expected.satisfiable)
      return { name: s.name, pass: false, got, detail: `resolved ${JSON.stringify(got)}, expected no solution` };
    const want = Object.fromEntries(s.expected.packages.map((p) => [normalizeName(p.name), p.version]));
    const same = Object.keys(want).length === 0 || packageSet(got) === packageSet(want);
    return {
      name: s.name,
      pass: same,
      got,
      detail: same ? 'ok' : `resolved ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
    };
  }

  /**
   * `uv lock` scenarios: a universal lock for the root's requires-python (default environments). Each
   * environment's selection (selectFromLock, as a build takes it) must equal packse's expected
   * packages, when listed, and what uv's lock installs there. An environment the lock leaves out is
   * accepted only when uv's choice there is the release the lock names as having no wheel for it.
   */
  async function runUniversal(s: PackseScenario, python: string | undefined): Promise<Outcome> {
    const requiresPython = s.root.requires_python ?? undefined;
    const lock = await resolveLock({
      roots: roots(s),
      index: index(),
      targets: [],
      universal: true,
      ...(requiresPython ? { requiresPython } : {}),
      cacheDir: join(work, 'cache'),
      http: { retries: 0 },
    });
    const union = Object.fromEntries(lock.packages.map((p) => [normalizeName(p.name), p.version ?? '']));
    if (!s.expected.satisfiable)
      return { name: s.name, pass: false, detail: `resolved ${JSON.stringify(union)}, expected no solution` };
    const uv = UV && python ? await uvUniversalLock(UV, python, s, server.url, work) : undefined;
    const want = Object.fromEntries(s.expected.packages.map((p) => [normalizeName(p.name), p.version]));
    const skipped = new Map(
      (lock.nxPex?.universal?.skipped ?? []).map((line) => [
        line.slice(0, line.indexOf(':')),
        line.slice(line.indexOf(':') + 2),
      ]),
    );
    const problems: string[] = [];
    if (uv?.error) problems.push(`uv: ${uv.error.split('\n').slice(0, 3).join(' ')}`);
    let covered = 0;
    for (const target of universalTargets(requiresPython)) {
      const where = abbreviatedPlatform(environmentPlatform(target), [target.version[0], target.version[1]]);
      const theirs = uv?.pins ? uvSelection(uv.pins, markerEnvironment(target)) : undefined;
      const reason = skipped.get(where);
      if (reason !== undefined) {
        const m = /^(\S+) (\S+) has no wheel$/.exec(reason);
        const uvToo = m && theirs && theirs[normalizeName(m[1]!)] === m[2];
        if (!uvToo) problems.push(`${where} left out (${reason}); uv there: ${JSON.stringify(theirs ?? null)}`);
        continue;
      }
      covered++;
      const ours = Object.fromEntries(
        selectFromLock(lock, 'root', target).map((a) => [normalizeName(a.name), a.version]),
      );
      if (Object.keys(want).length && packageSet(ours) !== packageSet(want))
        problems.push(`${where}: ${JSON.stringify(ours)}, packse expects ${JSON.stringify(want)}`);
      if (theirs && packageSet(ours) !== packageSet(theirs))
        problems.push(`${where}: ${JSON.stringify(ours)}, uv ${JSON.stringify(theirs)}`);
    }
    return {
      name: s.name,
      pass: problems.length === 0,
      got: union,
      detail: problems.length
        ? problems.slice(0, 4).join('; ') + (problems.length > 4 ? `; … ${problems.length - 4} more` : '')
        : `ok (${covered} environments${skipped.size ? `, ${skipped.size} without wheels, as uv` : ''}${uv ? ', as uv' : ''})`,
    };
  }

  async function run(s: PackseScenario, python: string | undefined): Promise<Outcome> {
    try {
      return s.resolver_options.universal ? await runUniversal(s, python) : await runOne(s);
    } catch (e) {
      const err = e as ResolverError;
      const first = String(err.message).split('\n')[0]!.slice(0, 300);
      if (err instanceof ResolverError && UNSATISFIABLE.has(err.code)) {
        return { name: s.name, pass: !s.expected.satisfiable, detail: `${err.code}: ${first}` };
      }
      return { name: s.name, pass: false, detail: `${(err as Error).name} ${err.code ?? ''}: ${first}` };
    }
  }

  it('loads the scenarios', () => {
    expect(scenarios.length).toBeGreaterThan(ONLY ? 0 : 100);
  });

  it('resolves every scenario as packse expects, or fails for the listed reason', async () => {
    const pythons = (await findPythons()).found;
    const pip = pythons.find((p) => p.version === '3.13') ?? pythons.at(-1);
    const pipDisagrees: string[] = [];
    for (const s of scenarios) {
      const o = await run(s, pip?.path);
      const known = KNOWN[s.name];
      if (known) o.known = known.reason;
      if (known?.pip && pip) {
        const python = (s.resolver_options.python ?? s.environment.python).split('.').slice(0, 2).join('.');
        const theirs = await pipDryRun(pip.path, [
          '--index-url',
          server.url,
          '--python-version',
          python,
          '--only-binary',
          ':all:',
          ...s.root.requires.map((r) => r.requirement),
        ]);
        o.pip = theirs ? JSON.stringify(theirs) : 'no solution';
        if (JSON.stringify(Object.entries(theirs ?? {}).sort()) !== JSON.stringify(Object.entries(o.got ?? {}).sort()))
          pipDisagrees.push(`${s.name}: pip ${o.pip}, nx-pex ${o.detail}`);
      }
      outcomes.push(o);
    }
    const unexpected = outcomes.filter((o) => !o.pass && !o.known).map((o) => `${o.name}: ${o.detail}`);
    const fixed = outcomes.filter((o) => o.pass && o.known).map((o) => o.name);
    expect({ unexpected, fixed, pipDisagrees }).toEqual({ unexpected: [], fixed: [], pipDisagrees: [] });
  }, 600_000);
});
