// The functional entry points, for a caller holding text (a tool, a script, a differential test):
// one call each on the classes Version, SpecifierSet, Requirement and Marker, which they return and
// whose methods are the rest of the API (use those on values already parsed). No logic of their own
// beyond argument shapes, except `supportedTags`, which turns any description of a target into its
// tags. README.md, "API", says which to use when.
import { ResolverError } from './errors.js';
import type { TargetInterpreter } from './interpreter/inspect.js';
import { SpecifierSet } from './pep440/specifier.js';
import { compareVersions as compareParsed, Version } from './pep440/version.js';
import { Marker, type MarkerEnvironment } from './pep508/marker.js';
import { Requirement } from './pep508/requirement.js';
import { targetFromAbbreviatedPlatform } from './platform/foreign-target.js';
import { cpythonTags } from './tags/cpython.js';
import { macPlatforms } from './tags/macos.js';
import { platformTags } from './tags/platforms.js';

/** Parse a PEP 440 version (`Version.parse`); `toString()` is the normal form. Throws `INVALID_VERSION`. */
export function parseVersion(text: string): Version {
  return Version.parse(text);
}

/** -1, 0 or 1 as `a` sorts before, equal to, or after `b` (PEP 440 order, `Version.compare`; strings are parsed). */
export function compareVersions(a: Version | string, b: Version | string): -1 | 0 | 1 {
  const c = compareParsed(typeof a === 'string' ? Version.parse(a) : a, typeof b === 'string' ? Version.parse(b) : b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** A specifier set (`new SpecifierSet(text)`, as `set`) with `contains(version, { prereleases })`. Throws `INVALID_SPECIFIER`. */
export interface ParsedSpecifierSet {
  readonly set: SpecifierSet;
  /** `prereleases` unset: PEP 440's default (admitted when a clause names one). */
  contains(version: Version | string, options?: { prereleases?: boolean }): boolean;
  toString(): string;
}

export function parseSpecifierSet(text: string): ParsedSpecifierSet {
  const set = new SpecifierSet(text);
  return {
    set,
    contains: (version, options = {}) => set.contains(version, options.prereleases),
    toString: () => set.toString(),
  };
}

/** A PEP 508 requirement (`Requirement.parse`): `{ name, extras, specifier, url, marker }` and the class's helpers. Throws `INVALID_REQUIREMENT`. */
export function parseRequirement(text: string): Requirement {
  return Requirement.parse(text);
}

/**
 * Evaluate a marker (text or parsed) in `environment` (`Marker.evaluate`). With `extras`, true when it
 * holds for any of them (`extra == "..."` markers, as `Requirement.appliesTo`); without, `extra` is "".
 * Throws `INVALID_MARKER` for invalid text and when a variable the marker uses is missing from
 * `environment`.
 */
export function evaluateMarker(
  marker: Marker | string,
  environment: MarkerEnvironment,
  options: { extras?: readonly string[] } = {},
): boolean {
  const m = typeof marker === 'string' ? Marker.parse(marker) : marker;
  const extras = options.extras ?? [];
  if (extras.length === 0) return m.evaluate({ ...environment, extra: '' });
  return extras.some((extra) => m.evaluate({ ...environment, extra }));
}

/** Interpreter facts for `supportedTags` when there is no interpreter to inspect. */
export interface TagTarget {
  /** CPython version, e.g. [3, 11]. */
  version: [number, number];
  /** `sys.abiflags` (`t`, `d`, …); default ''. */
  abiFlags?: string;
  /** `sysconfig.get_platform()` (`linux-x86_64`) or a wheel platform tag (`macosx_11_0_arm64`, `win_amd64`). */
  platform: string;
  is32bit?: boolean;
  glibc?: [number, number];
  musl?: [number, number];
}

/**
 * Compatibility tags, most preferred first (packaging's `sys_tags()` order), for an inspected or
 * foreign target (`TargetInterpreter`), an abbreviated platform (`linux_x86_64-cp-311-cp311`), or
 * interpreter facts (`TagTarget`).
 */
export function supportedTags(target: TargetInterpreter | TagTarget | string): string[] {
  if (typeof target === 'string') return targetFromAbbreviatedPlatform(target).tags;
  if ('tags' in target) return [...target.tags];
  const { version, platform } = target;
  if (!Array.isArray(version) || version.length < 2 || typeof platform !== 'string') {
    throw new ResolverError(
      'INVALID_PLATFORM',
      'supportedTags needs a TargetInterpreter, an abbreviated platform string, or { version: [major, minor], platform }.',
    );
  }
  const mac = /^macosx[-_](\d+)[-_.](\d+)[-_](.+)$/.exec(platform);
  const platforms = mac
    ? macPlatforms([Number(mac[1]), Number(mac[2])], mac[3]!)
    : platformTags({
        platform,
        ...(target.is32bit !== undefined ? { is32bit: target.is32bit } : {}),
        ...(target.glibc ? { glibc: target.glibc } : {}),
        ...(target.musl ? { musl: target.musl } : {}),
      });
  return cpythonTags({ version: [version[0], version[1]], abiFlags: target.abiFlags ?? '', platforms });
}
