"""Holm's step-down adjustment of p-values: many Δs starred at 5 % each, with the family's error held.

compare stars each Δ whose 95 % CI excludes 0, a test at 5 % of its own; ``compare-load``'s table
makes 39 of them (13 metrics x 3 policies), so about two stars could come of chance alone where no
policy differed.  Holm (1979, "A simple sequentially rejective multiple test procedure", Scand. J.
Statist. 6:65-70) holds the chance of any false star to 5 % whatever the tests' dependence, and
rejects at least what Bonferroni's ``p <= alpha / m`` does: the smallest of ``m`` p-values is held
to ``alpha / m``, the next to ``alpha / (m - 1)``, ..., until one is not rejected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeVar

from offloadsim.analysis.statistics import student_t_ppf, student_t_two_sided_p

__all__ = ["ADJUSTMENTS", "family_note", "held_to_family", "holm_adjusted", "paired_t_p"]

K = TypeVar("K")


def holm_adjusted(pvalues: Sequence[float]) -> list[float]:
    """Holm's adjusted p-values, in the order given: a test is rejected at ``alpha`` where it is ``<= alpha``.

    The ``i``-th smallest (from 1) is ``max over j <= i of min(1, (m - j + 1) p_(j))``, ``m`` the
    p-values that are numbers; a NaN (no test) stays NaN and is not counted.

    >>> holm_adjusted([0.01, 0.04, 0.03, 0.005])
    [0.03, 0.06, 0.06, 0.02]
    """
    tested = sorted((p, i) for i, p in enumerate(pvalues) if not math.isnan(p))
    adjusted = [math.nan] * len(pvalues)
    m, highest = len(tested), 0.0
    for rank, (p, i) in enumerate(tested):
        highest = max(highest, min(1.0, (m - rank) * p))
        adjusted[i] = highest
    return adjusted


#: The level each Δ is tested at, and the family's under ``adjust="holm"``.
ALPHA = 0.05
#: ``compare --adjust``'s choices: each Δ at 5 % of its own, or Holm's adjustment over the table's.
ADJUSTMENTS = ("none", "holm")


def paired_t_p(diff: float, half: float, pairs: int) -> float:
    """The two-sided p-value of a paired Δ from its 95 % CI half-width over ``pairs`` pairs; NaN: no test.

    The CI is ``t(0.975, n - 1) x sd / sqrt(n)``, so ``t = diff / (half / t(0.975, n - 1))``; the
    p is under 0.05 exactly where the CI excludes 0.
    """
    if pairs < 2 or math.isnan(diff) or math.isnan(half) or not half > 0:
        return math.nan
    df = float(pairs - 1)
    return student_t_two_sided_p(diff / (half / student_t_ppf(0.5 + (1.0 - ALPHA) / 2.0, df)), df)


def held_to_family(pvalues: Mapping[K, float], adjust: str) -> set[K]:
    """The keys whose Δ is starred: p under 5 % each (``none``), or Holm-adjusted p under 5 % (``holm``).

    Any other ``adjust`` is a :class:`~offloadsim.errors.RunError`: ``format_table(adjust="bonferroni")``
    starred as ``none`` does, without a word.
    """
    if adjust not in ADJUSTMENTS:
        from offloadsim.errors import RunError

        raise RunError(f"adjust: expected one of {', '.join(ADJUSTMENTS)}, got {adjust!r:.40}")
    keys = list(pvalues)
    values = [pvalues[key] for key in keys]
    if adjust == "holm":
        values = holm_adjusted(values)
    return {key for key, p in zip(keys, values, strict=True) if p <= ALPHA}


def family_note(tested: int, starred: int, kept: int, adjust: str) -> str | None:
    """The line under a compare table on its many tests: how many stars chance alone would give, or Holm's.

    ``tested``: the Δs with a CI the table tests; ``starred``: those whose CI excludes 0 (each at
    5 %); ``kept``: those starred after ``adjust``.  None where the table tests fewer than two.
    """
    if tested < 2:
        return None
    if adjust == "holm":
        return (
            f"(* after Holm's step-down adjustment over the table's {tested} Δs tested (Holm 1979): the "
            f"chance of any * from chance alone held to {ALPHA * 100:g} %; {kept} of the {starred} whose CI "
            "excludes 0 keep it)"
        )
    return (
        f"({tested} Δs tested at {ALPHA * 100:g} % each, none adjusted for the others: where no policy "
        f"differed from the baseline, about {tested * ALPHA:.2g} would be starred by chance alone; "
        "--adjust holm holds the chance of any to 5 %)"
    )
