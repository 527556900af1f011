# nx-pex runtime entry point (stdlib only, Python 3.8+).
# Python runs this file when the pex is executed; it only puts the runtime package on sys.path and
# hands over to nx_pex_runtime.boot, so the __main__ namespace stays nearly empty.
import os
import sys

# Filled in at build time: the sha256 of .bootstrap/, naming its byte-compiled copy in PEX_ROOT.
BOOTSTRAP_HASH = None


def __nx_pex_bootstrap():
    loader = globals().get("__loader__")
    # Reuse the zipimporter's own archive path string: zipimport caches the zip directory per
    # path string, so the same string means the central directory is read only once.
    archive = getattr(loader, "archive", None)
    base = archive if archive else os.path.dirname(os.path.abspath(__file__))
    # Warm path: the runtime byte-compiled under PEX_ROOT (code from a zip is compiled on every start).
    # Same PEX_ROOT rule as nx_pex_runtime.pex_root, which cannot be imported before this choice.
    root = os.environ.get("PEX_ROOT")
    if root:
        root = os.path.abspath(os.path.expanduser(root))
    else:
        cache = os.environ.get("NX_PEX_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "nx-pex"
        )
        root = os.path.join(cache, "pex_root")
    cached = os.path.join(root, "bootstraps", BOOTSTRAP_HASH or "none")
    if BOOTSTRAP_HASH and __nx_pex_intact(cached):
        sys.path.insert(0, cached)
    else:
        sys.path.insert(0, os.path.join(base, ".bootstrap"))
        cached = None
    from nx_pex_runtime import boot

    boot.boot(base, loader, BOOTSTRAP_HASH if cached is None else None)


def __nx_pex_intact(directory):
    # The completion-marker check of nx_pex_runtime.extract (`_changed`), inlined because the runtime
    # cannot be imported before this choice: every listed file still has its extracted size and mtime.
    # A damaged copy is not used; boot then rebuilds it from the pex.
    try:
        with open(os.path.join(directory, ".nx-pex-complete")) as handle:
            lines = handle.read().split("\n")
    except OSError:
        return False
    if lines[0] != "nx-pex extraction 1":
        return False
    for line in lines[1:]:
        if line:
            size, mtime, relative = line.split(" ", 2)
            try:
                st = os.stat(os.path.join(directory, relative))
            except OSError:
                return False
            if st.st_size != int(size) or st.st_mtime_ns != int(mtime):
                return False
    return True


__nx_pex_bootstrap()
