"""The policies the user's own code registered, handed to the worker processes that run its jobs.

A worker of a local pool imports the main script again but runs none of its guarded code; a
Dask worker never imports it. So the policies a script or notebook registered are pickled and
registered again in each worker (by name for a script's, by value, with cloudpickle, for a
notebook's), and a script that would start the experiment again in every worker, or define a
policy where a worker cannot find it, is refused before any worker starts.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offloadsim.experiments.jobs import Job, JobResult, Runner
from offloadsim.experiments.storage import ExperimentError
from offloadsim.plugins import dotted_name
from offloadsim.suggest import quoted

__all__ = [
    "by_value_from_a_session",
    "carried_policies",
    "check_main_is_guarded",
    "pickled_policies",
    "register_carried",
    "run_carrying",
    "unpickled_policies",
]


_MAIN_READ_LIMIT = 4 << 20  # a script larger than this is not read (and not checked)


def check_main_is_guarded(
    policies: Mapping[str, Any] | None = None, others: Mapping[str, Any] | None = None
) -> None:
    """Refuse, before any worker starts, a main script with no ``if __name__ == "__main__":`` guard.

    Each worker imports the script that started Python again (forkserver and
    spawn do): without the guard it would run the experiment again inside
    every worker, which Python stops with a traceback per worker and the
    pool reports as a dead worker.  A script with no ``__main__`` in it at
    all cannot have the guard.  What is not imported again is not read: a
    package's ``__main__`` run with ``-m``, a notebook, ``python -c``.
    ``policies``: the script's own policies handed to the workers
    (:func:`carried_policies`), each of which must be defined above the guard; ``others``: the
    functions of its run metrics and warning kinds handed to them, by what a message calls each
    (:func:`~offloadsim.experiments.carried_kinds.carried_code`), likewise.
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
    named = {f"policy {quoted(name)}": factory for name, factory in (policies or {}).items()}
    _check_policies_above_the_guard(path, source, {**named, **(others or {})})


def _where_workers_look(path: str) -> str:
    """The main script's path as multiprocessing's workers look for it: a relative one from the first cwd."""
    from multiprocessing import process

    first = getattr(process, "ORIGINAL_DIR", None)
    return os.path.join(first, path) if first is not None and not os.path.isabs(path) else path


@dataclass(frozen=True)
class _ByValue:
    """A policy of an interactive session, pickled by value (cloudpickle), for a worker to rebuild."""

    pickled: bytes


def by_value_from_a_session(carried: dict[str, Any], left: dict[str, str]) -> dict[str, Any]:
    """``carried``, with the policies of a notebook (or ``python -c``, stdin) pickled by value.

    A worker finds a policy of the main script by name, importing the script again; a notebook's
    ``__main__`` has no file to import, so each worker died unpickling the class and the pool said
    only that a worker died. cloudpickle (Dask's) carries the class itself, as it does to Dask's
    workers; without it, such a policy is ``left`` with the reason.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(main, "__spec__", None) is not None or (isinstance(path, str) and os.path.isfile(path)):
        return carried  # a script or a package's __main__: the workers import it again
    session = [
        name for name, factory in carried.items() if getattr(factory, "__module__", None) == "__main__"
    ]
    if not session:
        return carried
    try:
        import cloudpickle
    except ImportError:
        for name in session:
            left[name] = (
                f"{dotted_name(carried.pop(name))} is defined in this interactive session, which the "
                "worker processes cannot import, and cloudpickle, which would carry it, is not installed "
                "(pip install 'offloadsim[distributed]')"
            )
        return carried
    return {
        name: _ByValue(cloudpickle.dumps(factory)) if name in session else factory
        for name, factory in carried.items()
    }


def _check_policies_above_the_guard(path: str, source: str, policies: Mapping[str, Any]) -> None:
    """Refuse a policy (or a metric's function) of the main script that a worker would not find.

    A class or function defined under the ``if __name__ == "__main__":`` guard is pickled by name,
    and the worker, importing the script again but running none of the guarded code, has no such
    name: it died unpickling it, and the pool said only that a worker died.  ``policies``: each
    by what a message calls it (``policy "mine"``).
    """
    import ast

    mains = {label: f for label, f in policies.items() if getattr(f, "__module__", None) == "__main__"}
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


def carried_policies(
    dumps: Callable[[Any], bytes] | None = None, left: dict[str, str] | None = None
) -> dict[str, Any]:
    """The policies registered in this process by the user's code that a worker can be handed (pickled).

    A worker imports the main script again but runs none of its guarded code, so a
    policy registered there would be unknown to it; a Dask worker does not import it at
    all.  ``dumps`` is how they travel: the standard pickle to a local pool (a class of the
    main script by name, found again there), cloudpickle to Dask (a class of the main script
    by value).  A factory that cannot be pickled so (a class defined inside a function, for
    the standard pickle) stays behind; ``left`` is told why, by name.
    """
    import pickle

    from offloadsim.policies.registry import registered_here

    carried = {}
    for name, factory in registered_here().items():
        try:
            (dumps or pickle.dumps)(factory)
        except Exception as error:  # any pickling failure: not carried
            if left is not None:
                left[name] = f"{dotted_name(factory)} cannot be pickled ({type(error).__name__}: {error})"
            continue
        carried[name] = factory
    return carried


#: The policies jobs brought to this process (:func:`register_carried`), by name, and the lock
#: that makes a Dask worker's threads register them one at a time.
_CARRIED: dict[str, Any] = {}
_CARRIED_LOCK = threading.Lock()


def register_carried(policies: Mapping[str, Any]) -> None:
    """Register the parent's own policies in this worker: those it lacks, or brought by an earlier job.

    A Dask worker outlives the command: a policy an earlier command brought under the
    same name (the script since edited) is replaced, never run stale; one the worker
    registered of its own (its import of the script) is kept, as in a local pool.  A plug-in
    of the same name yields, as it does in the parent, where the registration took the name
    from it: the workers run what the command runs.
    """
    if not policies:
        return
    from offloadsim.policies.registry import (
        find_policy,
        register_policy,
        registered_here,
        unregister_policy,
    )

    with _CARRIED_LOCK:
        for name, factory in policies.items():
            if isinstance(factory, _ByValue):  # a notebook's: rebuilt from its pickled class
                import cloudpickle

                factory = cloudpickle.loads(factory.pickled)
            find_policy(name)  # the plug-ins read first: a registration below takes a name from one
            own = registered_here().get(name)
            if own is not None and (own is factory or _CARRIED.get(name) is not own):
                continue
            if own is not None:
                unregister_policy(name)
            register_policy(name)(factory)
            _CARRIED[name] = factory


def pickled_policies(
    policies: Mapping[str, Any], dumps: Callable[[Any], bytes] | None = None
) -> tuple[tuple[str, bytes], ...]:
    """``(name, pickled)`` of each policy, pickled alone, so a worker that cannot rebuild one names it.

    ``dumps``: as for :func:`carried_policies` (the standard pickle by default).
    """
    import pickle

    return tuple((name, (dumps or pickle.dumps)(factory)) for name, factory in policies.items())


def unpickled_policies(pickled: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """The policies :func:`pickled_policies` made, rebuilt in a worker.

    One whose module the worker cannot import is a
    :class:`~offloadsim.experiments.carried_unreadable.CarriedUnreadable` naming it and its module:
    unpickled with the rest, it killed the worker at start and the pool said only that one died.
    """
    from offloadsim.experiments.carried_unreadable import unpickled

    return {name: unpickled(f"policy {quoted(name)}", data) for name, data in pickled}


def run_carrying(
    job: Job, runner: Runner, policies: Sequence[tuple[str, bytes]] = (), kinds: Any = None
) -> JobResult:
    """A Dask job: register the submitting script's own ``policies`` on its worker, then run it.

    A Dask worker never imports the user's script, so a policy it registered would be
    unknown there; each job brings them (:func:`pickled_policies`, by value where they are the
    script's), and the run metrics and warning kinds it registered (``kinds``,
    :func:`~offloadsim.experiments.carried_kinds.carried_kinds`).
    """
    from offloadsim.experiments.carried_kinds import register_carried_kinds

    register_carried(unpickled_policies(policies))
    register_carried_kinds(kinds)
    return runner(job)
