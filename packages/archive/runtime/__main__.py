# nx-pex runtime entry point (stdlib only, Python 3.8+).
# Python runs this file when the pex is executed; it only puts the runtime package on sys.path and
# hands over to nx_pex_runtime.boot, so the __main__ namespace stays nearly empty.
import os
import sys


def __nx_pex_bootstrap():
    loader = globals().get("__loader__")
    # Reuse the zipimporter's own archive path string: zipimport caches the zip directory per
    # path string, so the same string means the central directory is read only once.
    archive = getattr(loader, "archive", None)
    base = archive if archive else os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(base, ".bootstrap"))
    from nx_pex_runtime import boot

    boot.boot(base, loader)


__nx_pex_bootstrap()
