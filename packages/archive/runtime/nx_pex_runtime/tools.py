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
    bin_dir = os.path.join(directory, "Scripts" if os.name == "nt" else "bin")
    python = os.path.join(bin_dir, "python")
    site_packages = os.path.join(directory, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
    copied = {}
    if scope in ("deps", "all"):
        for dep in dep_dirs:
            _install_distribution(dep, directory, site_packages, bin_dir, python, copied)
    if scope in ("srcs", "all"):
        _copy_tree(code_dir, site_packages, copied, "the pex's sources", skip_top=_PEX_ROOT_FILES)
        _write_launchers(directory, python, info)
    if compile_:
        import compileall

        compileall.compile_dir(site_packages, quiet=2, workers=1)
    sys.stdout.write("%s\n" % directory)
    return 0


_PEX_ROOT_FILES = ("PEX-INFO", "__main__.py", "pex", ".bootstrap", ".deps", ".nx-pex-complete")


def _copy_file(source, destination, copied, owner):
    import shutil

    previous = copied.get(destination)
    if previous is not None and previous != owner:
        with open(source, "rb") as a, open(destination, "rb") as b:
            if a.read() != b.read():
                raise SystemExit(
                    "nx-pex: error: %s and %s both provide %s with different contents" % (previous, owner, destination)
                )
        return
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    shutil.copy2(source, destination)
    copied[destination] = owner


def _copy_tree(source_dir, destination_dir, copied, owner, skip_top=()):
    for root, dirs, files in os.walk(source_dir):
        relative_root = os.path.relpath(root, source_dir)
        if relative_root == ".":
            dirs[:] = [name for name in dirs if name not in skip_top]
            files = [name for name in files if name not in skip_top]
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        for name in files:
            relative = os.path.normpath(os.path.join(relative_root, name))
            _copy_file(os.path.join(root, name), os.path.join(destination_dir, relative), copied, owner)


def _install_distribution(dep, prefix, site_packages, bin_dir, python, copied):
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
                _copy_tree(data, prefix, copied, owner)
            headers = os.path.join(path, "headers")
            if os.path.isdir(headers):
                distribution = entry[: -len(".data")].split("-")[0]
                include = os.path.join(prefix, "include", "site", "python%d.%d" % sys.version_info[:2], distribution)
                _copy_tree(headers, include, copied, owner)
            continue
        if os.path.isdir(path):
            _copy_tree(path, os.path.join(site_packages, entry), copied, owner)
        else:
            _copy_file(path, os.path.join(site_packages, entry), copied, owner)
    scripts = os.path.join(dep, "bin")
    if os.path.isdir(scripts):
        for name in sorted(os.listdir(scripts)):
            with open(os.path.join(scripts, name), "rb") as handle:
                first, rest = handle.readline(), handle.read()
            if first.startswith(b"#!") and b"python" in first:
                first = b"#!" + python.encode() + b"\n"
            _write_executable(os.path.join(bin_dir, name), first + rest)
    from .entry_points import console_scripts

    for name, target in console_scripts(dep):
        module, _, attribute = target.partition(":")
        script = (
            "#!%s\n# generated by nx-pex from %s\nimport sys\nfrom %s import %s as _entry\n"
            "if __name__ == '__main__':\n    sys.argv[0] = %r\n    sys.exit(_entry())\n"
            % (python, owner, module, attribute.split(".")[0], name)
        )
        if "." in attribute:
            script = script.replace("sys.exit(_entry())", "sys.exit(_entry.%s())" % attribute.split(".", 1)[1])
        _write_executable(os.path.join(bin_dir, name), script.encode())


def _write_executable(path, content):
    with open(path, "wb") as handle:
        handle.write(content)
    os.chmod(path, 0o755)


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


def _write_launchers(directory, python, info):
    """`DIR/pex` (executable) and `DIR/__main__.py` run the pex's entry point, as pex's venv tool does."""
    body = _LAUNCHER % {
        "entry_point": info.get("entry_point"),
        "script": info.get("script"),
        "inject_env": dict(info.get("inject_env") or {}),
        "inject_args": list(info.get("inject_args") or []),
    }
    with open(os.path.join(directory, "__main__.py"), "w") as handle:
        handle.write(body)
    _write_executable(os.path.join(directory, "pex"), ("#!%s -sE\n" % python + body).encode())
