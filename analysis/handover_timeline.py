"""A handover timeline: one commuter's access points and what its uploads took under each in-flight rule.

python analysis/handover_timeline.py   # about a minute (sweep-commute.yaml: 3 rules x 3 replications)

(a) The access point phone-0 is attached to during five minutes of its drive (replayed from the
run's own mobility stream: the same drive under every rule; a visit too brief to show as a line is a
tick). (c) The latency of each of its photo uploads by arrival time under ``continue``, ``restart``
and ``fail``; a failed task is marked on the axis. Dotted lines: its handovers. (b) Over every phone
and replication, the share of tasks that met their 3 s deadline, for tasks no handover met and for
those one met (a failed task missed it), with 95 % intervals over the replications.
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("sweep-commute",)
RULES = ("continue", "restart", "fail")
KEY = "dynamics[0].in_flight"
PHONE = "phone-0"
WINDOW = (30.0, 330.0)
#: The time axis: the window and 2 % of it each side, so that an upload arriving at its very end is
#: drawn whole (one at 328.5 s was cut in half by the axes' edge).
VIEW = (WINDOW[0] - 0.02 * (WINDOW[1] - WINDOW[0]), WINDOW[1] + 0.02 * (WINDOW[1] - WINDOW[0]))


def attachment(seed: int, until: float) -> tuple[list[float], list[int]]:
    """``(times, access point index)`` of PHONE's attachment up to ``until`` in replication 0's run."""
    from _common import SCENARIOS

    from offloadsim.api import load
    from offloadsim.engine.streams import stream
    from offloadsim.world import build_world

    world = build_world(load(SCENARIOS / "commute.yaml"))
    (entry,) = world.dynamics
    spec = entry.spec
    aps = {int(link): j for j, link in enumerate(spec.links[spec.devices.index(PHONE)])}
    topology = world.topology.fork()  # the samples hand over as they are applied, as in the run
    times, where = [], []
    now = [0.0]

    def heard(change):
        if change.what == "handover" and change.node == PHONE:
            times.append(now[0])
            where.append(aps.get(change.link, -1))

    topology.watch(heard)
    for t, change in entry.timeline(stream(seed, 0, "dynamics", "mobility", 0)):
        if t > until:
            break
        now[0] = t
        with topology.applying(entry.index):
            change.apply(topology)
    return times, where


#: A visit shorter than this share of the window is drawn as a tick (as a line it would not show).
BRIEF = 0.005


def visits(times, where, window):
    """``(spans, brief)``: each attachment within ``window`` as ``(from, to, ap)``, or ``(at, ap)`` if brief.

    A visit shorter than :data:`BRIEF` of the window (two handovers at one time included) is
    brief; out of coverage (ap -1) is neither.

    >>> visits([0.0, 40.0, 40.0, 90.0], [1, 2, 3, 0], (30.0, 100.0))
    ([(30.0, 40.0, 1), (40.0, 90.0, 3), (90.0, 100.0, 0)], [(40.0, 2)])
    """
    spans, brief = [], []
    edges = [*times, window[1]]
    for k, ap in enumerate(where):
        lo, hi = max(edges[k], window[0]), min(edges[k + 1], window[1])
        if ap < 0 or hi < lo or (hi == lo and edges[k] < window[0]):
            continue
        if hi - lo < BRIEF * (window[1] - window[0]):
            brief.append((lo, ap))
        else:
            spans.append((lo, hi, ap))
    return spans, brief


def deadline_shares(tasks):
    """Per rule and (handover met or not): the share meeting the deadline, mean, 95 % half-width, runs."""
    from offloadsim.analysis.statistics import mean_ci

    met = (tasks["status"].astype(str) == "completed") & (tasks["latency"] <= tasks["deadline"])
    frame = tasks.assign(met=met.astype(float), moved=tasks["handovers"] > 0)
    per_run = frame.groupby([KEY, "moved", "replication"], observed=True)["met"].mean().reset_index()
    out = {}
    for (rule, moved), group in per_run.groupby([KEY, "moved"], observed=True):
        out[(str(rule), bool(moved))] = (*mean_ci(group["met"].to_numpy() * 100.0), len(group))
    return out


def draw(data):

    from offloadsim.plots import new_axes
    from offloadsim.plots.style import house_style

    tasks = data["sweep-commute"].tasks
    first = tasks[(tasks["replication"] == 0) & (tasks["source"].astype(str) == PHONE)]
    seed = int(first["seed"].iloc[0])
    fig, _ = new_axes("two-column-tall")
    fig.clear()
    with house_style():  # all of it: legends and labels drawn outside took matplotlib's default font
        _draw(fig, tasks, first, seed)
    return fig


def _draw(fig, tasks, first, seed):
    import textwrap

    import numpy as np

    from offloadsim.plots import PALETTE, interval_text, label_panels

    times, where = attachment(seed, VIEW[1])
    axes = fig.subplot_mosaic([["a", "c"], ["b", "c"]], width_ratios=[2.2, 1])
    a, b, c = axes["a"], axes["b"], axes["c"]  # made in the order a, c, b: panels (a), (b), (c)
    b.sharex(a)
    # (a) the attachment as a step function of time; a visit too brief to see as a line, a tick
    spans, brief = visits(times, where, VIEW)
    for lo, hi, ap in spans:
        a.plot([lo, hi], [ap, ap], color=PALETTE[0], lw=2.5, solid_capstyle="butt")
    if brief:
        at, ap = zip(*brief, strict=True)
        shortest = BRIEF * (VIEW[1] - VIEW[0])
        a.scatter(at, ap, marker="|", s=60, color=PALETTE[0], label=f"attached under {shortest:g} s")
        a.legend(loc="lower right", fontsize="small")
    handovers = [t for t in times[1:] if VIEW[0] <= t <= VIEW[1]]
    for ax in (a, b):
        for t in handovers:
            ax.axvline(t, color="0.6", lw=0.6, ls=":", zorder=0)
    a.set_yticks(range(5), [f"ap-{i}" for i in range(5)])
    a.set_ylim(-0.6, 4.6)
    a.set_ylabel("attached to")
    a.tick_params(labelbottom=False)
    # (c) each upload's latency by arrival time, per rule
    markers = {"continue": "o", "restart": "^", "fail": "x"}
    top = 0.0
    for i, rule in enumerate(RULES):
        mine = first[(first[KEY].astype(str) == rule) & first["arrival"].between(*WINDOW)]
        done = mine[mine["status"].astype(str) == "completed"]
        top = max(top, float(done["latency"].max()))
        b.scatter(
            done["arrival"],
            done["latency"],
            s=14,
            marker=markers[rule],
            color=PALETTE[i],
            facecolors="none" if rule != "fail" else PALETTE[i],
            lw=0.9,
            label=rule,
        )
    failed = first[
        (first[KEY].astype(str) == "fail")
        & (first["status"].astype(str) == "failed")
        & first["arrival"].between(*WINDOW)
    ]
    b.scatter(
        failed["arrival"],
        np.full(len(failed), -0.04 * top),
        marker="|",
        s=60,
        color=PALETTE[2],
        clip_on=False,
        label="failed (fail)",
    )
    b.set_ylim(-0.08 * top, top * 1.08)
    b.set_xlim(*VIEW)
    b.set_xlabel("time (s)")
    b.set_ylabel("latency (s)")
    # Above the axes, right of the title: inside, it hid the handovers' dotted lines where they run
    # through it (and any upload slow enough to reach it).
    b.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=4, fontsize="small", frameon=False)
    # (b) deadline met, handover or not
    shares = deadline_shares(tasks)
    width = 0.26
    for i, rule in enumerate(RULES):
        for x, moved in ((0, False), (1, True)):
            mean, half, _ = shares[(rule, moved)]
            at = x + (i - 1) * width
            c.bar(
                at,
                mean,
                width,
                yerr=half,
                color=PALETTE[i],
                label=rule if x == 0 else None,
                capsize=2,
                error_kw={"lw": 0.8},
            )
            if moved:  # a bar of 0 would not show: say each one's value
                c.text(
                    at,
                    mean + (half if half == half else 0.0) + 1.5,
                    f"{mean:.0f}",
                    ha="center",
                    va="bottom",
                    fontsize="small",
                )
    c.set_xticks([0, 1], ["no handover", "handover"])
    # Which deadline, on the figure (as the other gallery figures name theirs): "deadline met" alone
    # left a reader to find the 3 s in the caption.
    deadlines = sorted({f"{d:g} s" for d in tasks["deadline"].dropna().unique()})
    c.set_ylabel(f"{' or '.join(deadlines)} deadline met (% of tasks)".strip())
    c.set_ylim(0, 100)
    c.legend(loc="upper right", fontsize="small")
    # What the figure alone did not say: whose run (a, and c, its phone's uploads) and what the series
    # are (b; c's legend names the same rules in the same colours).
    label_panels(
        [a, c, b],
        [
            f"{PHONE}'s access point, replication 0",
            "all phones, by in-flight rule",
            "its uploads' latency",
        ],
    )
    runs = [n for _, _, n in shares.values()]
    c.set_xlabel(textwrap.fill(interval_text("error bars", min(runs), max(runs)), 32), fontsize="small")


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["handover_timeline"]))
