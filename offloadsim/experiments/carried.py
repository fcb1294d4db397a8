"""A main script whose registrations the worker processes that run its jobs could not find, refused.

A worker of a local pool imports the main script again but runs none of its guarded code. What a
script registered (its policies, metrics, ...) is pickled and registered again in each worker
(:mod:`offloadsim.experiments.carried_kinds`), by name for a script's: a script that would start the
experiment again in every worker, or define such an entry where a worker cannot find it, is refused
before any worker starts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from offloadsim.experiments.storage import ExperimentError

__all__ = ["check_main_is_guarded"]


_MAIN_READ_LIMIT = 4 << 20  # a script larger than this is not read (and not checked)


def check_main_is_guarded(carried: Mapping[str, Any] | None = None) -> None:
    """Refuse, before any worker starts, a main script with no ``if __name__ == "__main__":`` guard.

    Each worker imports the script that started Python again (forkserver and
    spawn do): without the guard it would run the experiment again inside
    every worker, which Python stops with a traceback per worker and the
    pool reports as a dead worker.  A script with no ``__main__`` in it at
    all cannot have the guard.  What is not imported again is not read: a
    package's ``__main__`` run with ``-m``, a notebook, ``python -c``.
    ``carried``: the classes and functions of what it registered that are handed to the workers, by
    what a message calls each (:func:`~offloadsim.experiments.carried_kinds.carried_code`), each of
    which must be defined above the guard.
    """
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None and (name == "__main__" or name.endswith(".__main__")):
        return  # a package's __main__ (`python -m offloadsim`): multiprocessing does not import it again
    path = getattr(main, "__file__", None)
    if not isinstance(path, str) or os.path.splitext(os.path.basename(path))[0] == "ipython":
        return  # no script (a notebook, python -c), or IPython's, which multiprocessing skips too
    found = _where_workers_look(path)
    if not os.path.isfile(found):
        # ``python - < script.py``: each worker ran '<stdin>' as a file, a FileNotFoundError per
        # worker and a BrokenProcessPool, where a script without the guard gets this one line.
        raise ExperimentError(
            f"the main script is {path}, not a file: compare and sweep run their jobs in worker processes, "
            "which import the main script again, and cannot import this one; save it to "
            'a file and run that (with the call under `if __name__ == "__main__":`), or pass '
            "workers=1 to run the jobs in this process"
        )
    if os.path.getsize(found) > _MAIN_READ_LIMIT:
        return
    try:
        source = Path(found).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    if "__main__" not in source:
        raise ExperimentError(
            f"{path}: compare and sweep run their jobs in worker processes, which import this script again, "
            'and it has no `if __name__ == "__main__":` guard, so every worker would start the experiment '
            "again: put the call under that guard, or pass workers=1 to run the jobs in this process"
        )
    _check_code_above_the_guard(path, source, carried or {})


def _where_workers_look(path: str) -> str:
    """The main script's path as multiprocessing's workers look for it: a relative one from the first cwd."""
    from multiprocessing import process

    first = getattr(process, "ORIGINAL_DIR", None)
    return os.path.join(first, path) if first is not None and not os.path.isabs(path) else path


def _check_code_above_the_guard(path: str, source: str, carried: Mapping[str, Any]) -> None:
    """Refuse a policy (or a metric's function, ...) of the main script that a worker would not find.

    A class or function defined under the ``if __name__ == "__main__":`` guard is pickled by name,
    and the worker, importing the script again but running none of the guarded code, has no such
    name: it died unpickling it, and the pool said only that a worker died.  ``carried``: each
    by what a message calls it (``policy "mine"``).
    """
    import ast

    mains = {label: f for label, f in carried.items() if getattr(f, "__module__", None) == "__main__"}
    if not mains:
        return
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return
    defined = _unguarded_names(tree.body)
    for label, factory in mains.items():
        qualname = str(getattr(factory, "__qualname__", ""))
        if qualname and "<" not in qualname and qualname.split(".")[0] not in defined:
            raise ExperimentError(
                f"{path}: {label} (__main__.{qualname}) is defined under the "
                '`if __name__ == "__main__":` guard, so the worker processes, which import this script '
                "again without running the guarded code, cannot find it: define it above the guard, or "
                "pass workers=1 to run the jobs in this process"
            )


def _unguarded_names(body: Sequence[Any]) -> set[str]:
    """The names a module's statements bind outside ``if __name__ == "__main__":`` blocks."""
    import ast

    names: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.If) and "__main__" in ast.unparse(statement.test):
            names |= _unguarded_names(statement.orelse)
            continue
        if isinstance(statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        else:
            names.update(
                node.id
                for node in ast.walk(statement)
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
            )
        for field_name in ("body", "orelse", "finalbody", "handlers"):  # if, try, with, for: their blocks
            inner = getattr(statement, field_name, None)
            if isinstance(inner, list) and not isinstance(statement, ast.ClassDef | ast.FunctionDef):
                names |= _unguarded_names(inner)
    return names
