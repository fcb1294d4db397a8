"""A plug-in's kind of run warning called, its faults said as the kind's, not offloadsim's.

A kind's ``detect`` runs on the run's tables as the summary is made.  A plug-in's (an entry point
of ``offloadsim.warning_kinds``, a script's, a test's) that raised, or returned no list of
``(text, WarningFacts)`` of its own kind, surfaced as an internal error (exit 1) naming neither the
kind nor its code; :func:`detected` says it in one line naming the kind, its function, the
exception and the plug-in's line (:class:`WarningKindFailed`, exit 2, ``--debug`` shows the
traceback), as a plug-in metric's fault is said (:mod:`offloadsim.analysis.metric_faults`).  A
shipped kind's is called as it is: its exception is offloadsim's bug.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.errors import RunError
from offloadsim.plugins import dotted_name, said_raised, shipped_module
from offloadsim.shapes import describe
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

__all__ = ["WarningKindFailed", "detected"]


class WarningKindFailed(RunError):
    """A plug-in's warning kind's ``detect`` raised or returned no warnings: its fault (exit 2), named."""

    @property
    def show_cause_with_debug(self) -> bool:
        """Whether there is the plug-in's exception to show with ``--debug`` (not for a value refused)."""
        return self.__cause__ is not None


def detected(kind: WarningKind, inputs: WarningInputs) -> list[Said]:
    """``kind.detect(inputs)``, a plug-in's exception or a result of another shape said as its fault."""
    if shipped_module(str(getattr(kind.detect, "__module__", ""))):
        return kind.detect(inputs)
    words = f"warning kind {quoted(kind.name)} ({dotted_name(kind.detect)})"
    try:
        said = kind.detect(inputs)
    except (Exception, SystemExit) as error:
        raise WarningKindFailed(
            said_raised(words, error, " in detect() while the run was summarised")
        ) from error
    if not isinstance(said, list):
        given = f"{type(said).__name__} {describe(said)}"
    else:
        given = next((_wrong(item, kind.name) for item in said if not _one(item, kind.name)), "")
        if not given:
            return said
    raise WarningKindFailed(
        f"{words} returned {given} from detect(); expected a list of (text, WarningFacts) "
        f"pairs whose facts' kind is {kind.name!r} (an empty list where the run gives no sign)"
    )


def _wrong(item: object, name: str) -> str:
    """What is wrong with ``item``, no warning of kind ``name``: its facts' kind, or what it is.

    A pair whose facts name another kind was "returned a list among its warnings", which said
    neither the kind it named nor that this was what was wrong.
    """
    facts = item[1] if isinstance(item, tuple) and len(item) == 2 else None
    if isinstance(facts, WarningFacts) and facts.kind != name:
        return f"a warning whose facts' kind is {facts.kind!r}, not this kind's name,"
    return f"{describe(item)} among its warnings"


def _one(item: object, name: str) -> bool:
    """Whether ``item`` is one warning of kind ``name``: a non-empty text and its facts."""
    return (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and bool(item[0])
        and isinstance(item[1], WarningFacts)
        and item[1].kind == name
    )
