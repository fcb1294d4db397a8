"""What every plug-in adapter checks a value with, in the engine and in the world: predicates and words.

A plug-in object offloadsim calls (a processor or link model, a kind of work, an arrival process,
a record column: ``engine/plugin_adapters.py``; a kind of timed change:
``world/dynamics/plugin_kind.py``) is wrapped once in an adapter that checks each value it hands
over and refuses one it may not hand in a line naming the plug-in, the member, what it gave and
what was expected.  The protocols differ; the tests of a value and the shape of that line do
not, and live here, below both the world and the engine (``pyproject.toml``'s layers), so that
each adapter says them the same way.  Each adapter raises its own layer's error with them: the
engine's :class:`~offloadsim.engine.plugin_faults.PluginFailed`, the world's refusal at the
scenario's key path.  What an arrival process's contract methods return is tested with them too,
once, as its scenario is read (``scenario/arrivals/returns.py``).

Pure Python, never compiled by mypyc: the adapters calling it are not either.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from offloadsim.shapes import describe

__all__ = ["as_float", "describe", "number_at_least", "refusal", "whole"]


def number_at_least(value: Any, least: float = 0.0, *, inf: bool = False) -> bool:
    """Whether ``value`` is a real number >= ``least``: not NaN, not a bool, and finite unless ``inf``.

    Any real number type a plug-in may give counts (numpy's too); ``inf`` says whether infinity
    means something where the value is read (a stage that never ends, no bottleneck).

    >>> [number_at_least(v) for v in (0, 2.5, -1, float("nan"), float("inf"), True, "1")]
    [True, True, False, False, False, False, False]
    >>> number_at_least(float("inf"), inf=True), number_at_least(1.0, 2.0), number_at_least(10**400)
    (True, False, False)
    """
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    number = as_float(value)
    return number >= least and (inf or math.isfinite(number))


def whole(value: Any) -> bool:
    """Whether ``value`` is a whole number >= 0 (numpy's ints, and floats such as 3.0, too; not a bool).

    >>> [whole(v) for v in (3, 3.0, 3.5, -1, True)]
    [True, True, False, False, False]
    """
    return number_at_least(value) and float(value).is_integer()


def as_float(value: Any) -> float:
    """A checked number as the Python float the reader is typed for, whatever number type a plug-in gave.

    An int too large for a float is an infinity of its sign.

    >>> import numpy as np
    >>> type(as_float(np.float32(0.5))), as_float(2), as_float(-(10**400))
    (<class 'float'>, 2.0, -inf)
    """
    if type(value) is float:
        return value
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def refusal(words: str, said: str, expected: str) -> str:
    """The one line refusing what a plug-in handed over: ``WORDS: SAID; expected EXPECTED``.

    ``words`` names the plug-in (its registered name and dotted class name, and where: a node, a
    link direction); ``said`` what it gave, from which member, and when; ``expected`` what it may give.

    >>> print(refusal('kind of work "k" (m.K)', f"its fixed_cost is {describe('yes')}", "True or False"))
    kind of work "k" (m.K): its fixed_cost is "yes"; expected True or False
    """
    return f"{words}: {said}; expected {expected}"
