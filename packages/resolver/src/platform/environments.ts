import { ResolverError } from '../errors.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Marker } from '../pep508/marker.js';
import { targetFromAbbreviatedPlatform } from './foreign-target.js';

/**
 * The environments a universal lock is resolved for: CPython minors × wheel platforms, each a
 * synthetic target (tags and PEP 508 markers, no interpreter) built as an abbreviated platform is.
 */

/** The oldest CPython minor considered (the pex runtime needs 3.8) and the newest CPython release. */
export const OLDEST_CPYTHON: readonly [number, number] = [3, 8];
export const NEWEST_CPYTHON: readonly [number, number] = [3, 15];

/**
 * The default platforms, in the order their environments are resolved (earlier ones set the
 * versions later ones prefer). Each is the oldest release of its OS a wheel may target and still
 * install everywhere newer: glibc 2.28 (manylinux_2_28: RHEL 8, Debian 10, Ubuntu 20.04; uv's default,
 * and the oldest glibc numpy >= 2.3 and pandas >= 2.3.3 ship Linux wheels for), macOS 11 (the first
 * arm64 macOS), macOS 13 on Intel (uv's default; greenlet, PyYAML, httptools, uvloop and markupsafe
 * ship no 10.13 x86_64 wheels of their newest releases), 64-bit Windows.
 */
export const DEFAULT_PLATFORMS: readonly string[] = [
  'manylinux_2_28_x86_64',
  'manylinux_2_28_aarch64',
  'macosx_11_0_arm64',
  'macosx_13_0_x86_64',
  'win_amd64',
];

const ABBREVIATED = /^[a-z0-9_]+-cp-\d+-[a-z0-9_]+$/;
const PLATFORM = /^[a-z0-9_]+$/;

/** `<platform>-cp-<XY>-cp<XY>` for a platform tag and a CPython minor. */
export function abbreviatedPlatform(platform: string, minor: readonly [number, number]): string {
  const v = `${minor[0]}${minor[1]}`;
  return `${platform}-cp-${v}-cp${v}`;
}

/** The lowest `3.Y.Z` (Z < 100) that `range` admits, per CPython minor from OLDEST_CPYTHON to NEWEST_CPYTHON. */
function allowedPythons(requiresPython: string | undefined): [number, number, number][] {
  const range = requiresPython === undefined ? undefined : new SpecifierSet(requiresPython);
  const out: [number, number, number][] = [];
  for (let minor = OLDEST_CPYTHON[1]; minor <= NEWEST_CPYTHON[1]; minor++) {
    for (let micro = 0; micro < 100; micro++) {
      if (range && !range.contains(`3.${minor}.${micro}`, true)) continue;
      out.push([3, minor, micro]);
      break;
    }
  }
  return out;
}

/** A target for `platform` on a CPython minor, its full version the lowest requires-python admits. */
function environment(platform: string, python: [number, number, number]): TargetInterpreter {
  const target = targetFromAbbreviatedPlatform(abbreviatedPlatform(platform, [python[0], python[1]]));
  const full = python.join('.');
  return {
    ...target,
    version: python,
    markers: { ...target.markers!, python_full_version: full, implementation_version: full },
  };
}

/** The platform tag a universal environment was made for (the platform part of its best tag). */
export function environmentPlatform(target: Pick<TargetInterpreter, 'tags'>): string {
  return target.tags[0]?.split('-')[2] ?? '';
}

/**
 * The targets of a universal lock, in resolution order (Python ascending, then platforms in the
 * order given, the defaults first). `environments` entries may be:
 * - a PEP 508 marker (PEP 751 `environments` style): the default platforms × Python minors where it holds;
 * - a platform tag (`musllinux_1_2_x86_64`): that platform for every allowed Python minor;
 * - an abbreviated platform (`macosx_11_0_arm64-cp-312-cp312`): exactly that environment.
 * Without `environments`: every default platform for every CPython minor requires-python allows.
 */
export function universalTargets(
  requiresPython: string | undefined,
  environments: readonly string[] = [],
): TargetInterpreter[] {
  const pythons = allowedPythons(requiresPython);
  if (pythons.length === 0) {
    throw new ResolverError(
      'INVALID_CONFIG',
      `requires-python ${requiresPython} admits no CPython from 3.${OLDEST_CPYTHON[1]} to 3.${NEWEST_CPYTHON[1]}: a universal lock has no environment to resolve for. Fix requires-python.`,
    );
  }
  const grid = (platforms: readonly string[]) => platforms.flatMap((p) => pythons.map((py) => environment(p, py)));
  const chosen: TargetInterpreter[] = [];
  if (environments.length === 0) chosen.push(...grid(DEFAULT_PLATFORMS));
  for (const [i, spec] of environments.entries()) {
    const text = spec.trim();
    if (ABBREVIATED.test(text)) {
      const target = targetFromAbbreviatedPlatform(text);
      const python = pythons.find((p) => p[0] === target.version[0] && p[1] === target.version[1]);
      if (!python) {
        throw new ResolverError(
          'INVALID_CONFIG',
          `environments[${i}] "${text}" is CPython ${target.version[0]}.${target.version[1]}, outside ${requiresPython === undefined ? `3.${OLDEST_CPYTHON[1]}–3.${NEWEST_CPYTHON[1]}` : `requires-python ${requiresPython}`}. Drop it or widen requires-python.`,
        );
      }
      chosen.push(environment(text.split('-')[0]!, python));
    } else if (PLATFORM.test(text)) {
      chosen.push(...grid([text]));
    } else {
      let marker: Marker;
      try {
        marker = Marker.parse(text);
      } catch (err) {
        throw new ResolverError(
          'INVALID_CONFIG',
          `environments[${i}] "${text}" is neither a PEP 508 marker, a platform tag (manylinux_2_28_x86_64) nor an abbreviated platform (macosx_11_0_arm64-cp-312-cp312): ${(err as Error).message}`,
          { cause: err },
        );
      }
      const matching = grid(DEFAULT_PLATFORMS).filter((t) => marker.evaluate({ ...t.markers!, extra: '' }));
      if (matching.length === 0) {
        throw new ResolverError(
          'INVALID_CONFIG',
          `environments[${i}] "${text}" holds for none of the default platforms (${DEFAULT_PLATFORMS.join(', ')}) on the Pythons requires-python allows; name a platform tag (e.g. musllinux_1_2_x86_64) or an abbreviated platform instead.`,
        );
      }
      chosen.push(...matching);
    }
  }
  const seen = new Set<string>();
  const unique = chosen.filter((t) => {
    const key = t.tags[0]!;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Resolution order: oldest Python first (as uv resolves for the lower bound, versions that serve
  // the oldest Python are preferred by newer ones), then the platforms in the order they were named.
  const platformOrder = [...new Set(unique.map(environmentPlatform))];
  return unique.sort(
    (a, b) =>
      a.version[1] - b.version[1] ||
      platformOrder.indexOf(environmentPlatform(a)) - platformOrder.indexOf(environmentPlatform(b)),
  );
}
