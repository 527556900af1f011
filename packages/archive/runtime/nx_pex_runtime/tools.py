"""PEX_TOOLS=1: `info` prints PEX-INFO; `venv DIR [--scope deps|srcs|all] [--force]` turns the pex into
a virtualenv (the container recipe pex users know: a deps layer, then a sources layer)."""
import os
import sys

USAGE = "usage: PEX_TOOLS=1 %s {info | venv DIR [--scope deps|srcs|all] [--compile] [--force]}"


def main(argv, info, pex, code_dir, dep_dirs):
    if argv[:1] == ["info"] and len(argv) == 1:
        import json

        sys.stdout.write(json.dumps(info, indent=2, sort_keys=True) + "\n")
        return 0
    if argv[:1] == ["venv"]:
        options = _venv_options(argv[1:], pex)
        if options is None:
            return 2
        return _venv(options, info, code_dir, dep_dirs)
    sys.stderr.write(USAGE % pex + "\n")
    return 2


def _venv_options(args, pex):
    directory, scope, force, compile_ = None, "all", False, False
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--scope" and index + 1 < len(args):
            scope = args[index + 1]
            index += 2
            continue
        if arg.startswith("--scope="):
            scope = arg[len("--scope="):]
        elif arg == "--force":
            force = True
        elif arg == "--compile":
            compile_ = True
        elif not arg.startswith("-") and directory is None:
            directory = arg
        else:
            directory = None
            break
        index += 1
    if directory is None or scope not in ("deps", "srcs", "all"):
        sys.stderr.write(USAGE % pex + "\n")
        return None
    return os.path.abspath(directory), scope, force, compile_


def _venv(options, info, code_dir, dep_dirs):
    """Create the venv (or reuse one, so `--scope deps` then `--scope srcs` fill one venv in two layers)."""
    import venv

    directory, scope, force, compile_ = options
    if not os.path.isfile(os.path.join(directory, "pyvenv.cfg")):
        if os.path.exists(directory) and os.listdir(directory) and not force:
            sys.stderr.write("nx-pex: error: %s exists, is not empty and is not a venv; pass --force to use it\n" % directory)
            return 1
        venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(directory)
    target = _Venv(directory)
    if scope in ("deps", "all"):
        for dep in dep_dirs:
            _install_distribution(dep, target)
    if scope in ("srcs", "all"):
        target.copy_tree(code_dir, target.site_packages, "the pex's sources", skip_top=_PEX_ROOT_FILES)
        # The project's own dist-info (first-party projects) brings its console scripts, as pip's install would.
        _write_console_scripts(code_dir, target, "the pex's sources")
        _write_launchers(target, info)
    if compile_:
        import compileall

        compileall.compile_dir(target.site_packages, quiet=2, workers=1)
    sys.stdout.write("%s\n" % directory)
    return 0


_PEX_ROOT_FILES = ("PEX-INFO", "__main__.py", "pex", ".bootstrap", ".deps", ".nx-pex-complete")


class _Venv(object):
    """The venv being filled. Every path written is checked to stay inside it after resolution (a
    symlink such as bin/python, or one planted in a reused venv, is never written through)."""

    def __init__(self, directory):
        self.directory = directory
        self.real = os.path.realpath(directory)
        self.bin_dir = os.path.join(directory, "Scripts" if os.name == "nt" else "bin")
        self.python = os.path.join(self.bin_dir, "python")
        self.site_packages = os.path.join(directory, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
        self.copied = {}

    def outside(self, path):
        """Why `path` may not be written (it resolves outside the venv), or None."""
        real = os.path.realpath(path)
        if real == self.real or real.startswith(self.real + os.sep):
            return None
        return "%s resolves to %s, outside %s" % (os.path.relpath(path, self.directory), real, self.directory)

    def checked(self, path, owner):
        why = self.outside(path)
        if why:
            raise SystemExit("nx-pex: error: refusing to write a file of %s: %s" % (owner, why))
        return path

    def copy_file(self, source, destination, owner):
        import shutil

        previous = self.copied.get(destination)
        if previous is not None and previous != owner:
            with open(source, "rb") as a, open(destination, "rb") as b:
                if a.read() != b.read():
                    raise SystemExit(
                        "nx-pex: error: %s and %s both provide %s with different contents" % (previous, owner, destination)
                    )
            return
        os.makedirs(self.checked(os.path.dirname(destination), owner), exist_ok=True)
        self.checked(destination, owner)
        shutil.copy2(source, destination)
        self.copied[destination] = owner

    def copy_tree(self, source_dir, destination_dir, owner, skip_top=()):
        for root, dirs, files in os.walk(source_dir):
            relative_root = os.path.relpath(root, source_dir)
            if relative_root == ".":
                dirs[:] = [name for name in dirs if name not in skip_top]
                files = [name for name in files if name not in skip_top]
            dirs[:] = [name for name in dirs if name != "__pycache__"]
            for name in files:
                relative = os.path.normpath(os.path.join(relative_root, name))
                self.copy_file(os.path.join(root, name), os.path.join(destination_dir, relative), owner)

    def write_executable(self, name, content, owner):
        """bin/<name>, written to a temp file and renamed (so an existing symlink is replaced, not followed).
        Returns why it was not written, or None."""
        path = os.path.join(self.bin_dir, name)
        why = self.outside(path)
        if why:
            return why
        work = "%s.%d.tmp" % (path, os.getpid())
        with open(work, "wb") as handle:
            handle.write(content)
        os.chmod(work, 0o755)
        os.replace(work, path)
        return None


def _install_distribution(dep, target):
    """PEP 427 install of an installed-wheel tree into the venv: libs to site-packages, scripts to bin,
    `.data/data` to the prefix, `.data/headers` to include/site/pythonX.Y/<dist>, console scripts generated."""
    owner = os.path.basename(dep)
    for entry in sorted(os.listdir(dep)):
        path = os.path.join(dep, entry)
        if entry in ("bin", ".nx-pex-complete"):
            continue
        if entry.endswith(".data") and os.path.isdir(path):
            data = os.path.join(path, "data")
            if os.path.isdir(data):
                target.copy_tree(data, target.directory, owner)
            headers = os.path.join(path, "headers")
            if os.path.isdir(headers):
                distribution = entry[: -len(".data")].split("-")[0]
                include = os.path.join(target.directory, "include", "site", "python%d.%d" % sys.version_info[:2], distribution)
                target.copy_tree(headers, include, owner)
            continue
        if os.path.isdir(path):
            target.copy_tree(path, os.path.join(target.site_packages, entry), owner)
        else:
            target.copy_file(path, os.path.join(target.site_packages, entry), owner)
    scripts = os.path.join(dep, "bin")
    if os.path.isdir(scripts):
        for name in sorted(os.listdir(scripts)):
            with open(os.path.join(scripts, name), "rb") as handle:
                first, rest = handle.readline(), handle.read()
            if first.startswith(b"#!") and b"python" in first:
                first = b"#!" + target.python.encode() + b"\n"
            _write_script(target, name, first + rest, owner)
    _write_console_scripts(dep, target, owner)


def _write_console_scripts(directory, target, owner):
    from .entry_points import scripts

    for script in scripts(directory):
        first, rest = script.attributes[0], script.attributes[1:]
        call = "_entry%s()" % "".join("." + part for part in rest)
        content = (
            "#!%s\n# generated by nx-pex from %s\nimport sys\nfrom %s import %s as _entry\n"
            "if __name__ == '__main__':\n    sys.argv[0] = %r\n    sys.exit(%s)\n"
            % (target.python, script.distribution, script.module, first, script.name, call)
        )
        _write_script(target, script.name, content.encode(), owner)


def _write_script(target, name, content, owner):
    why = target.write_executable(name, content, owner)
    if why:
        from .log import warn

        warn("skipping script %r of %s: %s" % (name, owner, why))


_LAUNCHER = """import os, runpy, sys
# generated by nx-pex: runs what the pex ran (its entry point or script, with its injected args and env)
ENTRY_POINT = %(entry_point)r
SCRIPT = %(script)r
for _name, _value in sorted(%(inject_env)r.items()):
    os.environ.setdefault(_name, _value)
if ENTRY_POINT or SCRIPT:
    sys.argv[1:1] = %(inject_args)r
if SCRIPT:
    _bin = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", SCRIPT)
    sys.argv[0] = _bin
    runpy.run_path(_bin, run_name="__main__")
elif ENTRY_POINT and ":" in ENTRY_POINT:
    import importlib
    _module, _, _attribute = ENTRY_POINT.partition(":")
    _target = importlib.import_module(_module)
    for _part in _attribute.split("."):
        _target = getattr(_target, _part)
    sys.exit(_target())
elif ENTRY_POINT:
    runpy.run_module(ENTRY_POINT, run_name="__main__", alter_sys=True)
else:
    _python = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "python")
    os.execv(_python, [_python] + sys.argv[1:])
"""


def _write_launchers(target, info):
    """`DIR/pex` (executable) and `DIR/__main__.py` run the pex's entry point, as pex's venv tool does."""
    from .names import SCRIPT_GRAMMAR, is_script_name, object_reference

    script, entry_point = info.get("script"), info.get("entry_point")
    if script is not None and not is_script_name(script):
        raise SystemExit("nx-pex: error: PEX-INFO script %r is not a script name (%s)" % (script, SCRIPT_GRAMMAR))
    if entry_point is not None and object_reference(entry_point) is None:
        raise SystemExit("nx-pex: error: PEX-INFO entry_point %r is not an object reference (module or module:attribute)" % (entry_point,))
    body = _LAUNCHER % {
        "entry_point": info.get("entry_point"),
        "script": info.get("script"),
        "inject_env": dict(info.get("inject_env") or {}),
        "inject_args": list(info.get("inject_args") or []),
    }
    main = target.checked(os.path.join(target.directory, "__main__.py"), "the pex")
    with open(main, "w") as handle:
        handle.write(body)
    launcher = target.checked(os.path.join(target.directory, "pex"), "the pex")
    with open(launcher, "w") as handle:
        handle.write("#!%s -sE\n" % target.python + body)
    os.chmod(launcher, 0o755)
