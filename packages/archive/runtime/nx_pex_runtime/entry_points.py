"""Runs what the pex is for: its entry point (pex's `module` or `module:function` forms), a
console script of a dependency (PEX_SCRIPT), or the interpreter itself (no entry point)."""
import os
import sys

# Imported now: after isolation, sys.path no longer holds the runtime, so no runtime import may be lazy here.
from . import log
from .names import SCRIPT_GRAMMAR, is_script_name, object_reference

SCRIPT_GROUPS = ("console_scripts", "gui_scripts")


def run_entry_point(entry_point, what="entry point"):
    """`pkg.mod` runs as __main__ (runpy); `pkg.mod:func` exits with func()'s return value, as console scripts do."""
    reference = object_reference(entry_point)
    if reference is None:
        log.die("%s %r is neither 'package.module' nor 'package.module:function'" % (what, entry_point))
    module_name, attributes = reference
    if not attributes:
        import runpy

        runpy.run_module(module_name, run_name="__main__", alter_sys=True)
        return
    import importlib

    target = importlib.import_module(module_name)
    for part in attributes:
        target = getattr(target, part)
    sys.exit(target())


def run_script(name, dirs):
    """PEX_SCRIPT: a console_scripts entry point of a distribution (the project's own first), else a
    script from a wheel's .data/scripts."""
    if not is_script_name(name):
        log.die("script %r is not a script name (%s)" % (name, SCRIPT_GRAMMAR))
    for directory in dirs:
        for script in scripts(directory, ("console_scripts",)):
            if script.name == name:
                sys.argv[0] = name
                run_entry_point(script.value)
                return
    for directory in dirs:
        path = os.path.join(directory, "bin", name)
        if os.path.isfile(path):
            import runpy

            sys.argv[0] = path
            runpy.run_path(path, run_name="__main__")
            return
    log.die("no console script or script named %r in this pex's distributions" % name)


class Script(object):
    """A console/gui script entry point that passed the checks of `names`."""

    __slots__ = ("name", "value", "module", "attributes", "distribution")

    def __init__(self, name, value, module, attributes, distribution):
        self.name, self.value, self.module, self.attributes, self.distribution = name, value, module, attributes, distribution


def scripts(directory, groups=SCRIPT_GROUPS):
    """The valid [Script]s of the `groups` in the entry_points.txt of each dist-info in `directory`.

    Names and values come from a wheel (untrusted): an entry whose name is not one safe path component
    or whose value is not a `module:attr` object reference is skipped with a warning naming it."""
    found = []
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".dist-info"):
            continue
        path = os.path.join(directory, entry, "entry_points.txt")
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
        for group in groups:
            for name, value in _section_items(text, group):
                reference = object_reference(value)
                if not is_script_name(name):
                    _skip(entry, group, name, value, "the name is not one safe file name (%s)" % SCRIPT_GRAMMAR)
                elif reference is None or not reference[1]:
                    _skip(entry, group, name, value, "the value is not a 'module:attribute' object reference")
                else:
                    found.append(Script(name, value, reference[0], reference[1], entry))
    return found


def _skip(dist_info, group, name, value, why):
    log.warn("skipping %s entry %r = %r of %s: %s" % (group, name, value, dist_info[: -len(".dist-info")], why))


def _section_items(text, section):
    # entry_points.txt is INI (PyPA entry points spec): [section] then `name = value`.
    items = []
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
        elif current == section and "=" in line:
            key, _, value = line.partition("=")
            items.append((key.strip(), value.strip()))
    return items


def run_interpreter(argv):
    """Behave like `python` with the pex's distributions importable: -c, -m, a file, '-' or the REPL."""
    import runpy

    if argv and argv[0] == "-c" and len(argv) >= 2:
        sys.argv = ["-c"] + argv[2:]
        _exec_as_main(argv[1], "<string>")
    elif argv and argv[0] == "-m" and len(argv) >= 2:
        sys.argv = [argv[1]] + argv[2:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    elif argv and argv[0] == "-":
        sys.argv = argv
        _exec_as_main(sys.stdin.read(), "<stdin>")
    elif argv and argv[0].startswith("-"):
        log.die("unsupported interpreter option %r (supported: -c, -m, a file, '-')" % argv[0], 2)
    elif argv:
        sys.argv = argv
        runpy.run_path(argv[0], run_name="__main__")
    elif sys.stdin.isatty():
        import code

        sys.argv = [""]
        code.interact(local=_fresh_main().__dict__)
    else:
        sys.argv = [""]
        _exec_as_main(sys.stdin.read(), "<stdin>")


def _fresh_main():
    import types

    module = types.ModuleType("__main__")
    module.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = module
    return module


def _exec_as_main(source, filename):
    exec(compile(source, filename, "exec"), _fresh_main().__dict__)
