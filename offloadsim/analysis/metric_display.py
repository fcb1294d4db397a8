"""How a job-level metric is shown: its label, unit, scale, better direction and number format.

A leaf module (nothing of the package imported) so that the metric catalogue
(:mod:`offloadsim.analysis.catalogue`) and the metrics registered with it
(:mod:`offloadsim.analysis.metric_registry`) both describe metrics with it;
the catalogue re-exports :class:`Metric` and :func:`zero_width`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from offloadsim.field_values import FieldValues

__all__ = ["Better", "Metric", "zero_width", "table_number"]

#: Which way a metric improves.
Better = Literal["lower", "higher"]


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Metric(FieldValues):
    """How a job-level metric is shown: a label, a display unit, the factor from its SI value.

    ``better`` says which way is an improvement (``"lower"``, ``"higher"``,
    or ``None`` for counts that describe rather than rank).  ``basis`` says
    what the value is counted from where it is not the whole quantity
    (``"above idle"``: device energy is what the tasks add to the device's
    idle draw, read as the device's whole energy without it).  It follows the
    unit in the run's table and on a figure's axis; the headings of compare's
    and sweep's tables have no room for it, so a line under them says it
    (:func:`~offloadsim.analysis.catalogue.basis_lines`).  ``digits`` is how many decimals the run's table
    shows; compare's table shows at least as many where every replication gave
    the same value (a CI of exactly 0 sets no precision, and the value is exact).
    ``nonnegative``: the metric cannot be below 0 (a latency, an energy, a share: every one of
    offloadsim's), so a figure cuts its 95 % intervals at 0 and starts its axis there; a metric
    that can (a slack, a difference) says False.  Either way a mean below 0 is drawn, never cut.
    ``overload_marked``: an overload qualifies it, its mean depending on how long a run whose queue
    grew all run ran (a latency, a wait, a throughput that counts a backlog's completions): a run's
    table marks it ``†`` where the run was overloaded
    (:meth:`~offloadsim.analysis.qualifiers.Qualifiers.overload_marks`).  Said where the metric is
    declared (the catalogue's headline metrics, a registered metric's ``columns``), so a new
    latency-like metric is marked with no edit elsewhere.
    """

    label: str
    unit: str
    scale: float = 1.0
    better: Better | None = None
    basis: str = ""
    digits: int = 1
    #: The basis an axis label says where ``basis`` is too long for one (None: ``basis``).
    axis_basis: str | None = None

    nonnegative: bool = True
    overload_marked: bool = False

    @property
    def heading(self) -> str:
        """A table's heading, label and unit: ``"p95 latency (ms)"``, ``"device energy per task (mJ)"``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def axis_label(self) -> str:
        """A figure's axis, the basis said too: ``"device energy per task above idle (mJ)"``."""
        basis = self.basis if self.axis_basis is None else self.axis_basis
        label = f"{self.label} {basis}" if basis else self.label
        return f"{label} ({self.unit})" if self.unit else label

    @property
    def unit_text(self) -> str:
        """The unit in the run's table, the basis after it: ``"ms"``, ``"mJ above idle"``."""
        return f"{self.unit} {self.basis}" if self.basis else self.unit

    def judge(self, diff: float) -> str:
        """``"better"`` or ``"worse"`` for a change ``diff`` in this metric; ``""`` without a direction.

        >>> _LATENCY.judge(-0.2), Metric("throughput", "tasks/s", 1.0, "higher").judge(-0.2)
        ('better', 'worse')
        """
        if self.better is None or diff == 0 or diff != diff:
            return ""
        return "better" if (diff < 0) == (self.better == "lower") else "worse"

    def format(
        self, mean: float, half: float = math.nan, *, signed: bool = False, apart: bool = False
    ) -> str:
        """``mean`` (SI) in display units, with ``± half`` when known, to the CI's precision.

        A half-width of 0 (every replication gave the same value, or differed by rounding only) sets
        no precision: the value keeps its own digits, the run table's and at least 4 significant
        ones, and the interval reads ``± 0``.  So does a value without a half-width (one
        replication), shown bare: ``1,344.14``, as the run's table shows it, not ``1,344``.  A
        signed value (a Δ) of exactly 0 has no sign.

        >>> _LATENCY.format(0.01234, 0.00051)
        '12.34 ± 0.51'
        >>> _ENERGY.format(1.3441412, 0.0)
        '1,344.14 ± 0'
        >>> _ENERGY.format(1.3441412)
        '1,344.14'

        A number other than 0 too small for the decimals shown (four at most) is written with two
        significant digits in scientific notation, not as ``0.0000``, which reads as no difference
        or as runs that all agreed: a half-width of ``± 3.0e-05``; so is a value without a spread
        that they would show to one significant digit only, a Δ of ``−2.1e-04 ± 0``, not ``−0.0002``.

        >>> _ENERGY.format(-2.1e-7, 0.0, signed=True)
        '−2.1e-04 ± 0'
        >>> _ENERGY.format(0.0488, 3e-8)
        '48.8000 ± 3.0e-05'

        ``apart``: a Δ whose CI excludes 0 (starred) gets the decimals it takes to read so, its size
        shown larger than its half-width, past four if need be: ``+0.00012 ± 0.00007``, not
        ``+0.0001 ± 0.0001``, a star on what reads as no difference; ``+12.3 ± 11.8``, not ``+12 ± 12``.

        >>> _ENERGY.format(1.2e-7, 7e-8, signed=True, apart=True), _LATENCY.format(0.0123, 0.0118, apart=True)
        ('+0.00012 ± 0.00007', '12.3 ± 11.8')
        """
        if mean is None or math.isnan(mean):
            return "-"
        value = mean * self.scale
        spread = half * self.scale if not math.isnan(half) else math.nan
        exact = spread != spread or zero_width(value, spread)
        digits = self._exact_digits(value) if exact else _digits(spread)
        while apart and not exact and digits < _APART_DIGITS and not _reads_apart(value, spread, digits):
            digits += 1
        text = _number(value, digits, signed=signed, figures=2 if exact and self.digits else 1)
        if math.isnan(half):
            return text
        if exact:
            return f"{text} ± 0"
        return f"{text} ± {_number(spread, digits)}"

    def _exact_digits(self, value: float) -> int:
        """Decimals of a value without a spread: the run table's, 4 significant digits (at most 4)."""
        if value == 0 or self.digits == 0:  # a count every replication gave (batteries run flat): 3
            return self.digits
        return int(min(4, max(self.digits, 3 - math.floor(math.log10(abs(value))))))


def _number(value: float, digits: int, *, signed: bool = False, figures: int = 1) -> str:
    """``value`` to ``digits`` decimals, or to two significant digits where those show fewer than ``figures``.

    ``2.1e-05`` rather than ``0.0000``, or than ``0.0002`` for an exact 0.00021 (``figures=2``).
    A signed value gets ``+`` or ``−`` (a typographic minus), but not one of exactly 0.
    """
    sign = "+" if signed and value != 0 else ""
    text = f"{value:{sign},.{digits}f}"
    if value != 0 and len(text.lstrip("+-").replace(",", "").replace(".", "").lstrip("0")) < figures:
        text = f"{value:{sign}.1e}"
    return "−" + text[1:] if signed and text.startswith("-") else text


def _reads_apart(value: float, half: float, digits: int) -> bool:
    """Whether ``value`` at ``digits`` decimals reads larger than ``half``, not shown as 0: CI excludes 0."""
    shown = float(f"{half:.{digits}f}")
    return shown > 0 and float(f"{abs(value):.{digits}f}") > shown


#: The most decimals a starred Δ is given to read apart from its half-width (past them, it is a
#: difference of rounding, which :func:`zero_width` and the tables' rounding rule read as none).
_APART_DIGITS = 12


def zero_width(value: float, half: float) -> bool:
    """A half-width of exactly 0, or of rounding noise (runs that all gave 0.1 s: 4.8e-17 s).

    What the tables show as ``± 0``: every replication gave the same ``value``.
    """
    return half <= _NOISE * abs(value)


def _digits(half: float) -> int:
    """Decimals enough to show the CI half-width (> 0) to two significant digits (at most 4)."""
    return int(min(4, max(0, 1 - math.floor(math.log10(half)))))


#: A CI half-width this small against its mean is floating-point rounding, not a spread of the runs.
_NOISE = 1e-9

#: Mean latency's and device energy per task's display, for the doctests above (as the catalogue's).
_LATENCY = Metric("mean latency", "ms", 1e3, "lower")
_ENERGY = Metric("device energy per task", "mJ", 1e3, "lower", basis="above idle", digits=2)


def table_number(value: float, digits: int = 1) -> str:
    """``value`` to ``digits`` decimals, or to two significant digits where those decimals show fewer.

    A throughput of 0.117 tasks/s read "0.1" (a sixth off) while 0.063 read "0.063": below 1, one
    decimal keeps a single significant digit.  The run's table writes its numbers so; NaN is ``-``.

    >>> table_number(0.117), table_number(0.063), table_number(1234.5678, 2), table_number(float("nan"))
    ('0.12', '0.063', '1,234.57', '-')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    magnitude = abs(value)
    if magnitude != 0 and magnitude < 10 ** (1 - digits):
        return f"{value:.2g}"
    return f"{value:,.{digits}f}"
