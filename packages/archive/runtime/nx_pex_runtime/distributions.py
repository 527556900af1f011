"""Which of the pex's distributions to activate. A project with one build is taken as it is (the
build chose it); a project with several builds (e.g. manylinux and macOS wheels of one release) gets
the build whose best tag ranks first in the running interpreter's sys_tags() order."""
import sys


def project(filename):
    """The PEP 503 normalised project name of a wheel file name."""
    name = filename.split("-", 1)[0].lower()
    for separator in ("_", "."):
        name = name.replace(separator, "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name


def _foreign_abi(name):
    """Whether a wheel's ABI tags all name a CPython other than the running one (e.g. cp311 on 3.12):
    a string test, so a single build is checked without computing sys_tags() on the warm path."""
    abis = name[: -len(".whl")].split("-")[-2].split(".")
    if not all(abi.startswith("cp") and abi[2:3].isdigit() for abi in abis):
        return False  # abi3, none, or another implementation's ABI: left to the build's choice
    ours = "cp%d%d" % sys.version_info[:2] if sys.implementation.name == "cpython" else None
    return not any(abi.rstrip("dmu") == ours for abi in abis)


def select(distributions):
    """[(wheel, sha256)] to activate, and [(project, [wheels])] with no build for this interpreter."""
    groups = {}
    for name in sorted(distributions):
        groups.setdefault(project(name), []).append(name)
    if all(len(names) == 1 and not _foreign_abi(names[0]) for names in groups.values()):  # the usual case: no tag computation
        return [(name, distributions[name]) for name in sorted(distributions)], []
    from . import tags

    ranks = {}
    for rank, tag in enumerate(tags.sys_tags()):
        ranks.setdefault(tag, rank)
    chosen, unsatisfied = [], []
    for key in sorted(groups):
        names = groups[key]
        if len(names) == 1 and not _foreign_abi(names[0]):
            chosen.append(names[0])
            continue
        best = None
        for name in names:
            rank = min((ranks[tag] for tag in tags.wheel_tags(name) if tag in ranks), default=None)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, name)
        if best is None:
            unsatisfied.append((key, names))
        else:
            chosen.append(best[1])
    return [(name, distributions[name]) for name in sorted(chosen)], unsatisfied
