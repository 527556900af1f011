"""Where the runtime extracts things: $PEX_ROOT, else the nx-pex user cache (XDG base dirs).

When that root is not writable, a per-user directory under the temp dir is used instead. A
predictable name in a shared directory is only safe when it is private: it is created 0700, and an
existing one is used only when it is a real directory owned by us with no group/other bits (pip
checks its cache's owner the same way; pex avoids the question with a fresh mkdtemp per run). Anything
else is refused: another local user who created it would decide what the pex runs."""
import os
import stat

from . import log

# The fallback root chosen by this process (checked once, warned about once).
_FALLBACK = None


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
    """Create the parent of `path` under PEX_ROOT; when the root is not writable, the same path under the private fallback."""
    global _FALLBACK
    root = pex_root()
    if _FALLBACK is None:
        parent = os.path.dirname(path)
        try:
            os.makedirs(parent, exist_ok=True)
            if os.access(parent, os.W_OK | os.X_OK):
                return path
            reason = "permission denied"
        except OSError as error:
            reason = error.strerror or str(error)
        _FALLBACK = private_fallback(root)
        log.warn("PEX_ROOT %s is not writable (%s); using %s" % (root, reason, _FALLBACK))
    moved = os.path.join(_FALLBACK, os.path.relpath(path, root))
    os.makedirs(os.path.dirname(moved), exist_ok=True)
    return moved


def private_fallback(root):
    """`<temp dir>/nx-pex-<uid>/pex_root`, after checking `<temp dir>/nx-pex-<uid>` is ours and private."""
    import tempfile  # cold path only: tempfile imports random and hashlib

    uid = os.geteuid()
    base = os.path.join(tempfile.gettempdir(), "nx-pex-%d" % uid)
    try:
        os.mkdir(base, 0o700)  # the umask can only remove bits from 0700
    except FileExistsError:
        pass
    except OSError as error:
        log.die("PEX_ROOT %s is not writable and the fallback %s cannot be created (%s); set PEX_ROOT to a writable directory" % (root, base, error.strerror or error))
    problem = _not_private(base, uid)
    if problem:
        log.die(
            "PEX_ROOT %s is not writable and the fallback %s is not private (%s), so another user could choose "
            "what this pex runs; remove it (or make it yours with mode 0700) or set PEX_ROOT to a writable directory" % (root, base, problem)
        )
    return os.path.join(base, "pex_root")


def _not_private(path, uid):
    """Why `path` may not be trusted as a private directory, or None. lstat: a symlink is refused, not followed."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return "it is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a directory"
    if st.st_uid != uid:
        return "owned by uid %d, not %d" % (st.st_uid, uid)
    if st.st_mode & 0o077:
        return "mode %04o, not 0700" % stat.S_IMODE(st.st_mode)
    return None
