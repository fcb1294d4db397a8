"""Tell a plug-in policy's own failure from the engine's: one line naming the policy and its code.

A policy written by a user runs inside the engine's loop, so an exception in
its ``decide`` or ``reset`` would otherwise surface as the engine's: an
"internal error" with a traceback through the kernel, or, from Python, an
``IndexError`` that names no policy.  :func:`blame_policy` looks at the
traceback after the run stopped (nothing is added to the hot path): when it
passes through the code of a policy that is not shipped with offloadsim, the
run ends with a :class:`PolicyFailed` naming the policy, its class, the
exception and the line of the policy's code, the original chained as its
cause.  A shipped policy's exception stays what it is, a bug of offloadsim.
"""

from __future__ import annotations

import os
import types
from typing import Any

from offloadsim.engine.errors import EngineError
from offloadsim.policies.base import PlanError

__all__ = ["PolicyFailed", "blame_policy"]

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class PolicyFailed(EngineError):
    """A plug-in policy raised while deciding: the policy's bug, not the engine's.

    The command line shows its one line (exit 2) and, with ``--debug``, the
    traceback of the policy's exception (chained as its ``__cause__``).
    """

    show_cause_with_debug = True


def blame_policy(error: BaseException, policy: object, name: str, now_s: float) -> EngineError | None:
    """The error to raise instead of ``error`` if ``policy`` (run as ``name``) caused it, else None.

    ``PlanError`` raised by any policy (a scenario it cannot serve) becomes an
    ``EngineError`` with its message.  Another exception becomes
    :class:`PolicyFailed` when its traceback passes through the code of
    ``policy``'s class and that class is not one of offloadsim's own.
    """
    if isinstance(error, EngineError) or not isinstance(error, Exception) or isinstance(error, MemoryError):
        return None
    codes = _policy_codes(policy)
    frames = _frames(error.__traceback__)
    if not any(frame.f_code in codes for frame, _ in frames):
        return None
    if isinstance(error, PlanError):
        return EngineError(str(error))
    cls = type(policy)
    if _shipped(cls):
        return None
    method = next(frame.f_code.co_name for frame, _ in frames if frame.f_code in codes)
    where = _user_line(frames)
    text = str(error).splitlines()[0] if str(error) else ""
    return PolicyFailed(
        f"policy {name!r} ({cls.__module__}.{cls.__qualname__}) raised {type(error).__name__} in "
        f"{method}() at simulated time {now_s:.6g} s" + (f": {text}" if text else "") + where
    )


def _policy_codes(policy: object) -> set[types.CodeType]:
    """The code objects of every function defined on ``policy``'s class and its bases (but object)."""
    codes: set[types.CodeType] = set()
    for klass in type(policy).__mro__[:-1]:
        for value in vars(klass).values():
            function: Any = value.__func__ if isinstance(value, classmethod | staticmethod) else value
            code = getattr(function, "__code__", None)
            if isinstance(code, types.CodeType):
                codes.add(code)
    return codes


def _frames(tb: types.TracebackType | None) -> list[tuple[types.FrameType, int]]:
    """Each frame of a traceback, outermost first, with the line it was at."""
    frames = []
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _shipped(cls: type) -> bool:
    return cls.__module__ == "offloadsim" or cls.__module__.startswith("offloadsim.")


def _user_line(frames: list[tuple[types.FrameType, int]]) -> str:
    """`` (FILE, line N, in FUNCTION)`` for the innermost frame outside offloadsim, or ``""``."""
    for frame, line in reversed(frames):
        path = os.path.abspath(frame.f_code.co_filename)
        if not path.startswith(_PACKAGE_DIR + os.sep):
            return f" ({os.path.basename(path)}, line {line}, in {frame.f_code.co_name})"
    return ""
