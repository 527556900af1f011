"""Checks the running interpreter against PEX-INFO interpreter_constraints (pex semantics: each
constraint is a PEP 440 specifier set, optionally prefixed by an implementation such as `CPython`;
the interpreter must satisfy at least one). Only the release numbers are compared, which is exact for
interpreter versions (they carry no epochs or local versions)."""
import sys

_OPERATORS = ("===", "~=", "==", "!=", "<=", ">=", "<", ">")
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy"}


def _release(text):
    numbers = []
    for part in text.split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) != len(part):
            break  # a pre/post/dev suffix ends the release segment
    return tuple(numbers)


def _padded(left, right):
    width = max(len(left), len(right))
    return left + (0,) * (width - len(left)), right + (0,) * (width - len(right))


def _matches(operator, spec, version, version_text):
    if operator == "===":
        return version_text == spec
    if spec.endswith(".*"):  # PEP 440 prefix matching, only for == and !=
        prefix = _release(spec[:-2])
        same = (version + (0,) * len(prefix))[: len(prefix)] == prefix
        return same if operator == "==" else not same
    target = _release(spec)
    if operator == "~=":  # PEP 440: ~=V.N means >=V.N, ==V.*
        return _matches(">=", spec, version, version_text) and _matches("==", ".".join(map(str, target[:-1])) + ".*", version, version_text)
    mine, theirs = _padded(version, target)
    return {
        "==": mine == theirs,
        "!=": mine != theirs,
        "<=": mine <= theirs,
        ">=": mine >= theirs,
        "<": mine < theirs,
        ">": mine > theirs,
    }[operator]


def satisfies(constraint, implementation, version):
    """Whether `implementation` (e.g. 'CPython') at `version` (a tuple) satisfies one constraint string."""
    text = constraint.strip()
    name = ""
    while text and text[0].isalpha():
        name += text[0]
        text = text[1:]
    if name and name.lower() != implementation.lower():
        return False
    version_text = ".".join(map(str, version))
    for clause in filter(None, (part.strip() for part in text.split(","))):
        operator = next((op for op in _OPERATORS if clause.startswith(op)), None)
        if operator is None or not _matches(operator, clause[len(operator):].strip(), version, version_text):
            return False
    return True


def check(constraints):
    """Exit with an explanation when the running interpreter satisfies none of `constraints`."""
    if not constraints:
        return
    implementation = _IMPLEMENTATIONS.get(sys.implementation.name, sys.implementation.name)
    version = tuple(sys.version_info[:3])
    if any(satisfies(constraint, implementation, version) for constraint in constraints):
        return
    from .log import die

    die(
        "this pex needs an interpreter matching %s, but %s %s (%s) is running; run it with a matching "
        "python (e.g. `python3.X app.pex`) or set PEX_IGNORE_INTERPRETER_CONSTRAINTS=1"
        % (" or ".join(repr(c) for c in constraints), implementation, ".".join(map(str, version)), sys.executable)
    )
