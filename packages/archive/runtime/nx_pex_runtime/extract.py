"""Where the pex's distributions and code live on disk: under PEX_ROOT, extracted on first use.
The warm path is one stat per directory; extraction itself is in atomic_extract (cold path only)."""
import os

from .pex_root import pex_root

DEPS_DIR = ".deps/"
BOOTSTRAP_DIR = ".bootstrap/"
RESERVED_FILES = ("__main__.py", "PEX-INFO")


def installed_wheel(base, name, sha256):
    """The directory of the installed wheel `name`, extracted under PEX_ROOT/installed_wheels/<sha256>/<name>."""
    if os.path.isdir(base):  # a directory pex: the tree is already on disk
        return os.path.join(base, ".deps", name)
    prefix = DEPS_DIR + name + "/"
    return _ensure(base, os.path.join(pex_root(), "installed_wheels", sha256, name), lambda member: member.startswith(prefix), prefix)


def user_code(base, code_hash):
    """The directory of the project's own sources, extracted under PEX_ROOT/user_code/<code_hash>."""
    if os.path.isdir(base):
        return base
    return _ensure(base, os.path.join(pex_root(), "user_code", code_hash), _is_user_code, "")


def _is_user_code(member):
    return not (member.startswith(DEPS_DIR) or member.startswith(BOOTSTRAP_DIR) or member in RESERVED_FILES)


def _ensure(base, target, selects, prefix):
    if os.path.isdir(target):  # warm path: one stat
        return target
    from .atomic_extract import extract_once

    return extract_once(base, target, selects, prefix)
