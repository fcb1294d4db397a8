"""End a run whose plug-in (a processor model, link model, arrival process, kind of work) raised.

An exception raised in a plug-in's code mid-run would otherwise surface as the engine's: an
"internal error" (exit 1, "a bug") with a traceback through the kernel, naming neither the
plug-in nor where it ran.  :func:`blame_plugin` reads the traceback once the run has stopped
(nothing is added to the hot path), as ``policy_faults`` does for a policy; the plug-in's
exception becomes :class:`PluginFailed`, one line naming it, the method offloadsim called, the
simulated time, the exception and the plug-in's line.

What a plug-in hands the engine (a processor's counters, a link model's rates, an arrival
process's gaps, a kind of work's requests and prices) is checked by the adapter it is wrapped in
where it is built or looked up (:mod:`offloadsim.engine.plugin_adapters`), with these errors and
words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from offloadsim.engine.errors import EngineError, has_own_cause
from offloadsim.plugins import blame, dotted_name, method_codes, said_raised, shipped_module
from offloadsim.policies.deciders import deciding
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.world import WorldError

__all__ = [
    "PluginFailed",
    "ReadUnknownColumn",
    "UnknownColumn",
    "blame_plugin",
    "kind_words",
    "link_model_words",
    "plugin_call",
    "refuse_lacking",
    "unbuilt_at",
]


class PluginFailed(EngineError):
    """A plug-in raised, while built or mid-run: the plug-in's bug, not offloadsim's.

    The command line shows its one line (exit 2) and, with ``--debug``, the traceback of the
    plug-in's exception (chained as its ``__cause__``).
    """

    @property
    def show_cause_with_debug(self) -> bool:
        """Whether there is the plug-in's exception to show (not for a value refused here)."""
        return has_own_cause(self)


def blame_plugin(
    error: BaseException, plugins: Sequence[tuple[object, str]], now_s: float, policy: object = None
) -> PluginFailed | None:
    """The error to raise instead of ``error`` if one of ``plugins``' code raised it, else None.

    ``plugins``: each plug-in object of the run with the words naming it, as
    :func:`offloadsim.plugins.blame` reads them; the line says the simulated time.  None too when
    the code of a plug-in policy ran deeper: ``policy``'s, or one of its inner policies' at any
    depth (a shipped composite's, ``by-group``'s): the policy's, then, as ``blame_policy`` says it.
    """
    if isinstance(error, EngineError | MemoryError) or not isinstance(error, Exception | SystemExit):
        return None
    policy_codes = {
        code
        for each, _ in (deciding(policy, "") if policy is not None else ())
        if not shipped_module(type(each).__module__)
        for code in method_codes(type(each))
    }
    said = blame(error, plugins, f" at simulated time {now_s:.6g} s", policy_codes)
    return PluginFailed(said) if said is not None else None


def plugin_call(function: Callable[..., Any], what: str, *args: Any, when: str = "") -> Any:
    """``function(*args)``; a plug-in's exception is :class:`PluginFailed`: ``what`` raised ``when``.

    For a plug-in offloadsim calls outside a run's loop (a factory, a record column's ``derive``).
    A shipped function's exception stays what it is: offloadsim's bug.
    """
    if shipped_module(str(getattr(function, "__module__", ""))):
        return function(*args)
    try:
        return function(*args)
    except (Exception, SystemExit) as error:  # sys.exit() in a plug-in too: its failure, said
        raise PluginFailed(said_raised(what, error, when)) from error


def unbuilt_at(key_path: str, error: EngineError) -> WorldError:
    """A plug-in not built (``error``) as a :class:`~offloadsim.world.WorldError` at its ``key_path``.

    ``error``: its factory raised, or built one lacking a member; ``key_path``: the scenario's key
    naming it.  Its ``__cause__`` is the plug-in's own exception, set here as ``raise ... from``
    sets it, since a build compiled by mypyc drops ``from`` (``engine/network.py`` is compiled):
    the run then says it with ``--debug``'s hint, as ``validate`` does.  Raise it ``from
    error.__cause__`` all the same.
    """
    from offloadsim.world import WorldError

    unbuilt = WorldError(key_path, str(error))
    unbuilt.__cause__ = error.__cause__
    return unbuilt


def refuse_lacking(
    where: str, built: object, noun: str, members: Sequence[str], protocol: str, needed: str = ""
) -> None:
    """Refuse what a plug-in's factory built when it lacks one of ``members``: EngineError naming them.

    ``where`` names the factory (as for :func:`plugin_call`), ``noun`` what it builds ("a processor")
    and ``protocol`` the dotted name of the protocol declaring ``members``; ``needed``: what asks
    for them, where only some runs do (`` for a handover ...``).  Found as it is built, not
    as an internal error (an ``AttributeError``, exit 1) once the run first reads the member.
    """
    missing = [member for member in members if not hasattr(built, member)]
    if missing:
        raise EngineError(
            f"{where} built {noun} of class {type(built).__qualname__}, which lacks "
            f"{', '.join(missing)} (what {protocol} declares{needed})"
        )


def kind_words(kind: Any) -> str:
    """The words naming a kind of work in a plug-in's line: its name and its class."""
    return f"kind of work {quoted(kind.name)} ({dotted_name(type(kind))})"


def link_model_words(name: str, network: object) -> str:
    """The words naming the run's link model ``name``, ``network``, in a plug-in's line."""
    return f"link model {quoted(name)} ({dotted_name(type(network))})"


# Here, not in engine/records.py, which mypyc compiles: a compiled class cannot subclass KeyError.
class UnknownColumn(KeyError):
    """A plug-in column's derive read a column that is not in the schema (a typo), not one unrecorded."""


class ReadUnknownColumn(PluginFailed):
    """The one line of :class:`UnknownColumn`: the column whose derive read it, its name and the nearest."""
