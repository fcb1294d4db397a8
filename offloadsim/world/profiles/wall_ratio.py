"""How loaded the machine was while a profile was calibrated: its runs' wall time over their measured time.

A one-thread calibration measures thread CPU time, so a busy machine does not
inflate the units' times; their wall time does grow, and the ratio says how
shared the core was. The kernel units and the whole models are timed in
separate phases, minutes apart: an idle machine for the first (1.00x) said
nothing of the second, whose models ran at 1.4-1.9x on a loaded one. Both
``calibrate`` and ``profiles show`` print :func:`noise_line`, which ends with :func:`wall_ratio_text`;
``calibrate report`` prints :func:`report_load_line`: the same rule (:func:`whole_model_ratio_text`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "LOADED_RATIO",
    "noise_line",
    "percent_text",
    "ratio_text",
    "report_load_line",
    "row_wall_ratios",
    "wall_ratio_text",
    "whole_model_ratio_text",
    "whole_model_wall_ratios",
]

#: A median wall/measured ratio of whole models at or above this says the machine was loaded.
LOADED_RATIO = 1.2

_CLOCK_TIME = {"cpu": "CPU time", "kernel": "kernel time"}


def whole_model_wall_ratios(profile: Any) -> dict[str, float]:
    """Each whole model's median wall time over its measured time, from what the profile records.

    The accuracy report's rows when it ran (training and held-out models), else the whole
    training-model timings of the layout correction; a model without a recorded wall time is left out.
    """
    report = getattr(profile, "report", None) or {}
    ratios = row_wall_ratios(report.get("rows", []))
    if not ratios:
        correction = getattr(profile, "correction", None) or {}
        noise: Mapping[str, Mapping[str, Any]] = correction.get("whole_model_noise", {})
        for label, ms in correction.get("whole_model_ms", {}).items():
            _add(ratios, str(label), ms, noise.get(label, {}).get("wall_ms"))
    return ratios


def row_wall_ratios(rows: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """``{model: wall_ms / measured_ms}`` of accuracy-report rows (a row without both is left out)."""
    ratios: dict[str, float] = {}
    for row in rows:
        _add(ratios, str(row.get("model")), row.get("measured_ms"), row.get("wall_ms"))
    return ratios


def _add(ratios: dict[str, float], label: str, measured: Any, wall: Any) -> None:
    try:
        measured, wall = float(measured), float(wall)
    except (TypeError, ValueError):
        return
    if measured > 0 and math.isfinite(measured) and math.isfinite(wall):
        ratios[label] = wall / measured


def wall_ratio_text(profile: Any, unit_ratio: float) -> str:
    """What the runs' wall/measured ratios were: the kernel units' (``unit_ratio``), the whole models'.

    Says so when the whole models ran on a loaded machine (median ratio at least
    :data:`LOADED_RATIO`): their measured times may then be inflated too (shared caches and
    memory bandwidth), and the accuracy report's errors with them. A profile timed by the wall
    clock has a ratio of 1 by construction: the line says that the load cannot be told, not
    "1.00x" as if the machine was idle.
    """
    named = str(getattr(profile, "backend", {}).get("clock", ""))
    if named == "wall":  # measured on the wall clock: "took 1.00x" read as an idle machine
        return (
            "kernel units and whole models timed by the wall clock, so their wall/measured ratio is 1 by "
            "construction and how loaded the machine was cannot be told from them"
        )
    clock = _CLOCK_TIME.get(named, "measured time")
    text = f"kernel units' runs took {ratio_text(unit_ratio)} their {clock} in wall time (median over units)"
    ratios = whole_model_wall_ratios(profile)
    return f"{text}; {whole_model_ratio_text(ratios)}" if ratios else text


def whole_model_ratio_text(ratios: Mapping[str, float], clock: str | None = None) -> str:
    """The whole models' wall/measured ratio (median, worst), and whether the machine was loaded.

    Loaded at a median of :data:`LOADED_RATIO` or above: the one rule of ``calibrate``'s noise
    line and ``calibrate report``'s load line. ``clock`` (``"CPU time"``) names the measured time,
    for a line standing alone.
    """
    median = statistics.median(ratios.values())
    worst = max(ratios, key=ratios.__getitem__)
    runs = f"took {ratio_text(median)} their {clock} in wall time" if clock else ratio_text(median)
    text = (
        f"whole models' runs {runs} (median over {len(ratios)} model{'s' * (len(ratios) != 1)}; "
        f"{worst} {ratio_text(ratios[worst])})"
    )
    if median >= LOADED_RATIO:
        text += (
            ": the machine was loaded while whole models were timed, so their measured times "
            "(the accuracy report's) may be inflated (others' jobs share the caches and memory)"
        )
    return text


def ratio_text(ratio: float) -> str:
    """``ratio`` as ``1.70x``; one that is not 1 but rounds to ``1.00x`` with the digits that show it.

    ``1.004x``, not ``1.00x``: a run 0.4 % longer on the wall clock is not one that took as long.

    >>> ratio_text(1.7), ratio_text(1.0), ratio_text(1.004), ratio_text(0.99996)
    ('1.70x', '1.00x', '1.004x', '1.0000x')
    """
    digits = 2
    while digits < 4 and ratio != 1.0 and round(ratio, digits) == 1.0:
        digits += 1
    return f"{ratio:.{digits}f}x"


def percent_text(value: float) -> str:
    """A per cent to one decimal (``7.7%``); one above 0 that rounds to nothing, ``under 0.1%``.

    A spread of 0.03 % read "run-to-run spread 0.0%": as if every run took the very same time.

    >>> percent_text(7.69), percent_text(0.03), percent_text(0.0)
    ('7.7%', 'under 0.1%', '0.0%')
    """
    if 0 < value < 0.05:
        return "under 0.1%"
    return f"{value:.1f}%"


def report_load_line(rows: Iterable[Mapping[str, Any]], cpu_clock: bool) -> str:
    """``calibrate report``'s line on how loaded the machine was while it timed ``rows``' whole models.

    A trial's resnet50 ran 4.4x its CPU time in wall time and the report said nothing, where
    ``calibrate --report``'s noise line says "loaded" from 1.2x (:func:`whole_model_ratio_text`).
    Timed by the wall clock (several threads, a GPU) the ratio is 1 by construction: the line says
    that the load cannot be told from these timings. ``""`` when no row has both times.
    """
    if not cpu_clock:
        return (
            "machine load: whole models timed by the wall clock, so how loaded the machine was cannot "
            "be told from them; a loaded machine inflates their measured times"
        )
    ratios = row_wall_ratios(rows)
    return f"machine load: {whole_model_ratio_text(ratios, 'CPU time')}" if ratios else ""


def noise_line(profile: Any, *, this_run: bool) -> str:
    """The ``noise:`` line of a profile: how well its units' times are known, and how loaded the machine was.

    ``this_run``: ``calibrate``'s, right after the timings, which says all the profile recorded of
    them (90th percentile, units over the target, spread, runs rejected); else ``profiles show``'s,
    which says the median's CI is within the calibration run, not across sessions.
    """
    noise = profile.provenance.get("noise")
    if not noise:
        return "noise: not recorded" + ("" if this_run else " (made before calibrate measured it)")
    if this_run:
        target = float(noise["target_ci_pct"])
        head = (
            f"noise ({profile.backend.get('clock', '?')} clock): a unit's time known to "
            f"±{_against(noise['median_ci_pct'], target)}% within this run "
            f"(95% CI, median over units; 90th percentile ±{_against(noise['p90_ci_pct'], target)}%, "
            f"{noise['units_over_target']} of {noise['units']} units over the ±{target:g}% target); "
            f"run-to-run spread {_spreads(profile, noise)}; "
            f"{percent_text(noise['rejected_pct'])} of runs rejected as interference"
        )
    else:
        head = (
            f"noise: a unit's time known to ±{noise['median_ci_pct']:.1f}% within the calibration run "
            "(95% CI, median over units; not across sessions)"
        )
    return f"{head}; {wall_ratio_text(profile, noise['median_wall_ratio'])}"


def _spreads(profile: Any, noise: Mapping[str, Any]) -> str:
    """The run-to-run spread on the clock timed, and on the wall clock where that is another one."""
    spread = percent_text(noise["median_spread_pct"])
    if str(profile.backend.get("clock", "")) == "wall":
        return f"{spread} (on the wall clock, the one timed)"
    return f"{spread} against {percent_text(noise['median_wall_spread_pct'])} on the wall clock"


def _against(value: float, target: float) -> str:
    """``value`` (per cent) to one decimal, or to as many more as keep it on its side of ``target``.

    "known to ±2.0% ... 15 of 27 units over the ±2% target" read as a contradiction: the median
    was 2.04 %, over the target as more than half the units were; it reads ±2.04% now.
    """
    for digits in range(1, 5):
        shown = round(value, digits)
        if (shown > target) == (value > target) and (shown < target) == (value < target):
            break
    return f"{value:.{digits}f}"
