import { ResolverError } from '../errors.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { cpythonTags } from '../tags/cpython.js';
import { macPlatforms } from '../tags/macos.js';
import { platformTags } from '../tags/platforms.js';

/**
 * Targets for interpreters that are not on this machine (cross builds), in pex's two notations:
 * an abbreviated platform `<platform>-<impl>-<version>-<abi>` (e.g. `linux_x86_64-cp-311-cp311`,
 * `macosx_11_0_arm64-cp-312-cp312`) and a complete platform (the JSON `pex3 interpreter inspect
 * --markers --tags` prints: `compatible_tags` and `marker_environment`).
 */

// pex's default for abbreviated Linux platforms: wheels up to manylinux2014 (glibc 2.17).
const DEFAULT_GLIBC: [number, number] = [2, 17];

interface OsFacts {
  sys_platform: string;
  platform_system: string;
  os_name: string;
  platform_machine: string;
}

function osFacts(platform: string): OsFacts {
  // Versioned tags first: `manylinux\d*` alone would take `manylinux_2_17_x86_64` as machine `2_17_x86_64`.
  let m = /^(?:manylinux_\d+_\d+|musllinux_\d+_\d+|linux|manylinux\d*)_(.+)$/.exec(platform);
  if (m) return { sys_platform: 'linux', platform_system: 'Linux', os_name: 'posix', platform_machine: m[1]! };
  m = /^macosx_\d+_\d+_(.+)$/.exec(platform);
  if (m) return { sys_platform: 'darwin', platform_system: 'Darwin', os_name: 'posix', platform_machine: m[1]! };
  if (platform === 'win_amd64')
    return { sys_platform: 'win32', platform_system: 'Windows', os_name: 'nt', platform_machine: 'AMD64' };
  if (platform === 'win_arm64')
    return { sys_platform: 'win32', platform_system: 'Windows', os_name: 'nt', platform_machine: 'ARM64' };
  if (platform === 'win32')
    return { sys_platform: 'win32', platform_system: 'Windows', os_name: 'nt', platform_machine: 'x86' };
  throw new ResolverError(
    'INVALID_PLATFORM',
    `Unknown platform "${platform}": use a wheel platform tag such as linux_x86_64, manylinux_2_28_aarch64, macosx_11_0_arm64 or win_amd64.`,
  );
}

function platformsOf(platform: string): string[] {
  const manylinux = /^manylinux_(\d+)_(\d+)_(.+)$/.exec(platform);
  if (manylinux)
    return platformTags({ platform: `linux_${manylinux[3]}`, glibc: [Number(manylinux[1]), Number(manylinux[2])] });
  const legacy = /^manylinux(2014|2010|1)_(.+)$/.exec(platform);
  if (legacy) {
    const glibc: [number, number] = legacy[1] === '2014' ? [2, 17] : legacy[1] === '2010' ? [2, 12] : [2, 5];
    return platformTags({ platform: `linux_${legacy[2]}`, glibc });
  }
  const musl = /^musllinux_(\d+)_(\d+)_(.+)$/.exec(platform);
  if (musl) return platformTags({ platform: `linux_${musl[3]}`, musl: [Number(musl[1]), Number(musl[2])] });
  const linux = /^linux_(.+)$/.exec(platform);
  if (linux) return platformTags({ platform, glibc: DEFAULT_GLIBC });
  const mac = /^macosx_(\d+)_(\d+)_(.+)$/.exec(platform);
  if (mac) return macPlatforms([Number(mac[1]), Number(mac[2])], mac[3]!);
  return [platform];
}

/**
 * A target from an abbreviated platform. Marker values the notation does not carry are those a
 * release of that minor version would have: `python_full_version` is `X.Y.0` (use a complete
 * platform when markers on the patch release matter).
 */
export function targetFromAbbreviatedPlatform(text: string): TargetInterpreter {
  const m = /^(.+)-(cp)-(\d)(\d+)-(cp\d+[dmut]*|abi3|none)$/.exec(text.trim());
  if (!m) {
    throw new ResolverError(
      'INVALID_PLATFORM',
      `"${text}" is not an abbreviated platform: expected <platform>-cp-<version>-<abi>, e.g. linux_x86_64-cp-311-cp311.`,
    );
  }
  const [, platform, , major, minor, abi] = m as unknown as [string, string, string, string, string, string];
  const version: [number, number] = [Number(major), Number(minor)];
  const abiFlags = abi.startsWith('cp') ? abi.replace(/^cp\d+/, '') : '';
  const os = osFacts(platform);
  const full = `${version[0]}.${version[1]}.0`;
  return {
    implementation: 'cp',
    version: [version[0], version[1], 0],
    tags: cpythonTags({ version, abiFlags, platforms: platformsOf(platform) }),
    markers: {
      ...os,
      platform_python_implementation: 'CPython',
      implementation_name: 'cpython',
      implementation_version: full,
      python_version: `${version[0]}.${version[1]}`,
      python_full_version: full,
      platform_release: '',
      platform_version: '',
    },
  };
}

/** A target from a complete platform (JSON text); `file` names it in errors. */
export function targetFromCompletePlatform(text: string, file: string): TargetInterpreter {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ResolverError(
      'INVALID_PLATFORM',
      `${file}: not JSON (${(e as Error).message}). Produce it with \`pex3 interpreter inspect --markers --tags\` on the target machine.`,
    );
  }
  const obj = doc as { compatible_tags?: unknown; marker_environment?: unknown };
  const tags = obj.compatible_tags;
  const markers = obj.marker_environment;
  if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => typeof t === 'string')) {
    throw new ResolverError(
      'INVALID_PLATFORM',
      `${file}: "compatible_tags" must be a non-empty array of tag strings (most preferred first).`,
    );
  }
  if (
    typeof markers !== 'object' ||
    markers === null ||
    Array.isArray(markers) ||
    !Object.values(markers).every((v) => typeof v === 'string')
  ) {
    throw new ResolverError(
      'INVALID_PLATFORM',
      `${file}: "marker_environment" must be an object of PEP 508 marker values.`,
    );
  }
  const env = markers as Record<string, string>;
  if (env['implementation_name'] !== undefined && env['implementation_name'] !== 'cpython') {
    throw new ResolverError(
      'INVALID_PLATFORM',
      `${file}: the platform is ${env['implementation_name']}; only CPython targets are supported.`,
    );
  }
  const full = /^(\d+)\.(\d+)\.(\d+)/.exec(env['python_full_version'] ?? '');
  if (!full)
    throw new ResolverError(
      'INVALID_PLATFORM',
      `${file}: "marker_environment" needs python_full_version (e.g. "3.11.7").`,
    );
  return {
    implementation: 'cp',
    version: [Number(full[1]), Number(full[2]), Number(full[3])],
    tags: tags as string[],
    markers: env,
  };
}
