"""Where the runtime extracts things: $PEX_ROOT, else the nx-pex user cache (XDG base dirs)."""
import os
import sys

from . import log


def pex_root():
    configured = os.environ.get("PEX_ROOT")
    if configured:
        return os.path.abspath(os.path.expanduser(configured))
    # The nx-pex user cache, as the build side finds it (NX_PEX_CACHE_DIR, else XDG base dirs).
    cache = os.environ.get("NX_PEX_CACHE_DIR")
    if not cache:
        cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "nx-pex")
    return os.path.join(cache, "pex_root")


def writable_parent(path):
    """Create the parent of `path`; when the root is not writable fall back to a per-user temp dir, as pex does."""
    parent = os.path.dirname(path)
    try:
        os.makedirs(parent, exist_ok=True)
        return path
    except OSError as error:
        import tempfile  # cold path only: tempfile imports random and hashlib

        uid = getattr(os, "getuid", lambda: "user")()
        fallback = os.path.join(tempfile.gettempdir(), "nx-pex-%s" % uid, "pex_root")
        log.verbose("cannot write under %s (%s); using %s" % (parent, error, fallback))
        relative = os.path.relpath(path, pex_root())
        moved = os.path.join(fallback, relative)
        os.makedirs(os.path.dirname(moved), exist_ok=True)
        sys.stderr.write("nx-pex: warning: PEX_ROOT %s is not writable, using %s\n" % (pex_root(), fallback))
        return moved
