"""What the user's code registered at run time, handed to the workers that run its jobs.

A worker process starts with offloadsim's own entries and those its entry points declare; one a
script or notebook registered at run time (``register...(...)`` under its
``if __name__ == "__main__":`` guard, or in a cell) was not there, so a comparison's runs in
workers silently lacked it (a metrics column, a warning, a record column or table) or
failed on it (a policy, link model, processor model, kind of work, arrival process or kind of
dynamics a scenario names), and its results differed by worker count.  Every registry of
:data:`~offloadsim.experiments.carried_registries.CARRIED_REGISTRIES` is handled alike: its
run-time entries are pickled here (by name, or by value with cloudpickle for an interactive
session's) and registered again in each worker, in this process's order; one that cannot be
pickled is refused, before any worker starts, in one line naming it (a policy only where a job
runs it).  A worker that cannot rebuild or register one says so in one line with its first job
(:mod:`offloadsim.experiments.carried_unreadable`), not as a dead worker.
"""

from __future__ import annotations

import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from offloadsim.experiments.carried_registries import CARRIED_REGISTRIES, CarriedRegistry
from offloadsim.experiments.carried_unreadable import CarriedUnreadable, unpickled
from offloadsim.experiments.jobs import Job, JobResult, Runner
from offloadsim.experiments.storage import ExperimentError
from offloadsim.plugins import EntryPointGroup, first_line

__all__ = ["CarriedKinds", "carried_code", "carried_kinds", "register_carried_kinds", "run_carrying"]


@dataclass(frozen=True)
class CarriedKinds:
    """What a worker registers again: per registry, its run-time entries pickled, and this process's order.

    ``registries``: ``(what, entries, order)`` of each registry with entries not offloadsim's own,
    ``what`` naming the registry (``link model``), ``entries`` the ``(name, pickled)`` of each
    registered at run time, ``order`` the names of every entry not offloadsim's own in the order
    registered here (the metrics row's order of its columns, a table's of its record columns).
    """

    registries: tuple[tuple[str, tuple[tuple[str, bytes], ...], tuple[str, ...]], ...] = ()

    def __bool__(self) -> bool:
        return any(entries for _, entries, _ in self.registries)


def _from_entry_points(group: EntryPointGroup, entry: object, code: dict[str, Any]) -> bool:
    """Whether an entry point of ``group`` loaded ``entry`` (a worker reads its entry points itself).

    ``code``: the entry's functions and classes; a registry that keeps ``(name, factory)`` has its
    factory there.
    """
    return any(entry is loaded or loaded in code.values() for _, loaded in group.provided)


def _session_main() -> bool:
    """Whether ``__main__`` is an interactive session (a notebook, ``python -c``), not importable."""
    import os

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return getattr(main, "__spec__", None) is None and not (isinstance(path, str) and os.path.isfile(path))


def _pickled(label: str, entry: object, code: str, dumps: Callable[[Any], bytes] | None) -> bytes:
    """``entry`` pickled for a worker: by value where its code is an interactive session's; else refused.

    ``label``: the entry as a message names it (``policy "far"``); ``code``: its code's module.
    """
    by_value = dumps is None and code == "__main__" and _session_main()
    try:
        if by_value:
            import cloudpickle

            return bytes(cloudpickle.dumps(entry))
        return (dumps or pickle.dumps)(entry)
    except ImportError:
        why = (
            "it is defined in this interactive session, which the worker processes cannot import, and "
            "cloudpickle, which would carry it, is not installed (pip install 'offloadsim[distributed]')"
        )
    except Exception as error:  # any pickling failure: said, with what fixes it
        why = f"it cannot be pickled ({type(error).__name__}: {error})"
    raise ExperimentError(
        f"{label} (registered in this process, in {code or 'unknown code'}) cannot be handed to the "
        f"worker processes: {why}; define it at the top level of a module (above the "
        '`if __name__ == "__main__":` guard), or pass workers=1 to run the jobs in this process'
    )


def _run_time(registry: CarriedRegistry) -> dict[str, Any]:
    """``registry``'s entries registered at run time: not offloadsim's, nor an entry point's."""
    present = registry.present()
    group = registry.group()
    provided = (
        set() if registry.over_plugins else {getattr(entry, "name", None) for entry, _ in group.provided}
    )
    return {
        name: entry
        for name, entry in present.items()
        if name not in provided and not _from_entry_points(group, entry, registry.code(entry))
    }


def _module(registry: CarriedRegistry, entry: Any) -> str:
    """The module of ``entry``'s code (its first function or class), for messages and by-value pickling."""
    code = registry.code(entry)
    return str(getattr(next(iter(code.values()), None), "__module__", "") or "")


def carried_code() -> dict[str, Any]:
    """Each run-time entry's functions and classes, by what a message calls them.

    What :func:`~offloadsim.experiments.carried.check_main_is_guarded` checks a script defines
    above its guard: a worker finds them by name.
    """
    code: dict[str, Any] = {}
    for registry in CARRIED_REGISTRIES:
        for name, entry in _run_time(registry).items():
            for attribute, found in registry.code(entry).items():
                said = f" ({attribute})" if attribute else ""
                code[f"{registry.said(name)}{said}"] = found
    return code


def carried_kinds(dumps: Callable[[Any], bytes] | None = None, jobs: Sequence[Job] = ()) -> CarriedKinds:
    """Every registry's entries registered at run time here, pickled for the workers that run ``jobs``.

    ``dumps``: how they travel (the standard pickle to a local pool, by value for an interactive
    session's; cloudpickle to Dask).  Offloadsim's own and the entry points' are not carried: each
    worker has them.  One that cannot be pickled is an :class:`ExperimentError` naming it, unless its
    registry says which the jobs need (a policy none of ``jobs`` runs stays behind).
    """
    carried = []
    for registry in CARRIED_REGISTRIES:
        needed = None if registry.needed is None else registry.needed(jobs)
        entries = []
        for name, entry in _run_time(registry).items():
            try:
                entries.append((name, _pickled(registry.said(name), entry, _module(registry, entry), dumps)))
            except ExperimentError:
                if needed is None or name in needed:
                    raise
        if entries:
            carried.append((registry.what, tuple(entries), tuple(registry.present())))
    return CarriedKinds(tuple(carried))


#: The code of the entries jobs brought to this process (a Dask worker outlives a command), by registry
#: and name, and the lock that makes a Dask worker's threads register them one at a time.
_CARRIED: dict[tuple[str, str], dict[str, Any]] = {}
_LOCK = threading.Lock()


def _register_into(
    registry: CarriedRegistry, carried: tuple[tuple[str, bytes], ...], order: tuple[str, ...]
) -> None:
    """Register ``carried`` where this worker lacks them, then put the run-time ones in ``order``.

    One this worker registered of its own (its import of the main script, or of a package an
    earlier entry's rebuilding imported) is kept where it is the same code; of other code, it is
    :class:`CarriedUnreadable` naming both: the worker kept the package's kind over the script's
    replacement without a word, so its runs ran other code than the command's.  One an earlier
    command brought (a Dask worker's) is replaced by this command's.
    """
    which = registry.what
    for name, pickled in carried:
        entry = unpickled(registry.said(name), pickled)  # a by-value one too (it names its rebuilder)
        code = registry.code(entry)
        own = registry.present().get(name)
        if own is not None and registry.code(own) == code:  # its module's import registered it, as here
            continue
        if _its_own(registry, name):
            raise CarriedUnreadable(
                f"{registry.said(name)} (registered in this process, {_named(code)}) cannot be registered "
                f"in the worker processes: they have one of their own under that name "
                f"({_named(registry.code(own))}, registered there by an import) and would run it instead",
                about_module=False,
            )
        try:
            if own is not None and _CARRIED.get((which, name)) == registry.code(own):  # an earlier command's
                registry.remove(name)
            registry.add(entry)
        except Exception as error:  # its module's import took the name there: one line, not a dead worker
            raise CarriedUnreadable(
                f"{registry.said(name)} (registered in this process) cannot be registered in the worker "
                f"processes: registering it there raised {_raised(error)}",
                about_module=False,
            ) from None
        _CARRIED[(which, name)] = code
    if not registry.ordered:
        return
    here = registry.present()
    wanted = [name for name in order if name in here] + [name for name in here if name not in order]
    if list(here) != wanted:  # the summary's order of its warnings, the row's of its columns
        for name in here:
            registry.remove(name)
        for name in wanted:
            registry.add(here[name])


def _named(code: dict[str, Any]) -> str:
    """An entry's code as a message names it: ``far_plugins.Far`` (its first function or class)."""
    found = next(iter(code.values()), None)
    module, name = getattr(found, "__module__", None), getattr(found, "__qualname__", None)
    return f"{module}.{name}" if module and name else repr(found)


def _raised(error: Exception) -> str:
    """``TYPE: first line of its message``."""
    text = first_line(error)
    return type(error).__name__ + (f": {text}" if text else "")


def _its_own(registry: CarriedRegistry, name: str) -> bool:
    """Whether this worker has an entry ``name`` of its own (its import of the script), not one a job brought.

    Told by its code: a registry keeping ``(name, factory)`` makes that pair again at each look-up.
    """
    own = registry.present().get(name)
    return own is not None and _CARRIED.get((registry.what, name)) != registry.code(own)


def register_carried_kinds(kinds: CarriedKinds | None) -> None:
    """Register the parent's run-time entries in this worker, after its entry points'."""
    if not kinds:
        return
    by_what = {registry.what: registry for registry in CARRIED_REGISTRIES}
    with _LOCK:
        for what, entries, order in kinds.registries:
            _register_into(by_what[what], entries, order)


def run_carrying(job: Job, runner: Runner, kinds: CarriedKinds | None = None) -> JobResult:
    """A Dask job: register what the submitting script registered (``kinds``) on its worker, then run it.

    A Dask worker never imports the user's script, so a policy or metric it registered would be
    unknown there; each job brings them (:func:`carried_kinds`, by value where they are the script's).
    """
    register_carried_kinds(kinds)
    return runner(job)
