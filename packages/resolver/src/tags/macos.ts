/**
 * macOS platform tags, most preferred first, as packaging's `mac_platforms(version, arch)`:
 * for macOS 11+ every major down to 11 (`macosx_N_0`), then the 10.x releases whose binaries
 * still run; for 10.x every minor down to 10.0. Each release lists the binary formats that include
 * the architecture (`intel`, `fat64`, `universal2`, …).
 */
export function macPlatforms(version: [number, number], arch: string): string[] {
  const out: string[] = [];
  const push = (major: number, minor: number) => {
    for (const format of macBinaryFormats([major, minor], arch)) out.push(`macosx_${major}_${minor}_${format}`);
  };
  const [major, minor] = version;
  if (major >= 11) {
    for (let m = major; m > 10; m--) push(m, 0);
    // macOS 11+ runs 10.x binaries: x86_64 ones of every format, arm64 ones only as universal2.
    for (let m = 16; m > 3; m--) {
      if (arch === 'x86_64') push(10, m);
      else out.push(`macosx_10_${m}_universal2`);
    }
  } else {
    for (let m = minor; m >= 0; m--) push(10, m);
  }
  return out;
}

/** packaging's `_mac_binary_formats`. */
function macBinaryFormats(version: [number, number], arch: string): string[] {
  const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const formats = [arch];
  if (arch === 'x86_64') {
    if (before(version, [10, 4])) return [];
    formats.push('intel', 'fat64', 'fat32');
  } else if (arch === 'i386') {
    if (before(version, [10, 4])) return [];
    formats.push('intel', 'fat32', 'fat');
  } else if (arch === 'ppc64') {
    if (before([10, 5], version) || before(version, [10, 4])) return [];
    formats.push('fat64');
  } else if (arch === 'ppc') {
    if (before([10, 6], version)) return [];
    formats.push('fat32', 'fat');
  }
  if (arch === 'arm64' || arch === 'x86_64') formats.push('universal2');
  if (['x86_64', 'i386', 'ppc64', 'ppc', 'intel'].includes(arch)) formats.push('universal');
  return formats;
}
