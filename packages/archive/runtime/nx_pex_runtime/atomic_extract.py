"""Extracts parts of a pex into PEX_ROOT once, atomically (in the spirit of pex's atomic_directory):
extract and byte-compile into a work dir beside the target, write the completion marker, rename it
into place; a loser of a race discards its copy. A directory without its marker (a crash on a
filesystem without atomic rename, a partial copy, tampering) is moved aside and rebuilt."""
import os
import stat
import sys

from . import log

# PEP 427: scripts start with '#!python' (or '#!pythonw'); point them at an interpreter on PATH,
# because one extracted tree is shared by every interpreter that runs the pex.
SCRIPT_SHEBANG = b"#!/usr/bin/env python3"

_zips = {}


def _open_zip(path):
    # zipfile is imported only here, on the cold path.
    archive = _zips.get(path)
    if archive is None:
        import zipfile

        archive = _zips[path] = zipfile.ZipFile(path)
    return archive


def _selector(selects, prefix):
    if selects is None:
        return lambda name: True
    if callable(selects):
        return selects
    return lambda name: name.startswith(prefix)


def extract_once(archive, target, selects, prefix, marker):
    """Extract the members of zip `archive` that `selects` picks (minus `prefix`) to `target` (whose parent exists), unless done."""
    marker_path = os.path.join(target, marker)
    if os.path.exists(marker_path):
        return target
    import shutil  # cold path only

    if os.path.lexists(target) and not os.path.exists(marker_path):
        _discard_incomplete(target, marker, shutil)
    if os.path.exists(marker_path):
        return target
    work = "%s.%d.%s.work" % (target, os.getpid(), os.urandom(4).hex())
    try:
        _extract(_open_zip(archive), _selector(selects, prefix), prefix, work)
        _byte_compile(work, target)
        manifest = _manifest(work)
        with open(os.path.join(work, marker), "w") as handle:
            handle.write(manifest)
        try:
            os.rename(work, target)
            log.verbose("extracted %s" % target)
        except OSError:
            if not os.path.exists(marker_path):
                raise
            log.verbose("another process extracted %s first" % target)
    finally:
        if os.path.isdir(work):
            shutil.rmtree(work, ignore_errors=True)
    return target


def _manifest(work):
    """The marker's text: every extracted file (bytecode caches aside) with its size and mtime."""
    from .extract import MANIFEST_HEADER

    lines = [MANIFEST_HEADER]
    for directory, subdirs, files in os.walk(work):
        subdirs[:] = [d for d in subdirs if d != "__pycache__"]
        for name in files:
            path = os.path.join(directory, name)
            st = os.lstat(path)
            lines.append("%d %d %s" % (st.st_size, st.st_mtime_ns, os.path.relpath(path, work)))
    return "\n".join(lines) + "\n"


def discard_damaged(target, why):
    """Move a completed but damaged `target` aside (atomic: one racing process wins) and delete it."""
    import shutil

    aside = "%s.%d.%s.damaged" % (target, os.getpid(), os.urandom(4).hex())
    try:
        os.rename(target, aside)
    except OSError:
        return  # another process moved it first
    sys.stderr.write("nx-pex: warning: %s was damaged (%s); extracting it again\n" % (target, why))
    shutil.rmtree(aside, ignore_errors=True)


def _discard_incomplete(target, marker, shutil):
    """Move an incomplete `target` aside (atomic, so racing processes agree) and delete it."""
    aside = "%s.%d.%s.incomplete" % (target, os.getpid(), os.urandom(4).hex())
    try:
        os.rename(target, aside)
    except OSError:
        return  # another process moved it (or finished it) first
    if os.path.exists(os.path.join(aside, marker)):
        # A racing process completed it between our check and the rename: put it back.
        try:
            os.rename(aside, target)
            return
        except OSError:
            shutil.rmtree(aside, ignore_errors=True)
            return
    sys.stderr.write("nx-pex: warning: %s was incomplete (no completion marker); extracting it again\n" % target)
    shutil.rmtree(aside, ignore_errors=True)


def _byte_compile(work, target):
    """Compile the .py files now, so warm starts load bytecode; the code objects name the final paths."""
    import compileall

    compileall.compile_dir(work, maxlevels=100, ddir=target, quiet=2, workers=1)


def _extract(archive, selects, prefix, work):
    import shutil

    os.makedirs(work)
    # `work` is new and only this loop writes into it (directories and regular files, never a
    # symlink), so a lexical check is enough to keep every member inside it; no realpath (one lstat
    # per path component per member) and one makedirs per directory: linear in the member count.
    inside = os.path.normpath(work) + os.sep
    made = set()
    for info in archive.infolist():
        name = info.filename
        if name.endswith("/") or not selects(name):
            continue
        relative = name[len(prefix):]
        destination = os.path.normpath(os.path.join(work, relative))
        if not destination.startswith(inside):
            raise RuntimeError("refusing to extract %r outside %s" % (name, work))
        parent = os.path.dirname(destination)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
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
