import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPythons, startFixtureIndex, type FixtureIndex } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { resolveLock } from '../lock/resolve-lock.js';
import { normalizeName } from '../names.js';
import { pipDryRun } from '../testing/pip-report.js';
import { scenarioTarget, writeScenarioDistributions, type PackseScenario } from '../testing/packse-scenarios.js';

// Opt-in (NX_PEX_PACKSE=1, run by `npm run packse -w @nx-pex/resolver`): packse's scenarios, from
// `packse inspect --no-hash` (NX_PEX_PACKSE_JSON), served by the fixture index, resolved with
// resolveLock for the scenario's Python. Every scenario passes or is listed in KNOWN with the reason;
// a listed scenario that passes fails the suite (the list stays honest). NX_PEX_PACKSE_REPORT: a JSON report.
const ENABLED = process.env.NX_PEX_PACKSE === '1';
const JSON_FILE = process.env.NX_PEX_PACKSE_JSON;

const UV_PRERELEASES =
  'uv takes a pre-release only when a first-party requirement names one; PEP 440 (and pip) also when any requirement on the package names one';
const IF_NECESSARY =
  'PEP 440 "if necessary": we take a pre-release when no final release satisfies the requirement; uv and pip do not (a policy choice, kept)';
const UNIVERSAL =
  'universal (marker-split) resolution is not implemented: for the single target there is a solution, which we find';
const SDIST =
  'only an sdist (or no wheel for the target) — uv builds it or reads its static metadata; this suite serves sdists without a build backend';
/**
 * Scenarios nx-pex does not pass, and why. `pip: true`: pip (its resolver, same index, same
 * Python version) resolves exactly as we do, which the suite checks — a uv policy, not a bug.
 */
const KNOWN: Record<string, { reason: string; pip?: true }> = {
  'wrong-backtracking-basic': {
    reason:
      'another valid solution (newest a, oldest b): uv prioritises packages that keep conflicting, our PubGrub decides in requirement order',
  },
  'conflict-in-fork': { reason: UNIVERSAL },
  'fork-non-local-fork-marker-direct': { reason: UNIVERSAL },
  'fork-non-local-fork-marker-transitive': { reason: UNIVERSAL },
  'preferences-dependent-forking-conflicting': { reason: UNIVERSAL },
  'requires-python-wheels': {
    reason:
      'universal lock for requires-python >=3.10: only cp39–cp311 wheels, none for the 3.12 target we resolve for',
  },
  'package-only-prereleases-in-range': { reason: IF_NECESSARY },
  'package-prereleases-specifier-boundary': {
    reason: `${UV_PRERELEASES} (packaging: \`<\` never names a pre-release)`,
    pip: true,
  },
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

  async function run(s: PackseScenario): Promise<Outcome> {
    const index = { indexUrl: server.url, extraIndexUrls: [], findLinks: [], noIndex: false };
    const roots = { root: s.root.requires.map((r) => r.requirement) };
    const cacheDir = join(work, 'cache');
    try {
      const lock = await resolveLock({
        roots,
        index,
        targets: [scenarioTarget(s)],
        cacheDir,
        http: { retries: 0 },
        // The root's requires-python is a project's (universal, lock-like scenarios); `uv pip install` ones ignore it.
        ...(s.resolver_options.universal && s.root.requires_python ? { requiresPython: s.root.requires_python } : {}),
      });
      const got = Object.fromEntries(lock.packages.map((p) => [normalizeName(p.name), p.version ?? '']));
      if (!s.expected.satisfiable)
        return { name: s.name, pass: false, got, detail: `resolved ${JSON.stringify(got)}, expected no solution` };
      const want = Object.fromEntries(s.expected.packages.map((p) => [normalizeName(p.name), p.version]));
      const same =
        Object.keys(want).length === 0 ||
        JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(want).sort());
      return {
        name: s.name,
        pass: same,
        got,
        detail: same ? 'ok' : `resolved ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
      };
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
    expect(scenarios.length).toBeGreaterThan(100);
  });

  it('resolves every scenario as packse expects, or fails for the listed reason', async () => {
    const pip = (await findPythons()).found.find((p) => p.version === '3.13') ?? (await findPythons()).found.at(-1);
    const pipDisagrees: string[] = [];
    for (const s of scenarios) {
      const o = await run(s);
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
