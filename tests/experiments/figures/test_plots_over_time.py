"""Figures of a run over time: timelines, utilisation over time and latency over time."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from figure_checks import check_readable
from figure_helpers import UNIT, _footnote, check_figure, legend_texts, tiny_sweep

from offloadsim import plots
from offloadsim.experiments import compare, read_results
from offloadsim.plots.axes import laid_out


def test_utilisation_over_time_of_a_compare_shows_every_policy(compare_results, tmp_path):
    fig = plots.plot_results(compare_results, "utilisation-time")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    titles = [ax.get_title(loc="left") for ax in axes]
    assert titles == ["(a) policy = local; replication 0", "(b) policy = edge; replication 0"]
    assert all(ax.get_lines() for ax in axes)
    texts = legend_texts(fig)
    assert any(t.startswith("device") for t in texts) and any(t.startswith("edge") for t in texts)
    check_figure(fig, tmp_path, "utilisation-time")
    note = _footnote(fig)  # a 1-core node's curve can pass 100 %: the axis alone would claim exact busy time
    assert "estimated from task records" in note and "above 100 %" in note and "nodes table" in note


def test_utilisation_over_time_of_a_run_with_stages_is_exact(tmp_path):
    """Each task's compute spread over its start–finish drew a loaded 1-core edge far above 100 %.

    With stage records each compute stage holds one core from its start to its end: no bin can pass
    100 %, the curve's integral is the compute stages' time, and the note says which method drew it.
    """
    from experiment_data import TINY

    import offloadsim

    busy = TINY.replace("duration: 20 s", "duration: 10 s").replace("rate: 2 /s", "rate: 12 /s")
    (tmp_path / "busy.yaml").write_text(busy, encoding="utf-8")
    offloadsim.run(tmp_path / "busy.yaml", policy="edge", stages=True, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    assert results.stages is not None
    compute = results.stages[results.stages["kind"].astype(str) == "compute"]
    busy_s = float((compute["end"] - compute["start"]).sum())
    fig, ax = plots.new_axes("one-column")
    plots.utilisation_over_time(results.tasks, nodes=results.nodes, ax=ax, bins=400)
    assert max(float(np.max(line.get_ydata())) for line in ax.get_lines()) > 120.0, "the estimate overshoots"

    for by, title in (("tier", "tier"), ("placement", "node")):
        for bins in (60, 400):
            fig, ax = plots.new_axes("one-column")
            plots.utilisation_over_time(
                results.tasks, nodes=results.nodes, stages=results.stages, by=by, ax=ax, bins=bins
            )
            assert ax.get_ylabel() == "utilisation (%)" and ax.get_legend().get_title().get_text() == title
            total = 0.0
            for line in ax.get_lines():
                x, y = (np.asarray(v, dtype=float) for v in line.get_data())
                assert np.all(y <= 100.0 + 1e-7), f"{line.get_label()} passes 100 % ({by}, {bins} bins)"
                cores = int(re.search(r"\((\d+) cores?\)", line.get_label()).group(1))
                total += float(np.sum(y)) / 100.0 * cores * float(x[1] - x[0])
            assert [line.get_label() for line in ax.get_lines()] == ["edge (1 core)"]
            assert total == pytest.approx(busy_s, rel=1e-9)

    fig = plots.plot_results(results, "utilisation-time")
    assert max(float(np.max(line.get_ydata())) for line in fig.axes[0].get_lines()) <= 100.0 + 1e-7
    note = _footnote(fig)
    assert "exact from stage records" in note and "estimated" not in note
    check_figure(fig, tmp_path, "utilisation-time")


def test_timeline_uses_one_clock_and_names_rows_by_node(tmp_path):
    from experiment_data import TINY

    import offloadsim

    # 24 tasks a second, each done in about 70 ms: bars a few % of the one clock's span, so drawn on
    # it (at TINY's 6 a second each bar was 1 % of it, too thin to read: each row on its own clock).
    dense = TINY.replace("rate: 2 /s", "rate: 8 /s")
    (tmp_path / "tiny.yaml").write_text(dense, encoding="utf-8")
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", stages=True, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    assert results.stages is not None and len(results.stages) > 0
    fig = plots.plot_results(results, "timeline")
    check_figure(fig, tmp_path, "timeline")
    ax = fig.axes[0]
    shown = results.tasks[results.tasks["status"].astype(str) == "completed"].sort_values("arrival").head(30)
    t0 = shown["arrival"].min()
    assert f"t = {t0:.3f} s" in ax.get_xlabel()
    scale = 1e3 if "(ms)" in ax.get_xlabel() else 1.0
    # Every bar lies within its own task's life, measured on the one clock.
    lo = (shown["arrival"].to_numpy() - t0) * scale
    hi = (shown["finish"].to_numpy() - t0) * scale
    for patch in ax.patches:
        row = round(patch.get_y() + patch.get_height() / 2)
        assert lo[row] - 1e-6 <= patch.get_x() and patch.get_x() + patch.get_width() <= hi[row] + 1e-6
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(shown) and all(re.fullmatch(r"phone-\d → edge", t) for t in labels)
    assert (
        {"upload", "compute", "return"} <= set(legend_texts(fig)) <= {"upload", "queue", "compute", "return"}
    )


@pytest.mark.parametrize("stages", [True, False])
def test_a_timeline_of_tasks_far_apart_draws_each_row_on_its_own_clock(tmp_path, stages):
    """Thirty tasks over half an hour, each done in a fraction of a second, were bars thinner than a
    pixel on an empty axis of 1800 s: each row is drawn from its own arrival, which its label gives."""
    from experiment_data import TINY

    import offloadsim

    sparse = TINY.replace("rate: 2 /s", "rate: 0.006 /s").replace("duration: 20 s", "duration: 2000 s")
    (tmp_path / "tiny.yaml").write_text(sparse, encoding="utf-8")
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", stages=stages, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    fig = plots.plot_results(results, "timeline")
    check_figure(fig, tmp_path, "timeline")
    ax = fig.axes[0]
    shown = results.tasks[results.tasks["status"].astype(str) == "completed"].sort_values("arrival").head(30)
    assert len(shown) >= 10 and float(shown["arrival"].max() - shown["arrival"].min()) > 600
    assert "since each task's own arrival" in ax.get_xlabel()
    scale = 1e3 if "(ms)" in ax.get_xlabel() else 1.0
    lasted = (shown["finish"] - shown["arrival"]).to_numpy() * scale
    ends: dict[int, float] = {}
    for patch in ax.patches:
        row = round(patch.get_y() + patch.get_height() / 2)
        assert patch.get_x() >= -1e-6 and patch.get_x() + patch.get_width() <= lasted[row] + 1e-6
        ends[row] = max(ends.get(row, 0.0), patch.get_x() + patch.get_width())
    assert sorted(ends) == list(range(len(shown)))  # every task drawn
    widths = np.array(list(ends.values())) / ax.get_xlim()[1]
    assert widths.min() > 0.05 and np.median(widths) > 0.2, "every task's bar is wide enough to read"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    rows = zip(shown["source"], shown["arrival"], strict=True)
    assert labels == [f"{source} → edge, t = {at:.3f} s" for source, at in rows]


def test_a_timeline_of_one_phones_tasks_draws_bars_wide_enough_to_read_their_stages(tmp_path):
    """The quickstart with one phone (a task a second, each done in 120 ms): its first 30 tasks
    spanned 22 s on one clock, in flight together for 15 % of it, so not sparse by that test, but
    each bar was 0.5 % of the axis (about 2.5 pt), its upload, compute and return parts unreadable.
    Each row is drawn on its own clock, durations as they were: every bar is inches wide."""
    from pathlib import Path

    import offloadsim
    from offloadsim.plots.runs import STAGE_COLOURS

    scenario = Path(__file__).resolve().parents[3] / "scenarios" / "quickstart.yaml"
    overrides = ["nodes.phone.count=1", "duration=40 s"]
    offloadsim.run(scenario, overrides=overrides, stages=True, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    fig = plots.plot_results(results, "timeline")
    check_figure(fig, tmp_path, "timeline")
    ax = fig.axes[0]
    shown = results.tasks[results.tasks["status"].astype(str) == "completed"].sort_values("arrival").head(30)
    lasted = (shown["finish"] - shown["arrival"]).to_numpy()
    assert len(shown) == 30 and float(shown["finish"].max() - shown["arrival"].min()) > 40 * np.median(lasted)
    renderer = laid_out(ax)
    points = 72.0 / fig.dpi
    rows: dict[int, float] = {}
    upload = matplotlib.colors.to_rgba(STAGE_COLOURS["upload"])
    compute = matplotlib.colors.to_rgba(STAGE_COLOURS["compute"])
    for patch in ax.patches:
        row = round(patch.get_y() + patch.get_height() / 2)
        rows[row] = max(rows.get(row, 0.0), patch.get_x() + patch.get_width())
        if patch.get_facecolor() in (upload, compute):  # each part readable: over a quarter inch
            assert patch.get_window_extent(renderer).width * points > 18, patch
    assert sorted(rows) == list(range(30))
    assert "since each task's own arrival" in ax.get_xlabel() and "(ms)" in ax.get_xlabel()
    # The durations as they were (ms, from each arrival), and the median bar over 2 inches wide.
    np.testing.assert_allclose([rows[i] for i in range(30)], lasted * 1e3, rtol=1e-9)
    inch = ax.get_window_extent(renderer).width * points / 72.0 / (ax.get_xlim()[1] - ax.get_xlim()[0])
    assert np.median(lasted * 1e3) * inch > 2.0


def test_a_timeline_panel_whose_tasks_run_longer_is_not_cut_by_the_shared_axis(tmp_path):
    """Panels share the time axis, and its range was the first panel's: local's tasks, drawn after
    edge's and running longer, went on past the right edge of the axis, their ends cut off."""
    from experiment_data import TINY

    slow_phones = TINY.replace("processor: {speed: 10 GFLOP/s}", "processor: {speed: 3 GFLOP/s}")
    (tmp_path / "tiny.yaml").write_text(slow_phones, encoding="utf-8")
    compare(tmp_path / "tiny.yaml", ["edge", "local"], 1, workers=1, out=tmp_path / "cmp")
    fig = plots.plot_results(read_results(tmp_path / "cmp"), "timeline")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    ends = [max(p.get_x() + p.get_width() for p in ax.patches) for ax in axes]
    assert ends[1] > 1.5 * ends[0], "local's tasks run longer than edge's"
    for ax, end in zip(axes, ends, strict=True):
        low, high = ax.get_xlim()
        assert low == 0 and end <= high, (ax.get_title(loc="left"), end, high)
    check_figure(fig, tmp_path, "timeline")


LLM_TIMELINE = """
name: llm-timeline
duration: 60 s
nodes:
  phone: {tier: device, processor: {speed: 20 GFLOP/s, memory_bandwidth: 10 GB/s}}
  edge: {tier: edge, processor: {speed: 2 TFLOP/s, memory_bandwidth: 200 GB/s}}
links:
  - {between: [phone, edge], bandwidth: 40 Mbps, latency: 4 ms}
applications:
  chat: {model: gpt2, prompt_tokens: 100, output_tokens: 200}
workload:
  - {app: chat, sources: phone, arrivals: trace, trace: trace.csv}
policy: POLICY
"""


@pytest.mark.parametrize(
    ("policy", "nodes", "count"),
    [
        ("{name: fixed, nodes: [phone, edge], cuts: [6]}", ["phone", "edge"], "×199 per node"),
        ("edge", ["edge"], "×199"),
    ],
)
def test_an_llm_timeline_colours_prefill_and_decode_and_draws_a_nodes_decode_steps_as_one_bar(
    tmp_path, policy, nodes, count
):
    """A 200-token request's stages were an undistinguished run of 800 bars (199 decode steps, their
    hidden states and tokens, on one row): its prefill and decode are coloured apart, each node in
    its own lane, and a node's decode steps in a row are one bar from the first's start to the
    last's end, its count by the row."""
    import offloadsim
    from offloadsim.plots.runs import STAGE_COLOURS

    (tmp_path / "trace.csv").write_text("time\n1.0\n20.0\n", encoding="utf-8")
    (tmp_path / "llm.yaml").write_text(LLM_TIMELINE.replace("POLICY", policy), encoding="utf-8")
    offloadsim.run(tmp_path / "llm.yaml", stages=True, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    fig = plots.plot_results(results, "timeline")
    check_figure(fig, tmp_path, "timeline")
    texts = legend_texts(fig)
    assert "prefill" in texts and any(t.startswith("decode") for t in texts) and "compute" not in texts
    ax = fig.axes[0]
    stages, t0 = results.stages, float(results.tasks["arrival"].min())
    scale = 1e3 if "(ms)" in ax.get_xlabel() else 1.0
    colour = {key: matplotlib.colors.to_rgba(value) for key, value in STAGE_COLOURS.items()}
    own = "since each task's own arrival" in ax.get_xlabel()  # two requests far apart: each on its own
    for row, (task_id, arrival) in enumerate(
        results.tasks.sort_values("arrival")[["task_id", "arrival"]].to_numpy()
    ):
        t0 = arrival if own else t0
        bars = [p for p in ax.patches if round(p.get_y() + p.get_height() / 2) == row]
        assert len(bars) <= 2 * len(nodes) + 4, "a bar per lane and phase, not one per step"
        for phase in ("prefill", "decode"):
            drawn = sorted(p.get_x() for p in bars if p.get_facecolor() == colour[phase])
            mine = stages[(stages["task_id"] == task_id) & (stages["phase"] == phase)]
            assert [str(n) for n in dict.fromkeys(mine["where"])] == nodes  # where the plan put them
            spans = mine.groupby("where", sort=False)[["start", "end"]].agg({"start": "min", "end": "max"})
            assert len(drawn) == len(nodes) and mine.groupby("where").size().tolist() == [
                1 if phase == "prefill" else 199
            ] * len(nodes)
            expected = sorted((spans["start"].to_numpy() - t0) * scale)
            np.testing.assert_allclose(drawn, expected, rtol=1e-9, atol=1e-9)
            widths = sorted(p.get_width() for p in bars if p.get_facecolor() == colour[phase])
            np.testing.assert_allclose(
                widths, sorted((spans["end"] - spans["start"]).to_numpy() * scale), rtol=1e-9
            )
    assert [t.get_text().strip() for t in ax.texts] == [count, count]


def test_a_timeline_draws_a_compute_stage_of_a_phase_it_does_not_know_as_compute():
    """A stages table written by another tool or version may name other phases: drawn, not left out."""
    from offloadsim.plots.runs import stage_timeline

    tasks = pd.DataFrame({
        "task_id": [0], "source": ["phone"], "placement": ["edge"], "status": ["completed"],
        "arrival": [0.0], "finish": [1.0], "latency": [1.0],
    })  # fmt: skip
    stages = pd.DataFrame({
        "task_id": [0, 0, 0], "kind": ["transfer", "compute", "compute"],
        "where": ["phone>edge", "edge", "edge"],
        "submitted": [0.0, 0.1, 0.5], "start": [0.0, 0.1, 0.5], "end": [0.1, 0.5, 1.0],
        "phase": ["prompt", "prefill", "speculate"],
    })  # fmt: skip
    ax = stage_timeline(tasks, stages=stages)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["upload", "compute", "prefill"]


def test_a_timeline_without_stage_records_says_its_bars_are_totals(tmp_path):
    """A run without --stages drew one transfer bar (upload and return together) before compute, unsaid."""
    from experiment_data import TINY

    import offloadsim

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", out=tmp_path / "run")
    note = _footnote(plots.plot_results(read_results(tmp_path / "run"), "timeline"))
    assert "totals drawn end to end" in note and "not when each happened" in note and "--stages" in note
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", stages=True, out=tmp_path / "staged")
    assert "totals" not in _footnote(plots.plot_results(read_results(tmp_path / "staged"), "timeline"))


def test_a_timeline_says_which_tasks_of_the_run_it_draws_and_that_failed_ones_are_not(tmp_path):
    """The edge-outage run's timeline drew its first 30 tasks of 899 with no word of the rest, nor
    of the tasks the edge's crashes ended, which it never draws: read alone, it was the whole run,
    and the edge never crashed."""
    from pathlib import Path

    import offloadsim

    scenario = Path(__file__).resolve().parents[3] / "scenarios" / "edge-outage.yaml"
    offloadsim.run(scenario, overrides=["duration=30 s"], stages=True, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    status = results.tasks["status"].astype(str)
    done, other = int((status == "completed").sum()), int((status != "completed").sum())
    assert done > 30 and other > 0
    note = _footnote(plots.plot_results(results, "timeline"))
    assert f"the first 30 of {done:,} completed tasks, by arrival" in note
    assert f"{other:,} not completed (failed, dropped or in flight at the end), not drawn" in note


def test_latency_over_time_draws_one_run_per_policy_and_refuses_pooled_replications(compare_results):
    tasks = compare_results.tasks
    _, ax = plots.new_axes("two-column")
    plots.latency_over_time(tasks[tasks["replication"] == 0], ax=ax, labels={"edge": "offloaded"})
    assert {line.get_label() for line in ax.lines} == {"local", "offloaded"}
    assert ax.get_xlabel() == "arrival time (s)" and ax.get_ylabel() == "latency (s)"
    with pytest.raises(ValueError, match="several replications"):
        plots.latency_over_time(tasks, ax=plots.new_axes()[1])


def test_capacity_over_time_holds_each_value_until_the_next(tmp_path):
    _, ax = plots.new_axes()
    plots.capacity_over_time([0.0, 2.0, 5.0], [8e6, 2e6, 16e6], end_s=6.0, ax=ax)
    x, y = ax.lines[0].get_data()
    assert list(x) == [0.0, 2.0, 5.0, 6.0] and list(y) == [8.0, 2.0, 16.0, 16.0]
    assert UNIT.search(ax.get_ylabel()) and ax.get_xlim() == (0.0, 6.0)


def test_a_timeline_of_one_sweep_run_keeps_its_legend_off_its_title(tmp_path):
    """The stage legend sat above the axes on the right, over the title naming the run."""
    results = tiny_sweep(
        tmp_path,
        "set: {duration: 5 s}\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n"
        "policies: [edge]\nlabels:\n"
        "  links[0].bandwidth: uplink from each of the phones on this street to the access point\n",
    )
    fig = plots.plot_results(results, "timeline", where={"links[0].bandwidth": "5 Mbps"})
    assert (
        fig.axes[0]
        .get_title(loc="left")
        .startswith("uplink from each of the phones on this street to the access point = 5 Mbit/s")
    )
    check_readable(fig)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["transfer", "queue", "compute"]


@pytest.fixture(scope="module")
def local_and_split(tmp_path_factory):
    """The two-apps scenario compared under local and Neurosurgeon, one replication each."""
    from experiment_data import TWO_APPS

    folder = tmp_path_factory.mktemp("plots-local-and-split")
    (folder / "two.yaml").write_text(TWO_APPS, encoding="utf-8")
    compare(folder / "two.yaml", ["local", "neurosurgeon"], 1, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


def test_utilisation_time_panels_share_one_unit(local_and_split):
    """Local's panel read "utilisation (%)" above Neurosurgeon's "busy cores (count)" (its split tasks'
    device>edge series has no cores to divide by): one figure, two units, and no word of it."""
    results = local_and_split
    placements = results.tasks.groupby("policy", observed=True)["placement"].agg(lambda p: set(p.astype(str)))
    assert placements["local"] == {"phone"} and placements["neurosurgeon"] == {"phone>server"}
    fig = plots.plot_results(results, "utilisation-time")
    labels = [" ".join(ax.get_ylabel().split()) for ax in fig.axes if ax.get_visible()]  # as wrapped
    assert labels == ["busy cores (count)"] * 2
    alone = plots.plot_results(results, "utilisation-time", where={"policy": "local"})
    assert alone.axes[0].get_ylabel() == "utilisation (%)"  # one panel keeps its %


def test_utilisation_time_reads_each_panels_load_once(local_and_split, monkeypatch):
    """Each panel's compute intervals were worked out twice (once for its unit, once to draw): once now."""
    from offloadsim.plots import runs

    results = local_and_split
    spread = runs._spread_tasks
    calls = []
    monkeypatch.setattr(runs, "_spread_tasks", lambda *a: calls.append(1) or spread(*a))
    fig = plots.plot_results(results, "utilisation-time")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 2 and len(calls) == 2
    # The lines are those the function draws alone for each run, in the figure's one unit.
    for ax, policy in zip(panels, ("local", "neurosurgeon"), strict=True):
        one = results.tasks[results.tasks["policy"].astype(str).to_numpy() == policy]
        nodes = results.nodes[results.nodes["policy"].astype(str).to_numpy() == policy]
        alone = plots.utilisation_over_time(one, nodes=nodes, percent=False)
        for drawn, expected in zip(ax.get_lines(), alone.get_lines(), strict=True):
            assert np.array_equal(drawn.get_ydata(), expected.get_ydata())


def test_utilisation_over_time_keeps_its_legend_off_the_curves(compare_results, tmp_path):
    """The gallery's legend sat on the cloud's curve, which runs along 0 % for the whole run."""
    from offloadsim.plots.axes import laid_out

    tasks = compare_results.tasks[compare_results.tasks["policy"] == "edge"]
    nodes = compare_results.nodes[compare_results.nodes["policy"] == "edge"]
    run = tasks[tasks["replication"] == tasks["replication"].iloc[0]]
    fig, ax = plots.new_axes("two-column")
    plots.utilisation_over_time(run, nodes=nodes[nodes["replication"] == run["replication"].iloc[0]], ax=ax)
    renderer = laid_out(ax)
    legend = ax.get_legend()
    assert legend is not None and not legend.get_window_extent(renderer).overlaps(
        ax.get_window_extent(renderer)
    )
    check_readable(fig)
    # from the command line, with a title naming the run: the legend goes above the title
    cli = plots.plot_results(compare_results, "utilisation-time", where={"policy": "edge"})
    assert cli.axes[0].get_title(loc="left") and cli.legends
    check_figure(cli, tmp_path, "utilisation-time")


_TIMED_OUT = """
name: timed-out
duration: 20 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}}
links: []
applications:
  job: {work: 2 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: periodic, period: 4 s}
policy: local
recovery: {timeout: 500 ms}
"""


@pytest.mark.parametrize("stages", [False, True])
def test_utilisation_time_says_the_busy_time_its_records_lack(tmp_path, stages):
    """Every task timed out while its stage ran on: the phone was busy 40 % of the run (the nodes
    table, the summary), and the figure, "exact from stage records" with --stages, drew it idle."""
    import offloadsim

    (tmp_path / "t.yaml").write_text(_TIMED_OUT, encoding="utf-8")
    offloadsim.run(tmp_path / "t.yaml", out=tmp_path / "run", stages=stages)
    results = read_results(tmp_path / "run")
    assert set(results.tasks["status"].astype(str)) == {"failed"}
    assert results.nodes["busy_s"].iloc[0] == pytest.approx(10.0)  # 5 stages of 2 s each ran on
    note = " ".join(_footnote(plots.plot_results(results, "utilisation-time")).split())
    assert "drawn busy time short of the nodes table's: device 0 of 10 core-s" in note
    assert "failed, timed out" in note
    # Without the timeout the tasks complete, the records hold their compute, and nothing is said.
    (tmp_path / "t.yaml").write_text(_TIMED_OUT.replace("recovery: {timeout: 500 ms}", ""), encoding="utf-8")
    offloadsim.run(tmp_path / "t.yaml", out=tmp_path / "done", stages=stages)
    done = read_results(tmp_path / "done")
    assert "drawn busy time" not in _footnote(plots.plot_results(done, "utilisation-time"))


_ON_THE_GPU = """
name: on-the-gpu
duration: 20 s
nodes:
  box:
    tier: edge
    processors:
      cpu: {speed: 10 GFLOP/s, cores: 8}
      gpu: {speed: 1 TFLOP/s}
applications:
  job: {work: 500 GFLOP}
workload:
  - {app: job, sources: box, arrivals: periodic, period: 1 s}
policy: {name: fixed, node: box, processors: [gpu]}
"""


def test_utilisation_time_of_stages_on_a_second_processor_is_in_busy_cores(tmp_path):
    """Every stage ran on the box's GPU, half of each second busy, and the figure divided them by the
    nodes table's 8 CPU cores: "edge (8 cores)" at 6 %, where the GPU was 50 % busy."""
    import offloadsim

    (tmp_path / "g.yaml").write_text(_ON_THE_GPU, encoding="utf-8")
    offloadsim.run(tmp_path / "g.yaml", out=tmp_path / "run", stages=True)
    results = read_results(tmp_path / "run")
    assert set(results.stages["processor"].astype(str)) == {"gpu"}
    fig = plots.plot_results(results, "utilisation-time")
    ax = fig.axes[0]
    assert " ".join(ax.get_ylabel().split()) == "busy cores (count)"  # wrapped to the panel's height
    legend = ax.get_legend() or fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["edge"]  # no "(8 cores)" it is not a share of
    busy = np.concatenate([line.get_ydata() for line in ax.get_lines()])
    assert 0.4 < busy.mean() < 0.6  # one GPU busy half the time
    note = " ".join(_footnote(fig).split())
    assert "in busy cores: edge ran stages on a processor other than the first" in note
