"""Isolation from the interpreter's installed packages, as pex does with inherit_path=false:
only the standard library stays on sys.path; site-packages, the user site, .pth additions and
PYTHONPATH entries go, and modules already imported from them are forgotten."""
import os
import sys


def _under(path, roots):
    for root in roots:
        if path == root or path.startswith(root + os.sep):
            return True
    return False


def _is_stdlib(entry, stdlib_roots):
    if not entry or not os.path.isabs(entry):
        return False
    parts = entry.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    return _under(entry, stdlib_roots)


def scrub_sys_path(inherit_path, own_entries):
    """Return the interpreter's non-stdlib sys.path entries after removing them from sys.path.

    `own_entries` (the pex itself, its .bootstrap) are removed too; `inherit_path` is pex's setting:
    "false" drops the others, "prefer" keeps them ahead of the pex's entries, "fallback" behind them.
    """
    stdlib_roots = {os.path.normpath(sys.base_prefix), os.path.normpath(sys.base_exec_prefix)}
    kept, foreign = [], []
    for entry in sys.path:
        if entry in own_entries:
            continue
        (kept if _is_stdlib(os.path.normpath(entry) if entry else entry, stdlib_roots) else foreign).append(entry)
    sys.path[:] = kept
    if inherit_path == "false":
        _forget_modules_from(foreign)
    return foreign


def _forget_modules_from(removed):
    """Drop modules (and import hooks, e.g. setuptools' _distutils_hack) loaded from removed entries."""
    roots = [os.path.normpath(entry) for entry in removed if entry and os.path.isabs(entry)]
    if not roots:
        return
    forgotten = set()
    for name, module in list(sys.modules.items()):
        location = getattr(module, "__file__", None)
        paths = [location] if location else list(getattr(module, "__path__", None) or [])
        if paths and all(isinstance(path, str) and _under(os.path.normpath(path), roots) for path in paths):
            forgotten.add(name)
            del sys.modules[name]
    if forgotten:
        sys.meta_path[:] = [hook for hook in sys.meta_path if type(hook).__module__ not in forgotten]
    for entry in removed:
        sys.path_importer_cache.pop(entry, None)
