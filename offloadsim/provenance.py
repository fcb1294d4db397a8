"""The code that made a result's numbers, for its manifest: the libraries' versions, offloadsim's commit.

A manifest named offloadsim's version and Python's; the numbers also depend on numpy, SimPy,
networkx, pandas and pyarrow (a percentile's interpolation, a route search's tie, a Parquet
file's types), and a version string says nothing of the edits in a git checkout.
:func:`code_versions` says both, cheaply: a library already imported gives its ``__version__``,
another its installed metadata's (no import: :func:`installed_version`); the commit, and
whether the package's files differ from it, come from one ``git status`` child process, only
where the package lies in a git checkout (an installed package has none), asked once a process.
:func:`code_fingerprint` hashes the package's own files, what a sweep's or comparison's job keys
name the code by (a version string that never moves and a commit that says nothing of edits
would let a resumed sweep reuse another code's results).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "LIBRARIES",
    "code_fingerprint",
    "code_versions",
    "package_fingerprint",
    "plugin_fingerprint",
    "git_state",
    "installed_version",
    "library_versions",
]

#: The libraries whose code computes or stores a result's numbers, by distribution (= module) name.
LIBRARIES = ("numpy", "simpy", "networkx", "pandas", "pyarrow")

_PACKAGE = Path(__file__).resolve().parent
_GIT_TIMEOUT_S = 2.0
#: The package's files made from its others, left out of its fingerprint: byte code, and compiled
#: modules (mypyc's ``.so``), made from the ``.py`` files (an engine build gives the same records as
#: the pure one).  Every other file, its code and the data it ships (built-in profiles), is hashed:
#: a data file of a new kind is not missed by a list of suffixes to include.
_MADE_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd")


#: The one git command asked.  ``--branch`` says the commit; ``--no-ahead-behind`` keeps it from also
#: counting the commits between the branch and its upstream, a walk of every one of them: 56M
#: instructions for a clone 2,000 commits behind its origin, 0.9M with it (cachegrind, git 2.39).
_STATUS = ["git", "status", "--porcelain=v2", "--branch", "--no-ahead-behind", "--untracked-files=normal"]
_STATUS += ["--", "."]


def code_versions() -> dict[str, Any]:
    """A manifest's ``versions`` (library -> version) and, run from a git checkout, its ``git``."""
    found = git_state()
    return {"versions": library_versions(), **({"git": found} if found is not None else {})}


def library_versions() -> dict[str, str]:
    """The version of each of :data:`LIBRARIES` installed (one not installed is left out)."""
    versions = {}
    for name in LIBRARIES:
        version = _version(name)
        if version is not None:
            versions[name] = version
    return versions


def _version(name: str) -> str | None:
    module = sys.modules.get(name)
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    return installed_version(name)


@functools.cache
def installed_version(name: str) -> str | None:
    """The version of the installed distribution ``name``, as ``importlib.metadata.version`` gives it.

    Read from the head of its metadata file: ``version()`` parses the whole file with the
    email parser (pandas' is 17 kB, licences included), about 2 ms of a run's start-up each
    (issue 12 e).  A head it does not read plainly is left to the parser; None: not installed.
    """
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(name)
    except PackageNotFoundError:
        return None
    lines = (dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "").split("\n")
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        line = line.rstrip("\r")
        if not line:  # the end of the head: no Version field
            break
        field, colon, value = line.partition(":")
        if colon and field.lower() == "version":
            if after[:1] in (" ", "\t"):  # folded onto the next line
                break
            return value.lstrip(" \t")
    version: str = dist.version
    return version


@functools.cache
def git_state() -> dict[str, Any] | None:
    """``{"commit": SHA, "dirty": bool}`` of the git checkout offloadsim runs from; None where there is none.

    ``dirty``: a file of the package (``offloadsim/``) differs from the commit (in the work tree
    or staged), or one not committed lies there (ignored ones, caches, left out).  None too where
    git is missing, slow (over 2 s) or refuses (a checkout of another user's): provenance is not
    worth a failed run.
    """
    if not (_PACKAGE.parent / ".git").exists():  # an installed package: no child process at all
        return None
    import subprocess  # here: only a checkout's runs start one

    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # a status only reads: it takes no lock on the index
    try:
        done = subprocess.run(
            _STATUS, cwd=_PACKAGE, env=env, capture_output=True, text=True, timeout=_GIT_TIMEOUT_S
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    lines = done.stdout.splitlines()
    commit = next((line.split()[-1] for line in lines if line.startswith("# branch.oid ")), None)
    if commit is None or commit == "(initial)":
        return None
    return {"commit": commit, "dirty": any(line and not line.startswith("#") for line in lines)}


@functools.cache
def code_fingerprint() -> str:
    """16 hex digits naming offloadsim's code: :func:`package_fingerprint` of the package imported.

    Computed once a process, and only where asked (job keys), so ``run``'s start-up does not pay
    it: about 9 ms of CPU for the package's 345 modules (3.6 MB), 25-90 ms of wall time on a busy
    two-core machine.
    """
    return package_fingerprint(_PACKAGE)


def package_fingerprint(root: Path) -> str:
    """A hash of the files under ``root`` (or of ``root``, a file) that decide numbers, by path and content.

    The same files give the same digits in any process, on any machine and in any folder: paths
    are taken relative to ``root`` with ``/``, Windows line endings as Unix ones; caches and hidden folders
    are passed over.  Any edit of a module or a shipped profile changes it.
    """
    files: list[tuple[str, str]] = []
    if root.is_file():  # a plug-in that is one module, not a package
        files.append((root.name, str(root)))
    else:
        _code_files(str(root), "", files)
    digest = hashlib.sha256()
    for name, path in sorted(files):
        with open(path, "rb") as file:
            content = file.read().replace(b"\r\n", b"\n")
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:16]


@functools.cache
def plugin_fingerprint(module: str) -> str | None:
    """16 hex digits naming a plug-in's code, or None where ``module`` was not loaded from a file.

    :func:`package_fingerprint` of the top-level package (or single module) ``module`` belongs to.

    A plug-in edited in place (an editable install, a script) keeps its distribution's version, so
    the version alone would let a sweep reuse points its old code made.  Taken once a process, on
    first use: the code the process imported.
    """
    top = sys.modules.get(module.partition(".")[0])
    file = getattr(top, "__file__", None)
    if not file:  # a namespace package, a built-in module: the plug-in's own module is its code
        file = getattr(sys.modules.get(module), "__file__", None)
        if not file:
            return None
        return package_fingerprint(Path(file))
    path = Path(file)
    return package_fingerprint(path.parent if path.name == "__init__.py" else path)


def _code_files(folder: str, prefix: str, found: list[tuple[str, str]]) -> None:
    """Add each code or data file under ``folder`` to ``found``: (its path under the root, its path).

    ``os.scandir``, not ``Path.rglob``: the fingerprint takes 9 ms of CPU, not 13.
    """
    for entry in os.scandir(folder):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir(follow_symlinks=False):
            _code_files(entry.path, f"{prefix}{entry.name}/", found)
        elif os.path.splitext(entry.name)[1] not in _MADE_SUFFIXES and entry.is_file():
            found.append((prefix + entry.name, entry.path))
