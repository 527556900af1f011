"""Runs what the pex is for: its entry point (pex's `module` or `module:function` forms), a
console script of a dependency (PEX_SCRIPT), or the interpreter itself (no entry point)."""
import os
import sys


def run_entry_point(entry_point):
    """`pkg.mod` runs as __main__ (runpy); `pkg.mod:func` exits with func()'s return value, as console scripts do."""
    module_name, _, attribute = entry_point.partition(":")
    if not attribute:
        import runpy

        runpy.run_module(module_name, run_name="__main__", alter_sys=True)
        return
    import importlib

    target = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    sys.exit(target())


def run_script(name, dep_dirs):
    """PEX_SCRIPT: a console_scripts entry point of a dependency, else a script from a wheel's .data/scripts."""
    for dep in dep_dirs:
        entry_point = _console_script(dep, name)
        if entry_point:
            sys.argv[0] = name
            run_entry_point(entry_point)
            return
    for dep in dep_dirs:
        path = os.path.join(dep, "bin", name)
        if os.path.isfile(path):
            import runpy

            sys.argv[0] = path
            runpy.run_path(path, run_name="__main__")
            return
    from .log import die

    die("no console script or script named %r in this pex's distributions" % name)


def console_scripts(dep):
    """[(name, "module:attr")] of the console_scripts in a distribution's entry_points.txt."""
    found = []
    for entry in sorted(os.listdir(dep)):
        if not entry.endswith(".dist-info"):
            continue
        path = os.path.join(dep, entry, "entry_points.txt")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                found.extend(_section_items(handle.read(), "console_scripts"))
    return found


def _console_script(dep, name):
    for key, value in console_scripts(dep):
        if key == name:
            return value
    return None


def _section_items(text, section):
    # entry_points.txt is INI (PyPA entry points spec): [section] then `name = module:attr [extras]`.
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
            items.append((key.strip(), value.split("[")[0].strip()))
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
        from .log import die

        die("unsupported interpreter option %r (supported: -c, -m, a file, '-')" % argv[0], 2)
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
