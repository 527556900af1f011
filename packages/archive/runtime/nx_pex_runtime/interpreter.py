"""Selects an interpreter for PEX-INFO interpreter_constraints (pex semantics: each
constraint is a PEP 440 specifier set, optionally prefixed by an implementation such as `CPython`;
the interpreter must satisfy at least one). Constraints are evaluated as PEP 440 interval sets
(specifiers.py) with the interpreter's full version (3.13.0rc1 for a release candidate)."""
import os
import sys

from .specifiers import allows_series, contains

_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy"}
# sys.version_info's release level as a PEP 440 pre-release tag (3.13.0rc1).
_LEVELS = {"alpha": "a", "beta": "b", "candidate": "rc"}


def version_text(info):
    """The PEP 440 version of an interpreter from its sys.version_info."""
    return "%d.%d.%d" % tuple(info[:3]) + ("%s%d" % (_LEVELS[info[3]], info[4]) if info[3] in _LEVELS else "")


from .boot import REEXEC_MARKER

# Prints "<implementation> <major.minor.micro.releaselevel.serial>", then, given the runtime's directory
# and wheel file names, the projects with no build for this interpreter (using the runtime's own
# selection, so both agree).
_PROBE = (
    "import sys; impl = getattr(sys, 'implementation', None); "
    "out = '%s %s' % (impl.name if impl else 'cpython', '.'.join(map(str, sys.version_info[:5])))\n"
    "if len(sys.argv) > 1:\n"
    "    sys.path.insert(0, sys.argv[1]); from nx_pex_runtime import distributions\n"
    "    out += ' ' + (','.join(p for p, _ in distributions.select(dict.fromkeys(sys.argv[2:], ''))[1]) or '-')\n"
    "sys.stdout.write(out)"
)


def _running():
    implementation = _IMPLEMENTATIONS.get(sys.implementation.name, sys.implementation.name)
    return implementation, version_text(sys.version_info)


def _describe(identity):
    return "%s %s" % identity


def _fits(constraints, identity):
    return not constraints or any(contains(constraint, identity[0], identity[1]) for constraint in constraints)


def _probe(path, wheels=None):
    """(implementation, version, [projects without a build]) of the interpreter at `path`, or None when it does not run."""
    import subprocess

    argv = [path, "-s", "-E", "-B", "-c", _PROBE]
    if wheels is not None:
        # The directory this runtime was imported from (the pex's .bootstrap or its cached copy).
        argv += [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))] + list(wheels)
    try:
        output = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30).stdout.decode("ascii", "replace")
        fields = output.split()
        major, minor, micro, level, serial = fields[1].split(".")
        name, version = fields[0], version_text((int(major), int(minor), int(micro), level, int(serial)))
        missing = [] if wheels is None or fields[2] == "-" else fields[2].split(",")
        return _IMPLEMENTATIONS.get(name, name), version, missing
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return None


def _is_python_name(name):
    # python, python3, python3.11 (pex looks for the same names)
    if not name.startswith("python"):
        return False
    rest = name[len("python"):]
    return rest == "" or all(part.isdigit() for part in rest.split(".")) and not rest.startswith(".")


def _version_from_name(name):
    """(3, 11) for python3.11: a name that rules the interpreter out spares running it."""
    parts = name[len("python"):].split(".")
    if len(parts) == 2 and all(part.isdigit() for part in parts):
        return int(parts[0]), int(parts[1])
    return None


def _executables(directory):
    try:
        names = sorted(os.listdir(directory), key=lambda name: (len(name), name), reverse=True)
    except OSError:
        return []
    found = []
    for name in names:
        path = os.path.join(directory, name)
        if _is_python_name(name) and os.path.isfile(path) and os.access(path, os.X_OK):
            found.append(path)
    return found


def _search_path(entries):
    candidates = []
    for entry in entries:
        if not entry:
            continue
        if os.path.isfile(entry):
            candidates.append(entry)
        else:
            candidates.extend(_executables(entry))
    return candidates


def _named(name, entries):
    """PEX_PYTHON given as a name (python3.11): the first match on PEX_PYTHON_PATH, then PATH."""
    for entry in entries:
        path = os.path.join(entry, name)
        if entry and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _same_interpreter(path):
    try:
        return os.path.samefile(path, sys.executable)
    except OSError:
        return False


def _pex_python(tried):
    """PEX_PYTHON resolved (a path, or a name on PEX_PYTHON_PATH then PATH), or None; '' when unset."""
    pex_python = os.environ.get("PEX_PYTHON")
    if not pex_python:
        return ""
    path_entries = os.environ.get("PATH", "").split(os.pathsep)
    python_path = [entry for entry in os.environ.get("PEX_PYTHON_PATH", "").split(os.pathsep) if entry]
    chosen = pex_python if os.sep in pex_python else _named(pex_python, python_path + path_entries)
    if not chosen:
        tried.append("%s (PEX_PYTHON: not found on PEX_PYTHON_PATH or PATH)" % pex_python)
    return chosen


def _search_order():
    """pex's order when PEX_PYTHON is not set: PEX_PYTHON_PATH (files or directories), then PATH."""
    python_path = [entry for entry in os.environ.get("PEX_PYTHON_PATH", "").split(os.pathsep) if entry]
    return _search_path(python_path) + _search_path(os.environ.get("PATH", "").split(os.pathsep))


def select(constraints, ignore_constraints, pex, reexeced=None, wheels=None):
    """Make sure a suitable interpreter runs the pex: the running one, or re-exec one that matches.

    pex's order: PEX_PYTHON (a path or a name), else the running interpreter when it matches, else the
    first matching interpreter on PEX_PYTHON_PATH, then on PATH. Returns only when the running one fits.
    Given the pex's `wheels`, a candidate must also have a build of every project.
    """
    if ignore_constraints:
        constraints = []
    running = _running()
    tried = []
    chosen = _pex_python(tried)
    if chosen == "":
        if _fits(constraints, running):
            return
        candidates = _search_order()
    elif chosen and _same_interpreter(chosen):
        if _fits(constraints, running):
            return
        candidates = []
    else:
        candidates = [chosen] if chosen else []
    tried.insert(0, "%s (%s, running)" % (sys.executable, _describe(running)))
    _reexec_first(candidates, tried, constraints, wheels, pex, reexeced)
    from .log import die

    if not constraints:
        die(
            "this pex cannot run under PEX_PYTHON=%s; tried: %s. Unset PEX_PYTHON or point it at an interpreter "
            "the pex was built for" % (os.environ.get("PEX_PYTHON"), "; ".join(tried))
        )
    die(
        "this pex needs an interpreter matching %s; tried: %s. Install a matching Python, point PEX_PYTHON or "
        "PEX_PYTHON_PATH at one, or set PEX_IGNORE_INTERPRETER_CONSTRAINTS=1"
        % (" or ".join(repr(c) for c in constraints), "; ".join(tried))
    )


def select_for_distributions(constraints, wheels, unsatisfied, pex, reexeced=None):
    """The running interpreter has no build of some projects: re-exec the first interpreter (PEX_PYTHON,
    else PEX_PYTHON_PATH, then PATH) that fits the constraints and has a build of every project, as pex
    does; return the list of what was tried when there is none (the caller reports it)."""
    tried = []
    chosen = _pex_python(tried)
    candidates = _search_order() if chosen == "" else [chosen] if chosen and not _same_interpreter(chosen) else []
    tried.insert(0, "%s (%s, running: no build of %s)" % (sys.executable, _describe(_running()), ", ".join(unsatisfied)))
    _reexec_first(candidates, tried, constraints, wheels, pex, reexeced)
    return tried


def _reexec_first(candidates, tried, constraints, wheels, pex, reexeced):
    """Probe `candidates` in order and re-exec the first that fits (and, given `wheels`, has a build of
    each project). Never after a re-exec: a match that did not hold must not loop."""
    if reexeced:
        tried.append("not searching again after re-executing with %s" % reexeced)
        return
    seen = {os.path.realpath(sys.executable)}
    for candidate in candidates:
        real = os.path.realpath(candidate)
        if real in seen:
            continue
        seen.add(real)
        named = _version_from_name(os.path.basename(candidate))
        if named and constraints and not any(allows_series(constraint, "CPython", named[0], named[1]) for constraint in constraints):
            tried.append("%s (named for %s, skipped)" % (candidate, ".".join(map(str, named))))
            continue
        probed = _probe(candidate, wheels)
        if probed is None:
            tried.append("%s (does not run)" % candidate)
            continue
        identity, missing = probed[:2], probed[2]
        if not _fits(constraints, identity):
            tried.append("%s (%s)" % (candidate, _describe(identity)))
        elif missing:
            tried.append("%s (%s: no build of %s)" % (candidate, _describe(identity), ", ".join(missing)))
        else:
            _reexec(candidate, pex)


def _reexec(python, pex):
    from . import log

    log.verbose("re-executing with %s" % python)
    os.environ[REEXEC_MARKER] = python
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(python, [python, pex] + sys.argv[1:])
