/**
 * Platform tags for a Linux interpreter, most preferred first, as packaging's
 * `_linux_platforms`: manylinux (PEP 600, with the PEP 513/571/599 legacy aliases), then
 * musllinux (PEP 656), then the plain `linux_<arch>` tag.
 */
export interface LinuxPlatformInputs {
  /** `sysconfig.get_platform()`, e.g. `linux-x86_64`. */
  platform: string;
  /** True when `sys.maxsize <= 2**32` (a 32-bit interpreter on a 64-bit kernel). */
  is32bit?: boolean;
  /** glibc version from `os.confstr('CS_GNU_LIBC_VERSION')`, e.g. [2, 35]; absent on musl. */
  glibc?: [number, number];
  /** musl version, e.g. [1, 2]; absent on glibc. */
  musl?: [number, number];
}

// PEP 600: legacy manylinux names are aliases for these glibc versions.
const LEGACY_MANYLINUX: Record<string, string> = {
  '2.17': 'manylinux2014',
  '2.12': 'manylinux2010',
  '2.5': 'manylinux1',
};

// packaging's `_LAST_GLIBC_MINOR`: assumed last minor of older glibc majors.
const LAST_GLIBC_MINOR = 50;

/** packaging's `_normalize_string`. */
export function normalizePlatform(platform: string): string {
  return platform.replace(/[-.]/g, '_');
}

export function platformTags(inputs: LinuxPlatformInputs): string[] {
  const linux = normalizePlatform(inputs.platform);
  if (!linux.startsWith('linux_')) return [linux];
  let arch = linux.slice('linux_'.length);
  if (inputs.is32bit) {
    if (arch === 'x86_64') arch = 'i686';
    else if (arch === 'aarch64') arch = 'armv8l';
  }
  const archs = arch === 'armv8l' ? ['armv8l', 'armv7l'] : [arch];
  const out: string[] = [];
  if (inputs.glibc) out.push(...manylinuxPlatforms(archs, inputs.glibc));
  if (inputs.musl) out.push(...musllinuxPlatforms(archs, inputs.musl));
  for (const a of archs) out.push(`linux_${a}`);
  return out;
}

// packaging's `_have_compatible_abi`: manylinux is only defined for these architectures.
const MANYLINUX_ARCHS = new Set([
  'armv7l',
  'i686',
  'x86_64',
  'aarch64',
  'ppc64',
  'ppc64le',
  's390x',
  'loongarch64',
  'riscv64',
]);

function manylinuxPlatforms(archs: string[], glibc: [number, number]): string[] {
  if (!archs.some((a) => MANYLINUX_ARCHS.has(a))) return [];
  // manylinux1 (glibc 2.5) is the oldest tag for x86; other arches start at 2.17.
  const tooOld = archs.some((a) => a === 'x86_64' || a === 'i686') ? [2, 4] : [2, 16];
  const maxima: [number, number][] = [glibc];
  for (let major = glibc[0] - 1; major > 1; major--) maxima.push([major, LAST_GLIBC_MINOR]);
  const out: string[] = [];
  for (const arch of archs) {
    for (const [major, maxMinor] of maxima) {
      const minMinor = major === tooOld[0] ? (tooOld[1] as number) : -1;
      for (let minor = maxMinor; minor > minMinor; minor--) {
        out.push(`manylinux_${major}_${minor}_${arch}`);
        const legacy = LEGACY_MANYLINUX[`${major}.${minor}`];
        if (legacy) out.push(`${legacy}_${arch}`);
      }
    }
  }
  return out;
}

function musllinuxPlatforms(archs: string[], musl: [number, number]): string[] {
  const out: string[] = [];
  for (const arch of archs) {
    for (let minor = musl[1]; minor >= 0; minor--) out.push(`musllinux_${musl[0]}_${minor}_${arch}`);
  }
  return out;
}
