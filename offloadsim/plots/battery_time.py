"""``plot --kind battery-time``: how a battery-powered fleet drains, a panel per policy.

The tables say how many batteries ran flat and how much the others kept at the end; this draws the
way there: per policy, the median and the least share of capacity left over the battery-powered
nodes (a flat one counts 0), and under it how many have run flat, against time.  The charge is
rebuilt from the records and the scenario's powers (:mod:`offloadsim.analysis.battery_charge`), so
each curve ends where the run's summary does.  Replications are never pooled into one curve: each
line is the mean over a policy's replications at each time and its band their range (said under
the figure).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.analysis.battery_charge import Battery, charge_over_time
from offloadsim.analysis.values import time_text
from offloadsim.plots.axes import integer_axis
from offloadsim.plots.figure_data import filtered_results
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.kinds import figure_kind
from offloadsim.plots.style import FIGSIZES, house_style, new_axes, note_under, style_map
from offloadsim.records.stored import ExperimentError, Results

__all__ = ["figure_with_tables", "fleet_charge", "batteries_of", "FleetCharge", "GRID_POINTS"]

#: Times at which the charge is computed, evenly over the run: a day's run is read every 4.8 min.
GRID_POINTS = 301

_STATISTICS = {"battery_left_median": ("median", "-"), "battery_left_min": ("least", "--")}


def batteries_of(results: Results) -> tuple[dict[str, Battery], float]:
    """Each battery-powered node of the results' scenario (its ``scenario.yaml``), and its warm-up (s).

    Refuses, naming the scenario, results with no battery: there is no charge to draw.
    """
    from offloadsim.scenario import ScenarioError, load_scenario

    file = results.path / "scenario.yaml"
    try:
        with warnings.catch_warnings():  # the scenario's own warnings were said when it ran
            warnings.simplefilter("ignore")
            scenario = load_scenario(file)
    except (OSError, ScenarioError) as error:
        raise ExperimentError(f"{file}: battery-time reads each node's battery from it: {error}") from None
    batteries = {
        node.name: Battery(
            node.power.battery_j,
            node.power.idle_w,
            node.power.idle_w if node.power.down_w is None else node.power.down_w,
        )
        for node in scenario.nodes
        if node.power is not None and node.power.battery_j is not None
    }
    if not batteries:
        raise ExperimentError(
            f"{file} (scenario {scenario.name!r}): no node has a battery (power: battery:), so there is "
            "no charge to draw; battery-time draws a fleet whose devices run on batteries"
        )
    return batteries, scenario.warmup_s


@dataclass(frozen=True)
class FleetCharge:
    """The curves of every run, what each run's records could not place in time, and what the note needs.

    ``curves``: per run (policy, replication) and time, the median and least charge left and the
    batteries flat; ``spread``: per run, the energy no own task record places (``unrecorded_j``,
    spread evenly) and the batteries' whole drain (``drained_j``); ``warmup_s``: the warm-up, whose
    tasks have no record; ``batteries``: how many nodes have one.
    """

    curves: pd.DataFrame
    spread: pd.DataFrame
    warmup_s: float
    batteries: int


def fleet_charge(results: Results, points: int = GRID_POINTS) -> FleetCharge:
    """Each run's fleet charge over ``points`` times from its start to its end (:class:`FleetCharge`)."""
    batteries, warmup_s = batteries_of(results)
    lacking = [
        f"{table}.parquet's {column}"
        for table, column in (("metrics", "end_s"), ("nodes", "down"), ("nodes", "battery_left"))
        if column not in getattr(results, table).columns
    ]
    if lacking:
        raise ExperimentError(
            f"{results.path}: battery-time needs {', '.join(lacking)}, which these results were written "
            "without (an older offloadsim): run them again"
        )
    keys = [k for k in ("policy", "replication") if k in results.metrics.columns]
    curves, spread = [], []
    for run, row in results.metrics.groupby(keys, sort=False, observed=True):
        values = run if isinstance(run, tuple) else (run,)
        end = float(row["end_s"].iloc[0])
        times = np.linspace(0.0, end, points)
        charge = charge_over_time(
            _of_run(results.tasks, keys, values), _of_run(results.nodes, keys, values), batteries, end, times
        )
        curve = charge.fleet()
        curves.append(curve.assign(**dict(zip(keys, values, strict=True))))
        drained = charge.capacity_j * (1.0 - charge.left[:, -1])
        spread.append(
            {
                **dict(zip(keys, values, strict=True)),
                "unrecorded_j": float(np.abs(charge.unrecorded_j).sum()),
                "drained_j": float(drained.sum()),
            }
        )
    table = pd.concat(curves, ignore_index=True)
    keys_first = table[[*keys, *(c for c in table.columns if c not in keys)]]
    return FleetCharge(keys_first, pd.DataFrame(spread), warmup_s, len(batteries))


def _of_run(table: pd.DataFrame, keys: list[str], values: tuple[object, ...]) -> pd.DataFrame:
    """The rows of one run of ``table`` (a run's nodes table, of one run, has no ``policy`` column)."""
    keep = np.ones(len(table), dtype=bool)
    for key, value in zip(keys, values, strict=True):
        if key in table.columns:
            keep &= table[key].astype(str).to_numpy() == str(value)
    return table[keep]


def figure_with_tables(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind battery-time`` of ``results`` (``--where`` applied); its curves are the ``csv`` table."""
    kind = figure_kind("battery-time")
    assert kind is not None
    results = filtered_results(results, kind, request.where)
    fleet = fleet_charge(results)
    return _figure(fleet, request.size), {"csv": fleet.curves}


def _figure(fleet: FleetCharge, size: str | None) -> Figure:
    """A column per policy: the charge left over time above, the batteries flat under it."""
    curves, warmup_s, count = fleet.curves, fleet.warmup_s, fleet.batteries
    policies = list(dict.fromkeys(curves["policy"].astype(str))) if "policy" in curves else [""]
    width, height = FIGSIZES[size or "two-column"]
    fig, axes = new_axes((width, height + 1.2), nrows=2, ncols=len(policies), sharex=True)
    axes = np.asarray(axes).reshape(2, len(policies))
    fig.get_layout_engine().set(h_pad=0.02)
    fig.axes[0].get_gridspec().set_height_ratios([3, 1])
    hours = curves["time_s"].max() >= 3 * 3600
    scale, unit = (
        (3600.0, "h") if hours else ((60.0, "min") if curves["time_s"].max() >= 3 * 60 else (1.0, "s"))
    )
    styles = style_map(policies)
    replications = (
        curves.groupby("policy", observed=True)["replication"].nunique() if "replication" in curves else None
    )
    with house_style():
        for i, policy in enumerate(policies):
            part = curves[curves["policy"].astype(str) == policy] if policy else curves
            top, bottom = axes[0, i], axes[1, i]
            colour = styles[policy]["color"]
            for column, (name, dash) in _STATISTICS.items():
                _draw(top, part, column, scale, 100.0, colour, dash, f"{name} of the batteries")
            _draw(bottom, part, "batteries_flat", scale, 1.0, colour, "-", "run flat", step=True)
            if warmup_s > 0:
                for ax in (top, bottom):
                    ax.axvspan(0, warmup_s / scale, color="0.85", linewidth=0, zorder=0)
            top.set_title(policy)
            top.set_ylim(-2, 102)  # one range a row, set here: new_axes shares all panels' or none
            if i:
                for ax in (top, bottom):
                    ax.tick_params(labelleft=False)
            bottom.set_xlabel(f"time ({unit})")
            integer_axis(bottom, "y")
            bottom.set_ylim(0, count * 1.05)
        axes[0, 0].set_ylabel("charge left (% of capacity)")
        axes[1, 0].set_ylabel(f"batteries flat\n(of {count})")
        axes[0, 0].legend(loc="lower left", fontsize="small")
    note_under(fig, _note(fleet.spread, replications, warmup_s, count))
    return fig


def _draw(
    ax: Axes,
    part: pd.DataFrame,
    column: str,
    scale: float,
    factor: float,
    colour: str,
    dash: str,
    label: str,
    step: bool = False,
) -> None:
    """One statistic of one policy: the mean over its replications per time, their range as a band."""
    by_time = part.groupby("time_s")[column]
    x = by_time.mean().index.to_numpy(dtype=float) / scale
    mean, low, high = (getattr(by_time, f)().to_numpy(dtype=float) * factor for f in ("mean", "min", "max"))
    where: Literal["post"] | None = "post" if step else None
    ax.plot(x, mean, color=colour, linestyle=dash, label=label, drawstyle="steps-post" if step else "default")
    if (high > low).any():
        ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0, step=where)


def _note(spread: pd.DataFrame, replications: pd.Series | None, warmup_s: float, count: int) -> str:
    """What the figure draws and how it was rebuilt, and how much of the drain it had to spread."""
    counts = sorted(set(replications.tolist())) if replications is not None else [1]
    if counts == [1]:
        over = "one replication each (no band)"
    else:
        said = ", ".join(map(str, counts))
        over = f"each line the mean over a policy's {said} replications at each time, the band their range"
    share = spread["unrecorded_j"].sum() / max(spread["drained_j"].sum(), 1e-300)
    lines = [
        "charge left over the battery-powered nodes, a flat battery as 0 (it draws nothing and its device "
        "sends no more): a least line at 0 means some battery is flat; time from the run's start, "
        "warm-up included; "
        f"{over}",
        "rebuilt from the records: each node's idle and down draw from its up and down times, its own tasks' "
        "device energy spread over each task's life; it ends at the run's battery left and drained_at",
    ]
    if share > 1e-6:
        lines.append(
            f"{share:.1%} of the drain is in no task record of the node's own (warm-up tasks, work for other "
            "sources' tasks, radio tails past a task's end): spread evenly over the run"
        )
    if count % 2 == 0:  # the median's kink as half of them go flat reads as a slower drain otherwise
        lines.append(
            f"the median of {count} batteries is the mean of the middle two: once {count // 2} are flat, "
            "half the least charge of the others"
        )
    if warmup_s > 0:
        lines.append(f"shaded: the warm-up (to {time_text(warmup_s)} s), whose tasks have no record")
    return "\n".join(lines)
