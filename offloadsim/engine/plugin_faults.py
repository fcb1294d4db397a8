"""End a run whose plug-in (a processor model, link model, arrival process, kind of work) raised.

An exception raised in a plug-in's code mid-run would otherwise surface as the engine's: an
"internal error" (exit 1, "a bug") with a traceback through the kernel, naming neither the
plug-in nor where it ran.  :func:`blame_plugin` reads the traceback once the run has stopped
(nothing is added to the hot path), as ``policy_faults`` does for a policy; the plug-in's
exception becomes :class:`PluginFailed`, one line naming it, the method offloadsim called, the
simulated time, the exception and the plug-in's line.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

from offloadsim.engine.errors import EngineError
from offloadsim.plugins import method_codes, plugin_line, shipped_module, traceback_frames

__all__ = ["PluginFailed", "blame_plugin", "plugin_call", "plugin_codes", "said_raised"]


class PluginFailed(EngineError):
    """A plug-in raised, while built or mid-run: the plug-in's bug, not offloadsim's.

    The command line shows its one line (exit 2) and, with ``--debug``, the traceback of the
    plug-in's exception (chained as its ``__cause__``).
    """

    @property
    def show_cause_with_debug(self) -> bool:
        """Whether there is the plug-in's exception to show (not for what it built, refused here)."""
        return self.__cause__ is not None


def said_raised(what: str, error: BaseException, when: str = "") -> str:
    """``WHAT raised TYPE WHEN: first line of its message (file.py, line N, in f)``."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{what} raised {type(error).__name__}{when}" + (f": {text}" if text else "") + plugin_line(error)


def plugin_codes(plugin: object) -> dict[types.CodeType, str]:
    """The code of ``plugin`` (not offloadsim's), each with its method's name; nothing for a shipped one.

    A class's methods (its bases' too, but offloadsim's), an instance's class's, or a function's
    own code; a function nested in one (a callback it returns or schedules) counts as its.
    """
    if isinstance(plugin, type):
        return method_codes(plugin, shipped=False)
    code = getattr(plugin, "__code__", None)
    if isinstance(code, types.CodeType):
        if shipped_module(str(getattr(plugin, "__module__", ""))):
            return {}
        codes: dict[types.CodeType, str] = {}
        nested = [code]
        while nested:
            one = nested.pop()
            codes.setdefault(one, code.co_name)
            nested.extend(const for const in one.co_consts if isinstance(const, types.CodeType))
        return codes
    return method_codes(type(plugin), shipped=False)


def blame_plugin(
    error: BaseException, plugins: Sequence[tuple[object, str]], now_s: float, policy: object = None
) -> PluginFailed | None:
    """The error to raise instead of ``error`` if one of ``plugins``' code raised it, else None.

    ``plugins``: each plug-in object of the run (an instance, a class or a function) with the
    words that name it (``processor model "m" (mod.Class) of processor "cpu" at "edge"``).  The
    plug-in blamed is the one whose code ``error`` passed through last (innermost: a processor's
    ``submit`` a kind of work called is the processor's); the method named is the outermost of its
    frames, the one offloadsim called.  Where several objects share that code, the one the frame's
    ``self`` is; else all of them.  None too when ``policy``'s code (a plug-in's) is deeper still:
    the policy's, then, as ``blame_policy`` says it.
    """
    if isinstance(error, EngineError | MemoryError) or not isinstance(error, Exception):
        return None
    cause = error.__cause__
    if type(cause) is type(error) and cause.args == error.args:  # SimPy's copy of a process's exception
        error = cause
    frames = traceback_frames(error)
    owners = [(plugin, what, plugin_codes(plugin)) for plugin, what in plugins]
    deepest, blamed = -1, None
    for i, (frame, _) in enumerate(frames):
        for _, _, codes in owners:
            if frame.f_code in codes:
                deepest, blamed = i, codes
    if blamed is None:
        return None
    if policy is not None and not shipped_module(type(policy).__module__):
        policy_codes = method_codes(type(policy))
        if any(frame.f_code in policy_codes for frame, _ in frames[deepest + 1 :]):
            return None
    frame = next(frame for frame, _ in frames if frame.f_code in blamed)
    sharing = [(plugin, what) for plugin, what, codes in owners if codes is blamed or frame.f_code in codes]
    this = [what for plugin, what in sharing if plugin is frame.f_locals.get("self")]
    names = this or list(dict.fromkeys(what for _, what in sharing))
    when = f" in {blamed[frame.f_code]}() at simulated time {now_s:.6g} s"
    return PluginFailed(said_raised(" or ".join(names), error, when))


def plugin_call(function: Callable[..., Any], what: str, *args: Any, when: str = "") -> Any:
    """``function(*args)``; a plug-in's exception is :class:`PluginFailed`: ``what`` raised ``when``.

    For a plug-in offloadsim calls outside a run's loop (a factory, a record column's ``derive``).
    A shipped function's exception stays what it is: offloadsim's bug.
    """
    if shipped_module(str(getattr(function, "__module__", ""))):
        return function(*args)
    try:
        return function(*args)
    except Exception as error:
        raise PluginFailed(said_raised(what, error, when)) from error
