"""Boot sequence: read PEX-INFO, pick an interpreter, pick and locate the distributions (extracting
them once into PEX_ROOT), isolate sys.path, prepare the environment, then run the entry point.
Keep this path free of heavy imports: everything off the usual path is imported where it is used."""
import os
import sys

from . import distributions, entry_points, extract, isolation, log
from .pex_info import load

# Set while re-executing under another interpreter (interpreter.py), so the new process never loops.
REEXEC_MARKER = "__NX_PEX_REEXEC"
_TRUE = ("1", "true", "yes", "on")


def _pex_env(name):
    value = os.environ.get(name)
    return value if value else None


def _flag(name):
    return (_pex_env(name) or "0").lower() in _TRUE


def _checked(base, info):
    """PEX-INFO names that become paths (distributions, code_hash) must be wheel file names and sha256s."""
    from .names import is_sha256, is_wheel_filename

    found = info.get("distributions") or {}
    for name in found:
        if not is_wheel_filename(name) or not is_sha256(found[name]):
            log.die("the PEX-INFO of %s lists distribution %r: %r; expected a wheel file name (PEP 427) and its sha256. Rebuild the pex" % (base, name, found[name]))
    if not is_sha256(info.get("code_hash")):
        log.die("the PEX-INFO of %s has code_hash %r, not a sha256; rebuild the pex" % (base, info.get("code_hash")))
    return found


def _activate(pexes, ignore_errors, constraints, pex, reexeced):
    """The installed-wheel directories of [(base, PEX-INFO, checked distributions)] that suit this interpreter. When some project
    has no build for it, another interpreter that has one is looked for and re-executed, as pex does."""
    chosen, unsatisfied, wheels = [], [], []
    for base, _info, found in pexes:
        picked, missing = distributions.select(found)
        chosen += [(base, name, sha) for name, sha in picked]
        unsatisfied += missing
        wheels += found
    if not unsatisfied:
        return [extract.installed_wheel(base, name, sha) for base, name, sha in chosen]
    described = "; ".join("%s (builds: %s)" % (project, ", ".join(names)) for project, names in unsatisfied)
    if not ignore_errors:
        from . import interpreter, tags

        tried = interpreter.select_for_distributions(constraints, sorted(set(wheels)), [p for p, _ in unsatisfied], pex, reexeced)
        log.die(
            "%s has no build compatible with %s %s for: %s; tried: %s. Rebuild the pex with a wheel for this platform, "
            "point PEX_PYTHON or PEX_PYTHON_PATH at an interpreter it was built for, or set PEX_IGNORE_ERRORS=1 to run without them"
            % (pex, tags.interpreter_name(), ".".join(map(str, sys.version_info[:3])), described, "; ".join(tried))
        )
    log.warn("no compatible build, continuing without: %s" % described)
    return [extract.installed_wheel(base, name, sha) for base, name, sha in chosen]


def _other_pex(path):
    """PEX-INFO of another pex (pex_path / PEX_PATH): a zip file or a directory."""
    if os.path.isdir(path):
        return load(path, None)
    import zipimport

    return load(path, zipimport.zipimporter(path))


def boot(base, loader, uncached_bootstrap=None):
    info = load(base, loader)
    if uncached_bootstrap:
        extract.bootstrap(base, uncached_bootstrap)
    pex = os.path.abspath(base)
    constraints = info.get("interpreter_constraints") or []
    if _flag("PEX_IGNORE_INTERPRETER_CONSTRAINTS"):
        constraints = []
    reexeced = os.environ.pop(REEXEC_MARKER, None)
    here = os.path.dirname(pex)
    others = [os.path.join(here, entry) for entry in info.get("pex_path") or []]
    others += [os.path.abspath(entry) for entry in (_pex_env("PEX_PATH") or "").split(os.pathsep) if entry]
    for other in others:
        if not os.path.exists(other):
            log.die("pex_path entry %s does not exist" % other)
    pexes = [(base, info, _checked(base, info))]
    for other in others:
        other_info = _other_pex(other)
        pexes.append((other, other_info, _checked(other, other_info)))
    if constraints or _pex_env("PEX_PYTHON"):
        from . import interpreter

        # An interpreter re-executed for the constraints must also have a build of every project.
        interpreter.select(constraints, False, pex, reexeced, sorted({name for _, _, found in pexes for name in found}))

    # Read PEX_* before strip_pex_env removes them (pex semantics: the entry point does not see them).
    interpreter_mode = _flag("PEX_INTERPRETER")
    module_override = _pex_env("PEX_MODULE")
    script_override = _pex_env("PEX_SCRIPT")
    inherit_path = _pex_env("PEX_INHERIT_PATH") or info.get("inherit_path") or "false"
    if inherit_path not in ("false", "prefer", "fallback"):
        log.die("PEX_INHERIT_PATH must be false, prefer or fallback, not %r" % inherit_path)
    extra_sys_path = [entry for entry in (_pex_env("PEX_EXTRA_SYS_PATH") or "").split(os.pathsep) if entry]
    ignore_errors = _flag("PEX_IGNORE_ERRORS")
    tools = _flag("PEX_TOOLS")

    dep_dirs = _activate(pexes, ignore_errors, constraints, pex, reexeced)
    code_dir = extract.user_code(base, info["code_hash"])

    if tools:
        from . import tools as pex_tools

        sys.exit(pex_tools.main(sys.argv[1:], info, pex, code_dir, dep_dirs))

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
    sys.path.extend(extra_sys_path)
    log.verbose("sys.path = %r" % (sys.path,), at=2)

    if info.get("strip_pex_env", True):
        for name in [name for name in os.environ if name.startswith("PEX_")]:
            del os.environ[name]
    for name, value in sorted((info.get("inject_env") or {}).items()):
        os.environ.setdefault(name, value)
    os.environ["PEX"] = pex

    inject_args = list(info.get("inject_args") or [])
    if interpreter_mode:
        entry_points.run_interpreter(sys.argv[1:])
        return
    sys.argv[1:1] = inject_args
    if script_override:
        entry_points.run_script(script_override, [code_dir] + dep_dirs)
    elif module_override:
        entry_points.run_entry_point(module_override, "PEX_MODULE")
    elif info.get("script"):
        entry_points.run_script(info["script"], [code_dir] + dep_dirs)
    elif info.get("entry_point"):
        entry_points.run_entry_point(info["entry_point"])
    else:
        entry_points.run_interpreter(sys.argv[1:])
