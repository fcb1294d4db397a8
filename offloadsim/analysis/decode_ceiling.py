"""An LLM run's time per output token and decode rate, which rest on a bandwidth bound, shown as bounds.

On a built-in profile a decode step reads every weight at the data sheet's memory bandwidth used in
full (:meth:`offloadsim.world.build.World.decode_ceilings`): weights ÷ bandwidth, a ceiling no
measured server reaches. Every time per output token built of such steps (queueing, a pipeline's
hops added) is then as short as the hardware allows, no shorter, and every decode rate as high: a
bound, not a measurement. The rule a reader can follow: where a run's decode steps ran on such a
processor (its ``decode_ceilings``, in whole or in part), its mean time per output token reads
``≥ 79.6`` (ms) and its mean decode rate ``≤ 12.6`` (tokens/s), its own value to three significant
digits rounded the way the bound holds (a time down, a rate up: 129.7 ms reads ``≥ 129``), marked
``(bandwidth ceiling)`` in a run's table and ``(ceiling)`` in a compare or sweep cell; a figure of
either says so in its note. Its times to first token and latencies (mean and percentiles) and its
mean queueing wait (:data:`LOWER_BOUNDS`) read ``≥`` by the same rule: a request's latency holds its
own decode steps, its time to first token and its queueing wait the decode steps it waited behind,
each as short as the bandwidth allows. Where none did (a calibrated profile, a bandwidth the
scenario gives, a compute-bound decode) they read as measured. Where a prefill ran compute-bound at
a built-in profile's assumed efficiency (0.35 of a CPU's peak: a phone's prompt), the times that
hold it (:data:`PREFILL_TIMES`: its time to first token, latency and the waits behind it) rest on
that efficiency, a guess either way, not on a bandwidth: they read as the run's values, marked
``(rests on the assumed compute efficiency)`` (``(assumed efficiency)`` in a cell), and only a
bandwidth-bound prefill (a short prompt on a GPU) leaves them bounds. The CSV and parquet files keep
the full numbers. (The bound was once said only of a mean within 3 % of a single node's ceiling: a
cloud's TPOT read ``≥ 7.36`` beside a 3-Jetson pipeline's ``79.61 ± 0.15`` on the same bound plus
hops, and one policy's decode rate was a bound while its TPOT, a mean of the inverses, was not.)
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from offloadsim.analysis.warning_kinds.shared import BUSY

__all__ = [
    "LOWER_BOUNDS",
    "CELL_MARK",
    "CEILING_MARK",
    "EFFICIENCY_CELL",
    "EFFICIENCY_MARK",
    "PREFILL_TIMES",
    "UPPER_AT_SATURATION",
    "ceiling_bound",
    "ceiling_cell",
    "decode_saturated",
    "efficiency_mark",
    "manifest_ceilings",
    "three_digits",
]

#: The rate a decode ceiling bounds from above only where a processor decoding at it was busy all the
#: measured time (:func:`decode_saturated`): the output token throughput, then the capacity at the ceiling.
UPPER_AT_SATURATION = "output_tokens_per_s"
#: What a run's table says after the unit of a metric at the ceiling.
CEILING_MARK = "(bandwidth ceiling)"
#: What a compare or sweep cell says after its bound (the unit is in the heading, the note under the
#: table names the bandwidth): short, as a wide table splits into blocks.
CELL_MARK = "(ceiling)"
#: The times (each shown in ms) a decode ceiling bounds from below: the time per output token, and the
#: times that hold decode steps at the ceiling (a latency its own, a time to first token those queued
#: ahead, a queueing wait those it waited behind: a queue's waits only grow as a service ahead of them
#: does, Lindley's recursion ``W' = max(0, W + S - A)``, so behind steps no shorter than their ceiling
#: allows a measured server's waits are as long or longer).
LOWER_BOUNDS = (
    "wait_mean_s",
    "tpot_mean_s",
    "ttft_mean_s",
    "ttft_p50_s",
    "ttft_p95_s",
    "latency_mean_s",
    "latency_p50_s",
    "latency_p95_s",
    "latency_p99_s",
)

#: The times of :data:`LOWER_BOUNDS` that hold an LLM prefill (a request's own, or those it waited
#: behind): all but the time per output token. Where a prefill ran compute-bound at a profile's assumed
#: efficiency they rest on it, and are no bound (:func:`efficiency_mark`).
PREFILL_TIMES = tuple(name for name in LOWER_BOUNDS if name != "tpot_mean_s")
#: What a run's table says after the unit of such a time: what it rests on, in place of a bound.
EFFICIENCY_MARK = "(rests on the assumed compute efficiency)"
#: What a compare or sweep cell says after it (the note under the table names the efficiency).
EFFICIENCY_CELL = "(assumed efficiency)"


def efficiency_mark(name: str, ceilings: Sequence[float], assumed: bool, cell: bool = False) -> str:
    """What metric ``name`` rests on where a run's decodes had ``ceilings`` and a prefill was ``assumed``.

    ``assumed``: a prefill ran compute-bound at a built-in profile's assumed efficiency (the manifest's
    ``prefill_at_efficiency``). A phone's time to first token then rests on that efficiency, not on
    the bandwidth ceiling of its decode: :data:`EFFICIENCY_MARK` (:data:`EFFICIENCY_CELL` in a
    ``cell``), and :func:`ceiling_bound` gives it no bound; ``""`` for any other.

    >>> efficiency_mark("ttft_mean_s", [6.07], True), efficiency_mark("tpot_mean_s", [6.07], True)
    ('(rests on the assumed compute efficiency)', '')
    >>> efficiency_mark("ttft_mean_s", [6.07], False), efficiency_mark("ttft_mean_s", [], True)
    ('', '')
    """
    if not (ceilings and assumed and name in PREFILL_TIMES):
        return ""
    return EFFICIENCY_CELL if cell else EFFICIENCY_MARK


def ceiling_bound(
    name: str, value: float, ceilings: Sequence[float], saturated: bool = False, assumed: bool = False
) -> str | None:
    """Metric ``name`` (its value in SI) as the bound it is where a run's decodes had ``ceilings``; else None.

    ``decode_tokens_per_s_mean`` reads ``≤ 824`` (tokens/s); ``tpot_mean_s`` (shown in ms) reads ``≥
    1.21``, and so does every time of :data:`LOWER_BOUNDS`: the value itself to three significant
    digits, whatever queueing or hops it holds, rounded down (a rate up), never past the run's value.
    ``output_tokens_per_s`` reads ``≤`` where the runs were ``saturated`` too
    (:func:`decode_saturated`): then it is the capacity at the ceiling, the most the hardware allows;
    short of saturation it is the tokens the arrivals asked for, which a slower server would generate
    alike, and no bound. Where a prefill ran compute-bound at an assumed efficiency (``assumed``) the
    times that hold one (:data:`PREFILL_TIMES`) are no bound either: :func:`efficiency_mark` says so.

    >>> ceiling_bound("decode_tokens_per_s_mean", 823.879, [136.2, 825.3])
    '≤ 824'
    >>> ceiling_bound("tpot_mean_s", 0.07961, [13.6])
    '≥ 79.6'
    >>> ceiling_bound("ttft_p95_s", 1.2345, [13.6]), ceiling_bound("throughput_per_s", 2.0, [13.6])
    ('≥ 1,230', None)
    >>> ceiling_bound("latency_mean_s", 0.129708594, [825.3]), ceiling_bound("tpot_mean_s", 0.0113, [13.6])
    ('≥ 129', '≥ 11.3')
    >>> ceiling_bound("decode_tokens_per_s_mean", 5.3, []) is None
    True
    >>> [ceiling_bound("output_tokens_per_s", 38.93, [82.9], saturated) for saturated in (False, True)]
    [None, '≤ 39.0']
    >>> [ceiling_bound(name, 0.3, [6.07], assumed=True) for name in ("ttft_mean_s", "tpot_mean_s")]
    [None, '≥ 300']
    """
    if not ceilings or not math.isfinite(value) or value <= 0 or efficiency_mark(name, ceilings, assumed):
        return None
    if name == "decode_tokens_per_s_mean" or (name == UPPER_AT_SATURATION and saturated):
        return f"≤ {three_digits(value, decimal.ROUND_CEILING)}"
    if name in LOWER_BOUNDS:
        return f"≥ {three_digits(value * 1e3, decimal.ROUND_FLOOR)}"
    return None


def decode_saturated(processors: Mapping[str, Sequence[Any]], decoders: Collection[tuple[str, str]]) -> bool:
    """Whether a processor of ``decoders`` (those that decoded at a ceiling) was busy all the measured time.

    ``processors``: a run's processors table's columns (``node``, ``processor``, ``utilisation``).
    Busy all the time (:data:`~offloadsim.analysis.warning_kinds.shared.BUSY`), it generated its
    output tokens at its capacity, each decode step as short as the bandwidth allows: the run's
    output token throughput is then the most that hardware could give, an upper bound.
    """
    if not decoders or not processors:
        return False
    wanted = set(decoders)
    rows = zip(processors["node"], processors["processor"], processors["utilisation"], strict=True)
    return any((str(node), str(name)) in wanted and float(busy) >= BUSY for node, name, busy in rows)


def three_digits(value: float, rounding: str = decimal.ROUND_HALF_EVEN) -> str:
    """``value`` to three significant digits, with no exponent: a bound, not a measurement.

    ``rounding`` (a :mod:`decimal` mode) is the way a bound holds: ``ROUND_FLOOR`` for a ``≥``, so
    that a simulated 129.7 ms reads ``≥ 129``, not ``≥ 130``, a bound the run's own value undercuts;
    ``ROUND_CEILING`` for a ``≤``.  The value is taken to twelve significant digits first, so that a
    product's float noise (0.0113 s × 1e3 is 11.299999999999999 ms) does not floor it to 11.2.

    >>> three_digits(1364.5), three_digits(824.96), three_digits(1.2121), three_digits(0.004567)
    ('1,360', '825', '1.21', '0.00457')
    >>> three_digits(129.7, decimal.ROUND_FLOOR), three_digits(823.1, decimal.ROUND_CEILING)
    ('129', '824')
    >>> three_digits(0.0113 * 1e3, decimal.ROUND_FLOOR), three_digits(999.6, decimal.ROUND_CEILING)
    ('11.3', '1,000')
    """
    if not math.isfinite(value) or value == 0:
        return f"{value:g}"
    places = 2 - math.floor(math.log10(abs(value)))
    kept = decimal.Decimal(f"{value:.12g}").scaleb(places).to_integral_value(rounding).scaleb(-places)
    return f"{kept:,.{max(places, 0)}f}"


def ceiling_cell(
    name: str,
    value: float,
    ceilings: Sequence[float],
    half: float = math.nan,
    saturated: bool = False,
    assumed: bool = False,
) -> str | None:
    """:func:`ceiling_bound` marked for a compare or sweep cell (unit in the heading): ``≤ 824 (ceiling)``.

    ``half``: the CI's half-width (SI), said to the bound's precision where it does not round to 0
    there: a queued phone's ``≥ 284 ± 528 (ceiling)`` varies, a cloud's ``≥ 7.37 (ceiling)`` hardly.

    >>> ceiling_cell("tpot_mean_s", 0.284, [6.07], 0.528), ceiling_cell("tpot_mean_s", 0.00737, [136], 1e-6)
    ('≥ 284 ± 528 (ceiling)', '≥ 7.37 (ceiling)')
    """
    bound = ceiling_bound(name, value, ceilings, saturated, assumed)
    if bound is None:
        return None
    scale = 1e3 if name in LOWER_BOUNDS else 1.0
    places = 2 - math.floor(math.log10(abs(value * scale)))  # the bound's (three_digits)
    spread = round(half * scale, places) if math.isfinite(half) else 0.0
    said = f" ± {spread:,.{max(places, 0)}f}" if spread > 0 else ""
    return f"{bound}{said} {CELL_MARK}"


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
