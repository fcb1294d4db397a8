"""An LLM decode rate that ran at its memory-bandwidth ceiling, printed as the bound it is.

On a built-in profile a decode step reads every weight at the data sheet's memory bandwidth used
in full (:meth:`offloadsim.world.build.World.decode_ceilings`): tokens/s is weights ÷ bandwidth, a
ceiling no measured server reaches.  A comparison printed Llama 3.2 1B on an A100 as
``823.86 ± 0.29`` tokens/s and 1.2138 ms per token: five digits of a bound.  Where a run's mean
decode rate (or time per output token) sits at one of its ceilings, the tables print the bound to
three significant digits, marked: ``≤ 825 tokens/s (bandwidth ceiling)`` in a run's table,
``≤ 825 (ceiling)`` in a compare or sweep cell; the CSV and parquet files keep the full numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "CELL_MARK",
    "CEILING_MARK",
    "ceiling_bound",
    "ceiling_cell",
    "ceiling_of",
    "manifest_ceilings",
    "three_digits",
]

#: What a run's table says after the unit of a metric at the ceiling.
CEILING_MARK = "(bandwidth ceiling)"
#: What a compare or sweep cell says after its bound (the unit is in the heading, the note under the
#: table names the bandwidth): short, as a wide table splits into blocks.
CELL_MARK = "(ceiling)"
# A request's steps read a KV cache that grows as it decodes: its mean rate sits a little under
# the ceiling of its first step (823.86 of 825 tok/s for Llama 3.2 1B on an A100).  A mean within
# this share of a ceiling ran at it; one further below was slowed by something else (queueing on a
# shared processor, a mix of nodes) and is printed as it is.
_AT_CEILING = 0.97


def ceiling_of(rate: float, ceilings: Sequence[float]) -> float | None:
    """The ceiling (tokens/s) a mean decode ``rate`` ran at, or None where it ran at none of them."""
    if not math.isfinite(rate) or rate <= 0:
        return None
    for ceiling in sorted(ceilings):
        if _AT_CEILING * ceiling <= rate <= ceiling * (1 + 1e-9):
            return float(ceiling)
    return None


def ceiling_bound(name: str, value: float, ceilings: Sequence[float]) -> str | None:
    """The bound metric ``name`` (its value in SI) ran at, as a table shows it, or None where it did not.

    ``decode_tokens_per_s_mean`` at a ceiling reads ``≤ 825`` (tokens/s); ``tpot_mean_s`` (shown
    in ms) reads ``≥ 1.21``, the time per token the ceiling allows.

    >>> ceiling_bound("decode_tokens_per_s_mean", 823.879, [136.2, 825.3])
    '≤ 825'
    >>> ceiling_bound("tpot_mean_s", 1 / 823.879, [825.3])
    '≥ 1.21'
    >>> ceiling_bound("decode_tokens_per_s_mean", 5.3, [6.07]) is None
    True
    """
    if name == "decode_tokens_per_s_mean":
        ceiling = ceiling_of(value, ceilings)
        return None if ceiling is None else f"≤ {three_digits(ceiling)}"
    if name == "tpot_mean_s" and value > 0:
        ceiling = ceiling_of(1.0 / value, ceilings)
        return None if ceiling is None else f"≥ {three_digits(1e3 / ceiling)}"
    return None


def three_digits(value: float) -> str:
    """``value`` to three significant digits, with no exponent: a bound, not a measurement.

    >>> three_digits(1364.5), three_digits(824.96), three_digits(1.2121), three_digits(0.004567)
    ('1,360', '825', '1.21', '0.00457')
    """
    if not math.isfinite(value) or value == 0:
        return f"{value:g}"
    places = 2 - math.floor(math.log10(abs(value)))
    return f"{round(value, places):,.{max(places, 0)}f}"


def ceiling_cell(name: str, value: float, ceilings: Sequence[float]) -> str | None:
    """:func:`ceiling_bound` marked for a compare or sweep cell (unit in the heading): ``≤ 825 (ceiling)``."""
    bound = ceiling_bound(name, value, ceilings)
    return None if bound is None else f"{bound} {CELL_MARK}"


def manifest_ceilings(manifests: Iterable[Mapping[str, Any]]) -> tuple[float, ...]:
    """The decode ceilings the ``manifests`` keep (``decode_ceilings``), each once.

    Only for display: an entry that is not a positive number (an edited file) is passed over, and
    its mean is printed as it is.
    """
    found: set[float] = set()
    for manifest in manifests:
        kept = manifest.get("decode_ceilings", ())
        for value in kept if isinstance(kept, list | tuple) else ():
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                found.add(float(value))
    return tuple(sorted(found))
