"""``plot --kind latency-time``: latency by arrival time, binned, with the nodes' outages shaded.

Before it, no kind answered "what does latency do while the edge is down": a CDF pools the
outage with normal running, and a timeline drew a run's first 30 tasks, so an outage later in
the run never appeared (``--from``/``--to`` now choose its window).  The medians here are worked
out by hand from a scenario small enough to: one phone, one edge, tasks of 0 B each way.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from offloadsim.cli import main
from offloadsim.experiments import ExperimentError, read_results
from offloadsim.plots.latency_time import (
    binned_latency,
    default_bin_s,
    down_spans,
    latency_time_figure,
    latency_time_tables,
)
from offloadsim.plots.results import plot_results

# A task sends 0 B up (5 ms, the link's latency), computes 1 GFLOP at 100 GFLOP/s (10 ms) and sends
# 0 B back (5 ms): 20 ms alone.  Three arriving together at 4.25 s queue for the edge's one core:
# 20, 30 and 40 ms.  The edge is down from 2 s to 3.5 s: the tasks arriving then (2.25, 2.75 and
# 3.25 s) run on the phone (`edge` keeps a task at its source when no edge is up), 1 GFLOP at
# 10 GFLOP/s: 100 ms.  The one at 5.99 s is still in flight when the run ends at 6 s.
SCENARIO = """\
name: tiny-outage
duration: 6 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 8 Mbps, latency: 5 ms}
applications:
  job: {stages: [{work: 1 GFLOP}], input: 0 B, output: 0 B}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: arrivals.csv}
policy: edge
dynamics:
  - {kind: node-schedule, node: edge, steps: [{at: 2 s, up: false}, {at: 3.5 s, up: true}]}
"""
ARRIVALS = [0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4.25, 4.25, 4.25, 4.75, 5.25, 5.75, 5.99]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("tiny")
    (where / "scenario.yaml").write_text(SCENARIO)
    (where / "arrivals.csv").write_text("time\n" + "".join(f"{t}\n" for t in ARRIVALS))
    out = where / "run"
    assert main(["run", str(where / "scenario.yaml"), "--out", str(out), "-q"]) == 0
    return out


def test_a_runs_bins_hold_the_median_latency_worked_out_by_hand(tiny):
    results = read_results(tiny)
    binned = binned_latency(results.tasks, bin_s=1.0, start_s=0.0, end_s=6.0)
    assert binned["bin_start"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    medians = binned["median_s"].to_numpy(dtype=float)
    # [4, 5): 20, 30, 40 and 20 ms (4.75 s, alone again): the median is 25 ms.
    # [3, 4): 100 ms on the phone (3.25 s) and 20 ms on the edge again (3.75 s): 60 ms.
    assert medians == pytest.approx([0.020, 0.020, 0.100, 0.060, 0.025, 0.020], abs=1e-9)
    assert binned["completed"].tolist() == [2, 2, 2, 2, 4, 2]
    assert binned["not_completed"].tolist() == [0, 0, 0, 0, 0, 1]
    # One run: the band is the bin's 10-90 % of task latencies (numpy's linear quantiles).
    assert binned.loc[4, ["low_s", "high_s"]].tolist() == pytest.approx([0.020, 0.037], abs=1e-9)


def test_the_nodes_records_say_when_the_edge_was_down_and_the_figure_shades_it_there(tiny):
    results = read_results(tiny)
    edge = results.nodes[results.nodes["node"] == "edge"]
    assert edge["down"].tolist() == ["[[2.0, 3.5]]"]
    assert results.nodes.loc[results.nodes["node"] == "phone", "down"].tolist() == [""]
    assert [s[0] for s in down_spans(results.nodes, 6.0)] == ["edge"]
    fig = plot_results(results, "latency-time", bin_s=1.0)
    shaded = [
        (p.get_x(), p.get_x() + p.get_width())
        for p in fig.axes[0].patches
        if hasattr(p, "get_width") and p.get_width() < 6.0
    ]
    assert shaded == [pytest.approx((2.0, 3.5))]
    # The tasks not completed are drawn in a panel of their own, and counted under the figure.
    assert len(fig.axes) == 2
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "not completed, in this run (lower panel): edge 1" in note


def test_across_runs_the_line_is_the_median_of_run_medians_and_the_band_their_range():
    # Each run's median in [0, 1 s): 0.1, 0.2 and 0.4 s (0.2 and 0.6 s); in [1 s, 2 s): 0.3 s, one run.
    runs = {0: [0.1, 0.1, 0.5], 1: [0.2, 0.2, 0.2], 2: [0.2, 0.6]}
    rows = [
        {"policy": "edge", "replication": r, "arrival": 0.1 * (i + 1), "latency": latency}
        for r, latencies in runs.items()
        for i, latency in enumerate(latencies)
    ]
    rows.append({"policy": "edge", "replication": 1, "arrival": 1.5, "latency": 0.3})
    tasks = pd.DataFrame(rows).assign(status="completed")
    binned = binned_latency(tasks, bin_s=1.0, start_s=0.0, end_s=2.0)
    columns = ["median_s", "low_s", "high_s", "runs"]
    assert binned[columns].iloc[0].tolist() == pytest.approx([0.2, 0.1, 0.4, 3])
    assert binned[columns].iloc[1].tolist() == pytest.approx([0.3, 0.3, 0.3, 1])  # the one run's


def test_the_default_bin_is_about_sixty_to_the_run():
    assert default_bin_s(290.0) == 2.0 and default_bin_s(600.0) == 10.0 and default_bin_s(6.0) == 0.1


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["--bin", "0s"],
            """argument --bin: expected a bin width above 0 s, got "0s" (see 'offloadsim plot --help')""",
        ),
        (
            ["--bin", "-1s"],
            """argument --bin: expected a bin width above 0 s, got "-1s" (see 'offloadsim plot --help')""",
        ),
        (["--bin", "1 us"], "--bin 1e-06 s: 6,000,000 bins over 6 s (at most 5,000); give a wider bin"),
        (["--from", "4s", "--to", "3s"], "--from 4 s --to 3 s: expected --to after --from"),
        (["--from", "7s"], "--from 7 s: expected a time before the measured time's end, 6 s"),
        (["--by", "source"], "--by does not apply to --kind latency-time (a line per policy)"),
    ],
)
def test_bad_windows_and_options_are_refused_naming_the_flag(tiny, tmp_path, capsys, argv, said):
    out = tmp_path / "figure"
    assert main(["plot", str(tiny), "--kind", "latency-time", *argv, "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"offloadsim: error: {said}"
    assert not list(tmp_path.iterdir())


def test_a_time_that_is_no_time_is_refused_by_the_parser(tiny, tmp_path, capsys):
    assert (
        main(["plot", str(tiny), "--kind", "timeline", "--from", "soon", "--out", str(tmp_path / "f")]) == 2
    )
    assert "argument --from: expected a time like" in capsys.readouterr().err


def test_a_sweep_is_refused(tmp_path, capsys):
    base = Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml"
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: s\nbase: {base}\nset: {{duration: 2 s, warmup: 0 s}}\n"
        "grid:\n  links[0].bandwidth: [5 Mbps, 20 Mbps]\npolicies: [edge]\nreplications: 1\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    assert main(["plot", str(out), "--kind", "latency-time", "--out", str(tmp_path / "f")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("offloadsim: error: --kind latency-time draws a run or a comparison, and ")
    assert not (tmp_path / "f.png").exists()


def test_the_timeline_draws_the_tasks_of_its_window(tiny, tmp_path):
    results = read_results(tiny)
    fig = plot_results(results, "timeline", from_s=4.0, to_s=5.0)
    rows = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert len(rows) == 4  # the three at 4.25 s and the one at 4.75 s; before, the first 30 from 0.25 s
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "of the tasks arriving from 4 s to 5 s only (--from, --to)" in note
    with pytest.raises(Exception, match=r"^from_s=9: no task arrived then"):  # Python's keyword, not --from
        plot_results(results, "timeline", from_s=9.0)


def test_latency_time_figure_of_a_run_with_no_outage_says_so(tmp_path):
    base = Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml"
    out = tmp_path / "run"
    assert (
        main(["run", str(base), "--set", "duration=3 s", "--set", "warmup=0 s", "--out", str(out), "-q"]) == 0
    )
    fig = latency_time_figure(read_results(out))
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "no node went down in the window drawn" in note


def test_results_written_before_the_down_records_say_that_outages_are_not_shaded(tiny, tmp_path):
    results = read_results(tiny)
    older = dataclasses.replace(results, nodes=results.nodes.drop(columns="down"))
    note = "\n".join(text.get_text() for text in latency_time_figure(older).texts)
    assert "outages not shaded: these results were written before" in note
    nodes = results.nodes.assign(down=results.nodes["down"].where(results.nodes["node"] != "edge", "[[2.0"))
    edited = dataclasses.replace(results, nodes=nodes)
    with pytest.raises(ExperimentError, match=r"nodes.parquet: node edge's down: expected JSON"):
        latency_time_figure(edited)


def test_a_policy_that_completed_nothing_is_named_not_drawn(tiny):
    results = read_results(tiny)
    failed = dataclasses.replace(results, tasks=results.tasks.assign(status="failed"))
    fig = latency_time_figure(failed)
    assert not [line for line in fig.axes[0].patches if line.get_label() == "edge"]  # no steps for it
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "not drawn, no task completed in the window: edge" in note
    assert "not completed, in this run (lower panel): edge 15" in note


# --------------------------------------------------------------------------- --metric


@pytest.mark.parametrize(
    ("metric", "expected_ms"),
    [
        # [4, 5): 20, 30 and 40 ms (three queued together) and 20 ms: mean 27.5, p95 30 + 0.85 x 10.
        ("latency_mean_s", 27.5),
        ("latency_p95_s", 38.5),
        # Their waits for the edge's one core: 0, 10, 20 and 0 ms.
        ("wait_mean_s", 7.5),
    ],
)
def test_a_metric_over_time_is_the_runs_summary_statistic_of_each_bins_tasks(tiny, metric, expected_ms):
    from offloadsim.plots.latency_time import binned_metric

    binned = binned_metric(read_results(tiny).tasks, metric, bin_s=1.0, start_s=0.0, end_s=6.0)
    assert binned["value"].iloc[4] * 1e3 == pytest.approx(expected_ms, abs=1e-6)
    assert binned[["low", "high"]].iloc[4].isna().all()  # one run: no band but the median's


def test_the_deadline_miss_rate_per_bin_counts_the_tasks_whose_outcome_is_known(tiny):
    from offloadsim.plots.latency_time import binned_metric

    tasks = read_results(tiny).tasks
    met = tasks["latency"] <= 0.05  # 50 ms: the tasks run on the phone (100 ms) miss it
    tasks = tasks.assign(deadline=0.05, deadline_met=met.where(tasks["status"] == "completed"))
    binned = binned_metric(tasks, "deadline_miss_rate", bin_s=1.0, start_s=0.0, end_s=6.0, run_end_s=6.0)
    # [2, 3): both on the phone; [3, 4): one of two; [5, 6): the one at 5.99 s, in flight at 6 s and
    # not yet past its deadline (6.04 s), is not counted: 0 of 2.
    assert binned["value"].tolist() == pytest.approx([0.0, 0.0, 1.0, 0.5, 0.0, 0.0])
    assert binned["runs"].tolist() == [1] * 6


def test_plot_draws_a_metric_over_time_and_names_the_file_after_it(tiny, tmp_path, capsys):
    assert (
        main(["plot", str(tiny), "--kind", "latency-time", "--metric", "latency_p95_s", "--bin", "1s"]) == 0
    )
    assert (tiny / "figures" / "latency-time-latency_p95_s.png").is_file()
    fig = plot_results(read_results(tiny), "latency-time", metric="latency_p95_s", bin_s=1.0)
    assert fig.axes[0].get_ylabel() == "p95 latency (ms)"
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "the 95th percentile of the completed tasks' latency; no band: one run" in note


@pytest.mark.parametrize(
    ("metric", "said"),
    [
        (
            "throughput_per_s",
            "--metric throughput_per_s: a metric of whole runs, not drawn over time; --kind latency-time "
            "draws one of latency_p50_s, latency_mean_s",
        ),
        ("latency_p96_s", '--metric latency_p96_s: unknown metric (did you mean "latency_p95_s"'),
        (
            "deadline_miss_rate",
            "--metric deadline_miss_rate: no task arriving between 0 s and 6 s has a deadline",
        ),
    ],
)
def test_a_metric_not_drawn_over_time_is_refused_naming_those_that_are(tiny, tmp_path, capsys, metric, said):
    out = tmp_path / "figure"
    assert main(["plot", str(tiny), "--kind", "latency-time", "--metric", metric, "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: {said}")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- Python's keywords


@pytest.mark.parametrize(
    ("kind", "given", "said"),
    [
        ("latency-time", {"bin_s": 0.0}, "bin_s: expected a bin width above 0 s, got 0 s"),
        (
            "latency-time",
            {"bin_s": 1e-6},
            "bin_s=1e-06: 6,000,000 bins over 6 s (at most 5,000); give a wider bin",
        ),
        ("latency-time", {"from_s": 4.0, "to_s": 3.0}, "from_s=4 to_s=3: expected to_s after from_s"),
        ("latency-time", {"from_s": 7.0}, "from_s=7: expected a time before the measured time's end, 6 s"),
        ("latency-time", {"bin_s": -1.0}, "bin_s: expected a bin width above 0 s, got -1.0"),
        ("latency-time", {"to_s": "5s"}, "to_s: expected a time in seconds, got str '5s'"),
        ("timeline", {"bin_s": 1.0}, "bin_s does not apply to kind=timeline; it does to latency-time"),
        ("cdf", {"to_s": 1.0}, "from_s and to_s do not apply to kind=cdf; they do to timeline, latency-time"),
        (
            "latency-time",
            {"metric": "drop_rate"},
            "metric=drop_rate: a metric of whole runs, not drawn over time; kind=latency-time draws one of",
        ),
    ],
)
def test_from_python_the_options_are_named_as_its_keywords(tiny, kind, given, said):
    with pytest.raises(ExperimentError) as caught:
        plot_results(read_results(tiny), kind, **given)
    assert str(caught.value).startswith(said)
    assert "--" not in str(caught.value)


def test_from_python_several_applications_are_refused_with_a_where_keyword(tiny):
    results = read_results(tiny)
    tasks = results.tasks.assign(app=["job", "other"] * 7 + ["job"])
    with pytest.raises(ExperimentError) as caught:
        latency_time_figure(dataclasses.replace(results, tasks=tasks))
    assert str(caught.value).startswith("kind=latency-time draws one application's median latency, but")
    assert str(caught.value).endswith("pick one with where=app=job")


def test_from_python_a_sweep_is_refused_naming_the_kind_keyword(tiny):
    results = dataclasses.replace(read_results(tiny), kind="sweep")
    with pytest.raises(
        ExperimentError, match=r"^kind=latency-time draws a run or a comparison, and .* with kind=sweep$"
    ):
        latency_time_figure(results)


def _hatched(ax, hatch: str) -> list[tuple[float, float]]:
    """``(from, to)`` of each span on ``ax`` hatched ``hatch`` (an axvspan's x extent)."""
    spans = []
    for patch in ax.patches:
        if patch.get_hatch() == hatch:
            xs = [x for x, _ in patch.get_path().transformed(patch.get_patch_transform()).vertices]
            spans.append((min(xs), max(xs)))
    return spans


def test_a_link_that_went_down_is_hatched_the_other_way_and_its_bandwidth_drawn(tiny, tmp_path):
    # The same world with the phone's link down from 2 s to 3.5 s instead of the edge: no node went
    # down; the run's link_changes records say when the link did.
    from matplotlib.patches import StepPatch

    steps = "steps: [{at: 2 s, up: false}, {at: 3.5 s, up: true}]}"
    scenario = (tiny.parent / "scenario.yaml").read_text()
    scenario = scenario.replace(
        "{kind: node-schedule, node: edge, " + steps, "{kind: link-schedule, link: [phone, edge], " + steps
    )
    assert "link-schedule" in scenario
    (tiny.parent / "link.yaml").write_text(scenario)
    out = tmp_path / "run"
    assert main(["run", str(tiny.parent / "link.yaml"), "--out", str(out), "-q"]) == 0
    results = read_results(out)
    assert not down_spans(results.nodes, 6.0)
    fig = latency_time_figure(results, bin_s=1.0)
    links, latency = fig.axes[0], fig.axes[1]
    assert links.get_title(loc="left").startswith("(a) link bandwidth in force")
    # The bandwidth in force, from the records: 8 Mb/s, 0 while down, 8 again; both directions alike,
    # one line named for both (two identical lines and two legend entries before).
    drawn = [p for p in links.patches if isinstance(p, StepPatch)]
    assert len(drawn) == 1 and drawn[0].get_label() == "phone↔edge"
    for patch in drawn:
        assert list(patch.get_data().edges) == [0.0, 2.0, 3.5, 6.0]
        assert list(patch.get_data().values) == [8.0, 0.0, 8.0]
    # The stretch down hatched on every panel, once (both directions at once), and not as a node's.
    for ax in fig.axes:
        assert _hatched(ax, "\\\\\\\\") == [(2.0, 3.5)]
        assert not _hatched(ax, "////")
    assert "phone↔edge down" in [t.get_text() for t in latency.get_legend().get_texts()]
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "no node went down in the window drawn; hatched blue, the other way: a link down" in note
    # A link down is an outage as a node's is: the time to recover is taken after it (both
    # directions down together, one outage), and said under the figure.
    _, recovery = latency_time_tables(results, bin_s=1.0)
    assert recovery[["outage_from_s", "outage_to_s"]].values.tolist() == [[2.0, 3.5]]
    assert "after 2–3.5 s: edge" in " ".join(note.split())


def test_a_bandwidth_trace_is_drawn_as_the_records_say_above_the_latency(tmp_path):
    """unstable-uplink: the panel's steps are the trace's samples in force, the scenario's 6 Mb/s beneath."""
    from matplotlib.patches import StepPatch

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "uplink"
    scenario = str(root / "scenarios" / "unstable-uplink.yaml")
    assert main(["run", scenario, "--set", "duration=30 s", "--out", str(out), "-q"]) == 0
    fig = latency_time_figure(read_results(out), bin_s=5.0)
    links = fig.axes[0]
    (drawn,) = [p for p in links.patches if isinstance(p, StepPatch)]
    trace = pd.read_csv(root / "scenarios" / "traces" / "lte-uplink.csv", comment="#")
    trace = trace[trace["time"] < 30]
    in_force = trace[trace["bandwidth"] != trace["bandwidth"].shift()]  # a repeated sample changes nothing
    assert list(drawn.get_data().edges) == [*in_force["time"].astype(float), 30.0]
    assert list(drawn.get_data().values) == list(in_force["bandwidth"] / 1e6)
    assert [
        line.get_ydata()[0] for line in links.lines if line.get_label() == "the scenario's bandwidth"
    ] == [6.0]
    assert [t.get_text() for t in links.get_legend().get_texts()] == [
        "phone→server",
        "the scenario's bandwidth",
        "50% of it: a dip under",
    ]
    assert [line.get_ydata()[0] for line in links.lines if line.get_label() == "50% of it: a dip under"] == [
        3.0
    ]
    # Each stretch the trace was under half its 6 Mb/s and came back (a dip analysed), from the trace
    # itself, is shaded dotted over the latency: the note's "after 8–9 s" points at it.
    under = (in_force["bandwidth"] < 3e6).tolist()
    times = in_force["time"].astype(float).tolist()
    dips = [(times[i], times[i + 1]) for i in range(len(times) - 1) if under[i] and not under[i + 1]]
    assert dips and not any(under[i] and under[i + 1] for i in range(len(times) - 1))  # one sample each
    shaded = sorted(
        (float(p.get_x()), float(p.get_x() + p.get_width()))
        for p in fig.axes[1].patches
        if not isinstance(p, StepPatch) and p.get_hatch() == "..."
    )
    assert shaded == dips
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "top panel: the bandwidth in force of each link direction that changed" in note


# --------------------------------------------------------------------------- what a reader can tell apart


def _with_second_policy(results, slower_from_s: float | None = None):
    """The tiny run's tasks again as ``neurosurgeon``'s: the same, or 5x slower from ``slower_from_s``."""
    again = results.tasks.assign(policy="neurosurgeon")
    if slower_from_s is not None:
        later = again["arrival"] >= slower_from_s
        again.loc[later, "latency"] = again.loc[later, "latency"] * 5
    return dataclasses.replace(results, tasks=pd.concat([results.tasks, again], ignore_index=True))


def _legend_labels(fig) -> list[str]:
    return [text.get_text() for text in fig.axes[0].get_legend().get_texts()]


def test_the_down_shading_is_hatched_as_its_legend_key_and_no_band_is(tiny):
    # A plain grey fill read as the grey-brown where an orange and a blue band overlap.
    fig = latency_time_figure(_with_second_policy(read_results(tiny), slower_from_s=3.0), bin_s=1.0)
    for ax in fig.axes:
        down = [p for p in ax.patches if hasattr(p, "get_width") and p.get_width() < 6.0]
        assert [(p.get_x(), p.get_x() + p.get_width()) for p in down] == [pytest.approx((2.0, 3.5))]
        assert all(p.get_hatch() for p in down)
    bands = [c for c in fig.axes[0].collections if c.get_label().startswith("_")]
    assert bands and not any(c.get_hatch() for c in bands)
    legend = fig.axes[0].get_legend()
    keys = dict(zip(_legend_labels(fig), legend.legend_handles, strict=True))
    assert keys["edge down"].get_hatch() == down[0].get_hatch()
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "hatched: a node down, from the run's nodes records (down)" in note


def test_a_line_wholly_on_an_earlier_one_is_named_in_the_legend(tiny):
    fig = latency_time_figure(_with_second_policy(read_results(tiny)), bin_s=1.0)
    assert _legend_labels(fig)[:2] == ["edge", "neurosurgeon (same line as edge)"]
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "lines drawn over each other" not in note  # the legend says it, once


def test_a_line_on_another_over_part_of_the_time_is_named_under_the_figure_with_when(tiny):
    # neurosurgeon's tasks from 3 s on take 5x as long: its line lies on edge's over 0-3 s only.
    fig = latency_time_figure(_with_second_policy(read_results(tiny), slower_from_s=3.0), bin_s=1.0)
    assert _legend_labels(fig)[:2] == ["edge", "neurosurgeon"]
    note = "\n".join(text.get_text() for text in fig.texts)
    assert "lines drawn over each other: neurosurgeon over edge at 0–3 s" in note
    # Two bins alike (0-2 s) are too short a stretch to name: the steps either side show it.
    fig = latency_time_figure(_with_second_policy(read_results(tiny), slower_from_s=2.0), bin_s=1.0)
    assert "lines drawn over each other" not in "\n".join(text.get_text() for text in fig.texts)


def test_plot_writes_the_figures_bins_as_csv_beside_it(tiny, tmp_path, capsys):
    """A paper's numbers from the figure's own bins: ``STEM.csv`` beside the PDF and PNG, as drawn."""
    out = tmp_path / "lt"
    assert main(["plot", str(tiny), "--kind", "latency-time", "--bin", "1s", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert str(out) + ".csv" in printed
    table = pd.read_csv(out.with_suffix(".csv"))
    assert table.columns.tolist() == [
        "policy", "bin_start_s", "bin_end_s", "metric", "value", "band_low", "band_high",
        "runs", "tasks", "completed", "not_completed",
    ]  # fmt: skip
    assert table["policy"].unique().tolist() == ["edge"]
    assert table["bin_start_s"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    # The medians worked out by hand above, in s; the last bin's task in flight at the end counted.
    assert table["value"].tolist() == pytest.approx([0.020, 0.020, 0.100, 0.060, 0.025, 0.020], abs=1e-9)
    assert table.loc[4, ["band_low", "band_high"]].tolist() == pytest.approx([0.020, 0.037], abs=1e-9)
    assert table["tasks"].tolist() == [2, 2, 2, 2, 4, 3]
    assert table["not_completed"].tolist() == [0, 0, 0, 0, 0, 1]
    assert set(table["metric"]) == {"latency_p50_s"}


def test_plot_writes_the_time_to_recover_beside_the_figure_and_says_it_under_it(tiny, tmp_path, capsys):
    """The edge down 2-3.5 s: the tasks it held up arrived at 2.25, 2.75 and 3.25 s and ran 100 ms
    on the phone, the last ending at 3.35 s, before the edge was back: recovered at once (0 s), from
    the records.  The old rule on bins said "too near the end to say": two bins after the outage."""
    out = tmp_path / "lt"
    assert main(["plot", str(tiny), "--kind", "latency-time", "--bin", "1s", "--out", str(out)]) == 0
    assert str(out) + ".recovery.csv" in capsys.readouterr().out.split()
    table = pd.read_csv(tmp_path / "lt.recovery.csv")
    assert table.columns.tolist() == [
        "policy", "metric", "outage_from_s", "outage_to_s", "down", "baseline", "baseline_s",
        "recovered_at_s", "time_to_recover_s", "status", "overlapped", "arrived", "completed",
        "with_deadline", "deadline_missed", "backlog", "backlog_in_flight", "change",
    ]  # fmt: skip
    row = table.iloc[0]
    assert (row.policy, row.outage_from_s, row.outage_to_s) == ("edge", 2.0, 3.5)
    assert row.baseline == pytest.approx(0.020)
    assert row.baseline_s == 2.0  # the records begin 2 s before the outage
    assert (row.status, row.recovered_at_s, row.time_to_recover_s) == ("recovered", 3.5, 0.0)
    assert (row.backlog, row.backlog_in_flight) == (3, 0)
    fig = plot_results(read_results(tiny), "latency-time", bin_s=1.0)
    note = " ".join(" ".join(t.get_text() for t in fig.texts).split())
    assert "after 2–3.5 s: edge 0 s" in note
    assert "until every task it held up ended" in note, note


def test_the_time_to_recover_is_the_same_whatever_the_bins_and_the_window(tiny, tmp_path):
    """The trial: one run and outage read 0.23 s, 3.7 s, 1.7 s and 0.73 s by ``--bin`` and
    ``--from``/``--to``.  The drain is the records', and so is the baseline now (it was the median
    of the bins wholly in the 60 s before): the same table, bit for bit."""
    tables = []
    for extra in (["--bin", "0.5s"], ["--bin", "1s"], ["--bin", "2s"], ["--bin", "1s", "--from", "1.5s"]):
        out = tmp_path / f"lt{len(tables)}"
        assert main(["plot", str(tiny), "--kind", "latency-time", *extra, "--out", str(out)]) == 0
        tables.append(pd.read_csv(f"{out}.recovery.csv"))
    for table in tables[1:]:
        pd.testing.assert_frame_equal(table, tables[0])


def test_a_bin_where_most_tasks_did_not_complete_is_drawn_faint_and_named(tiny):
    """``local``: of the four tasks arriving at 4-5 s, three still queued at the end and the one done
    quick: its line there is the survivor's latency and read as a recovery; faint now, and named."""
    results = read_results(tiny)
    local = results.tasks.assign(policy="local")
    queued = (local["arrival"] >= 4.0) & (local["arrival"] < 5.0) & (local["arrival"] != 4.75)
    local.loc[queued, "status"] = "in_flight"
    local.loc[queued, "latency"] = float("nan")
    both = dataclasses.replace(results, tasks=pd.concat([results.tasks, local], ignore_index=True))
    fig = latency_time_figure(both, bin_s=1.0)
    top = fig.axes[0]
    steps = [a for a in top.patches if type(a).__name__ == "StepPatch"]
    faint = [a for a in steps if a.get_alpha() is not None and a.get_alpha() < 1]
    assert len(faint) == 1  # local's, the whole line faint under its bold one
    # Drawn as the bold line is, with no edge down to 0 at its ends or at an empty bin's (a drop to the
    # axes' bottom, read as a task of no latency); the bins' values hold its every height.
    heights = faint[0].get_path().vertices[:, 1]
    drawn = faint[0].get_data().values
    assert heights[np.isfinite(heights)].min() >= np.nanmin(drawn) > 0
    bold = [a for a in steps if a.get_label() == "local"]
    values = bold[0].get_data().values
    assert np.isnan(values[4]) and np.isfinite(values[[0, 1, 2, 3, 5]]).all()
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    assert "the line is the few that did (not a recovery): local at 4–5 s" in note


def test_plot_bins_the_runs_once_for_the_figure_and_its_tables(tiny, tmp_path, monkeypatch):
    """The figure and its CSVs came from two passes over every run's tasks: one serves both now."""
    from offloadsim.plots import latency_time

    calls = []
    binned = latency_time.binned_metric
    monkeypatch.setattr(latency_time, "binned_metric", lambda *a, **k: calls.append(1) or binned(*a, **k))
    out = tmp_path / "lt"
    assert main(["plot", str(tiny), "--kind", "latency-time", "--bin", "1s", "--out", str(out)]) == 0
    assert len(calls) == 1
    assert out.with_suffix(".csv").exists() and (tmp_path / "lt.recovery.csv").exists()
    # the tables of the one pass are those latency_time_tables gives alone, as plot writes them
    written = {"float_format": "%.9g", "lineterminator": "\n", "index": False}
    tables = latency_time_tables(read_results(tiny), bin_s=1.0)
    for table, suffix in zip(tables, (".csv", ".recovery.csv"), strict=True):
        assert (tmp_path / f"lt{suffix}").read_text() == table.to_csv(**written)


RANDOM_OUTAGES = (
    SCENARIO.replace("arrivals: trace, trace: arrivals.csv", "arrivals: poisson, rate: 5/s")
    .replace(
        "{kind: node-schedule, node: edge, steps: [{at: 2 s, up: false}, {at: 3.5 s, up: true}]}",
        "{kind: failures, nodes: edge, mtbf: 15 s, mttr: 3 s, start: 5 s}",
    )
    .replace("duration: 6 s", "duration: 60 s")
)


def test_outages_that_differ_between_replications_are_judged_run_by_run(tmp_path):
    """The trial: each random outage was one run's, but the line drawn is the median over runs,
    which barely moved, and the recovery table counted the outage's tasks over every run.  Now each
    run is judged on its own line, from its own outages, its own tasks counted, a row per run."""
    (tmp_path / "s.yaml").write_text(RANDOM_OUTAGES)
    out = tmp_path / "cmp"
    argv = ["compare", str(tmp_path / "s.yaml"), "--policies", "edge,local", "--replications", "2"]
    assert main([*argv, "--out", str(out), "-q"]) == 0
    results = read_results(out)
    _, recovery = latency_time_tables(results)
    assert "replication" in recovery.columns
    spans = {(s[1], s[2], s[3]) for s in down_spans(results.nodes, 60.0)}
    own = {(r.replication, r.outage_from_s, r.outage_to_s) for r in recovery.itertuples()}
    assert own <= spans and len({r for r, _, _ in own}) == 2  # each row its own run's outage
    tasks = results.tasks
    for row in recovery.itertuples():
        mine = tasks[(tasks["policy"] == row.policy) & (tasks["replication"] == row.replication)]
        assert (
            row.arrived
            == ((mine["arrival"] >= row.outage_from_s) & (mine["arrival"] < row.outage_to_s)).sum()
        )
    note = " ".join(" ".join(t.get_text() for t in plot_results(results, "latency-time").texts).split())
    assert "each run judged on its own line from its own outages" in note
    assert "--where replication=N" in note and "in replication 0:" in note


def test_outages_the_same_in_every_replication_are_judged_on_the_line_drawn(tiny, tmp_path):
    """A schedule downs the edge at the same time in every run: the median line shows it, as before."""
    out = tmp_path / "cmp"
    argv = ["compare", str(tiny.parent / "scenario.yaml"), "--policies", "edge", "--replications", "2"]
    assert main([*argv, "--out", str(out), "-q"]) == 0
    _, recovery = latency_time_tables(read_results(out), bin_s=1.0)
    assert "replication" not in recovery.columns and len(recovery) == 1


def test_a_link_outage_cut_by_from_keeps_its_start_and_its_time_to_recover(tmp_path):
    """The shading starts at ``--from``; the outage's row did too (2.5–3.5 s for a link down from
    2 s), another backlog and another time for the same run.  A node's never was cut."""
    text = SCENARIO.replace(
        "{kind: node-schedule, node: edge, steps: [{at: 2 s, up: false}, {at: 3.5 s, up: true}]}",
        "{kind: link-schedule, link: 0, steps: [{at: 2 s, up: false}, {at: 3.5 s, up: true}]}",
    )
    assert "link-schedule" in text
    (tmp_path / "scenario.yaml").write_text(text)
    (tmp_path / "arrivals.csv").write_text("time\n" + "".join(f"{t}\n" for t in ARRIVALS))
    assert main(["run", str(tmp_path / "scenario.yaml"), "--out", str(tmp_path / "run"), "-q"]) == 0
    tables = []
    for start in ("0s", "2.5s"):
        out = tmp_path / f"lt-{start}"
        argv = ["plot", str(tmp_path / "run"), "--kind", "latency-time", "--bin", "0.5s", "--from", start]
        assert main([*argv, "--out", str(out)]) == 0
        tables.append(pd.read_csv(f"{out}.recovery.csv"))
    assert tables[0]["outage_from_s"].tolist() == [2.0]
    pd.testing.assert_frame_equal(tables[1], tables[0])
