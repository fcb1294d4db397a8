"""End a run whose plug-in policy does not return: one line naming it, where the run hung without a word.

A ``decide`` that loops forever held ``run`` (and each ``compare`` worker) at one simulated instant
until someone pressed Ctrl-C, with nothing to say which code never returned.  While a run of a
plug-in policy (the run's own, or a composite's inner one) simulates, a watcher thread wakes once a
second (at most) and looks at what the main thread runs (``sys._current_frames``); nothing is added
to the engine's loop, and the main thread is not interrupted.  When one call of the policy's code
(its ``decide``, ``reset``, or a method or nested function of its class) is still running
``limit_s`` seconds after the watcher first saw it, the watcher sends the main thread ``SIGALRM``,
once, whose handler raises :class:`PolicyTimedOut` inside that call, naming the policy, its class,
the method and its line.  A handler runs between Python bytecodes, so a loop in Python code (or a
``time.sleep``) is stopped; a call inside a C extension that never returns to Python is stopped only
when it does.

Where no handler can be set (not the main thread, as a Dask worker's task; no ``pthread_kill``,
on Windows), the run goes unwatched, as before.  A shipped policy is not watched: it is offloadsim's.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from offloadsim.engine.errors import EngineError
from offloadsim.errors import argument
from offloadsim.experiment_defaults import POLICY_TIMEOUT_S
from offloadsim.plugins import method_codes, shipped_module
from offloadsim.policies.deciders import PLAIN, Decider

__all__ = ["POLICY_TIMEOUT_S", "PolicyTimedOut", "policy_watched"]


#: The longest the watcher waits between looks; shorter for a shorter limit (a quarter of it).
_TICK_S = 1.0


class PolicyTimedOut(EngineError):
    """A plug-in policy's call ran past the limit: said in one line (exit 2), the run ended."""


@contextmanager
def policy_watched(
    policies: Iterable[tuple[object, str]],
    now_s: Callable[[], float],
    limit_s: float | None = POLICY_TIMEOUT_S,
    decider: Decider = PLAIN,
) -> Iterator[None]:
    """Within: a call of a plug-in policy's code running over ``limit_s`` s raises PolicyTimedOut.

    ``policies``: each policy that decides, with the name the run gives it: the run's own and a
    composite's inner ones (``inner_policies.deciding``); the shipped ones among them are not
    watched.  ``now_s``: the simulated time, for the line; ``decider``: the run's, which names the policy
    (a composite's inner one with the group of its task).  ``limit_s`` None or 0: no limit.  The
    process's previous ``SIGALRM`` handler and timer are put back on the way out.
    """
    codes: dict[types.CodeType, tuple[object, str, str]] = {}
    for policy, name in policies:
        if not shipped_module(type(policy).__module__):
            for code, method in method_codes(type(policy), shipped=False).items():
                codes.setdefault(code, (policy, name, method))
    if (
        not limit_s
        or not codes
        or threading.current_thread() is not threading.main_thread()
        or not hasattr(signal, "pthread_kill")
    ):
        yield
        return
    main = threading.main_thread().ident
    due: list[Any] = [None]  # the call the watcher found over the limit: the handler's to end

    def outermost(frame: types.FrameType | None) -> tuple[types.FrameType | None, types.FrameType | None]:
        """The policy's outermost and innermost frames on ``frame``'s stack (None, None: not running)."""
        outer = inner = None
        while frame is not None:
            if frame.f_code in codes:
                outer, inner = frame, inner or frame
            frame = frame.f_back
        return outer, inner

    def watch(stop: threading.Event) -> None:
        seen, since = None, 0.0
        while not stop.wait(tick):
            outer, _ = outermost(sys._current_frames().get(main))  # type: ignore[arg-type]
            clock = time.monotonic()
            if outer is not seen:  # the policy's code not running, or another call of it
                seen, since = outer, clock
            elif outer is not None and clock - since >= limit_s:
                due[0] = outer
                signal.pthread_kill(main, signal.SIGALRM)  # type: ignore[arg-type]
                return
        seen = None

    def handler(signum: int, frame: types.FrameType | None) -> None:
        outer, inner = outermost(frame)
        if outer is None or outer is not due[0] or inner is None:  # it returned meanwhile: not a hang
            return
        due[0] = None
        policy, name, method = codes[outer.f_code]
        raise PolicyTimedOut(_timed_out(decider.named(policy, name), method, inner, limit_s, now_s()))

    tick = min(_TICK_S, limit_s / 4)
    previous = signal.signal(signal.SIGALRM, handler)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(stop,), name="offloadsim-policy-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        due[0] = None  # the frame, let go
        signal.signal(signal.SIGALRM, previous)


def _timed_out(named: str, method: str, frame: types.FrameType, limit_s: float, now: float) -> str:
    """``policy "NAME" (module.Class) did not return from decide() ... (file.py, line N, in f); ...``.

    ``named``: the policy as the line names it, with its class (``Decider.named``).
    """
    code = frame.f_code
    where = f"{os.path.basename(code.co_filename)}, line {frame.f_lineno}, in {code.co_name}"
    at = f" at simulated time {now:.6g} s" if math.isfinite(now) else ""
    option = argument("policy_timeout", flag="policy-timeout")
    longer = (
        f"{option} (such as '10 min'; '0 s': no limit)"
        if option.startswith("--")
        else f"{option}= (in seconds; 0: no limit)"
    )
    return (
        f"{named} did not return from {method}(){at} "
        f"in {limit_s:g} s of wall time ({where}); a call that never returns hangs the run: "
        f"if it is only slow, give it longer with {longer}"
    )
