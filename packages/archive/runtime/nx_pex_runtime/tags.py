"""The running interpreter's compatibility tags (PEP 425 / platform compatibility tags spec), in the
order of packaging.tags.sys_tags(): most specific first. Stdlib only; computed only when a pex holds
several builds of one project, so its imports (sysconfig, struct) stay off the usual warm path."""
import os
import sys

_SHORT_NAMES = {"python": "py", "cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}
_32_BIT = sys.maxsize <= 2 ** 32
# The legacy manylinux names of the glibc versions they stand for (PEP 600).
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
_LAST_GLIBC_MINOR = {}  # packaging's defaultdict(lambda: 50): glibc 2 has no predecessor major


def _config_var(name):
    import sysconfig

    return sysconfig.get_config_var(name)


def _nodot(version):
    return "".join(map(str, version))


def _normalize(text):
    return text.replace(".", "_").replace("-", "_").replace(" ", "_")


def interpreter_name():
    name = sys.implementation.name
    return _SHORT_NAMES.get(name) or name


def interpreter_version():
    version = _config_var("py_version_nodot")
    return str(version) if version else _nodot(sys.version_info[:2])


def _cpython_abis(version):
    abis = []
    nodot = _nodot(version[:2])
    threading = debug = pymalloc = ""
    with_debug = _config_var("Py_DEBUG")
    has_refcount = hasattr(sys, "gettotalrefcount")
    import importlib.machinery

    has_ext = "_d.pyd" in importlib.machinery.EXTENSION_SUFFIXES
    if with_debug or (with_debug is None and (has_refcount or has_ext)):
        debug = "d"
    if version >= (3, 13) and _config_var("Py_GIL_DISABLED"):
        threading = "t"
    if version < (3, 8):
        with_pymalloc = _config_var("WITH_PYMALLOC")
        if with_pymalloc or with_pymalloc is None:
            pymalloc = "m"
    elif debug:
        abis.append("cp%s%s" % (nodot, threading))  # debug builds also load normal extensions
    abis.insert(0, "cp%s%s%s%s" % (nodot, threading, debug, pymalloc))
    return abis


def _cpython_tags(version, platforms):
    interpreter = "cp" + _nodot(version)
    abis = [abi for abi in _cpython_abis(version) if abi not in ("abi3", "none")]
    for abi in abis:
        for platform in platforms:
            yield interpreter, abi, platform
    threaded = any(abi.endswith("t") for abi in abis if abi.startswith("cp"))
    use_abi3 = version >= (3, 2) and not threaded
    if use_abi3:
        for platform in platforms:
            yield interpreter, "abi3", platform
    for platform in platforms:
        yield interpreter, "none", platform
    if use_abi3:
        for minor in range(version[1] - 1, 1, -1):
            for platform in platforms:
                yield "cp" + _nodot((version[0], minor)), "abi3", platform


def _generic_abis():
    suffix = _config_var("EXT_SUFFIX") or ""
    parts = suffix.split(".")
    if len(parts) < 3:
        return []
    soabi = parts[1]
    if soabi.startswith("cpython"):
        abi = "cp" + soabi.split("-")[1]
    elif soabi.startswith("cp"):
        abi = soabi.split("-")[0]
    elif soabi.startswith("pypy"):
        abi = "-".join(soabi.split("-")[:2])
    elif soabi.startswith("graalpy"):
        abi = "-".join(soabi.split("-")[:3])
    elif soabi:
        abi = soabi
    else:
        return []
    return [_normalize(abi)]


def _generic_tags(platforms):
    interpreter = interpreter_name() + interpreter_version()
    abis = _generic_abis()
    if "none" not in abis:
        abis.append("none")
    for abi in abis:
        for platform in platforms:
            yield interpreter, abi, platform


def _py_range(version):
    yield "py" + _nodot(version[:2])
    yield "py%d" % version[0]
    for minor in range(version[1] - 1, -1, -1):
        yield "py" + _nodot((version[0], minor))


def _compatible_tags(version, interpreter, platforms):
    for python in _py_range(version):
        for platform in platforms:
            yield python, "none", platform
    if interpreter:
        yield interpreter, "none", "any"
    for python in _py_range(version):
        yield python, "none", "any"


# --- platforms ---------------------------------------------------------------------------------


def _elf_header(path):
    """(class, data, machine, flags, interpreter) of an ELF file, or None; what packaging's _elffile reads."""
    import struct

    try:
        with open(path, "rb") as handle:
            ident = handle.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            elf_class, data = ident[4], ident[5]
            if elf_class not in (1, 2) or data not in (1, 2):
                return None
            order = "<" if data == 1 else ">"
            if elf_class == 1:
                layout, size = order + "HHIIIIIHHH", 36
            else:
                layout, size = order + "HHIQQQIHHH", 48
            fields = struct.unpack(layout, handle.read(size))
            machine, phoff, flags, phentsize, phnum = fields[1], fields[4], fields[6], fields[8], fields[9]
            interpreter = None
            entry_layout = order + ("IIIIIIII" if elf_class == 1 else "IIQQQQQQ")
            for index in range(phnum):
                handle.seek(phoff + phentsize * index)
                entry = struct.unpack(entry_layout, handle.read(struct.calcsize(entry_layout)))
                if elf_class == 1:
                    p_type, p_offset, p_filesz = entry[0], entry[1], entry[4]
                else:
                    p_type, p_offset, p_filesz = entry[0], entry[2], entry[5]
                if p_type == 3:  # PT_INTERP
                    handle.seek(p_offset)
                    interpreter = handle.read(p_filesz).rstrip(b"\0").decode("ascii", "replace")
            return elf_class, data, machine, flags, interpreter
    except (OSError, ValueError, struct.error):
        return None


def _have_compatible_abi(archs):
    if "armv7l" in archs:
        header = _elf_header(sys.executable)
        # EM_ARM, EABI version 5, hard float
        return bool(header) and header[:3] == (1, 1, 40) and header[3] & 0xFF000000 == 0x05000000 and header[3] & 0x400 == 0x400
    if "i686" in archs:
        header = _elf_header(sys.executable)
        return bool(header) and header[:3] == (1, 1, 3)  # ELFCLASS32, little endian, EM_386
    allowed = {"x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"}
    return any(arch in allowed for arch in archs)


def _glibc_version():
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")  # e.g. "glibc 2.36"
        _, version = text.split()
    except (AttributeError, OSError, ValueError, TypeError):
        return (-1, -1)
    parts = version.split(".")
    try:
        return int(parts[0]), int("".join(c for c in parts[1] if c.isdigit()) if len(parts) > 1 else "x")
    except ValueError:
        return (-1, -1)


_NO_OVERRIDE = object()
_override = None


def _manylinux_override():
    global _override
    if _override is None:
        try:
            import _manylinux  # a distributor's override (PEP 600); looked up once

            _override = _manylinux
        except ImportError:
            _override = _NO_OVERRIDE
    return _override


def _manylinux_compatible(arch, version, glibc):
    if glibc < version:
        return False
    _manylinux = _manylinux_override()
    if _manylinux is _NO_OVERRIDE:
        return True
    if hasattr(_manylinux, "manylinux_compatible"):
        result = _manylinux.manylinux_compatible(version[0], version[1], arch)
        return True if result is None else bool(result)
    legacy = {(2, 5): "manylinux1_compatible", (2, 12): "manylinux2010_compatible", (2, 17): "manylinux2014_compatible"}
    if version in legacy and hasattr(_manylinux, legacy[version]):
        return bool(getattr(_manylinux, legacy[version]))
    return True


def _manylinux_platforms(archs):
    if not _have_compatible_abi(archs):
        return
    too_old = (2, 4) if set(archs) & {"x86_64", "i686"} else (2, 16)
    glibc = _glibc_version()
    maxima = [glibc] + [(major, _LAST_GLIBC_MINOR.get(major, 50)) for major in range(glibc[0] - 1, 1, -1)]
    for arch in archs:
        for major, top in maxima:
            lowest = too_old[1] if major == too_old[0] else -1
            for minor in range(top, lowest, -1):
                version = (major, minor)
                if _manylinux_compatible(arch, version, glibc):
                    yield "manylinux_%d_%d_%s" % (major, minor, arch)
                if version in _LEGACY_MANYLINUX and _manylinux_compatible(arch, version, glibc):
                    yield "%s_%s" % (_LEGACY_MANYLINUX[version], arch)


def _musl_version():
    header = _elf_header(sys.executable)
    loader = header[4] if header else None
    if not loader or "musl" not in loader:
        return None
    import subprocess

    try:
        output = subprocess.run([loader], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, universal_newlines=True).stderr
    except OSError:
        return None
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("Version "):
            parts = line[len("Version "):].split(".")
            try:
                return int(parts[0]), int(parts[1])
            except (ValueError, IndexError):
                return None
    return None


def _linux_platforms():
    import sysconfig

    linux = _normalize(sysconfig.get_platform())
    if not linux.startswith("linux_"):
        yield linux
        return
    if _32_BIT:
        linux = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(linux, linux)
    arch = linux.split("_", 1)[1]
    archs = ["armv8l", "armv7l"] if arch == "armv8l" else [arch]
    for platform in _manylinux_platforms(archs):
        yield platform
    musl = _musl_version()
    if musl:
        for each in archs:
            for minor in range(musl[1], -1, -1):
                yield "musllinux_%d_%d_%s" % (musl[0], minor, each)
    for each in archs:
        yield "linux_" + each


def _mac_binary_formats(version, arch):
    formats = [arch]
    if arch == "x86_64":
        if version < (10, 4):
            return []
        formats.extend(["intel", "fat64", "fat32"])
    elif arch == "i386":
        if version < (10, 4):
            return []
        formats.extend(["intel", "fat32", "fat"])
    elif arch == "ppc64":
        if version > (10, 5) or version < (10, 4):
            return []
        formats.append("fat64")
    elif arch == "ppc":
        if version > (10, 6):
            return []
        formats.extend(["fat32", "fat"])
    if arch in ("arm64", "x86_64"):
        formats.append("universal2")
    if arch in ("x86_64", "i386", "ppc64", "ppc", "intel"):
        formats.append("universal")
    return formats


def _mac_platforms():
    import platform

    version_text, _, arch = platform.mac_ver()
    version = tuple(map(int, version_text.split(".")[:2]))
    if version == (10, 16):  # built against an old SDK: ask for the real version
        import subprocess

        env = dict(os.environ, SYSTEM_VERSION_COMPAT="0")
        command = [sys.executable, "-sS", "-c", "import platform; print(platform.mac_ver()[0])"]
        version_text = subprocess.run(command, check=True, env=env, stdout=subprocess.PIPE, universal_newlines=True).stdout
        version = tuple(map(int, version_text.split(".")[:2]))
    if _32_BIT:
        arch = "ppc" if arch.startswith("ppc") else "i386"
    if (10, 0) <= version < (11, 0):
        for minor in range(version[1], -1, -1):
            for binary_format in _mac_binary_formats((10, minor), arch):
                yield "macosx_10_%d_%s" % (minor, binary_format)
    if version >= (11, 0):
        for major in range(version[0], 10, -1):
            for binary_format in _mac_binary_formats((major, 0), arch):
                yield "macosx_%d_0_%s" % (major, binary_format)
        for minor in range(16, 3, -1):
            if arch == "x86_64":
                for binary_format in _mac_binary_formats((10, minor), arch):
                    yield "macosx_10_%d_%s" % (minor, binary_format)
            else:
                yield "macosx_10_%d_universal2" % minor


def platform_tags():
    if sys.platform == "darwin":
        return list(_mac_platforms())
    if sys.platform.startswith("linux"):
        return list(_linux_platforms())
    import sysconfig

    return [_normalize(sysconfig.get_platform())]


def sys_tags():
    """(interpreter, abi, platform) triples, best first, as packaging.tags.sys_tags() yields them."""
    version = sys.version_info[:2]
    platforms = platform_tags()
    name = interpreter_name()
    tags = list(_cpython_tags(version, platforms) if name == "cp" else _generic_tags(platforms))
    interpreter = {"pp": "pp3", "cp": "cp" + interpreter_version()}.get(name)
    tags.extend(_compatible_tags(version, interpreter, platforms))
    return tags


def wheel_tags(filename):
    """The tags a wheel file name declares (compressed tag sets expanded, PEP 425)."""
    parts = filename[: -len(".whl")].split("-")
    pythons, abis, platforms = parts[-3], parts[-2], parts[-1]
    return [(p, a, q) for p in pythons.split(".") for a in abis.split(".") for q in platforms.split(".")]
