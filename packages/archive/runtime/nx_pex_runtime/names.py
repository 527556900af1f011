"""Checks for names that come from outside (PEX-INFO, a wheel's dist-info) before they become a path
or code. Plain string tests, no `re`: this module is on the warm path.

- A script name (console_scripts/gui_scripts, PEX_SCRIPT, PEX-INFO `script`) becomes a file name in
  bin/: it must be one safe path component, `[A-Za-z0-9_][A-Za-z0-9._+-]*` (so no '/', '\\', NUL,
  whitespace, leading '-' or '.', hence never '.' or '..'), at most 255 characters.
- An entry point value must be an object reference (PyPA entry points spec):
  `module.sub` or `module.sub:attr.attr`, each part a Python identifier, optionally followed by
  `[extra, ...]`; it becomes a Python import in a generated script.
- A PEX-INFO distribution key is a wheel file name (PEP 427, one path component) and its value a
  sha256; code and bootstrap hashes are sha256 hex digests."""

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SCRIPT_FIRST = frozenset(_ALNUM + "_")
_SCRIPT_REST = frozenset(_ALNUM + "_.+-")
_EXTRA = frozenset(_ALNUM + "_.-")
# PEP 427 file name parts use these (versions: '+', '!'; compressed tag sets: '.').
_WHEEL_CHARS = frozenset(_ALNUM + "_.+!")
_HEX = frozenset("0123456789abcdef")
SCRIPT_GRAMMAR = "[A-Za-z0-9_][A-Za-z0-9._+-]*"


def is_script_name(name):
    return (
        isinstance(name, str)
        and 0 < len(name) <= 255
        and name[0] in _SCRIPT_FIRST
        and all(char in _SCRIPT_REST for char in name)
    )


# keyword.kwlist of CPython 3.8-3.13 (soft keywords such as `match` are valid names), inlined so the
# warm path does not import `keyword`.
_KEYWORDS = frozenset(
    "False None True and as assert async await break class continue def del elif else except finally for from "
    "global if import in is lambda nonlocal not or pass raise return try while with yield".split()
)


def _dotted(text):
    return all(part.isidentifier() and part not in _KEYWORDS for part in text.split("."))


def object_reference(value):
    """(module, [attributes]) of an entry point value, or None when it is not an object reference."""
    if not isinstance(value, str) or "\0" in value or "\n" in value or "\r" in value:
        return None
    text = value.strip()
    if text.endswith("]"):
        if "[" not in text:
            return None
        text, _, extras = text[:-1].partition("[")
        for extra in extras.split(","):
            extra = extra.strip()
            if not extra or not all(char in _EXTRA for char in extra):
                return None
        text = text.strip()
    module, colon, attribute = text.partition(":")
    module, attribute = module.strip(), attribute.strip()
    if not _dotted(module) or (colon and not _dotted(attribute)):
        return None
    return module, attribute.split(".") if colon else []


def is_sha256(text):
    return isinstance(text, str) and len(text) == 64 and all(char in _HEX for char in text)


def is_wheel_filename(name):
    if not isinstance(name, str) or not name.endswith(".whl") or len(name) > 255:
        return False
    parts = name[: -len(".whl")].split("-")
    return (
        len(parts) in (5, 6)
        and all(part and part[0] != "." and all(char in _WHEEL_CHARS for char in part) for part in parts)
    )
