"""PEP 440 versions and specifier sets as interval sets, for interpreter constraints (stdlib only, no
`re`: this runs on the warm path). A version becomes a sort key ordered as packaging's `Version`; each
clause becomes the half-open key intervals [lo, hi) it admits (None: unbounded), so both questions the
runtime asks are exact: "does this interpreter match?" and "can any CPython X.Y.* match?" (a python3.X
found on PATH that cannot is not run). Semantics are packaging 26's, pre-releases admitted (an
interpreter is one version, never a choice among candidates)."""

_PRE = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_PRE_WORDS = tuple(sorted(_PRE, key=len, reverse=True))
_POST = ("post", "rev", "r")
_SEPARATORS = "-_."
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
# Key parts. pre: none-with-dev sorts first, none last; post: none first; dev: none last; local: none
# first, every local label after it, _LOCAL_END after all (the bound of "V and its local versions").
_PRE_DEV_ONLY, _PRE_NONE = (-1,), (3,)
_POST_NONE, _POST_END = (0,), (2,)
_DEV_NONE = (1,)
_LOCAL_NONE, _LOCAL_END = (0,), (2,)


class Version(object):
    __slots__ = ("epoch", "release", "pre", "post", "dev", "local")

    def __init__(self, epoch, release, pre=None, post=None, dev=None, local=None):
        self.epoch, self.release, self.pre, self.post, self.dev, self.local = epoch, release, pre, post, dev, local

    def key(self, local=None):
        release = self.release
        while len(release) > 1 and release[-1] == 0:
            release = release[:-1]  # PEP 440: 1.0 == 1.0.0
        if self.pre is not None:
            pre = self.pre
        else:
            pre = _PRE_DEV_ONLY if self.post is None and self.dev is not None else _PRE_NONE
        post = _POST_NONE if self.post is None else (1, self.post)
        dev = _DEV_NONE if self.dev is None else (0, self.dev)
        if local is None:
            # packaging: numeric local segments sort after alphanumeric ones, then by value.
            local = _LOCAL_NONE if self.local is None else (1, tuple((1, int(p), "") if p.isdigit() else (0, 0, p) for p in self.local))
        return (self.epoch, release, pre, post, dev, local)

    def is_prerelease(self):
        return self.pre is not None or self.dev is not None

    def __str__(self):
        text = ("%d!" % self.epoch if self.epoch else "") + ".".join(map(str, self.release))
        if self.pre is not None:
            text += ("a", "b", "rc")[self.pre[0]] + str(self.pre[1])
        if self.post is not None:
            text += ".post%d" % self.post
        if self.dev is not None:
            text += ".dev%d" % self.dev
        return text + ("+" + ".".join(self.local) if self.local is not None else "")


def _digits(text, at):
    end = at
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return end


def _number(text, at):
    """(value, end) of the digits at `at` (0 and `at` when there are none: PEP 440 implicit numbers)."""
    end = _digits(text, at)
    return (int(text[at:end]) if end > at else 0), end


def _word(text, at, words):
    """(word, end) of the first of `words` (longest first) at `at` (after an optional separator), else (None, at)."""
    start = at + 1 if at < len(text) and text[at] in _SEPARATORS else at
    if start >= len(text) or not text[start].isalpha():
        return None, at
    for word in words:
        if text.startswith(word, start):
            return word, start + len(word)
    return None, at


def _implicit(text, at):
    """A pre/post/dev number: an optional separator and digits (PEP 440: missing means 0; `1.0a.` is 1.0a0)."""
    if at < len(text) and text[at] in _SEPARATORS:
        at += 1
    return _number(text, at)


def parse_version(text, wildcard=False):
    """A PEP 440 version (normalised as packaging does), or None. With `wildcard`, also `V.*` (epoch and release only): (Version, True)."""
    text = text.strip().lower()
    at = 1 if text.startswith("v") else 0
    epoch = 0
    end = _digits(text, at)
    if end > at and end < len(text) and text[end] == "!":
        epoch, at = int(text[at:end]), end + 1
    release = []
    while True:
        end = _digits(text, at)
        if end == at:
            return None
        release.append(int(text[at:end]))
        at = end
        if not (text.startswith(".", at) and _digits(text, at + 1) > at + 1):
            break
        at += 1
    if wildcard:
        return (Version(epoch, tuple(release)), True) if text[at:] == ".*" else None
    pre = post = dev = local = None
    if at == len(text):
        return Version(epoch, tuple(release))  # the usual case: a bare release
    word, end = _word(text, at, _PRE_WORDS)
    if word is not None:
        number, at = _implicit(text, end)
        pre = (_PRE[word], number)
    if text.startswith("-", at) and _digits(text, at + 1) > at + 1:
        post, at = _number(text, at + 1)
    else:
        word, end = _word(text, at, _POST)
        if word is not None:
            post, at = _implicit(text, end)
    word, end = _word(text, at, ("dev",))
    if word is not None:
        dev, at = _implicit(text, end)
    if text.startswith("+", at):
        local = text[at + 1:].replace("-", ".").replace("_", ".").split(".")
        if not all(part and all(char in _ALNUM for char in part) for part in local):
            return None
        local = [str(int(part)) if part.isdigit() else part for part in local]
        at = len(text)
    return Version(epoch, tuple(release), pre, post, dev, local) if at == len(text) else None


def _after(key):
    """The bound just above `key` (a longer tuple sorts after it and before anything greater)."""
    return key + (0,)


def _complement(intervals):
    out, lo = [], None
    for start, end in intervals:
        if start is not None and (lo is None or lo < start):
            out.append((lo, start))
        lo = end
        if lo is None:
            return out
    out.append((lo, None))
    return out


def _intersect(left, right):
    out = []
    for a, b in left:
        for c, d in right:
            lo = a if c is None or (a is not None and a > c) else c
            hi = b if d is None or (b is not None and b < d) else d
            if lo is None or hi is None or lo < hi:
                out.append((lo, hi))
    return out


def _release_bump(version):
    release = version.release[:-1] + (version.release[-1] + 1,)
    return Version(version.epoch, release)


def _first(version):
    """The first version of a release (its .dev0): the bound where the release's versions start."""
    return Version(version.epoch, version.release, dev=0)


_OPERATORS = ("===", "~=", "==", "!=", "<=", ">=", "<", ">")


def clause_intervals(clause):
    """The key intervals one clause admits, or None when it is not a valid PEP 440 specifier (an
    `===` clause gives the text it must equal instead: ('===', text))."""
    clause = clause.strip()
    operator = next((op for op in _OPERATORS if clause.startswith(op)), None)
    if operator is None:
        return None
    text = clause[len(operator):].strip()
    if operator == "===":
        return ("===", text) if text and not any(char.isspace() for char in text) else None
    if operator in ("==", "!=") and text.endswith(".*"):
        parsed = parse_version(text, wildcard=True)
        if parsed is None:
            return None
        # PEP 440 prefix match: the release, zero-padded, starts with the prefix (same epoch).
        prefix = parsed[0]
        equal = [(_first(prefix).key(), _first(_release_bump(prefix)).key())]
        return equal if operator == "==" else _complement(equal)
    version = parse_version(text)
    if version is None or (version.local is not None and operator not in ("==", "!=")):
        return None
    if operator == "~=" and len(version.release) < 2:
        return None
    if operator in ("==", "!="):
        key = version.key()
        # PEP 440: without a local label in the specifier, the candidate's local label is ignored.
        equal = [(key, _after(key))] if version.local is not None else [(key, version.key(_LOCAL_END))]
        return equal if operator == "==" else _complement(equal)
    if operator == ">=":
        return [(version.key(), None)]
    if operator == "<=":
        return [(None, version.key(_LOCAL_END))]
    if operator == "<":
        # PEP 440: <V excludes V's pre-releases unless V is one (packaging 26: < V.dev0, post kept).
        bound = version if version.is_prerelease() else Version(version.epoch, version.release, version.pre, version.post, 0)
        return [(None, bound.key())]
    if operator == ">":
        # PEP 440: >V excludes V's post-releases and local versions unless V is a post-release
        # (packaging 26: >V.devN starts at V.dev(N+1), >V.postN at V.post(N+1).dev0).
        if version.dev is not None:
            return [(Version(version.epoch, version.release, version.pre, version.post, version.dev + 1).key(), None)]
        if version.post is not None:
            return [(Version(version.epoch, version.release, version.pre, version.post + 1, 0).key(), None)]
        return [(version.key()[:3] + (_POST_END,), None)]
    # ~=V.N: >=V.N, ==V.* (up to the next prefix's first dev release).
    return [(version.key(), _first(_release_bump(Version(version.epoch, version.release[:-1]))).key())]


def parse_constraint(constraint):
    """(implementation or '', [clause sets]) of a pex interpreter constraint such as `CPython>=3.8,<4`, or None when invalid."""
    text = constraint.strip()
    name_end = 0
    while name_end < len(text) and text[name_end] in _LETTERS:
        name_end += 1
    name, rest = text[:name_end], text[name_end:]
    clauses = [part.strip() for part in rest.split(",")]
    if not rest.strip() or not all(clauses):
        return None
    sets = [clause_intervals(clause) for clause in clauses]
    return None if any(item is None for item in sets) else (name, sets)


def _in(intervals, key):
    return any((lo is None or lo <= key) and (hi is None or key < hi) for lo, hi in intervals)


def contains(constraint, implementation, version):
    """Whether `implementation` (e.g. 'CPython') at `version` (PEP 440 text) satisfies the constraint; an invalid one matches nothing."""
    parsed, candidate = parse_constraint(constraint), parse_version(version)
    if parsed is None or candidate is None or (parsed[0] and parsed[0].lower() != implementation.lower()):
        return False
    key = candidate.key()
    for clause in parsed[1]:
        if isinstance(clause, tuple):  # === compares the normalised text (packaging: str(version))
            if str(candidate).lower() != clause[1].lower():
                return False
        elif not _in(clause, key):
            return False
    return True


# The rest of a CPython version's key after its pre-release part: no post, dev or local part.
_CPYTHON_REST = (_POST_NONE, _DEV_NONE, _LOCAL_NONE)
_FIRST_PRE = (0, 0)  # a0


def _cpython(major, minor, patch, pre):
    return (0, Version(0, (major, minor, patch)).key()[1], pre) + _CPYTHON_REST


def _cpython_from(lo, major, minor):
    """The key of the first CPython version (X.Y.Z, X.Y.Z{a,b,rc}N) of series major.minor at or after `lo`."""
    release = lo[1] + (0,) * (3 - len(lo[1]))
    patch = release[2]
    if len(release) > 3:  # past every version of X.Y.Z (lo is X.Y.Z.1 or so)
        return _cpython(major, minor, patch + 1, _FIRST_PRE)
    if len(lo) == 2 or lo[2] == _PRE_DEV_ONLY:  # before X.Y.Z's first pre-release
        return _cpython(major, minor, patch, _FIRST_PRE)
    pre = lo[2]
    if lo[3:] <= _CPYTHON_REST:
        return _cpython(major, minor, patch, pre)
    if pre != _PRE_NONE:  # past X.Y.Z{k}N (a post, dev or local version of it): the next serial
        return _cpython(major, minor, patch, (pre[0], pre[1] + 1))
    return _cpython(major, minor, patch + 1, _FIRST_PRE)


def allows_series(constraint, implementation, major, minor):
    """Whether some `implementation` version major.minor.Z, or a pre-release of one (major.minor.Z{a,b,rc}N),
    can satisfy the constraint: the interval set is intersected with the series and each interval's first
    such version looked for."""
    parsed = parse_constraint(constraint)
    if parsed is None or (parsed[0] and parsed[0].lower() != implementation.lower()):
        return False
    intervals = [(_first(Version(0, (major, minor))).key(), _first(Version(0, (major, minor + 1))).key())]
    for clause in parsed[1]:
        if isinstance(clause, tuple):
            # === compares text: only a version written as a CPython one reports itself (3.12.1, 3.13.0rc1).
            point = parse_version(clause[1])
            if point is None or str(point).lower() != clause[1].lower() or len(point.release) != 3 or point.key()[3:] != _CPYTHON_REST:
                return False
            clause = [(point.key(), _after(point.key()))]
        intervals = _intersect(intervals, clause)
    return any(_cpython_from(lo, major, minor) < hi for lo, hi in intervals)
