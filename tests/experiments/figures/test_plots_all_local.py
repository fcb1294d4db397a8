"""Sweep figures' all-local lines and marks, sweeps over categories, and split figures of swept models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from figure_checks import check_readable
from figure_helpers import _footnote, check_figure, legend_texts, speeds_sweep, tiny_sweep
from matplotlib.container import ErrorbarContainer

from offloadsim import plots
from offloadsim.plots.axes import log_axis


def test_a_sweep_over_categories_draws_points_with_error_bars_side_by_side():
    """The commute sweep's in-flight rules (continue, restart, fail) were joined by lines and bands,
    as if they had an order and values between them."""
    import types

    from offloadsim.plots.figure_notes import interval_note
    from offloadsim.plots.sweep_lines import coinciding_lines

    rules = ["continue", "restart", "fail"]
    rows = [
        {"policy": policy, "rule": rule, "replication": r, "latency_mean_s": 0.05 * (1 + i) + 0.002 * r}
        for policy in ("edge", "cloud")  # the same means: drawn side by side, not one over the other
        for i, rule in enumerate(rules)
        for r in range(3)
    ]
    metrics = pd.DataFrame(rows)
    fig, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "latency_mean_s", "rule", ax=ax)
    check_readable(fig)
    assert not [
        c for c in ax.collections if type(c).__name__ in ("PolyCollection", "FillBetweenPolyCollection")
    ]
    assert all(str(line.get_linestyle()) in ("None", "none", "") for line in ax.get_lines())  # no joins
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert [b.get_label() for b in bars] == ["edge", "cloud"]  # not "(same line as edge)": both seen
    xs = [np.asarray(b.lines[0].get_xdata(), dtype=float) for b in bars]
    assert np.all(xs[0] < [0, 1, 2]) and np.all(xs[1] > [0, 1, 2])  # each beside its category's tick
    assert np.all(np.abs(xs[0] - xs[1]) < 0.5)  # and nearer its own than the next
    assert list(ax.get_xticks()) == [0, 1, 2] and [t.get_text() for t in ax.get_xticklabels()] == rules
    assert coinciding_lines([ax]) == ""  # no lines to lie on each other
    view = types.SimpleNamespace(metric="latency_mean_s", results=types.SimpleNamespace(manifest={}))
    note = interval_note(view, "sweep", metrics, ["policy", "rule"], [ax])  # type: ignore[arg-type]
    assert note.startswith("error bars: 95 % CI"), note
    # a numeric sweep keeps its lines and bands
    fig, ax = plots.new_axes("one-column")
    times = dict(zip(rules, ["1 ms", "2 ms", "3 ms"], strict=True))
    plots.metric_vs_parameter(
        metrics.assign(rule=metrics["rule"].map(times)), "latency_mean_s", "rule", ax=ax
    )
    assert ax.collections and str(ax.get_lines()[0].get_linestyle()) == "-"
    assert interval_note(view, "sweep", metrics, ["policy", "rule"], [ax]).startswith("bands")  # type: ignore[arg-type]


def test_an_all_local_latency_that_moves_over_categories_is_a_dash_at_each_not_a_curve():
    from offloadsim.plots.sweep_lines import all_local_latency_lines

    precisions = ["fp32", "fp16", "int8"]
    metrics = pd.DataFrame(
        {"policy": "edge", "precision": np.repeat(precisions, 2), "replication": [0, 1] * 3}
        | {"latency_mean_s": [0.05, 0.052, 0.04, 0.041, 0.03, 0.031]}
    )
    tasks = pd.DataFrame(
        {"app": "job", "status": "completed", "placement": "phone-0", "source": "phone-0"}
        | {"precision": precisions, "compute_time": [0.09, 0.06, 0.04], "policy": "local"}
    )
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "latency_mean_s", "precision", ax=ax)
    all_local_latency_lines(
        ax, tasks, x="precision", positions={p: float(i) for i, p in enumerate(precisions)}
    )
    dashes = [line for line in ax.get_lines() if line.get_label() == "_all local"]
    assert len(dashes) == 1 and str(dashes[0].get_linestyle()) in ("None", "none")
    assert dashes[0].get_marker() == "_" and list(dashes[0].get_ydata()) == [90.0, 60.0, 40.0]


def test_the_all_local_line_is_each_models_own_and_absent_where_it_cannot_run_there():
    """Splitting pays below a model's own all-local latency; an 8B LLM served only in the cloud has none."""
    from offloadsim.plots.sweep_lines import all_local_latency, all_local_latency_lines

    tasks = pd.DataFrame(
        {
            "app": ["cnn", "cnn", "cnn", "llm", "llm"],
            "source": ["pi-0", "pi-1", "pi-0", "phone-0", "phone-1"],
            "placement": ["pi-0", "pi-1", "pi-0>edge", "", "cloud"],
            "status": ["completed", "completed", "completed", "dropped", "completed"],
            "compute_time": [0.372, 0.372, 0.05, np.nan, 0.9],
            "latency": [0.372, 0.6, 0.1, np.nan, 1.2],
            "reason": [
                "",
                "",
                "",
                'policy "local" placed "llm" on "phone-0", which is not among its hosts',
                "",
            ],
        }
    )
    found, why = all_local_latency(tasks)
    assert found == {"cnn": pytest.approx(0.372)}  # its compute alone, not the 600 ms of a queued one
    assert why == {"llm": "cannot run on its device (not among its hosts)"}
    _fig, ax = plots.new_axes("one-column")
    ax.plot([1, 100], [50, 500], label="split")
    ax.set_yscale("log")
    note = all_local_latency_lines(ax, tasks, names={"cnn": "AlexNet", "llm": "Llama 3.1 8B"})
    assert note == "no all-local line: Llama 3.1 8B cannot run on its device (not among its hosts)"
    assert [line.get_ydata()[0] for line in ax.get_lines()[1:]] == [pytest.approx(372.0)]
    assert [t.get_text() for t in ax.texts] == ["AlexNet all local, no queue: 372 ms"]
    _, why = all_local_latency(tasks.assign(reason=""))
    assert why == {"llm": "never ran there"}


def test_a_sweep_of_latency_marks_the_all_local_latency_as_the_gallery_does(sweep_results, tmp_path):
    """``plot --kind sweep`` of a latency drew no all-local line, which the gallery's split figure has."""
    from offloadsim.plots.sweep_lines import all_local_latency

    expected = all_local_latency(sweep_results.tasks)[0]["job"] * 1e3
    for metric in ("latency_mean_s", "latency_p95_s"):
        fig = plots.plot_results(sweep_results, "sweep", metric=metric)
        ax = fig.axes[0]
        marks = [line.get_ydata()[0] for line in ax.get_lines() if line.get_label() == "_all local"]
        assert marks == [pytest.approx(expected)]
        low, high = ax.get_ylim()
        assert low < expected < high, "the line (and its label) in view"
        assert [t.get_text() for t in ax.texts] == [f"job all local, no queue: {expected:.0f} ms"]
        check_figure(fig, tmp_path, "sweep")
    # A policy does not change the model's cost on its device: the edge's panel has the line too.
    fig = plots.plot_results(sweep_results, "sweep", facet="policy")
    for ax in [a for a in fig.axes if a.get_visible()]:
        assert [line.get_label() for line in ax.get_lines()].count("_all local") == 1
    # Not a latency: nothing to compare it with.
    fig = plots.plot_results(sweep_results, "sweep", metric="deadline_miss_rate")
    assert not [line for line in fig.axes[0].get_lines() if line.get_label() == "_all local"]


def test_a_faceted_sweep_names_the_panels_that_have_no_all_local_line(tmp_path):
    """A sweep faceted by bandwidth drew the all-local line in panel (a) and said under the figure
    "no all-local line: classify never ran there", of panel (b) alone, as if of the whole figure."""
    results = tiny_sweep(
        tmp_path,
        # fixed work: least-loaded's tasks kept local are then a fair sample (random work's are not)
        "set: {duration: 4 s, applications.job.work: 1 GFLOP}\n"
        "grid:\n  nodes.phone.processor.speed: [10 GFLOP/s, 0.1 GFLOP/s]\n"
        "  workload[0].rate: [1 /s, 2 /s]\npolicies: [least-loaded]\n",
    )
    tasks = results.tasks
    local = tasks["placement"].astype(str) == tasks["source"].astype(str)
    ran = set(tasks.loc[local, "nodes.phone.processor.speed"].astype(str))
    assert ran == {"10 GFLOP/s"}, ran  # what the note is about: one panel's phones ran some whole
    fig = plots.plot_results(results, "sweep", x="workload[0].rate", facet="nodes.phone.processor.speed")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    lined = [any(line.get_label() == "_all local" for line in ax.get_lines()) for ax in panels]
    titles = [ax.get_title(loc="left") for ax in panels]
    (bare,) = [title[:3] for title, has in zip(titles, lined, strict=True) if not has]
    assert lined.count(True) == 1, titles
    assert f"no all-local line in {bare}: job never ran there" in _footnote(fig)


def test_an_all_local_line_below_a_log_axis_widens_it():
    """A log axis fitted to p95s all above the all-local latency left the line, and its label, out."""
    from offloadsim.plots.checks import figure_problems
    from offloadsim.plots.sweep_lines import all_local_latency_lines

    tasks = pd.DataFrame(
        {
            "app": ["cnn"],
            "source": ["pi"],
            "placement": ["pi"],
            "status": ["completed"],
            "compute_time": [0.1],
        }
    )
    fig, ax = plots.new_axes("one-column")
    ax.plot([1, 100], [400, 900], label="p95")
    log_axis(ax, "y")
    ax.set_ylim(300, 1200)
    all_local_latency_lines(ax, tasks)
    assert ax.get_ylim()[0] < 100.0 < ax.get_ylim()[1]
    assert figure_problems(fig) == []


def test_a_sweep_with_no_task_run_on_its_device_has_no_all_local_line(sweep_results):
    fig = plots.plot_results(sweep_results, "sweep", where={"policy": "edge"})
    assert not [line for line in fig.axes[0].get_lines() if line.get_label() == "_all local"]
    assert "all-local" not in (fig._supxlabel.get_text() if fig._supxlabel else "")


def test_an_all_local_line_follows_a_swept_device_speed_rather_than_its_mean(speed_sweep):
    """With the phone's speed on the x axis the all-local latency is 100 ms at 10 GFLOP/s and 25 ms
    at 40: one straight line at their mean (62 ms) marked a latency no task ran at."""
    fig = plots.plot_results(
        speed_sweep, "sweep", x="nodes.phone.processor.speed", where={"links[0].bandwidth": "50 Mbps"}
    )
    ax = fig.axes[0]
    marks = [line for line in ax.get_lines() if line.get_label() == "_all local"]
    assert len(marks) == 1
    assert list(marks[0].get_xdata()) == [10, 40]
    assert list(marks[0].get_ydata()) == pytest.approx([100.0, 25.0])
    # Along a swept bandwidth the all-local latency does not move: one line per series value, each
    # straight, in its series' colour, never their mean.
    fig = plots.plot_results(
        speed_sweep,
        "sweep",
        x="links[0].bandwidth",
        by="nodes.phone.processor.speed",
        where={"policy": "local"},
    )
    ax = fig.axes[0]
    marks = sorted(
        (list(line.get_ydata()) for line in ax.get_lines() if line.get_label() == "_all local"), reverse=True
    )
    assert marks == [pytest.approx([100.0, 100.0]), pytest.approx([25.0, 25.0])]


def test_an_all_local_line_a_series_ran_at_some_bandwidths_only_spans_the_axis(tmp_path):
    """Neurosurgeon ran the slow phone's tasks locally below 50 Mbit/s only: that speed's all-local
    latency was drawn as a "curve" through those bandwidths, so its line stopped at 5 Mbit/s as if
    running locally cost something else beyond, and its label, set to end there, ran out of the
    axes over the y tick labels."""
    results = speeds_sweep(
        tmp_path,
        "set:\n  applications.job.input: 100 KB\n"
        "grid:\n  nodes.phone.processor.speed: [10 GFLOP/s, 40 GFLOP/s]\n"
        "  links[0].bandwidth: [0.1 Mbps, 5 Mbps, 50 Mbps]\npolicies: [neurosurgeon]\n",
    )
    tasks = results.tasks
    slow = tasks[tasks["nodes.phone.processor.speed"].astype(str).to_numpy() == "10 GFLOP/s"]
    local = slow[slow["placement"].astype(str).to_numpy() == "phone"]
    assert set(local["links[0].bandwidth"].astype(str)) == {"0.1 Mbps", "5 Mbps"}  # not at 50 Mbit/s
    fig = plots.plot_results(results, "sweep", x="links[0].bandwidth", by="nodes.phone.processor.speed")
    ax = fig.axes[0]
    marks = sorted(
        (list(line.get_ydata()), list(line.get_xdata()))
        for line in ax.get_lines()
        if line.get_label() == "_all local"
    )
    assert [y for y, _ in marks] == [pytest.approx([25.0, 25.0]), pytest.approx([100.0, 100.0])]
    assert [x for _, x in marks] == [[0.1, 50.0], [0.1, 50.0]]  # from the first bandwidth to the last
    fig.canvas.draw()
    left = ax.get_window_extent().x0
    labels = [text for text in ax.texts if "all local" in text.get_text()]
    assert len(labels) == 2 and all(text.get_window_extent().x0 >= left for text in labels)


def model_sweep(folder, policies: str):
    """SPEEDS over two models (the application keeps its name) and two bandwidths, under ``policies``, run."""
    return speeds_sweep(
        folder,
        "set:\n  applications.job: {model: resnet50, input: 10 KB, output: 1 KB}\n  duration: 3 s\n"
        "grid:\n  applications.job.model: [mobilenet_v2, resnet50]\n"
        f"  links[0].bandwidth: [5 Mbps, 50 Mbps]\npolicies: [{policies}]\n",
    )


def test_a_split_figure_of_a_swept_model_marks_each_panels_own_all_local_depth(tmp_path):
    """The all-local line was the deepest model's in every panel: a sweep of
    ``applications.job.model`` keeps the application's name, so MobileNetV2's panel was marked at
    ResNet-50's 175 layers and its tasks run wholly on the phone read as partly offloaded."""
    results = model_sweep(tmp_path, "local")
    fig = plots.plot_results(results, "split", x="links[0].bandwidth", facet="applications.job.model")
    marks = {
        ax.get_title(loc="left"): [
            line.get_ydata()[0] for line in ax.get_lines() if "all local" in str(line.get_label())
        ]
        for ax in fig.axes
        if ax.get_visible()
    }
    assert marks == {"(a) job model = mobilenet_v2": [152], "(b) job model = resnet50": [175]}
    assert [label for label in legend_texts(fig) if "all local" in label] == [
        "all local (152 layers)",
        "all local (175 layers)",
    ]


def test_a_split_figure_with_a_series_per_swept_model_marks_each_model_s_all_local_depth(tmp_path):
    """With ``--by`` the swept model (one panel), no all-local line was drawn and nothing said why, and
    the y axis kept the 0-1 range of a figure with no line: the 152 and 175 layers run were drawn
    above it and the figure looked empty. Each series now gets its model's line in its colour, in the
    panel of the edge policy too (whose tasks never ran all local), and a depth no task gave is said."""
    results = model_sweep(tmp_path, "local, edge")
    fig = plots.plot_results(
        results, "split", x="links[0].bandwidth", by="applications.job.model", facet="policy"
    )
    # A series drawn on another is labelled "resnet50 (same line as mobilenet_v2)": its colour by its name.
    colours = {
        str(line.get_label()).split(" (same")[0]: line.get_color()
        for ax in fig.axes
        for line in ax.get_lines()
        if "all local" not in str(line.get_label())
    }
    assert colours["mobilenet_v2"] != colours["resnet50"]
    for ax in fig.axes:
        marks = {
            str(line.get_label()): (line.get_ydata()[0], line.get_color())
            for line in ax.get_lines()
            if "all local" in str(line.get_label())
        }
        assert marks == {
            "mobilenet_v2: all local (152 layers)": (152, colours["mobilenet_v2"]),
            "resnet50: all local (175 layers)": (175, colours["resnet50"]),
        }, ax.get_title(loc="left")
        assert ax.get_ylim()[1] >= 175
    assert "no all-local line" not in fig.get_supxlabel()
    one = plots.plot_results(
        results, "split", x="links[0].bandwidth", by="applications.job.model", where={"policy": "local"}
    )
    (ax,) = [ax for ax in one.axes if ax.get_visible()]
    assert ax.get_ylim()[1] >= 175, "the layers run are on the axis"
    assert len([label for label in legend_texts(one) if "all local" in label]) == 2
    edge = plots.plot_results(
        results, "split", x="links[0].bandwidth", by="applications.job.model", where={"policy": "edge"}
    )
    assert "no all-local line: job: no task of it ran wholly on its device" in edge.get_supxlabel()


def test_an_all_local_curve_of_a_series_drawn_on_another_s_line_takes_its_own_colour():
    """Two models whose latencies coincide: the second series is labelled "b (same line as a)", and
    its all-local curve, looked up by the label, was drawn black where it is b's colour elsewhere."""
    from matplotlib.colors import to_hex

    from offloadsim.plots.series import x_positions
    from offloadsim.plots.sweep_lines import all_local_latency_lines

    values = ["5 Mbps", "50 Mbps"]
    metrics = pd.DataFrame(
        [
            {"bw": bw, "m": m, "replication": r, "latency_mean_s": 0.1 * (i + 1)}
            for i, bw in enumerate(values)
            for m in ("a", "b")
            for r in range(2)
        ]
    )
    ax = plots.metric_vs_parameter(metrics, "latency_mean_s", "bw", by="m")
    labels = {str(line.get_label()): to_hex(line.get_color()) for line in ax.get_lines()}
    assert set(labels) == {"a", "b (same line as a)"}
    places, _, _, distinct = x_positions(values, "bw", None)
    tasks = pd.DataFrame(
        [
            {
                "app": "job",
                "bw": bw,
                "m": m,
                "status": "completed",
                "placement": "phone",
                "source": "phone",
                "compute_time": 0.2 if m == "a" else 0.3,
            }
            for bw in values
            for m in ("a", "b")
        ]
    )
    all_local_latency_lines(
        ax, tasks, x="bw", positions=dict(zip(distinct, places, strict=True)), series=["m"]
    )
    curves = {
        round(float(line.get_ydata()[0])): to_hex(line.get_color())
        for line in ax.get_lines()
        if str(line.get_label()) == "_all local"
    }
    assert curves == {200: labels["a"], 300: labels["b (same line as a)"]}


def test_a_split_figure_with_the_swept_model_on_its_x_axis_marks_each_model_s_depth_there(tmp_path):
    """With the model along x, the application's depth moved with x: no all-local mark was drawn, and
    the y axis kept 0-1, the 152 and 175 layers run by the local policy drawn above it. A dotted
    dash now marks each model's depth across its category."""
    from matplotlib.collections import LineCollection

    results = model_sweep(tmp_path, "local, edge")
    fig = plots.plot_results(results, "split", x="applications.job.model", facet="links[0].bandwidth")
    for ax in [ax for ax in fig.axes if ax.get_visible()]:
        (dashes,) = [
            c for c in ax.collections if isinstance(c, LineCollection) and "all local" in str(c.get_label())
        ]
        ends = [segment for segment in dashes.get_segments()]
        ticks = {t.get_text(): t.get_position()[0] for t in ax.get_xticklabels()}
        assert [(round(float(np.mean(s[:, 0]))), float(s[0, 1])) for s in ends] == [
            (round(ticks["mobilenet_v2"]), 152.0),
            (round(ticks["resnet50"]), 175.0),
        ]
        assert ax.get_ylim()[1] >= 175
    assert "no all-local line" not in fig.get_supxlabel()


def test_an_all_local_line_under_random_work_is_not_drawn_from_the_small_tasks_a_policy_kept(tmp_path):
    """TINY's work is exponential (1 GFLOP mean, 100 ms on a 10 GFLOP/s phone): least-loaded keeps the
    small draws local and offloads the large, and the line, the mean of the tasks kept local, read
    22 ms.  It comes from the runs that kept every task local (local's), a fair sample of the work,
    and, where no run did, is not drawn, the note saying why."""
    results = tiny_sweep(
        tmp_path,
        "set: {duration: 10 s}\ngrid:\n  links[0].bandwidth: [50 Mbps]\n"
        "policies: [local, least-loaded]\nreplications: 1\n",
    )
    tasks = results.tasks
    own = tasks[(tasks["policy"] == "local") & (tasks["status"] == "completed")]["compute_time"] * 1e3
    fig = plots.plot_results(results, "sweep", metric="latency_mean_s")
    (line,) = [ln.get_ydata()[0] for ln in fig.axes[0].get_lines() if ln.get_label() == "_all local"]
    assert line == pytest.approx(own.mean())
    # Not below the work's mean on the phone (100 ms) by more than chance: 3 standard errors.
    assert line >= 100.0 - 3 * own.std() / np.sqrt(len(own)), (line, len(own))
    kept = plots.plot_results(results, "sweep", metric="latency_mean_s", where={"policy": "least-loaded"})
    assert not [ln for ln in kept.axes[0].get_lines() if ln.get_label() == "_all local"]
    assert "no all-local line: job draws its work per task (work: exponential)" in _footnote(kept)
