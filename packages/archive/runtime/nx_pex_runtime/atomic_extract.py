"""Extracts parts of the pex into PEX_ROOT once, atomically (in the spirit of pex's atomic_directory):
extract into a work dir beside the target, rename it into place; a loser of a race discards its copy."""
import os
import stat

from . import log
from .pex_root import writable_parent

# PEP 427: scripts start with '#!python' (or '#!pythonw'); point them at an interpreter on PATH,
# because one extracted tree is shared by every interpreter that runs the pex.
SCRIPT_SHEBANG = b"#!/usr/bin/env python3"

_zip = None


def _open_zip(base):
    # zipfile is imported only here, on the cold path.
    global _zip
    if _zip is None:
        import zipfile

        _zip = zipfile.ZipFile(base)
    return _zip


def extract_once(base, target, selects, prefix):
    """Extract the members `selects` picks (minus `prefix`) to `target`, unless another process already did."""
    target = writable_parent(target)
    if os.path.isdir(target):
        return target
    import shutil  # cold path only

    work = "%s.%d.%s.work" % (target, os.getpid(), os.urandom(4).hex())
    try:
        _extract(_open_zip(base), selects, prefix, work)
        try:
            os.rename(work, target)
            log.verbose("extracted %s" % target)
        except OSError:
            if not os.path.isdir(target):
                raise
            log.verbose("another process extracted %s first" % target)
    finally:
        if os.path.isdir(work):
            shutil.rmtree(work, ignore_errors=True)
    return target


def _extract(archive, selects, prefix, work):
    import shutil

    os.makedirs(work)
    real_work = os.path.realpath(work)
    for info in archive.infolist():
        name = info.filename
        if name.endswith("/") or not selects(name):
            continue
        relative = name[len(prefix):]
        destination = os.path.realpath(os.path.join(work, relative))
        if not destination.startswith(real_work + os.sep):
            raise RuntimeError("refusing to extract %r outside %s" % (name, work))
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        with archive.open(info) as source, open(destination, "wb") as sink:
            if relative.startswith("bin/"):
                first_line = source.readline()
                sink.write(_rewrite_shebang(first_line))
            shutil.copyfileobj(source, sink, 1 << 20)
        if (info.external_attr >> 16) & 0o111:
            os.chmod(destination, os.stat(destination).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _rewrite_shebang(first_line):
    for placeholder in (b"#!pythonw", b"#!python"):
        if first_line.startswith(placeholder):
            rest = first_line[len(placeholder):]
            if rest[:1] in (b"", b"\n", b"\r", b" ", b"\t"):
                return SCRIPT_SHEBANG + rest
    return first_line
