"""Diagnostics on stderr, gated by PEX_VERBOSE (the variable pex users know)."""
import os
import sys

_LEVEL = None


def level():
    global _LEVEL
    if _LEVEL is None:
        try:
            _LEVEL = int(os.environ.get("PEX_VERBOSE", "0") or "0")
        except ValueError:
            _LEVEL = 1
    return _LEVEL


def verbose(message, at=1):
    if level() >= at:
        sys.stderr.write("nx-pex: %s\n" % message)


def warn(message):
    sys.stderr.write("nx-pex: warning: %s\n" % message)


def die(message, code=1):
    sys.stderr.write("nx-pex: error: %s\n" % message)
    sys.exit(code)
