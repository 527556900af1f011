/**
 * The one small script `inspectInterpreter` runs in the target Python (3.8+ syntax, stdlib only).
 * It reports raw facts; every tag and marker computation happens in TypeScript.
 */
export const PROBE_SCRIPT = String.raw`
import json, os, platform, sys, sysconfig
def glibc():
    try:
        v = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        return None
    if not v:
        return None
    try:
        _, ver = v.split()
        major, minor = ver.split(".")[:2]
        return [int(major), int(minor)]
    except ValueError:
        return None
def musl():
    # PEP 656: the musl version is printed by its dynamic loader.
    import glob, re, subprocess
    for ld in sorted(glob.glob("/lib/ld-musl-*.so.1")):
        try:
            err = subprocess.run([ld], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL).stderr.decode()
        except OSError:
            continue
        m = re.search(r"Version (\d+)\.(\d+)", err)
        if m:
            return [int(m.group(1)), int(m.group(2))]
    return None
g = glibc() if sys.platform.startswith("linux") else None
impl = sys.implementation
print(json.dumps({
    "executable": sys.executable,
    "implementation": impl.name,
    "version": list(sys.version_info[:3]),
    "releaselevel": sys.version_info.releaselevel,
    "serial": sys.version_info.serial,
    "implementation_version": [impl.version.major, impl.version.minor, impl.version.micro, impl.version.releaselevel, impl.version.serial],
    "abiflags": getattr(sys, "abiflags", ""),
    "soabi": sysconfig.get_config_var("SOABI"),
    "py_debug": bool(sysconfig.get_config_var("Py_DEBUG")),
    "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "platform": sysconfig.get_platform(),
    "is32bit": sys.maxsize <= 2 ** 32,
    "glibc": g,
    "musl": musl() if sys.platform.startswith("linux") and g is None else None,
    "markers": {
        "os_name": os.name,
        "sys_platform": sys.platform,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "python_full_version": platform.python_version(),
        "implementation_name": impl.name,
    },
}))
`;

/** What the probe prints (validated by `parseProbeOutput`). */
export interface ProbeResult {
  executable: string;
  implementation: string;
  version: [number, number, number];
  abiflags: string;
  soabi: string | null;
  py_debug: boolean;
  gil_disabled: boolean;
  platform: string;
  is32bit: boolean;
  glibc: [number, number] | null;
  musl: [number, number] | null;
  implementation_version: [number, number, number, string, number];
  markers: Record<string, string>;
}
