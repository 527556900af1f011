"""Boot sequence: read PEX-INFO, make the distributions and the code importable (extracting them
once into PEX_ROOT), isolate sys.path, then run the entry point. Keep this path free of heavy imports."""
import os
import sys

from . import entry_points, extract, isolation, log
from .pex_info import load


def _pex_env(name):
    value = os.environ.get(name)
    return value if value else None


def boot(base, loader):
    info = load(base, loader)
    pex = os.path.abspath(base)
    constraints = info.get("interpreter_constraints")
    if constraints and not _pex_env("PEX_IGNORE_INTERPRETER_CONSTRAINTS"):
        from . import interpreter

        interpreter.check(constraints)

    # Read PEX_* before strip_pex_env removes them (pex semantics: the entry point does not see them).
    interpreter_mode = (_pex_env("PEX_INTERPRETER") or "0").lower() in ("1", "true")
    module_override = _pex_env("PEX_MODULE")
    script = _pex_env("PEX_SCRIPT")
    inherit_path = _pex_env("PEX_INHERIT_PATH") or info.get("inherit_path") or "false"

    dep_dirs = [extract.installed_wheel(base, name, sha) for name, sha in sorted(info.get("distributions", {}).items())]
    code_dir = extract.user_code(base, info["code_hash"])

    foreign = isolation.scrub_sys_path(inherit_path, {base, os.path.join(base, ".bootstrap")})
    # Like `python script.py` in a virtualenv: the code first, the stdlib, then the distributions,
    # so no distribution can shadow the standard library.
    stdlib = list(sys.path)
    if inherit_path == "prefer":
        sys.path[:] = [code_dir] + stdlib + foreign + dep_dirs
    elif inherit_path == "fallback":
        sys.path[:] = [code_dir] + stdlib + dep_dirs + foreign
    else:
        sys.path[:] = [code_dir] + stdlib + dep_dirs
    log.verbose("sys.path = %r" % (sys.path,), at=2)

    if info.get("strip_pex_env", True):
        for name in [name for name in os.environ if name.startswith("PEX_")]:
            del os.environ[name]
    os.environ["PEX"] = pex

    if interpreter_mode:
        entry_points.run_interpreter(sys.argv[1:])
    elif script:
        entry_points.run_script(script, dep_dirs)
    elif module_override or info.get("entry_point"):
        entry_points.run_entry_point(module_override or info["entry_point"])
    else:
        entry_points.run_interpreter(sys.argv[1:])
