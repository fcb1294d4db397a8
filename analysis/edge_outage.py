"""Failed tasks and service availability per policy, with and without recovery, under an edge that fails.

python analysis/edge_outage.py        # a few minutes on two cores

scenarios/edge-outage.yaml: the edge crashes at random (mean 60 s up, 10 s down).  Each policy
runs 5 replications as shipped (an aborted task is retried once, then placed again with the edge
seen as down) and 5 without recovery (``--set recovery.retries=0 --set recovery.fallback=drop``:
an aborted task fails).  Failure times are the same for every policy and variant (common random
numbers), so the edge's availability, the dashed line, is too.
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("edge-outage",)


def draw(data):
    import numpy as np
    from _common import EDGE_OUTAGE_POLICIES, EDGE_OUTAGE_VARIANTS

    from offloadsim.analysis.catalogue import metric_info
    from offloadsim.plots import house_style, interval_text, label_panels, new_axes, note_under, style_map
    from offloadsim.plots.series import ci_bounds, mean_ci_by

    metrics = data["edge-outage"].metrics.copy()
    # deadline_miss_rate is over the tasks with a known outcome (completed, dropped or failed, or
    # still in flight past their deadline): its complement is the share served within the deadline.
    metrics["in_time"] = 1.0 - metrics["deadline_miss_rate"]
    within = f"served within {deadline_ms():.0f} ms"
    fig, (left, right) = new_axes("two-column", ncols=2)
    variants = list(EDGE_OUTAGE_VARIANTS)
    with house_style():
        colours = style_map(variants)
        width = 0.8 / len(variants)
        x = np.arange(len(EDGE_OUTAGE_POLICIES))
        for ax, metric, scale in ((left, "failed", 1.0), (right, "in_time", 100.0)):
            table = mean_ci_by(metrics, ["policy", "recovery"], metric).set_index(["policy", "recovery"])
            for k, variant in enumerate(variants):
                rows = table.loc[[(p, variant) for p in EDGE_OUTAGE_POLICIES]]
                mean = rows["mean"].to_numpy(dtype=float) * scale
                info = metric_info("fail_rate" if scale == 100.0 else "failed")  # a share, or a count
                low, high = ci_bounds(info, mean, rows["ci"].to_numpy(dtype=float) * scale)
                at = x + (k - (len(variants) - 1) / 2) * width
                for where in at[mean == 0.0]:  # a bar of height 0 is not seen: say so
                    ax.annotate(
                        "0",
                        (where, 0.0),
                        xytext=(0, 2),
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        fontsize="small",
                    )
                ax.bar(
                    at,
                    mean,
                    width,
                    yerr=[mean - low, high - mean],
                    color=colours[variant]["color"],
                    label=variant,
                    capsize=2,
                    error_kw={"elinewidth": 0.8},
                )
            ax.set_xticks(x, EDGE_OUTAGE_POLICIES)
            ax.set_xlabel("policy")
        availability = float(metrics["availability"].mean()) * 100.0
        right.axhline(availability, color="0.3", linestyle="--", linewidth=0.8)
        # The line is the runs' own availability, not the scenario's: say which, and the nominal beside it.
        right.annotate(  # above the edge's bars and their CIs, pointing down at the line
            f"edge up {availability:.0f} % (measured)\nnominal {nominal_up()}",
            xy=(-0.3, availability),
            xytext=(-0.45, 88.5),
            ha="left",
            va="bottom",
            linespacing=1.0,
            fontsize="small",
            arrowprops={"arrowstyle": "-", "color": "0.3", "linewidth": 0.6},
        )
        right.set_ylim(0.0, 100.0)
        arrived = float(metrics["arrived"].mean())
        left.set_ylabel(f"failed tasks per run (of {arrived:,.0f})")
        right.set_ylabel(f"{within} (% of tasks)")
        left.legend(title="recovery", loc="upper right", fontsize="small", title_fontsize="small")
        runs = metrics.groupby(["policy", "recovery"]).size()
        note = interval_text("error bars", int(runs.min()), int(runs.max()))
        measured = f"dashed: the edge's time up in these runs, mean of {metrics['replication'].nunique()}"
        note_under(fig, f"bars: mean per run; {note}; {measured}", fontsize="small")
    label_panels([left, right], ["failed tasks", f"tasks {within} (their deadline)"])
    return fig


def nominal_up() -> str:
    """The edge's availability the scenario sets, MTBF / (MTBF + MTTR): ``60/70 = 86 %``.

    The dashed line is what the runs measured (failure times are random); a reader checking it
    against the scenario's 60 s and 10 s needs the nominal figure beside it.
    """
    from _common import EDGE_OUTAGE_VARIANTS, edge_outage_scenario

    from offloadsim.scenario.units import parse_quantity

    found = {
        (parse_quantity(entry["mtbf"], "time"), parse_quantity(entry["mttr"], "time"))
        for variant in EDGE_OUTAGE_VARIANTS
        for entry in edge_outage_scenario(variant, False).dynamics
        if entry.get("kind") == "failures"
    }
    if len(found) != 1:
        raise SystemExit(f"edge_outage: the dashed line needs one failure process, not {sorted(found)}")
    ((up, down),) = found
    return f"{up:g}/{up + down:g} = {100.0 * up / (up + down):.0f} %"


def deadline_ms() -> float:
    """The deadline panel (b) measures against: the one application's, in the shipped scenario."""
    from _common import EDGE_OUTAGE_VARIANTS, edge_outage_scenario

    deadlines = {
        app.deadline_s
        for variant in EDGE_OUTAGE_VARIANTS
        for app in edge_outage_scenario(variant, False).applications.values()
    }
    if len(deadlines) != 1 or None in deadlines:
        raise SystemExit(f"edge_outage: panel (b) needs one deadline for every task, not {deadlines}")
    return float(deadlines.pop()) * 1e3


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["edge_outage"]))
