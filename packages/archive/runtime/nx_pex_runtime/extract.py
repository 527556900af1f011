"""Where the pex's distributions and code live on disk. A zipapp's (and a packed pex's) parts are
extracted once into PEX_ROOT; a loose pex's are used in place. The warm path reads each directory's
completion marker, which lists every file with its size and mtime as extracted, and stats them: a
file truncated, rewritten or removed since then makes the directory be extracted again, so a damaged
extraction is never trusted for good. Extraction itself is in atomic_extract (cold path only)."""
import os

from .pex_root import pex_root

DEPS_DIR = ".deps/"
BOOTSTRAP_DIR = ".bootstrap"
RESERVED_FILES = ("__main__.py", "PEX-INFO", "pex", ".bootstrap", ".deps")
# Written last into a fully extracted (and byte-compiled) directory, before it is renamed into place.
MARKER = ".nx-pex-complete"
# First line of the marker; the others are "<size> <mtime_ns> <relative path>" per extracted file.
MANIFEST_HEADER = "nx-pex extraction 1"


def installed_wheel(base, name, sha256):
    """The directory of the installed wheel `name` of the pex at `base` (a zip file or a directory)."""
    if os.path.isdir(base):
        packed = os.path.join(base, ".deps", name)
        if os.path.isdir(packed):  # loose: the tree is already on disk
            return packed
        # packed: .deps/<wheel> is a zip of the installed tree
        return _ensure(packed, os.path.join(pex_root(), "installed_wheels", sha256, name), None, "")
    prefix = DEPS_DIR + name + "/"
    return _ensure(base, os.path.join(pex_root(), "installed_wheels", sha256, name), prefix, prefix)


def bootstrap(base, bootstrap_hash):
    """Byte-compile the runtime into PEX_ROOT/bootstraps/<hash> for the next start (zipapp, packed)."""
    if os.path.isdir(base):
        packed = os.path.join(base, BOOTSTRAP_DIR)
        if os.path.isfile(packed):
            _ensure(packed, os.path.join(pex_root(), "bootstraps", bootstrap_hash), None, "")
        return
    prefix = BOOTSTRAP_DIR + "/"
    _ensure(base, os.path.join(pex_root(), "bootstraps", bootstrap_hash), prefix, prefix)


def user_code(base, code_hash):
    """The directory of the project's own sources (under PEX_ROOT/user_code/<code_hash> for a zipapp)."""
    if os.path.isdir(base):
        return base
    return _ensure(base, os.path.join(pex_root(), "user_code", code_hash), _is_user_code, "")


def _is_user_code(member):
    return not (member.startswith(DEPS_DIR) or member.startswith(BOOTSTRAP_DIR) or member in RESERVED_FILES)


def _ensure(archive, target, selects, prefix):
    state = _state(target)
    if state is None:  # warm path
        return target
    from .atomic_extract import discard_damaged, extract_once
    from .pex_root import writable_parent

    usable = writable_parent(target)
    if usable != target:  # PEX_ROOT is not writable: the same check under the private fallback
        target, state = usable, _state(usable)
        if state is None:
            return target
    if state is not _NO_MARKER:
        discard_damaged(target, state)
    return extract_once(archive, target, selects, prefix, MARKER)


_NO_MARKER = object()


def _state(target):
    """None when `target` is complete and intact; _NO_MARKER when it has no marker; else what changed."""
    try:
        with open(os.path.join(target, MARKER)) as handle:
            manifest = handle.read()
    except OSError:
        return _NO_MARKER
    return _changed(target, manifest)


def _changed(target, manifest):
    """None when every file listed in the marker still has its size and mtime; else what changed."""
    lines = manifest.split("\n")
    if lines[0] != MANIFEST_HEADER:
        return "its completion marker was written by an older nx-pex"
    stat = os.stat
    join = os.path.join
    for line in lines[1:]:
        if not line:
            continue
        size, mtime, relative = line.split(" ", 2)
        try:
            st = stat(join(target, relative))
        except OSError:
            return "%s is missing" % relative
        if st.st_size != int(size) or st.st_mtime_ns != int(mtime):
            return "%s changed after it was extracted" % relative
    return None
