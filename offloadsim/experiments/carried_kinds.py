"""The run metrics and warning kinds the user's code registered, handed to the workers that run its jobs.

A worker process starts with offloadsim's own metrics and warning kinds and those its entry points
declare; one a script or notebook registered at run time (``register(...)`` under its
``if __name__ == "__main__":`` guard, or in a cell) was not there, so a comparison's runs in
workers silently lacked its column or warnings, and its results differed by worker count.  They
are pickled here (by name, as a policy is, or by value with cloudpickle for an interactive
session's) and registered again in each worker, in this process's order; one that cannot be
pickled is refused, before any worker starts, in one line naming it.
"""

from __future__ import annotations

import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from offloadsim.analysis import metric_list, metric_registry, warning_list, warning_registry
from offloadsim.experiments.storage import ExperimentError
from offloadsim.plugins import EntryPointGroup

__all__ = ["CarriedKinds", "carried_code", "carried_kinds", "register_carried_kinds"]

#: The functions of a run metric and of a warning kind that a worker calls (what it must find).
_METRIC_CODE = ("compute", "row", "table_row", "refill", "required", "entry_label")
_WARNING_CODE = ("detect", "note", "own_tasks")


@dataclass(frozen=True)
class CarriedKinds:
    """What a worker registers again: each registry's run-time entries, pickled, and this process's order.

    ``metrics`` and ``warnings``: ``(name, pickled)`` of each entry registered at run time;
    ``*_order``: the names of every entry not offloadsim's own, in the order registered here (the
    summary's order of its warnings, the metrics row's of its columns).
    """

    metrics: tuple[tuple[str, bytes], ...] = ()
    metric_order: tuple[str, ...] = ()
    warnings: tuple[tuple[str, bytes], ...] = ()
    warning_order: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.metrics or self.warnings)


def _from_entry_points(group: EntryPointGroup, entry: object) -> bool:
    """Whether an entry point of ``group`` loaded ``entry`` (a worker reads its entry points itself)."""
    return any(entry is loaded for _, loaded in group.provided)


def _session_main() -> bool:
    """Whether ``__main__`` is an interactive session (a notebook, ``python -c``), not importable."""
    import os

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return getattr(main, "__spec__", None) is None and not (isinstance(path, str) and os.path.isfile(path))


def _pickled(what: str, name: str, entry: object, code: str, dumps: Callable[[Any], bytes] | None) -> bytes:
    """``entry`` pickled for a worker: by value where its code is an interactive session's; else refused."""
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
        f"{what} {name!r} (registered in this process, in {code or 'unknown code'}) cannot be handed to the "
        f"worker processes: {why}; define it at the top level of a module, or pass workers=1 to run the "
        "jobs in this process"
    )


def _run_time() -> tuple[list[Any], list[Any]]:
    """The run metrics and warning kinds registered at run time: not shipped, nor an entry point's."""
    shipped = {id(kind) for kind in warning_list.SHIPPED}
    metrics = [
        m
        for m in metric_list.registered_metrics()
        if not metric_registry.is_shipped(m) and not _from_entry_points(metric_list.PLUGINS, m)
    ]
    kinds = [
        k
        for k in warning_list.registered_kinds()
        if id(k) not in shipped and not _from_entry_points(warning_list.PLUGINS, k)
    ]
    return metrics, kinds


def carried_code() -> dict[str, Any]:
    """Each run-time metric's and warning kind's functions, by what a message calls them.

    What :func:`~offloadsim.experiments.carried.check_main_is_guarded` checks a script defines
    above its guard: a worker finds them by name.
    """
    metrics, kinds = _run_time()
    code = {
        f"run metric {m.name!r} ({attribute})": getattr(m, attribute)
        for m in metrics
        for attribute in _METRIC_CODE
        if getattr(m, attribute) is not None
    }
    code.update(
        {
            f"warning kind {k.name!r} ({attribute})": getattr(k, attribute)
            for k in kinds
            for attribute in _WARNING_CODE
            if getattr(k, attribute) is not None
        }
    )
    return code


def carried_kinds(dumps: Callable[[Any], bytes] | None = None) -> CarriedKinds:
    """The run metrics and warning kinds registered at run time here, pickled for the workers.

    ``dumps``: how they travel (the standard pickle to a local pool, by value for an interactive
    session's; cloudpickle to Dask).  Offloadsim's own and the entry points' are not carried: each
    worker has them.  One that cannot be pickled is an :class:`ExperimentError` naming it.
    """
    metrics, kinds = _run_time()
    return CarriedKinds(
        metrics=tuple(
            (m.name, _pickled("run metric", m.name, m, metric_registry.code_module(m), dumps))
            for m in metrics
        ),
        metric_order=tuple(_metrics_here()),
        warnings=tuple(
            (k.name, _pickled("warning kind", k.name, k, str(getattr(k.detect, "__module__", "")), dumps))
            for k in kinds
        ),
        warning_order=tuple(_warnings_here()),
    )


#: The entries jobs brought to this process (a Dask worker outlives a command), by registry and name,
#: and the lock that makes a Dask worker's threads register them one at a time.
_CARRIED: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


def _register_into(
    which: str,
    carried: Sequence[tuple[str, bytes]],
    order: Sequence[str],
    present: Callable[[], dict[str, Any]],
    add: Callable[[Any], None],
    remove: Callable[[str], None],
) -> None:
    """Register ``carried`` where this worker lacks them, then put the run-time ones in ``order``.

    ``present``: name -> entry of the entries not offloadsim's own registered here.  One this worker
    registered of its own (its import of the main script) is kept; one an earlier command brought
    (a Dask worker's) is replaced by this command's.
    """
    for name, pickled in carried:
        own = present().get(name)
        if own is not None and _CARRIED.get((which, name)) is not own:
            continue
        entry = pickle.loads(pickled)  # a by-value (cloudpickle) one too: it names what rebuilds it
        if own is not None:
            remove(name)
        add(entry)
        _CARRIED[(which, name)] = entry
    here = present()
    wanted = [name for name in order if name in here] + [name for name in here if name not in order]
    if list(here) != wanted:  # the summary's order of its warnings, the row's of its columns
        for name in here:
            remove(name)
        for name in wanted:
            add(here[name])


def _metrics_here() -> dict[str, Any]:
    return {m.name: m for m in metric_list.registered_metrics() if not metric_registry.is_shipped(m)}


def _warnings_here() -> dict[str, Any]:
    shipped = {id(kind) for kind in warning_list.SHIPPED}
    return {k.name: k for k in warning_list.registered_kinds() if id(k) not in shipped}


def register_carried_kinds(kinds: CarriedKinds | None) -> None:
    """Register the parent's run-time metrics and warning kinds in this worker, after its entry points'."""
    if not kinds:
        return
    with _LOCK:
        _register_into(
            "metric",
            kinds.metrics,
            kinds.metric_order,
            _metrics_here,
            metric_registry.register,
            metric_registry.unregister,
        )
        _register_into(
            "warning",
            kinds.warnings,
            kinds.warning_order,
            _warnings_here,
            warning_registry.register,
            warning_registry.unregister,
        )
