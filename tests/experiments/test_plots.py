"""Every figure kind renders headless to PDF + PNG, with units, never pooling what it does not show."""

from __future__ import annotations

import dataclasses
import itertools
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from figure_checks import check_readable, labelled_ends
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure

from offloadsim import plots
from offloadsim.analysis.statistics import mean_ci
from offloadsim.errors import as_flags
from offloadsim.experiments import ExperimentError, compare, read_results, sweep
from offloadsim.plots.axes import laid_out, log_axis, value_ticks
from offloadsim.plots.kinds import QUANTITY_AXES
from offloadsim.scenario import ScenarioWarning

UNIT = re.compile(r"\((ms|s|%|mJ|J|MB|count|tasks/s|Mbit/s|0–1)\)")


#: The tests that read messages as a Python caller of plot_results has them (``where=``).
PYTHON_WORDING = {"test_plot_results_names_its_arguments_as_python_has_them"}


@pytest.fixture(autouse=True)
def command_line_wording(request):
    """The messages these tests read name ``plot``'s flags (``--where``), as the command line has them.

    ``plot_results`` called from Python names its keyword arguments instead (``where=``): the tests
    in ``PYTHON_WORDING`` read those.
    """
    if request.node.name in PYTHON_WORDING:
        yield
        return
    with as_flags():
        yield


def swept(tmp_path_factory, folder: str, base_name: str, base: str, sweep_text: str):
    """The results of the sweep ``sweep_text`` of ``base`` (written as ``base_name``), run anew."""
    where = tmp_path_factory.mktemp(folder)
    (where / base_name).write_text(base, encoding="utf-8")
    (where / "sweep.yaml").write_text(sweep_text, encoding="utf-8")
    sweep(where / "sweep.yaml", out=where / "sweep", workers=1)
    return read_results(where / "sweep")


@pytest.fixture(scope="module")
def compare_results(tmp_path_factory):
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-compare")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    compare(folder / "tiny.yaml", ["local", "edge"], 2, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


@pytest.fixture(scope="module")
def two_apps(tmp_path_factory):
    """A Neurosurgeon sweep with two applications and two objectives (the shape of sweep-neurosurgeon)."""
    from experiment_data import SWEEP_TWO_APPS, TWO_APPS

    return swept(tmp_path_factory, "plots-two-apps", "two.yaml", TWO_APPS, SWEEP_TWO_APPS)


def check_figure(fig: Figure, tmp_path, name: str) -> None:
    for ax in [a for a in fig.axes if a.get_visible()]:
        assert ax.lines or ax.patches or ax.collections, "nothing drawn"
        assert ax.get_ylabel(), "every axis is labelled"
        for axis in QUANTITY_AXES[name]:
            label = ax.get_xlabel() if axis == "x" else ax.get_ylabel()
            if axis == "x" and not label:  # panels on one clock: the last one says it
                continue
            assert UNIT.search(label), f"no unit in {axis} label {label!r}"
    check_readable(fig)
    files = plots.save_figure(fig, tmp_path / name)
    assert [f.suffix for f in files] == [".pdf", ".png"]
    for file in files:
        assert file.stat().st_size > 5_000, f"{file.name} looks empty"
        assert file.read_bytes()[:4] in (b"%PDF", b"\x89PNG")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary files left behind"


def legend_texts(fig: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return [t.get_text() for legend in legends for t in legend.get_texts()]


# --------------------------------------------------------------------------- every kind renders


@pytest.mark.parametrize("kind", ["sweep", "split", "energy"])
def test_kinds_with_the_swept_key_on_an_axis_render_from_a_sweep(sweep_results, kind, tmp_path):
    before = dict(matplotlib.rcParams)
    fig = plots.plot_results(sweep_results, kind)
    check_figure(fig, tmp_path, kind)
    assert dict(matplotlib.rcParams) == before, "the house style must not leak into global rcParams"


@pytest.mark.parametrize("kind", ["cdf", "bars", "utilisation", "utilisation-time", "timeline"])
def test_kinds_without_the_swept_key_refuse_to_pool_it_and_say_how_to_choose(sweep_results, kind, tmp_path):
    with pytest.raises(ExperimentError) as caught:
        plots.plot_results(sweep_results, kind)
    message = str(caught.value)
    assert "links[0].bandwidth (5 Mbps, 50 Mbps)" in message
    assert "--where 'links[0].bandwidth=5 Mbps'" in message and "--facet" in message
    fig = plots.plot_results(sweep_results, kind, where={"links[0].bandwidth": "5 Mbps"})
    check_figure(fig, tmp_path, kind)
    titles = " ".join(
        [ax.get_title(loc="left") for ax in fig.axes]
        + [fig._suptitle.get_text() if fig._suptitle else ""]
        + [legend.get_title().get_text() for legend in fig.legends]  # heads the legend above the panels
    )
    assert "phone–ap bandwidth = 5 Mbit/s" in titles, "--where's value, in its axis's unit"


def test_a_panel_title_too_wide_for_its_room_is_broken_at_a_space(two_apps, tmp_path):
    """(c)'s "phone–ap bandwidth = 100 Mbit/s" ran past the right edge of a three-panel figure."""
    from offloadsim.plots.checks import figure_problems

    fig = plots.plot_results(two_apps, "bars", by=["app", "policy.objective"], facet="links[0].bandwidth")
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert len(titles) == 3 and "\n" in titles[2], titles
    assert titles[2].replace("\n", " ").startswith("(c) ") and "100 Mbit/s" in titles[2].split("\n")[-1]
    assert not [p for p in figure_problems(fig) if "title" in p], figure_problems(fig)
    check_figure(fig, tmp_path, "bars")


@pytest.mark.parametrize("kind", ["cdf", "bars", "utilisation"])
def test_a_facet_draws_one_labelled_panel_per_value(sweep_results, kind, tmp_path):
    fig = plots.plot_results(sweep_results, kind, facet="links[0].bandwidth")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == [
        "(a) phone–ap bandwidth = 5 Mbit/s",  # in the axis's unit, as the notes write it, not "5 Mbps"
        "(b) phone–ap bandwidth = 50 Mbit/s",
    ]
    assert sum(ax.get_legend() is not None for ax in axes) == 0, "no legend repeated on every panel"
    assert len(fig.legends) == (0 if kind == "bars" else 1), "one legend (bars name policies on the axis)"
    check_figure(fig, tmp_path, kind)


@pytest.mark.parametrize(
    ("kind", "by", "where"),
    [
        ("cdf", "links[0].bandwidth", {"policy": "edge"}),
        ("bars", ["policy", "links[0].bandwidth"], None),
        ("utilisation", "links[0].bandwidth", {"policy": "edge"}),
    ],
)
def test_a_legend_names_a_swept_quantity_in_its_axis_unit(sweep_results, kind, by, where):
    """The legend wrote "5 Mbps" (the sweep's spelling) where the notes and axes of the same figure
    write "5 Mbit/s": one value under two names."""
    fig = plots.plot_results(sweep_results, kind, by=by, where=where)
    assert legend_texts(fig) == ["5 Mbit/s", "50 Mbit/s"]


def test_bars_of_several_series_keep_one_colour_per_series_in_every_panel(two_apps):
    """``--kind bars --by app,objective --facet bandwidth`` coloured each panel's bars by the order
    its own rows met the objectives: a panel that met them in another order drew energy in the
    colour the one legend gave latency."""

    def turned(table: pd.DataFrame) -> pd.DataFrame:  # the 10 Mbps panel meets energy first
        middle = table["links[0].bandwidth"].astype(str).to_numpy() == "10 Mbps"
        return pd.concat([table[~middle], table[middle].iloc[::-1]], ignore_index=True)

    results = dataclasses.replace(two_apps, metrics=turned(two_apps.metrics), tasks=turned(two_apps.tasks))
    for logy in (False, True):  # bars, and dots on a log axis
        fig = plots.plot_results(
            results, "bars", by=["app", "policy.objective"], facet="links[0].bandwidth", logy=logy
        )
        (legend,) = fig.legends
        key = {
            text.get_text(): matplotlib.colors.to_hex(_colour(handle))
            for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)
        }
        assert list(key) == ["latency", "energy"] and len(set(key.values())) == 2, key
        for ax in fig.axes:
            drawn = _series_colours(ax)
            assert drawn == key, (ax.get_title(loc="left"), drawn, key)


def _colour(handle) -> object:
    """A legend handle's colour: a bar's face, or an error bar's lines (the dots' legend key)."""
    if isinstance(handle, matplotlib.collections.LineCollection):
        return handle.get_color()[0]
    return handle.get_facecolor()


def _series_colours(ax: Axes) -> dict[str, str]:
    """Each labelled series' colour as ``ax`` drew it (every bar or dot of it the same colour)."""
    seen: dict[str, set[str]] = {}
    for container in ax.containers:
        label = container.get_label()
        if label.startswith("_"):
            continue
        if isinstance(container, BarContainer):
            colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in container.patches}
        else:
            colours = {matplotlib.colors.to_hex(container.lines[0].get_markerfacecolor())}
        seen.setdefault(label, set()).update(colours)
    assert all(len(c) == 1 for c in seen.values()), seen
    return {label: next(iter(c)) for label, c in seen.items()}


@pytest.mark.parametrize(
    ("kind", "facet", "by"), [("sweep", "links[0].bandwidth", None), ("split", None, "links[0].bandwidth")]
)
def test_a_panel_or_series_per_value_of_the_x_axis_is_refused(sweep_results, kind, facet, by):
    """``--kind sweep --facet KEY`` with KEY on the x axis drew one point per panel, exit 0."""
    with pytest.raises(ExperimentError, match=r"links\[0\]\.bandwidth: it is the x axis"):
        plots.plot_results(sweep_results, kind, facet=facet, by=by)
    plots.plot_results(sweep_results, "energy", facet="links[0].bandwidth")  # its x joins markers: fine


def test_an_energy_series_per_value_of_the_default_x_draws_a_marker_per_value(sweep_results, tmp_path):
    """``--kind energy --by 'links[0].bandwidth'`` made that key the x axis too: pandas' "not unique", exit 2.

    A series per bandwidth is what was asked for, so the bandwidth is not also taken as the key that
    joins a series' markers: a marker per bandwidth, none joined.  Named as --x too, it is refused.
    """
    fig = plots.plot_results(sweep_results, "energy", by="links[0].bandwidth", where={"policy": "edge"})
    check_figure(fig, tmp_path, "energy")
    assert legend_texts(fig)[:2] == ["5 Mbit/s", "50 Mbit/s"]
    joined = [line for ax in fig.axes for line in ax.lines if len(line.get_xdata()) > 1]
    assert not [line for line in joined if line.get_linestyle() not in ("None", "", " ")]
    with pytest.raises(ExperimentError, match=r"--by links\[0\]\.bandwidth: it is the x axis"):
        plots.plot_results(
            sweep_results, "energy", x="links[0].bandwidth", by="links[0].bandwidth", where={"policy": "edge"}
        )


def test_an_energy_sweep_over_a_key_of_no_quantity_suggests_the_x_that_draws_its_line(tmp_path):
    """A sweep of policy.cuts (a list) was refused suggesting only --by, a marker per value, unjoined."""
    from experiment_data import TINY

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        "base: tiny.yaml\nset: {duration: 5 s, policy: {name: fixed, node: edge}}\n"
        "grid:\n  policy.node: [edge, $source]\n",
        encoding="utf-8",
    )
    sweep(tmp_path / "sweep.yaml", out=tmp_path / "sweep", workers=1)
    results = read_results(tmp_path / "sweep")
    with pytest.raises(
        ExperimentError, match=r"draw a line through its values with --x policy\.node, or"
    ) as caught:
        plots.plot_results(results, "energy")
    key = re.search(r"with --x (\S+),", str(caught.value)).group(1)
    fig = plots.plot_results(results, "energy", x=key)  # the command suggested draws
    check_figure(fig, tmp_path, "energy")
    joined = [line for ax in fig.axes for line in ax.lines if line.get_linestyle() not in ("None", "", " ")]
    assert [len(line.get_xdata()) for line in joined] == [2], "one line through the two values"


#: The most times each kind's figure of a comparison is drawn (laid out to measure it) while it is made
#: (12, 7, 11, 13, 8 and 8 before ``_draw_headless`` reused a layout nothing had changed since): a
#: measure that lays an unchanged figure out again only adds to the suite's time.
MOST_DRAWS = {"cdf": 8, "bars": 5, "energy": 4, "utilisation": 8, "utilisation-time": 3, "timeline": 3}


@pytest.mark.parametrize("kind", ["cdf", "bars", "energy", "utilisation", "utilisation-time", "timeline"])
def test_every_kind_renders_from_a_compare(compare_results, kind, tmp_path, monkeypatch):
    draws = []
    draw = Figure.draw
    with monkeypatch.context() as patched:
        patched.setattr(Figure, "draw", lambda fig, renderer: draws.append(fig) or draw(fig, renderer))
        fig = plots.plot_results(compare_results, kind)
    assert len(draws) <= MOST_DRAWS[kind], f"{kind}: drawn {len(draws)} times to be made"
    check_figure(fig, tmp_path, kind)


@pytest.fixture(scope="module")
def single_run(tmp_path_factory):
    """One run of the tiny scenario under ``edge``: the same records for every kind that draws it."""
    from experiment_data import TINY

    from offloadsim.api import run

    folder = tmp_path_factory.mktemp("plots-run")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    run(folder / "tiny.yaml", policy="edge", out=folder / "run")
    return folder / "run"


@pytest.mark.parametrize("kind", ["cdf", "bars", "energy", "utilisation", "utilisation-time", "timeline"])
def test_a_single_run_directory_can_be_plotted(single_run, kind, tmp_path):
    fig = plots.plot_results(read_results(single_run), kind)
    check_figure(fig, tmp_path, kind)


# --------------------------------------------------------------------------- never pool silently


@pytest.mark.parametrize("kind", ["split", "sweep", "energy", "cdf"])
def test_two_apps_and_two_objectives_are_never_averaged_silently(two_apps, kind):
    with pytest.raises(ExperimentError) as caught:
        plots.plot_results(two_apps, kind)
    message = str(caught.value)
    assert "policy.objective (latency, energy)" in message
    assert "app (" in message and "small" in message and "big" in message
    assert "--by" in message and "--where policy.objective=latency" in message
    # a CDF averages nothing: it pools tasks, and its refusal says so (it used to say "averages")
    assert ("pools only the tasks of replications" if kind == "cdf" else "averages only over") in message


def test_the_by_a_refusal_suggests_draws_the_figure(sweep_results):
    """A sweep's CDF was refused with "e.g. --by 'links[0].bandwidth'", which dropped the policies it
    drew; that was refused in turn with "e.g. --by policy.name", which dropped the bandwidths again."""

    def suggested(by: str | None) -> str:
        with pytest.raises(ExperimentError) as caught:
            plots.plot_results(sweep_results, "cdf", by=by)
        return re.search(r"e\.g\. --by ('[^']*'|\S+),", str(caught.value)).group(1).strip("'")

    assert suggested(None) == "policy,links[0].bandwidth"  # the policies drawn by default, kept
    assert suggested("links[0].bandwidth").startswith("links[0].bandwidth,policy")  # the series given, kept
    for by in (suggested(None), suggested("links[0].bandwidth")):
        assert len(legend_texts(plots.plot_results(sweep_results, "cdf", by=by))) == 4  # policy x bandwidth


def split_of(tasks: pd.DataFrame, **where) -> pd.Series:
    """Mean split per bandwidth over replications of each replication's mean (what the figure draws)."""
    rows = tasks[tasks["status"].astype(str) == "completed"]
    for key, value in where.items():
        rows = rows[rows[key].astype(str) == value]
    per_run = rows.groupby(["links[0].bandwidth", "replication"], observed=True)["split"].mean()
    return per_run.groupby(level=0, observed=True).mean()


def test_split_per_app_and_objective_shows_only_splits_tasks_used(two_apps, tmp_path):
    fig = plots.plot_results(two_apps, "split", by="app", facet="policy.objective")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == ["(a) objective = latency", "(b) objective = energy"]
    for ax, objective in zip(axes, ["latency", "energy"], strict=True):
        lines = {line.get_label(): line for line in ax.get_lines()}
        # Each application's all-local line sits at its own depth (never the other's).
        assert lines["small: all local (3)"].get_ydata()[0] == 3
        assert lines["big: all local (5)"].get_ydata()[0] == 5
        for app, depth in (("small", 3), ("big", 5)):
            drawn = lines[app]
            expected = split_of(two_apps.tasks, app=app, **{"policy.objective": objective})
            assert np.allclose(sorted(drawn.get_ydata()), sorted(expected.to_numpy()))
            assert max(drawn.get_ydata()) <= depth
        assert all(float(t).is_integer() for t in ax.get_yticks()), "layer counts get integer ticks"
    check_figure(fig, tmp_path, "split")


def test_a_key_zipped_with_the_x_axis_is_named_under_it(two_apps):
    """The radio's latency falls as its bandwidth rises: an axis naming the bandwidth alone hid it."""
    fig = plots.plot_results(two_apps, "split", by="app", facet="policy.objective")
    labels = [ax.get_xlabel() for ax in fig.axes if ax.get_visible() and ax.get_xlabel()]
    assert labels and all(label.endswith("\nwith radio latency 50 ms, 20 ms, 5 ms") for label in labels)
    fig = plots.plot_results(two_apps, "sweep", by="app", facet="policy.objective", x="links[0].bandwidth")
    assert all(
        "with radio latency" in ax.get_xlabel() for ax in fig.axes if ax.get_visible() and ax.get_xlabel()
    )


def test_split_of_one_app_and_objective_chosen_with_where(two_apps):
    fig = plots.plot_results(two_apps, "split", where={"app": "small", "policy.objective": "energy"})
    ax = fig.axes[0]
    neurosurgeon = next(line for line in ax.get_lines() if line.get_label() == "neurosurgeon")
    expected = split_of(two_apps.tasks, app="small", **{"policy.objective": "energy"})
    assert np.allclose(sorted(neurosurgeon.get_ydata()), sorted(expected.to_numpy()))
    assert "all local (3 layers)" in legend_texts(fig)
    title = ax.get_title(loc="left")
    assert "objective = energy" in title and "application = small" in title


def test_sweep_lines_per_app_and_objective_average_replications_only(two_apps):
    fig = plots.plot_results(two_apps, "sweep", by="app,policy.objective")
    ax = fig.axes[0]
    assert ax.get_legend().get_title().get_text() == "application, objective"
    lines = {line.get_label(): line for line in ax.get_lines() if line.get_label() != "_all local"}
    assert set(lines) == {"small, latency", "small, energy", "big, latency", "big, energy"}
    assert {t.get_text().split(" all local")[0] for t in ax.texts} == {"small", "big"}, "each app's own"
    tasks = two_apps.tasks[two_apps.tasks["status"].astype(str) == "completed"]
    for label, line in lines.items():
        app, objective = label.split(", ")
        rows = tasks[(tasks["app"].astype(str) == app) & (tasks["policy.objective"] == objective)]
        per_run = rows.groupby(["links[0].bandwidth", "replication"], observed=True)["latency"].mean()
        means = per_run.groupby(level=0, observed=True).mean().reindex(["1 Mbps", "10 Mbps", "100 Mbps"])
        assert np.allclose(line.get_ydata(), means.to_numpy() * 1e3)
    # The band is the CI over the 2 replications of one configuration, not over configurations.
    rows = tasks[(tasks["app"].astype(str) == "big") & (tasks["policy.objective"] == "latency")]
    samples = rows[rows["links[0].bandwidth"] == "10 Mbps"].groupby("replication")["latency"].mean()
    mean, half = mean_ci(samples.to_numpy() * 1e3)
    band = ax.collections[list(lines).index("big, latency")].get_paths()[0].vertices
    at_ten = band[np.isclose(band[:, 0], 10.0), 1]
    assert np.isclose(at_ten.max(), mean + half) and np.isclose(at_ten.min(), max(mean - half, 0.0))


@pytest.mark.parametrize(
    "options", [{"by": "app,policy.objective"}, {"by": "app", "where": {"policy.objective": "latency"}}]
)
def test_a_sweeps_legend_covers_no_line_and_no_all_local_label(two_apps, options, tmp_path):
    """matplotlib's "best" place sat on the sweep's curves and its all-local lines and their labels.

    No place inside is free there: the legend goes beside the axes, and the labels placed before it
    are placed again, clear of it.
    """
    from offloadsim.plots.checks import legend_over_data

    fig = plots.plot_results(two_apps, "sweep", **options)
    assert legend_over_data(fig) == []
    ax = fig.axes[0]
    renderer = fig._get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    labels = [t for t in ax.texts if "all local" in t.get_text()]
    assert len(labels) == 2
    assert not [t.get_text() for t in labels if t.get_window_extent(renderer).overlaps(legend)]
    check_figure(fig, tmp_path, "sweep")


def test_chart_functions_refuse_data_that_mixes_configurations(two_apps):
    with pytest.raises(ValueError, match=r"policy\.objective \(latency, energy\)"):
        plots.metric_vs_parameter(two_apps.metrics, "latency_mean_s", "links[0].bandwidth")
    with pytest.raises(ValueError, match=r"app \("):
        plots.split_vs_parameter(
            two_apps.tasks[two_apps.tasks["policy.objective"] == "latency"], "links[0].bandwidth"
        )


def test_a_filter_that_cannot_apply_to_the_figure_is_refused(two_apps):
    with pytest.raises(
        ExperimentError, match="--where app: --kind utilisation is drawn from per-node records"
    ):
        plots.plot_results(two_apps, "utilisation", where={"app": "small", "policy.objective": "energy"})


def test_one_replication_draws_no_confidence_interval():
    metrics = pd.DataFrame({"policy": ["a", "b"], "replication": [0, 0], "latency_mean_s": [0.1, 0.2]})
    from offloadsim.plots.series import mean_ci_by

    assert mean_ci_by(metrics, ["policy"], "latency_mean_s")["ci"].isna().all()
    ax = plots.metric_bars(metrics, "latency_mean_s")
    segments = [s for c in ax.collections for s in c.get_segments()]
    assert all(s.size == 0 or not np.isfinite(s).all() for s in segments), "no bar claims certainty"


def test_new_record_columns_are_outcomes_not_configurations(compare_results, sweep_results):
    # Columns added to the records later (a queue length, a flag) vary from node to node and task to
    # task; they must not read as configurations that a mean would pool.
    nodes = compare_results.nodes.assign(queued_at_end=range(len(compare_results.nodes)))
    for level in ("node", "tier"):
        ax = plots.node_utilisation(nodes, level=level)
        assert ax.patches
    tasks = sweep_results.tasks.assign(new_outcome=range(len(sweep_results.tasks)))
    plots.split_vs_parameter(tasks, "links[0].bandwidth")
    plots.latency_cdf(tasks[tasks["links[0].bandwidth"] == "5 Mbps"])
    with pytest.raises(ValueError, match=r"links\[0\]\.bandwidth"):
        plots.latency_cdf(tasks)


def test_the_command_line_names_the_dimension_and_exits_2(two_apps, cli_main, capsys):
    assert cli_main(["plot", str(two_apps.path), "--kind", "split"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "policy.objective (latency, energy)" in err and "--where" in err
    code = cli_main(
        ["plot", str(two_apps.path), "--kind", "split", "--by", "app", "--facet", "policy.objective"]
    )
    assert code == 0


# --------------------------------------------------------------------------- labels and axes


def test_swept_keys_are_named_by_the_sweep_labels_or_by_what_they_are(two_apps, sweep_results):
    assert two_apps.manifest["labels"] == {
        "links[0].bandwidth": "phone–server bandwidth",
        "links[0].latency": "radio latency",
        "policy.objective": "objective",
    }
    ax = plots.plot_results(two_apps, "sweep", by="app", where={"policy.objective": "latency"}).axes[0]
    # (the second line names the key zipped with it: test_a_key_zipped_with_the_x_axis_is_named_under_it)
    assert ax.get_xlabel().splitlines()[0] == "phone–server bandwidth (Mbit/s)"
    ax = plots.plot_results(two_apps, "sweep", x="links[0].latency", by="app", facet="policy.objective").axes[
        0
    ]
    assert ax.get_xlabel().splitlines() == [
        "radio latency (ms)",
        # as an axis of it says, in the x axis' order: 100 Mbit/s goes with 5 ms
        "with phone–server bandwidth 100 Mbit/s, 10 Mbit/s, 1 Mbit/s",
    ]
    ax = plots.plot_results(sweep_results, "sweep", metric="latency_p95_s").axes[0]
    assert ax.get_xlabel() == "phone–ap bandwidth (Mbit/s)"
    assert ax.get_ylabel() == "p95 latency (ms)"
    assert sorted(ax.lines[0].get_xdata()) == [5.0, 50.0]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"local", "edge"}
    assert len(ax.collections) == 2  # one CI band per policy


def test_a_swept_dynamics_key_is_named_by_its_kind_with_its_unit(tmp_path):
    """``dynamics[0].in_flight`` labelled the commute sweep's x axis as the raw key path."""
    from experiment_data import TINY

    dynamics = "dynamics:\n  - {kind: failures, nodes: edge, mtbf: 10 s, mttr: 1 s}\n"
    (tmp_path / "tiny.yaml").write_text(TINY + dynamics, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "base: tiny.yaml\ngrid:\n  dynamics[0].mttr: [0.5, 2]\nreplications: 2\n", encoding="utf-8"
    )
    results = sweep(tmp_path / "s.yaml", out=tmp_path / "out", workers=1)
    results = read_results(tmp_path / "out")
    assert results.manifest["labels"] == {"dynamics[0].mttr": "failures MTTR"}
    ax = plots.plot_results(results, "sweep", by="policy").axes[0]
    assert ax.get_xlabel() == "failures MTTR (ms)"  # plain numbers at a time key are seconds
    # results written before dynamics keys had a name stored the key itself as its label
    old = dataclasses.replace(
        results, manifest={**results.manifest, "labels": {"dynamics[0].mttr": "dynamics[0].mttr"}}
    )
    assert plots.plot_results(old, "sweep", by="policy").axes[0].get_xlabel() == "failures MTTR (ms)"


def test_dynamics_keys_read_as_words_and_units():
    from offloadsim.analysis.values import axis_label_for, default_label

    doc = {"dynamics": [{"kind": "mobility"}, {"kind": "link-schedule"}]}
    assert default_label("dynamics[0].in_flight", doc) == "mobility in-flight rule"
    assert default_label("dynamics[0].access_points[2].radius", doc) == "mobility access point 3 radius"
    assert default_label("dynamics[1].steps[0].at", doc) == "link-schedule step 1 time"
    assert default_label("dynamics[5].update", doc) == "dynamics 5 update"  # no such entry: its number
    assert axis_label_for("dynamics[1].steps[0].at", "number", "t", 30.0) == ("t (s)", 1.0)
    # a radio's band, not a link's bit rate: 20e6 is 20 MHz, not 20 Mbit/s
    assert axis_label_for("dynamics[0].radio.bandwidth", "number", "band") == ("band (MHz)", 1e6)
    assert axis_label_for("dynamics[0].radio.bandwidth", "frequency", "band") == ("band (MHz)", 1e6)


def test_a_speed_under_dynamics_is_a_walking_speed_not_a_processor_speed():
    """A plain number swept at ``dynamics[0].random_waypoint.speed`` was labelled GFLOP/s (and divided
    by 1e9), as a node's ``speed``; ``--where`` read ``1.4 m/s`` as no speed at all."""
    from offloadsim.analysis.values import axis_label_for, quantity_kind, where_matches

    key = "dynamics[0].random_waypoint.speed"
    assert axis_label_for(key, "number", "walk", 1.5) == ("walk (m/s)", 1.0)
    assert axis_label_for("nodes.edge.speed", "number", "edge", 1e12) == ("edge (GFLOP/s)", 1e9)
    assert quantity_kind(["0.5 m/s", "1.5 m/s"]) == "velocity"  # a swept walking speed is a number too
    assert axis_label_for(key, "velocity", "walk") == ("walk (m/s)", 1.0)
    assert where_matches(pd.Series([1.4, 2.0]), key, "1.4 m/s").tolist() == [True, False]
    assert where_matches(pd.Series([1.4, 2.0]), key, "5.04 km/h").tolist() == [True, False]


def test_a_swept_mobility_length_is_drawn_to_scale_in_metres():
    """An access point's ``radius`` swept as ``150 m``, ``250 m``, ``400 m`` was drawn as three
    evenly spaced categories with no unit, and as plain numbers with no unit on the axis."""
    from offloadsim.analysis.values import axis_label_for, key_kind, quantity_kind, where_matches
    from offloadsim.plots.series import x_positions

    key = "dynamics[0].access_points[1].radius"
    assert quantity_kind(["150 m", "0.4 km"]) == "length"
    positions, label, numeric, order = x_positions(["400 m", "150 m", "250 m"], key, None, "reach")
    assert (positions.tolist(), label, numeric, order) == (
        [150.0, 250.0, 400.0],
        "reach (m)",
        True,
        ["150 m", "250 m", "400 m"],
    )
    assert axis_label_for(key, "number", "reach", 400.0) == ("reach (m)", 1.0)
    for length in ("access_points[0].position[1]", "random_waypoint.area[0]", "radio.reference_distance"):
        assert key_kind(f"dynamics[0].{length}") == "length", length
    assert key_kind("dynamics[0].random_waypoint.speed") == "velocity"  # still m/s
    assert where_matches(pd.Series(["150 m", "250 m"]), key, "0.15 km").tolist() == [True, False]


def test_a_swept_rate_below_one_a_second_reads_per_minute():
    """Requests swept at 0.5, 2 and 5 a minute were drawn at 0.00833333, 0.0333333 and 0.0833333
    (1/s), and named so in the notes under the figure."""
    from offloadsim.analysis.values import axis_label_for, axis_texts
    from offloadsim.plots.series import x_positions

    key = "workload[0].rate"
    positions, label, _, order = x_positions(["5 /min", "0.5 /min", "2 /min"], key, None, "requests")
    assert (positions.tolist(), label, order) == (
        pytest.approx([0.5, 2.0, 5.0]),
        "requests per source (per min)",  # a workload's rate is each source's (HL35)
        ["0.5 /min", "2 /min", "5 /min"],
    )
    assert axis_texts(["0.5 /min", "5 /min"]) == ["0.5 /min", "5 /min"]
    assert axis_label_for(key, "number", "requests", 0.5) == (
        "requests per source (per min)",
        pytest.approx(1 / 60),
    )
    assert axis_label_for(key, "number", "requests", 1 / 7200)[0] == "requests per source (per h)"
    assert axis_label_for(key, "rate", "requests", 2.0) == (
        "requests per source (per s)",
        1.0,
    )  # 1 /s and more: per second


def test_a_label_for_a_key_that_is_not_swept_is_an_error(tmp_path):
    from experiment_data import TINY

    from offloadsim.experiments import load_sweep
    from offloadsim.scenario import ScenarioError

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "base: tiny.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps]\nlabels:\n  links[0].bandwith: uplink\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ScenarioError, match=r'labels\["links\[0\].bandwith"\]: not a swept key.*did you mean'
    ):
        load_sweep(tmp_path / "s.yaml")


def test_log_axes_from_the_command_line(sweep_results, cli_main, tmp_path, capsys):
    fig = plots.plot_results(sweep_results, "sweep", logy=True, logx=False)
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_xscale() == "linear"
    out = tmp_path / "fig"
    assert cli_main(["plot", str(sweep_results.path), "--kind", "sweep", "--logy", "--out", str(out)]) == 0
    assert cli_main(["plot", str(sweep_results.path), "--kind", "cdf", "--logy"]) == 2
    assert "--logy does not apply to --kind cdf" in capsys.readouterr().err


def test_bars_are_never_drawn_on_a_log_axis(compare_results, tmp_path):
    fig = plots.plot_results(compare_results, "bars", logy=True)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert not [c for c in ax.containers if isinstance(c, BarContainer)], "dots and CIs, not bars"
    assert len(ax.lines) >= 2  # one marker per policy
    linear = plots.plot_results(compare_results, "bars").axes[0]
    assert [c for c in linear.containers if isinstance(c, BarContainer)] and linear.get_ylim()[0] == 0
    check_figure(fig, tmp_path, "bars")


def test_a_narrow_log_axis_over_several_decades_keeps_decade_ticks():
    """A trial's energy figure, its legend beside a one-column axes, got ticks 0, 200000, 400000 on a
    log axis from 61 to 414,766 ms: one label, and no decade a reader could read the scale from."""
    fig, ax = plots.new_axes((1.4, 2.0))
    ax.plot([61, 414_766], [1, 2])
    log_axis(ax, "x")
    ax.set_xlim(61, 414_766)
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if 61 <= t <= 414_766]
    assert ticks and all(np.isclose(np.log10(t), round(np.log10(t))) for t in ticks), ticks
    assert len(ticks) >= 3
    assert len([t for t in ax.get_xticklabels() if t.get_text()]) >= 2


def test_log_and_linear_axes_write_large_tick_labels_one_way():
    """A log axis read 10000 where a linear one of the same figure (and its notes) wrote 10,000."""
    fig, (log, linear, swept) = plots.new_axes("two-column", ncols=3)
    for ax in (log, linear):
        ax.plot([1, 30_000], [1, 30_000])
    log_axis(log, "x")
    swept.set_xscale("log")
    value_ticks(swept, "x", [1_000, 20_000, 300_000])
    with plots.house_style():
        fig.draw_without_rendering()
    texts = {name: [t.get_text() for t in ax.get_xticklabels() if t.get_text()] for name, ax in
             (("log", log), ("linear", linear), ("swept", swept))}  # fmt: skip
    assert "20,000" in texts["linear"], texts
    # One way for every number of four digits or more: a trial's sweep figure read 1000 and 10,000
    # on its axes and 10000 Mbit/s in its notes.  A narrow panel leaves off a label that would
    # collide (1,000 is wider than 1000), never writes one another way.
    assert not [t for ts in texts.values() for t in ts if re.search(r"\d{4}", t)], texts
    assert texts["swept"][0] == "1,000" and texts["swept"][-1] == "300,000", texts
    assert "1,000" in texts["log"], "a decade of four digits keeps its room on a narrow panel"


def test_a_log_axis_writes_a_million_as_it_writes_a_hundred_thousand():
    """A sweep's latency axis read ``1e+06`` above ``100,000``: two ways of writing numbers on one axis."""
    fig, ax = plots.new_axes("one-column")
    ax.plot([1.0, 2.0], [900.0, 2_000_000.0])
    log_axis(ax, "y")
    with plots.house_style():
        fig.draw_without_rendering()
    texts = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "1,000,000" in texts and "100,000" in texts, texts
    assert not [t for t in texts if "e" in t], texts


def test_many_swept_values_get_ticks_whose_labels_never_collide(tmp_path):
    values = ["1 Mbps", "2 Mbps", "5 Mbps", "8 Mbps", "10 Mbps", "15 Mbps", "20 Mbps", "50 Mbps", "80 Mbps",
              "100 Mbps", "200 Mbps", "500 Mbps"]  # fmt: skip
    metrics = pd.DataFrame(
        {"bw": np.repeat(values, 2), "replication": [0, 1] * 12, "latency_mean_s": np.linspace(1, 0.01, 24)}
    )
    fig, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "latency_mean_s", "bw", by=None, ax=ax)
    assert ax.get_xscale() == "log"
    assert len(ax.get_xticks()) == 12, "a tick mark at every swept value"
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert {"1", "10", "100", "500"} <= set(shown) and len(shown) < 12
    check_readable(fig)


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
    view = types.SimpleNamespace(metric="latency_mean_s")
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


def test_a_legend_lists_only_series_that_drew_something():
    metrics = pd.DataFrame(
        {
            "x": ["1 Mbps", "2 Mbps"] * 2,
            "policy": ["a", "a", "b", "b"],
            "replication": [0, 0, 0, 0],
            "latency_mean_s": [0.1, 0.2, np.nan, np.nan],
        }
    )
    ax = plots.metric_vs_parameter(metrics, "latency_mean_s", "x")
    assert ax.get_legend() is None, "one series drawn: no legend promising a second"


def test_energy_labels_stay_inside_the_axes_and_apart(tmp_path):
    rows = []
    for policy, (lat, eng) in {"local": (0.5, 1.1), "edge": (1.0, 1.2), "split": (0.2, 0.3)}.items():
        for i, bw in enumerate(["10 Mbps", "20 Mbps", "50 Mbps", "100 Mbps", "500 Mbps"]):
            for rep in (0, 1):
                shrink = 1.0 if policy == "local" else 1 / (i + 1)
                rows.append(
                    {"policy": policy, "bw": bw, "replication": rep}
                    | {"latency_mean_s": lat * shrink, "device_energy_mean_j": eng * shrink}
                )
    fig, ax = plots.new_axes("one-column-tall")
    plots.energy_latency(pd.DataFrame(rows), x="bw", ax=ax)
    assert ax.texts, "the ends of each line are labelled"
    assert all("Mbit/s" in t.get_text() for t in ax.texts), "labels in display units"
    check_readable(fig)


def test_an_energy_label_is_never_beside_another_series_marker(tmp_path):
    """sweep-bandwidth's figure put local's "2–100 Mbit/s" by least-loaded's 2 Mbit/s marker, and
    least-loaded's "2 Mbit/s" over local's: read naively, the two labels were swapped."""
    rows = []
    bandwidths = ["2 Mbps", "5 Mbps", "10 Mbps", "20 Mbps", "50 Mbps", "100 Mbps"]
    curves = {
        "local": [(0.86, 1.33)] * 6,
        "edge": [(1.55, 0.48), (0.38, 0.19), (0.2, 0.1), (0.13, 0.05), (0.085, 0.02), (0.073, 0.01)],
        "least-loaded": [(0.61, 1.1), (0.35, 0.24), (0.19, 0.1), (0.115, 0.05), (0.075, 0.02), (0.062, 0.01)],
    }
    for policy, points in curves.items():
        for bw, (lat, eng) in zip(bandwidths, points, strict=True):
            for rep in (0, 1):
                rows.append(
                    {"policy": policy, "bw": bw, "replication": rep}
                    | {"latency_mean_s": lat * (1 + 0.01 * rep), "device_energy_mean_j": eng}
                )
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(pd.DataFrame(rows), x="bw", ax=ax)
    from offloadsim.plots.axes import laid_out

    renderer = laid_out(ax)
    assert ax.texts
    for text in ax.texts:
        box = text.get_window_extent(renderer)
        own = ax.transData.transform(text.xy)
        for line in ax.get_lines():
            if line.get_color() == text.get_color() or line.get_marker() in ("", "None", None):
                continue
            for point in ax.transData.transform(line.get_xydata()):
                if np.hypot(*(point - own)) < 1:
                    continue  # drawn in the same place as the label's own point
                inside = box.x0 - 2 <= point[0] <= box.x1 + 2 and box.y0 - 2 <= point[1] <= box.y1 + 2
                assert not inside, f"{text.get_text()!r} sits on a marker of another series at {point}"
    check_readable(fig)


# --------------------------------------------------------------------------- one run over time


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

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
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

    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "edge-outage.yaml"
    offloadsim.run(scenario, overrides=["duration=30 s"], stages=True, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    status = results.tasks["status"].astype(str)
    done, other = int((status == "completed").sum()), int((status != "completed").sum())
    assert done > 30 and other > 0
    note = _footnote(plots.plot_results(results, "timeline"))
    assert f"the first 30 of {done:,} completed tasks, by arrival" in note
    assert f"{other:,} not completed (failed, dropped or in flight at the end), not drawn" in note


# --------------------------------------------------------------------------- functions and style


def test_where_filters_rows(sweep_results):
    fig = plots.plot_results(sweep_results, "cdf", where={"links[0].bandwidth": "5 Mbps"})
    assert len(fig.axes[0].lines) == 2


@pytest.mark.parametrize("given", ["5 Mbit/s", "5000 kbps", "0.005 Gbps", "5e6"])
def test_where_compares_a_quantity_by_value(sweep_results, given):
    """The sweep wrote 5 Mbps: '--where links[0].bandwidth=5 Mbit/s' kept no row (compared as text)."""
    fig = plots.plot_results(sweep_results, "cdf", where={"links[0].bandwidth": given})
    assert len(fig.axes[0].lines) == 2
    title = fig.axes[0].get_title(loc="left") + (fig._suptitle.get_text() if fig._suptitle else "")
    assert "phone–ap bandwidth = 5 Mbit/s" in title, "the figure names the value kept, in its axis's unit"


@pytest.mark.parametrize("given", ["5 ms", "5", "5 Mbps x"])
def test_where_keeps_text_matching_for_what_is_not_that_quantity(sweep_results, given):
    """A time or text is no bandwidth (compared as text), and 5 is 5 bit/s (SI, as --set reads it)."""
    listed = re.escape("no rows have that value; links[0].bandwidth is one of 5 Mbps")
    with pytest.raises(ExperimentError, match=listed):
        plots.plot_results(sweep_results, "cdf", where={"links[0].bandwidth": given})


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"by": "ap"}, '--by ap: no such column (did you mean "app"?) (columns: '),
        (
            {"facet": "policy.objectiv"},
            '--facet policy.objectiv: no such column (did you mean "policy.objective"?) (columns: ',
        ),
        ({"where": {"ap": "small"}}, '--where ap: no such column (did you mean "app"?) (columns: '),
        (
            {"x": "links[0].bandwith"},
            '--x links[0].bandwith: no such column (did you mean "links[0].bandwidth"?) (swept keys: ',
        ),
    ],
)
def test_a_misspelt_column_is_named_with_the_one_meant(two_apps, options, said):
    """plot --by ap listed every column (34 in a sweep) and left the reader to spot "app" among them."""
    with pytest.raises(ExperimentError) as caught:
        plots.plot_results(two_apps, "split", **options)
    assert said in str(caught.value)


def test_chart_functions_draw_on_a_given_axes(compare_results):
    fig, ax = plots.new_axes("two-column")
    assert fig.get_size_inches().tolist() == [7.16, 2.8]
    returned = plots.latency_cdf(compare_results.tasks, ax=ax)
    assert returned is ax and len(ax.lines) == 2
    assert ax.xaxis.label.get_fontfamily()[0] == "serif"


def test_palette_is_okabe_ito_and_stable_per_name():
    styles = plots.style_map(["local", "edge", "local", "cloud"])
    assert list(styles) == ["local", "edge", "cloud"]
    assert styles["local"]["color"] == plots.OKABE_ITO["blue"]
    assert len(set(plots.PALETTE)) == 8


def test_series_past_the_eighth_still_differ_from_every_other():
    # Nine series (3 policies x 3 precisions on an energy figure) drew the ninth exactly as the
    # first, blue circles: a reader could not tell which was which.
    names = [f"s{i}" for i in range(64)]
    styles = plots.style_map(names)
    looks = {(s["color"], s["marker"]) for s in styles.values()}
    assert len(looks) == 64
    assert styles["s8"]["color"] == styles["s0"]["color"] and styles["s8"]["marker"] != styles["s0"]["marker"]
    assert [styles[f"s{i}"] for i in range(8)] == [  # the first eight as before
        {"color": c, "marker": m, "linestyle": ls}
        for c, m, ls in zip(plots.PALETTE, plots.style.MARKERS, plots.style.LINESTYLES, strict=True)
    ]


def test_a_sweep_figure_of_a_compare_directory_is_a_clear_error(compare_results):
    said = r"^(kind=|--kind )sweep draws a sweep, and .* is a comparison$"  # the kind's registration
    with pytest.raises(ExperimentError, match=said):
        plots.plot_results(compare_results, "sweep")


def test_panel_labels_letter_each_panel():
    _, axes = plots.new_axes("two-column", ncols=3)
    plots.label_panels(axes, ["latency", None, "energy"])
    assert [ax.get_title(loc="left") for ax in axes] == ["(a) latency", "(b)", "(c) energy"]


# --------------------------------------------------------------------------- a run over time


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


def test_energy_markers_on_the_same_spot_stay_visible_and_are_named():
    """compare-load drew cloud exactly under least-loaded: listed in the legend, missing from the axes."""
    spots = {"local": (1.6, 1.3), "cloud": (0.12, 0.05), "least-loaded": (0.12, 0.05)}
    rows = [
        {"policy": policy, "replication": rep, "latency_mean_s": lat, "device_energy_mean_j": eng}
        for policy, (lat, eng) in spots.items()
        for rep in (0, 1)
    ]
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(pd.DataFrame(rows), ax=ax)
    lines = [line for line in ax.get_lines() if line.get_marker() not in ("None", None, "", "|", "_")]
    assert len({line.get_marker() for line in lines}) == len(lines) == 3, "one shape per series"
    assert all(line.get_markerfacecolor() == "none" for line in lines), "hollow: one beneath shows"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["local", "cloud", "least-loaded (same spot as cloud)"]
    # What the tasks added to the device's idle draw, not its whole energy: the axis has room to say so.
    assert ax.get_ylabel() == "device energy per task above idle (mJ)"
    check_readable(fig)


def test_a_swept_series_drawn_wholly_under_another_is_named_in_the_legend():
    """A trial's sweep had multi-tier choose the cloud at every point: its energy figure drew it
    wholly under cloud's markers, with a legend naming both as if both were in view."""
    spots = {"local": [(1.6, 1.3), (3.2, 2.6)], "cloud": [(0.12, 0.05), (0.2, 0.06)]}
    spots["multi-tier"] = spots["cloud"]
    spots["edge"] = [(0.12, 0.05), (0.4, 0.2)]  # on cloud's spot at one value only: not under it
    rows = [
        {"policy": policy, "n": n, "replication": rep, "latency_mean_s": lat, "device_energy_mean_j": eng}
        for policy, points in spots.items()
        for n, (lat, eng) in zip((1, 20), points, strict=True)
        for rep in (0, 1)
    ]
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(pd.DataFrame(rows), x="n", ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["local", "cloud", "multi-tier (same spot as cloud)", "edge"]
    check_readable(fig)


def test_a_sweep_line_drawn_exactly_over_another_is_named_in_the_legend():
    """A trial's TTFT sweep drew neurosurgeon (the edge at every prompt length) over edge's line: the
    legend named both, the axes showed one."""
    lines = {"edge": [0.02, 0.03, 0.3], "neurosurgeon": [0.02, 0.03, 0.3], "cloud": [0.05, 0.03, 0.1]}
    rows = [
        {"policy": policy, "tokens": tokens, "replication": rep, "ttft_mean_s": value}
        for policy, values in lines.items()
        for tokens, value in zip((32, 512, 2048), values, strict=True)
        for rep in (0, 1)
    ]
    fig, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(pd.DataFrame(rows), "ttft_mean_s", "tokens", ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["edge", "neurosurgeon (same line as edge)", "cloud"]
    check_readable(fig)


def test_a_cdf_drawn_over_another_is_named_in_the_legend_once_a_series():
    """A trial's CDF drew neurosurgeon (every task sent whole to the edge) over edge: the legend named
    both, the axes showed one line; a panel per bandwidth then listed neurosurgeon twice, once
    "(same line as edge)" from the panel where it was and once plain from the one where it was not."""
    from offloadsim.plots.axes import figure_legend

    rng = np.random.default_rng(3)
    edge = rng.exponential(0.05, 400) + 0.03
    latencies = {
        ("5 Mbps", "edge"): edge,
        ("5 Mbps", "neurosurgeon"): edge * 1.001,  # within 2 % at every percentile
        ("5 Mbps", "local"): edge + 0.5,
        ("50 Mbps", "edge"): edge,
        ("50 Mbps", "neurosurgeon"): edge * 1.2,  # a line of its own
        ("50 Mbps", "local"): edge + 0.5,
    }
    tasks = pd.DataFrame(
        [
            {"bandwidth": bandwidth, "policy": policy, "status": "completed", "latency": value}
            for (bandwidth, policy), values in latencies.items()
            for value in values
        ]
    )
    fig, ax = plots.new_axes("one-column")
    plots.latency_cdf(tasks[tasks["bandwidth"] == "5 Mbps"], ax=ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["edge", "neurosurgeon (same line as edge)", "local"]
    check_readable(fig)
    fig, panels = plots.new_axes("two-column", ncols=2)
    for panel, bandwidth in zip(panels, ("5 Mbps", "50 Mbps"), strict=True):
        plots.latency_cdf(tasks[tasks["bandwidth"] == bandwidth], ax=panel)
    assert figure_legend(fig, panels)
    (legend,) = fig.legends
    # once, saying the panel where it is hidden (test_a_series_under_another_in_each_panel_is_named_...)
    assert [t.get_text() for t in legend.get_texts()] == [
        "edge",
        "neurosurgeon (same line as edge in (a))",
        "local",
    ]


def test_a_note_under_a_sweep_of_rates_writes_the_rate_as_a_scenario_does():
    """A sweep of request rates noted lines ``at 2–8 1/min`` under an axis in ``1/min``: a rate
    reads ``2–8 /min`` after a number, as the sweep file wrote it, and ``per min`` on the axis."""
    from offloadsim.plots.sweep_lines import coinciding_lines

    rates = ["2 /min", "4 /min", "8 /min", "12 /min"]
    lines = {"jet": [6, 10, 7, 3], "cloud": [6, 11, 22, 33], "split": [6, 11, 22, 31]}
    rows = [
        {"policy": policy, "rate": rate, "replication": rep, "tokens": value}
        for policy, values in lines.items()
        for rate, value in zip(rates, values, strict=True)
        for rep in (0, 1)
    ]
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(pd.DataFrame(rows), "tokens", "rate", ax=ax, label="arrival rate")
    assert ax.get_xlabel() == "arrival rate (per min)"
    note = coinciding_lines([ax])
    assert "at 2–8 /min" in note and "1/min" not in note, note


def test_where_sweep_lines_coincide_over_part_of_the_sweep_the_figure_says_so():
    """split_vs_bandwidth drew neurosurgeon over local at 1-2 Mbit/s and over edge from 100 Mbit/s
    up: the axes showed one line where the legend named two, and nothing said so."""
    from offloadsim.plots.sweep_lines import coinciding_lines

    bandwidths = ["1 Mbps", "2 Mbps", "10 Mbps", "100 Mbps", "200 Mbps", "500 Mbps"]
    lines = {
        "local": [20, 20, 20, 20, 20, 20],
        "edge": [np.nan, np.nan, 0, 0, 0, 0],  # no point at 1 and 2 Mbit/s
        "neurosurgeon": [20, 20, 3, 0.1, 0, 0],  # 0.1 of 20 layers: on edge's line, to the eye
        "cloud": [5, 20, 5, 20, 5, 20],  # crosses local at each of its points, never along a segment
    }
    rows = [
        {"policy": policy, "bw": bw, "replication": rep, "split": value}
        for policy, values in lines.items()
        for bw, value in zip(bandwidths, values, strict=True)
        for rep in (0, 1)
    ]
    _, (left, right) = plots.new_axes("two-column", ncols=2)
    plots.metric_vs_parameter(pd.DataFrame(rows), "split", "bw", ax=left)
    assert coinciding_lines([left]) == (
        "lines drawn over each other: neurosurgeon over local at 1–2 Mbit/s; "
        "neurosurgeon over edge at 100–500 Mbit/s"
    )
    # Another panel where they coincide elsewhere: each panel's ranges named by its panel.
    apart = [r | {"split": r["split"] + 5} if r["policy"] == "local" else r for r in rows]
    plots.metric_vs_parameter(pd.DataFrame(apart), "split", "bw", ax=right)
    plots.label_panels([left, right])
    assert coinciding_lines([left, right]) == (
        "lines drawn over each other: (a) neurosurgeon over local at 1–2 Mbit/s; "
        "neurosurgeon over edge at 100–500 Mbit/s; (b) neurosurgeon over edge at 100–500 Mbit/s"
    )
    # A line drawn wholly on another is said by the legend, not again under the figure.
    _, ax = plots.new_axes("one-column")
    same = [r for r in rows if r["policy"] in ("edge", "local")]
    same += [r | {"policy": "edge-too"} for r in same if r["policy"] == "edge"]
    plots.metric_vs_parameter(pd.DataFrame(same), "split", "bw", ax=ax)
    assert "edge-too (same line as edge)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert coinciding_lines([ax]) == ""


def test_a_swept_token_count_reads_tokens_on_the_axis_and_at_the_line_ends():
    """A trial's prompt-length sweep read "chat prompt tokens (count)" and labelled its energy
    line's ends "32 count" and "2048 count"."""
    rows = [
        {"policy": "local", "applications.chat.prompt_tokens": n, "replication": rep,
         "latency_mean_s": n / 100, "device_energy_mean_j": n / 40, "ttft_mean_s": n / 200}
        for n in (32, 512, 2048)
        for rep in (0, 1)
    ]  # fmt: skip
    metrics = pd.DataFrame(rows)
    key = "applications.chat.prompt_tokens"
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "ttft_mean_s", key, ax=ax, label="chat prompt tokens")
    assert ax.get_xlabel() == "chat prompt (tokens)"  # the unit said once
    _, ax = plots.new_axes("one-column")
    plots.energy_latency(metrics, x=key, ax=ax)
    ends = sorted(t.get_text() for t in ax.texts)
    assert ends == ["2,048 tokens", "32 tokens"]  # grouped as the axes write it


def _footnote(fig: Figure) -> str:
    label = fig._supxlabel  # the figure-level text under the axes
    return label.get_text() if label is not None else ""


@pytest.mark.parametrize("kind", ["bars", "energy", "utilisation"])
def test_a_cli_figure_says_what_its_intervals_are_and_over_how_many_replications(compare_results, kind):
    """A new user's figures showed error bars that only the gallery captions explained."""
    note = _footnote(plots.plot_results(compare_results, kind))
    assert "95 % CI" in note and "over 2 replications" in note and "error bars" in note


def _many_phones(compare_results, phones: int = 12):
    """compare_results with ``phones`` phones, each as busy as one of its three (scaled): drawn by tier."""
    nodes = compare_results.nodes
    rows = []
    for i in range(phones):
        phone = nodes[nodes["node"] == f"phone-{i % 3}"].assign(node=f"phone-{i}")
        rows.append(phone.assign(utilisation=phone["utilisation"] * (1 + i / 20)))
    rows.append(nodes[nodes["tier"] != "device"])
    return dataclasses.replace(compare_results, nodes=pd.concat(rows, ignore_index=True))


def test_a_tier_bar_says_it_is_the_mean_of_its_nodes_and_shows_each_node(compare_results):
    """The device bar was the mean of 20 phones and nothing on the figure said so, or showed their spread."""
    results = _many_phones(compare_results)
    fig = plots.plot_results(results, "utilisation")  # more than 10 nodes: one bar per tier
    (ax,) = fig.axes
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["device\nmean of 12 nodes", "edge"]
    assert ax.get_xlabel() == "tier (dots: one per node, its mean over replications)"
    nodes = results.nodes[results.nodes["policy"] == "local"]
    expected = nodes[nodes["tier"] == "device"].groupby("node", sort=False)["utilisation"].mean() * 100
    dots = [np.asarray(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 1, "one dot per phone under local; none where the phones all idle (edge)"
    assert np.sort(dots[0][:, 1]) == pytest.approx(np.sort(expected.to_numpy()))
    (bar,) = [p for p in ax.patches if abs(p.get_height() - expected.mean()) < 1e-6]
    left, right = bar.get_x(), bar.get_x() + bar.get_width()
    centre = (left + right) / 2
    assert all(left < x < right and abs(x - centre) > 0.05 * bar.get_width() for x in dots[0][:, 0]), (
        "the dots sit on their bar, clear of its error bar"
    )
    assert "error bars: 95 % CI" in _footnote(fig)
    check_readable(fig)


def test_a_tier_of_one_node_or_of_nodes_that_agree_gets_no_dots(compare_results):
    ax = plots.node_utilisation(compare_results.nodes.assign(utilisation=0.5), level="tier")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["device\nmean of 3 nodes", "edge"]
    assert ax.get_xlabel() == "tier" and not [c for c in ax.collections if isinstance(c, PathCollection)]


def test_a_utilisation_bar_too_low_to_see_says_its_value(compare_results):
    """The gallery's cloud policy kept the cloud's cores under 1 % and the other tiers idle: its colour was
    in the legend and nowhere on the axes, as if it had no data. A bar under 1 % of the axis says its
    value (%); one that can be seen does not."""
    nodes = compare_results.nodes
    busy = np.where(nodes["policy"] == "local", np.where(nodes["tier"] == "device", 0.6, 0.0), 0.003)
    fig, ax = plots.new_axes("one-column")
    plots.node_utilisation(nodes.assign(utilisation=busy), level="tier", ax=ax)
    said = sorted((round(t.xy[0], 2), t.get_text()) for t in ax.texts)
    # local's bar on the device (60 %) is seen; its edge bar (0) and edge's two bars (0.3 %) are not
    assert said == [(0.2, "0.3"), (0.8, "0"), (1.2, "0.3")], said
    check_readable(fig)


def test_a_sweep_figure_names_its_bands(sweep_results):
    replications = sweep_results.metrics.groupby(["policy", "links[0].bandwidth"])["replication"].nunique()
    note = _footnote(plots.plot_results(sweep_results, "sweep"))
    assert note.startswith("bands: 95 % CI") and f"over {replications.max()} replications" in note


@pytest.fixture(scope="module")
def some_runs_without_tasks(tmp_path_factory):
    """Eight replications of one second at 0.3 tasks/s a phone: in some no task arrives."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-some-without-tasks")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    overrides = ["duration=1 s", "workload[0].rate=0.3 /s"]
    compare(folder / "tiny.yaml", ["edge"], 8, workers=1, out=folder / "cmp", overrides=overrides)
    return read_results(folder / "cmp")


@pytest.mark.parametrize("kind", ["bars", "energy"])
def test_an_interval_note_counts_the_runs_that_have_a_value(kind, some_runs_without_tasks):
    """Runs in which no task arrived have no latency: the bars' CIs were over 5 of 8 runs, and the
    figure said "over 8 replications"."""
    results = some_runs_without_tasks
    with_value = int(results.metrics["latency_mean_s"].notna().sum())
    assert 2 <= with_value < 8  # what the note is about: some runs have no latency
    note = _footnote(plots.plot_results(results, kind))
    assert f"95 % CI of the mean (Student t) over {with_value} replications" in note
    throughput = _footnote(plots.plot_results(results, "bars", metric="throughput_per_s"))
    assert "over 8 replications" in throughput  # every run has a throughput, 0 included


def test_a_figure_without_intervals_carries_no_interval_note(compare_results):
    assert "95 % CI" not in _footnote(plots.plot_results(compare_results, "cdf"))


def test_a_cdf_says_on_itself_that_each_line_pools_the_replications(compare_results, sweep_results):
    """A new user's CDF drew every replication's tasks in one line, and only the gallery caption said so."""
    note = _footnote(plots.plot_results(compare_results, "cdf"))
    assert note.split("\n")[0] == "each line pools the completed tasks of 2 replications"
    faceted = plots.plot_results(sweep_results, "cdf", facet="links[0].bandwidth")
    replications = sweep_results.tasks.groupby(["policy", "links[0].bandwidth"], observed=True)[
        "replication"
    ].nunique()
    assert f"pools the completed tasks of {replications.max()} replications" in _footnote(faceted)
    one = compare_results.tasks[compare_results.tasks["replication"] == 0]
    single = plots.plot_results(dataclasses.replace(compare_results, tasks=one), "cdf")
    assert "pools" not in _footnote(single), "one run pools nothing"
    per_run = plots.plot_results(compare_results, "cdf", by="policy,replication")
    assert "pools" not in _footnote(per_run), "a line per replication pools nothing"


def test_a_single_run_cdf_carries_no_pooling_note(tiny, tmp_path):
    from offloadsim.api import run

    run(tiny, policy="edge", out=tmp_path / "run")
    # (a run's figures say its own notes, the plain speeds here: nothing of pooling)
    assert "pool" not in _footnote(plots.plot_results(read_results(tmp_path / "run"), "cdf"))


def test_a_cdf_of_one_latency_is_a_step_at_its_value_not_its_float_noise(compare_results):
    """Deterministic tasks' latencies differ in their last bits (sums in another order): the axis
    zoomed to a 1e-11 ms range under the offset "1e-11+7.222739546e1" and drew a spread curve."""
    tasks = compare_results.tasks[compare_results.tasks["policy"] == "edge"].head(200).copy()
    tasks["latency"] = 0.0722273954611 + np.arange(len(tasks)) % 7 * 1e-17 * 7.2
    tasks["deadline"] = np.nan  # the axis reaches a deadline it marks: here the curve's own range alone
    assert tasks["latency"].nunique() > 1
    fig, ax = plots.new_axes("one-column")
    plots.latency_cdf(tasks, ax=ax)
    fig.canvas.draw()
    low, high = ax.get_xlim()
    assert low < 72.0 and high > 72.5  # the value give or take 5 %: 68.6 .. 75.8 ms
    assert ax.xaxis.get_offset_text().get_text() == ""
    # A real spread of a few microseconds keeps its own range.
    tasks["latency"] = 0.0722 + np.arange(len(tasks)) % 7 * 1e-6
    fig, ax = plots.new_axes("one-column")
    plots.latency_cdf(tasks, ax=ax)
    assert ax.get_xlim()[1] - ax.get_xlim()[0] < 0.1


def _slow_and_fast(compare_results) -> pd.DataFrame:
    """Two policies' tasks whose CDFs are far apart: the slow one runs up the right-hand side."""
    tasks = compare_results.tasks[compare_results.tasks["status"] == "completed"].copy()
    fast = (tasks["policy"] == "edge").to_numpy()
    draws = np.random.default_rng(1).random(len(tasks))
    tasks["latency"] = np.where(fast, 0.08 + 0.05 * draws, 2.0 + 1.5 * draws)  # 80-130 ms, 2-3.5 s
    return tasks


def test_a_cdf_legend_covers_no_curve(compare_results, tmp_path):
    """The CDF's legend sat in the lower right whatever ran there: a slow policy's curve runs up it."""
    from offloadsim.plots.checks import legend_over_data

    tasks = _slow_and_fast(compare_results)
    fig, ax = plots.new_axes("one-column")
    plots.latency_cdf(tasks, ax=ax, order=["local", "edge"])
    assert legend_over_data(fig) == []
    ax.get_legend().set_loc("lower right")  # where it used to go, always
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'local'"]
    # From the command line, with the note under the axes: still over none of the curves.
    results = dataclasses.replace(compare_results, tasks=tasks)
    cli = plots.plot_results(results, "cdf")
    assert cli.axes[0].get_legend() is not None and legend_over_data(cli) == []
    check_figure(cli, tmp_path, "cdf")


def _unit_axes() -> tuple[Figure, Axes]:
    """A one-column figure whose axes run from 0 to 1 both ways, whatever is drawn on it."""
    fig, ax = plots.new_axes("one-column")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return fig, ax


def test_the_legend_check_measures_lines_not_the_legend_frame():
    """A line through the legend's box is caught, one beside it or broken by NaN around it is not."""
    from offloadsim.plots.checks import legend_over_data

    fig, ax = _unit_axes()
    ax.plot([0, 1], [0.5, 0.5], label="across")
    ax.plot([0, 0.05, np.nan, 0.95, 1], [0.1, 0.1, np.nan, 0.1, 0.1], label="broken")
    ax.legend(loc="center")
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'across'"]
    ax.get_legend().set_loc("upper center")
    assert legend_over_data(fig) == []


def test_the_legend_check_holds_a_scatters_markers_to_it_too():
    """A legend over a scatter's points (a latency per task, a measured model) hid them unchecked."""
    from offloadsim.plots.checks import legend_over_data

    fig, ax = _unit_axes()
    ax.scatter([0.1, 0.5, 0.9], [0.5, 0.5, 0.1], label="tasks")
    ax.scatter([0.9], [0.9], label="other")
    ax.legend(loc="center")
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'tasks'"]
    ax.get_legend().set_loc("upper left")
    assert legend_over_data(fig) == []


def test_the_legend_check_holds_bars_to_it():
    """Bars were not data to the check: a legend sat on a bar (policy bars, utilisation) unflagged."""
    from offloadsim.plots.checks import legend_over_data

    fig, ax = plots.new_axes("one-column")
    ax.bar([0, 1, 2], [0.9, 0.3, 0.3], width=0.6, label="busy")
    ax.bar([3], [0.3], width=0.6, label="idle")
    ax.set_xlim(-0.5, 3.5)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left")  # on the tall first bar
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'busy'"]
    ax.get_legend().set_loc("upper right")  # over nothing: the bars there are short
    assert legend_over_data(fig) == []


def test_the_legend_check_holds_error_bars_whiskers_and_caps_to_it():
    """An error bar's whisker or cap under a legend was not data: only the marker at its mean counted."""
    from offloadsim.plots.checks import legend_over_data

    fig, ax = _unit_axes()
    # A mean low down whose interval runs up through the upper left, where the legend goes, and
    # off the axes: neither its marker nor its caps are under the legend, only its whisker.
    ax.errorbar([0.1], [0.1], yerr=[[0.05], [1.4]], fmt="o", capsize=3, label="wide")
    ax.errorbar([0.9], [0.1], yerr=[0.05], fmt="s", capsize=3, label="narrow")
    ax.legend(loc="upper left")
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'wide'"]
    ax.get_legend().set_loc("upper right")
    assert legend_over_data(fig) == []
    # A cap alone: the legend's left edge 10 pt right of the whisker, the cap reaching 20 pt right of it.
    fig, ax = _unit_axes()
    ax.errorbar([0.5], [0.2], yerr=[0.1], fmt="none", capsize=40, label="capped")
    fig.draw_without_rendering()
    cap = ax.transData.transform((0.5, 0.3))
    left = ax.transAxes.inverted().transform((cap[0] + 10 * fig.dpi / 72, cap[1]))
    ax.legend(loc="center left", bbox_to_anchor=tuple(left), borderaxespad=0)
    fig.draw_without_rendering()
    box = ax.get_legend().get_window_extent()
    assert cap[0] < box.x0 < cap[0] + 20 * fig.dpi / 72 and box.y0 < cap[1] < box.y1  # the cap's end only
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'capped'"]


def test_the_legend_check_and_placement_hold_a_lines_band_to_it():
    """A line's shaded CI band was not data: a legend sat on the band, clear of the line, unflagged,
    and the placement took that spot as free."""
    from offloadsim.plots.axes import clear_legend
    from offloadsim.plots.checks import legend_over_data

    fig, ax = _unit_axes()
    # Low down everywhere; its interval wide on the left (up to 0.95), narrow on the right.
    ax.plot([0, 0.5, 1], [0.1, 0.1, 0.2], color="C0", label="wide")
    ax.fill_between([0, 0.5, 1], [0.05, 0.05, 0.15], [0.95, 0.95, 0.25], color="C0", alpha=0.2, linewidth=0)
    ax.plot([0, 1], [0.02, 0.02], color="C1", label="flat")
    ax.legend(loc="upper left")  # wholly inside the band: no edge of it under the legend
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'wide'"]
    ax.get_legend().set_loc("center right")  # across the band's upper edge
    assert legend_over_data(fig) == ["the axes: its legend covers the data of 'wide'"]
    ax.get_legend().set_loc("upper right")
    assert legend_over_data(fig) == []
    ax.get_legend().set_loc("upper left")
    clear_legend(ax)
    assert legend_over_data(fig) == []
    fig.draw_without_rendering()
    box, inside = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert inside.x0 <= box.x0 and box.x1 <= inside.x1, "a place inside the axes, not the one beside it"


def test_a_cdf_of_a_run_with_no_task_is_refused_not_drawn_empty(tmp_path):
    """A run whose workload sent nothing measured drew empty axes, no line and no word."""
    from experiment_data import TINY

    import offloadsim

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    with pytest.warns(ScenarioWarning, match="workload: no entry: no task is sent"):
        offloadsim.run(tmp_path / "tiny.yaml", overrides=["workload=[]"], out=tmp_path / "run")
    with pytest.raises(ExperimentError, match=r"^cannot draw cdf: no task records to draw"):
        plots.plot_results(read_results(tmp_path / "run"), "cdf")


def test_an_energy_figure_of_sources_without_power_says_so(tmp_path):
    """Without power: on the sources every marker sat at 0 mJ, unsaid, where the run's table asks."""
    from experiment_data import TINY

    import offloadsim

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    bare = ["nodes.phone.power=null"]
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", overrides=bare, out=tmp_path / "bare")
    note = _footnote(plots.plot_results(read_results(tmp_path / "bare"), "energy"))
    assert "no task source has power:" in note
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", out=tmp_path / "powered")
    assert "power:" not in _footnote(plots.plot_results(read_results(tmp_path / "powered"), "energy"))


#: power: on the phones, but drawing no more than idle in any state: every task's device energy is 0.
_IDLE_POWER = "nodes.phone.power={idle: 0.5 W, busy: 0.5 W, transmit: 0.5 W, receive: 0.5 W}"


@pytest.mark.parametrize("made", ["run", "compare", "sweep"])
def test_an_energy_figure_of_powered_sources_that_drew_nothing_does_not_ask_about_power(made, tmp_path):
    """Every run's energy 0 had the note ask "do the sources have power:?" of phones that had it: the
    metrics held no count of powered sources (summary.json did). Each run's count now reaches the
    metrics the note reads; results written before it (no such column, or -1) say it is not known."""
    from experiment_data import SWEEP, TINY

    import offloadsim

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    out = tmp_path / made
    if made == "run":
        offloadsim.run(tmp_path / "tiny.yaml", policy="edge", overrides=[_IDLE_POWER], out=out)
    elif made == "compare":
        compare(tmp_path / "tiny.yaml", ["local", "edge"], 2, workers=1, overrides=[_IDLE_POWER], out=out)
    else:
        idle = SWEEP.replace(
            "replications: 2", f"replications: 2\nset:\n  {_IDLE_POWER.replace('=', ': ', 1)}"
        )
        (tmp_path / "sweep.yaml").write_text(idle, encoding="utf-8")
        sweep(tmp_path / "sweep.yaml", out=out, workers=1)
    results = read_results(out)
    assert (results.metrics["powered_sources"] == 3).all()  # TINY's three phones
    assert (results.metrics["device_energy_mean_j"] == 0).all()
    note = " ".join(_footnote(plots.plot_results(results, "energy")).split())
    said = "no run charged a joule above idle to a device: the sources' power: draws no more than idle"
    assert said in note, note
    assert "do the sources have power" not in note
    for older in (
        results.metrics.drop(columns="powered_sources"),
        results.metrics.assign(powered_sources=-1),
    ):
        note = " ".join(
            _footnote(plots.plot_results(dataclasses.replace(results, metrics=older), "energy")).split()
        )
        assert "whether the task sources have power: is not known" in note, note
        assert "do the sources have power" not in note


def test_a_sweep_job_file_with_a_count_of_powered_sources_edited_by_hand_is_not_reused():
    from offloadsim.analysis import catalogue
    from offloadsim.experiments.sweep_merge import _meta_problem

    meta = {"policy": "edge", "seed": 1, "metrics": dict.fromkeys(catalogue.METRICS, 0.0)}
    assert _meta_problem({**meta, "powered_sources": 3}) is None
    assert _meta_problem({**meta, "powered_sources": -1}) is None  # not known
    assert _meta_problem({**meta, "powered_sources": "three"}) == (
        'powered_sources: expected a count (-1: not known), got "three"'
    )


def test_an_interval_cut_at_zero_on_a_log_axis_is_said(compare_results):
    """A CI reaching 0 cannot end on a log axis: its arm runs off it, and the figure says so."""

    metrics = compare_results.metrics.copy()
    edge = (metrics["policy"] == "edge").to_numpy()
    metrics.loc[edge, "latency_p95_s"] = np.where(metrics.loc[edge, "replication"] == 0, 1e-3, 1.0)
    spread = dataclasses.replace(compare_results, metrics=metrics)
    assert "runs on to 0" in _footnote(plots.plot_results(spread, "bars", logy=True))
    linear = plots.plot_results(spread, "bars", logy=False)
    assert "runs on to 0" not in _footnote(linear)  # bars from 0 show it
    assert "runs on to 0" not in _footnote(plots.plot_results(compare_results, "bars", logy=True))


def _y_scale(figure):
    return figure.axes[0].get_yscale()


@pytest.mark.parametrize("kind", ["bars", "sweep"])
def test_values_far_apart_get_a_log_axis_unless_asked_otherwise(compare_results, sweep_results, kind):
    """Bars of 1 ms and 150 ms on a linear axis showed one bar: the default axis follows the data."""
    results = compare_results if kind == "bars" else sweep_results
    metrics = results.metrics.copy()
    first = (metrics["policy"] == metrics["policy"].iloc[0]).to_numpy()
    metrics.loc[first, "latency_p95_s"] = metrics.loc[~first, "latency_p95_s"].min() / 150
    wide = dataclasses.replace(results, metrics=metrics)
    assert _y_scale(plots.plot_results(wide, kind, metric="latency_p95_s")) == "log"
    assert _y_scale(plots.plot_results(wide, kind, metric="latency_p95_s", logy=False)) == "linear"
    narrow = metrics.assign(latency_p95_s=np.linspace(1.0, 9.0, len(metrics)))
    narrow_results = dataclasses.replace(results, metrics=narrow)
    assert _y_scale(plots.plot_results(narrow_results, kind, metric="latency_p95_s")) == "linear"


@pytest.mark.parametrize(
    ("values", "scale"),
    [
        (["1 Mbps", "10 Mbps", "100 Mbps", "1000 Mbps"], "log"),  # three decades
        (["5 Mbps", "20 Mbps", "50 Mbps"], "log"),  # exactly 10x
        (["5 Mbps", "20 Mbps", "45 Mbps"], "linear"),  # 9x
        (["10 ms", "20 ms", "40 ms"], "linear"),
        (["0 ms", "10 ms", "1000 ms"], "linear"),  # through 0: no log axis can show it
    ],
)
def test_a_swept_axis_is_log_from_ten_times_its_smallest_value(values, scale):
    """A sweep of 1 to 1000 Mbit/s on a linear axis squeezed 1-100 into its first tenth."""
    metrics = pd.DataFrame(
        {
            "bw": np.repeat(values, 2),
            "replication": [0, 1] * len(values),
            "latency_mean_s": np.linspace(0.1, 0.2, 2 * len(values)),
        }
    )
    _fig, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "latency_mean_s", "bw", by=None, ax=ax)
    assert ax.get_xscale() == scale
    split = metrics.assign(split=3, policy="p").rename(columns={"latency_mean_s": "latency"})
    _fig, ax = plots.new_axes("one-column")
    plots.split_vs_parameter(split, "bw", ax=ax, layers=5)
    assert ax.get_xscale() == scale


def test_a_percentage_keeps_its_linear_axis_however_far_apart(compare_results):
    metrics = compare_results.metrics.assign(deadline_miss_rate=0.001)
    metrics.loc[metrics["policy"] == "local", "deadline_miss_rate"] = 0.9
    results = dataclasses.replace(compare_results, metrics=metrics)
    assert _y_scale(plots.plot_results(results, "bars", metric="deadline_miss_rate")) == "linear"


def test_a_timeline_of_one_sweep_run_keeps_its_legend_off_its_title(tmp_path):
    """The stage legend sat above the axes on the right, over the title naming the run."""
    from experiment_data import TINY

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        "base: tiny.yaml\nset: {duration: 5 s}\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n"
        "policies: [edge]\nlabels:\n"
        "  links[0].bandwidth: uplink from each of the phones on this street to the access point\n",
        encoding="utf-8",
    )
    sweep(tmp_path / "sweep.yaml", out=tmp_path / "sweep", workers=1)
    fig = plots.plot_results(
        read_results(tmp_path / "sweep"), "timeline", where={"links[0].bandwidth": "5 Mbps"}
    )
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


@pytest.fixture(scope="module")
def edge_never_finishes(tmp_path_factory):
    """The tiny scenario over a 10 kbit/s radio: every upload shares it with the next, none ends."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-starved")
    (folder / "tiny.yaml").write_text(
        TINY.replace("bandwidth: 20 Mbps", "bandwidth: 10 kbps"), encoding="utf-8"
    )
    compare(folder / "tiny.yaml", ["local", "edge"], 2, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


@pytest.mark.parametrize("kind", ["bars", "cdf", "energy"])
def test_a_configuration_with_no_completed_task_is_named_not_left_out(edge_never_finishes, kind):
    """A new user's bar chart showed an empty slot for an overloaded policy: it read as 0 ms, not as
    'no task finished', and its sweep points and CDF line vanished without a word."""
    results = edge_never_finishes
    edge = results.tasks[results.tasks["policy"].astype(str) == "edge"]
    assert len(edge) and not (edge["status"].astype(str) == "completed").any()  # what the note says
    note = _footnote(plots.plot_results(results, kind))
    assert "not drawn, no task completed (policy): edge" in note
    # local is not among them (its line is the one of the note; the phones' plain speed after it is
    # said "(under local only)": edge's runs computed nothing on the phones)
    (line,) = [line for line in note.splitlines() if line.startswith("not drawn")]
    assert "local" not in line


@pytest.mark.parametrize("kind", ["bars", "energy"])
def test_a_figure_with_nothing_drawn_does_not_say_it_is_of_one_replication(edge_never_finishes, kind):
    """Of two replications in which no task completed, the figure said "one replication: no confidence
    interval drawn" beside "not drawn, no task completed": it counted the runs drawn, none, as one."""
    note = _footnote(plots.plot_results(edge_never_finishes, kind, where={"policy": "edge"}))
    assert "not drawn, no task completed (policy): edge" in note, note
    assert "replication" not in note, note


def test_a_figure_that_draws_every_configuration_says_nothing_is_missing(compare_results):
    for kind in ("bars", "cdf", "energy"):
        assert "not drawn" not in _footnote(plots.plot_results(compare_results, kind))


@pytest.fixture(scope="module")
def edge_drops(tmp_path_factory):
    """The tiny scenario at 10 jobs/s a phone, on an edge with no room to queue: a busy edge drops."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-drops")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    overrides = ["workload[0].rate=10 /s", "nodes.edge.processor.queue_limit=0"]
    compare(folder / "tiny.yaml", ["edge"], 2, workers=1, out=folder / "cmp", overrides=overrides)
    return read_results(folder / "cmp")


@pytest.mark.parametrize("kind", ["bars", "cdf", "energy"])
def test_a_latency_figure_names_a_policy_that_dropped_many_tasks(edge_drops, kind, tmp_path):
    """A policy whose queue turned away the tasks that would have waited longest drew the lowest latency
    of its figure (bars, CDF, sweep), with nothing on the figure to say a fifth of its tasks were missing."""
    tasks = edge_drops.tasks
    dropped = (tasks["status"].astype(str) == "dropped").mean()
    assert 0.05 <= dropped < 1  # what the note is about
    fig = plots.plot_results(edge_drops, kind)
    note = _footnote(fig)
    assert (
        "of completed tasks only; 5 % or more not completed (dropped, failed, in flight) in (policy):" in note
    )
    assert f"edge {dropped * 100:.0f} %" in note
    check_readable(fig)
    assert "not completed" not in _footnote(plots.plot_results(edge_drops, "bars", metric="drop_rate"))


def test_a_figure_whose_tasks_all_completed_names_none_as_not_completed(compare_results):
    for kind in ("bars", "cdf", "energy"):
        assert "not completed" not in _footnote(plots.plot_results(compare_results, kind))


@pytest.mark.parametrize("failing", ["pdf", "png"])
def test_a_format_that_fails_leaves_no_file_of_the_others(failing, tmp_path, monkeypatch):
    """Never a half-written result: a new PDF without its PNG, or beside the PNG of an earlier save."""
    fig, ax = plots.new_axes("one-column")
    ax.plot([1, 2], [3, 4])
    earlier = plots.save_figure(fig, tmp_path / "fig")
    before = {file.name: file.read_bytes() for file in earlier}
    ax.plot([1, 2], [4, 3])
    savefig = Figure.savefig

    def full_disk(self, fname, *args, format=None, **kwargs):
        if format == failing:
            raise OSError(28, "No space left on device")
        return savefig(self, fname, *args, format=format, **kwargs)

    monkeypatch.setattr(Figure, "savefig", full_disk)
    with pytest.raises(OSError, match="No space left"):
        plots.save_figure(fig, tmp_path / "fig")
    with pytest.raises(OSError, match="No space left"):
        plots.save_figure(fig, tmp_path / "new")
    assert {file.name: file.read_bytes() for file in tmp_path.iterdir()} == before


@pytest.mark.parametrize("fmt", ["pdf", "svg"])
def test_a_figure_drawn_again_later_is_the_same_file(fmt, tmp_path, monkeypatch):
    """No date stamped in a PDF or SVG: a gallery redrawn from the same data changes no file."""
    drawn = []
    for day, folder in ((1_700_000_000, "first"), (1_800_000_000, "second")):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(day))  # the clock matplotlib stamps a file with
        fig, ax = plots.new_axes("one-column")
        ax.plot([1, 2], [3, 4])
        (file,) = plots.save_figure(fig, tmp_path / folder / "fig", formats=(fmt,), metadata={"k": "v"})
        drawn.append(file.read_bytes())
    assert drawn[0] == drawn[1]
    assert b"k=v" in drawn[0], "the caller's metadata is still written"


# --------------------------------------------------------------------------- a panel per series


def _energy_by_policy(sweep_results):
    """sweep-bandwidth's shape: local's energy in a narrow band near 1 J, the edge's over two decades."""

    metrics = sweep_results.metrics.copy()
    fast = (metrics["links[0].bandwidth"] == "50 Mbps").to_numpy()
    local = (metrics["policy"] == "local").to_numpy()
    rep = metrics["replication"].to_numpy(dtype=float)
    metrics["latency_mean_s"] = np.where(local, 0.79 + 0.05 * rep, np.where(fast, 0.072, 1.25) + 0.01 * rep)
    metrics["device_energy_mean_j"] = np.where(
        local, 1.02 + 0.15 * rep, np.where(fast, 0.0097, 0.41) + 0.001 * rep
    )
    return dataclasses.replace(sweep_results, metrics=metrics)


@pytest.mark.parametrize("size", [None, "one-column"])
def test_energy_with_a_panel_per_policy_is_readable(sweep_results, size, tmp_path):
    """--kind energy --facet policy drew one legend of three identical keys, overlapping log tick labels,
    a panel with a single labelled tick, and end labels pushed out of their panels."""
    fig = plots.plot_results(_energy_by_policy(sweep_results), "energy", facet="policy", size=size)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in axes] == ["(a) policy = local", "(b) policy = edge"]
    assert not fig.legends and all(ax.get_legend() is None for ax in axes), (
        "the titles name each panel's one series"
    )
    colours = [
        {line.get_color() for line in ax.get_lines() if line.get_marker() not in ("|", "_")} for ax in axes
    ]
    assert colours[0] != colours[1], "a policy keeps its own colour in its panel"
    for ax in axes:
        assert ax.get_yscale() == "log"
    check_figure(fig, tmp_path, "energy")  # no overlapping or lone log ticks, no cut marker, labels inside


def test_a_series_keeps_its_legend_colour_in_a_panel_that_lacks_the_others(sweep_results):
    """A panel holding only some series restarted the colours: edge drawn in local's blue there."""

    results = _energy_by_policy(sweep_results)
    metrics = results.metrics
    gone = ((metrics["policy"] == "local") & (metrics["links[0].bandwidth"] == "50 Mbps")).to_numpy()
    fig = plots.plot_results(
        dataclasses.replace(results, metrics=metrics[~gone]), "energy", facet="links[0].bandwidth"
    )
    (legend,) = fig.legends
    keys = {
        t.get_text(): h.get_color() for h, t in zip(legend.legend_handles, legend.get_texts(), strict=True)
    }
    assert list(keys) == ["local", "edge"]
    for ax in fig.axes:
        for container in ax.containers:
            name = container.get_label()
            assert matplotlib.colors.same_color(
                container.lines[0].get_color(), np.atleast_2d(keys[name])[0]
            ), name
    check_readable(fig)


@pytest.mark.parametrize("apart", [1.05, 1.6])
def test_an_energy_line_end_left_without_a_label_is_named_under_the_axes(sweep_results, apart):
    """Two policies' lines ran side by side and one end label of each had no room: both were left
    off without a word, so a reader could not tell which end of the line was 5 Mbit/s and which 50."""
    fig, ax = _side_by_side(sweep_results, apart)
    labelled = labelled_ends(ax)
    note = _footnote(fig)
    ends = {(name, value) for name in ("local", "edge") for value in ("5 Mbit/s", "50 Mbit/s")}
    unlabelled = ends - labelled
    for name, value in ends:
        said = f"{name}'s {value}" in note
        assert said == ((name, value) in unlabelled), (name, value, note)
    # Side by side (1.05) one end of each line once had no room and was named here; since a side is
    # widened by the label's own width (bfcaef82) and a single panel keeps its height (f4dd2331),
    # every end finds room at both spacings, and none may be left off unsaid.
    assert not unlabelled, (unlabelled, note)
    _end_labels_inside_and_apart(ax)
    check_readable(fig)


@pytest.mark.parametrize("apart", [1.0, 1.01, 1.015, 1.02])
def test_an_energy_line_within_2_percent_of_another_has_each_end_labelled_or_named(sweep_results, apart):
    """Edge 2 % off local at both bandwidths: the legend said "edge (same spot as local)" and edge's
    ends had no label and no word under the axes; its 5 Mbit/s square, beside local's, read as a
    value of neither line. Each end is labelled in its line's colour, or named under the axes."""
    fig, ax = _side_by_side(sweep_results, apart)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["local", "edge (same spot as local)"], legend  # the case this test is about
    labelled = labelled_ends(ax)
    note = " ".join(_footnote(fig).split())
    for name in ("local", "edge"):
        for value in ("5 Mbit/s", "50 Mbit/s"):
            named = f"{name}'s {value}" in note or f"local's and {name}'s {value}" in note
            assert (name, value) in labelled or named, (name, value, labelled, note)
    assert ("local", "5 Mbit/s") in labelled and ("local", "50 Mbit/s") in labelled
    _end_labels_inside_and_apart(ax)
    check_readable(fig)


def _side_by_side(sweep_results, apart: float):
    """The energy figure of ``sweep_results`` with edge's line ``apart`` times local's, and its axes."""
    metrics = sweep_results.metrics.copy()
    fast = (metrics["links[0].bandwidth"] == "50 Mbps").to_numpy()
    scale = np.where(metrics["policy"] == "local", 1.0, apart) + 0.001 * metrics["replication"].to_numpy()
    metrics["latency_mean_s"] = np.where(fast, 0.40, 0.80) * scale
    metrics["device_energy_mean_j"] = np.where(fast, 0.50, 1.00) * scale
    fig = plots.plot_results(dataclasses.replace(sweep_results, metrics=metrics), "energy")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    return fig, ax


def test_two_energy_lines_ending_on_one_spot_at_different_values_are_said(sweep_results):
    """Local's 50 Mbit/s end on edge's 5 Mbit/s end, exactly: two labels of two values beside one
    marker, with no word that the marker is both lines' ends. The note under the axes says so."""
    metrics = sweep_results.metrics.copy()
    fast = (metrics["links[0].bandwidth"] == "50 Mbps").to_numpy()
    local = (metrics["policy"] == "local").to_numpy()
    scale = 1 + 0.001 * metrics["replication"].to_numpy()
    latency = np.where(local, np.where(fast, 0.4, 0.8), np.where(fast, 1.2, 0.4))
    energy = np.where(local, np.where(fast, 0.5, 1.0), np.where(fast, 0.7, 0.5))
    metrics["latency_mean_s"], metrics["device_energy_mean_j"] = latency * scale, energy * scale
    fig = plots.plot_results(dataclasses.replace(sweep_results, metrics=metrics), "energy")
    note = " ".join(_footnote(fig).split())
    assert "lines ending on one spot: local's 50 Mbit/s and edge's 5 Mbit/s" in note, note
    check_readable(fig)


def test_energy_end_labels_are_placed_at_the_final_layout(sweep_results):
    """The labels of a one-panel figure were placed before the notes under the axes took room:
    at the final layout local's "5–50 Mbit/s" ran into edge's "5 Mbit/s"."""
    results = _energy_by_policy(sweep_results)
    fig = plots.plot_results(results, "energy")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    # Edge's two; none on local's, which no bandwidth moves (its "5–50 Mbit/s" named no value of its own).
    assert len(ax.texts) == 2, [t.get_text() for t in ax.texts]
    _end_labels_inside_and_apart(ax)


def _end_labels_inside_and_apart(ax):
    """At the figure's final layout (the notes under the axes took room), every end label is inside
    its axes and on no other label or the legend. Measured in the house style's type, as the figure
    is saved (outside it, "serif" is another, wider type)."""
    from offloadsim.plots.axes import laid_out

    renderer = laid_out(ax)
    with plots.house_style():
        frame = ax.get_window_extent(renderer)
        legend = ax.get_legend()
        boxes = [text.get_window_extent(renderer) for text in ax.texts]
        others = [legend.get_window_extent(renderer)] if legend is not None else []
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        assert not any(box.overlaps(other) for other in (*boxes[i + 1 :], *others)), ax.texts[i].get_text()


def test_the_reviewer_checks_catch_what_the_energy_facets_did():
    from matplotlib.lines import Line2D
    from matplotlib.ticker import LogLocator

    from offloadsim.plots.checks import figure_problems

    fig, axes = plots.new_axes("two-column", ncols=2)
    plots.label_panels(axes)
    axes[0].plot([1.0, 2.0], [1000.0, 1100.0], marker="o")
    axes[0].set_yscale("log")
    axes[0].yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))  # the energy chart's ticks before
    axes[0].set_ylim(990, 1200)  # a log view holding one 1-2-5 value
    axes[1].plot([0.0, 1.0], [0.0, 1.0], marker="o", markersize=6)
    axes[1].set_xlim(0.0, 2.0)  # the marker at x = 0 sits on the edge: half of it is cut
    key = Line2D([], [], color="C0", marker="o")
    fig.legend([key, Line2D([], [], color="C0", marker="o")], ["local", "edge"], loc="outside upper center")
    fig.suptitle("bandwidth = 5 Mbps")
    problems = "\n".join(figure_problems(fig))
    assert "panel 1: its log y axis has 1 labelled tick(s)" in problems
    assert "panel 2: the marker of" in problems and "cut by the axes' edge" in problems
    assert "entries 'local' and 'edge' look the same" in problems
    assert "the figure's title 'bandwidth = 5 Mbps' overlaps the figure's legend" in problems


def test_a_log_axis_over_less_than_a_factor_of_two_gets_several_labelled_ticks():
    fig, ax = plots.new_axes("one-column")
    ax.plot([1.0, 2.0], [980.0, 1220.0])
    log_axis(ax, "y")
    check_readable(fig)
    labels = [
        t.get_text() for t in ax.get_yticklabels() if t.get_text() and 980 <= t.get_position()[1] <= 1220
    ]
    assert len(labels) >= 2


def test_a_log_axis_reaches_a_labelled_tick_beyond_its_data_at_each_end():
    """The energy figure's latency axis began at 16 ms, its first label 20: its leftmost marker
    (18.7 ms) sat left of every label. Another began at 51.1 ms, its tick at 50 just outside, its
    leftmost markers half a decade left of the first label (100)."""

    def labelled(ax: Axes) -> list[float]:
        return [t.get_position()[0] for t in ax.get_xticklabels() if t.get_text()]

    for data, end in (([18.7, 40.0, 400.0, 1400.0], 10.0), ([60.0, 80.0, 400.0, 1500.0], 50.0)):
        fig, ax = plots.new_axes("one-column")
        ax.errorbar(data, [10.0, 20.0, 200.0, 1000.0])
        log_axis(ax, "x")
        check_readable(fig)
        assert ax.get_xlim()[0] == end and min(labelled(ax)) == end, (ax.get_xlim(), labelled(ax))
        assert max(labelled(ax)) >= max(data) and ax.get_xlim()[1] == 2000.0
    # where the margin already holds a 1, 2 or 5 beyond the data, the view stays
    fig, ax = plots.new_axes("one-column")
    ax.plot([21.0, 900.0], [1.0, 2.0])
    log_axis(ax, "x")
    check_readable(fig)
    assert 15.0 < ax.get_xlim()[0] < 20.0 and 1000.0 < ax.get_xlim()[1] < 1100.0, ax.get_xlim()
    assert min(labelled(ax)) == 20.0 and max(labelled(ax)) == 1000.0, labelled(ax)
    # and limits a chart set stay as set
    fig, ax = plots.new_axes("one-column")
    ax.plot([55.0, 1900.0], [1.0, 2.0])
    ax.set_xlim(51.4, 2010.0)
    log_axis(ax, "x")
    fig.canvas.draw()
    assert ax.get_xlim() == (51.4, 2010.0)


def test_a_log_y_axis_of_bars_has_a_label_below_its_lowest_point(compare_results):
    """The gallery's p95 bars put the cloud's dot (157 ms) below the axis' lowest label (200) (the test
    draws medians, whose lowest dot the old view also left below every label): the chart sets its
    log view itself, 1.3 times beyond the data, and it ended between ticks."""
    fig = plots.plot_results(compare_results, "bars", metric="latency_p50_s", logy=True)
    check_readable(fig)
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    labelled = [
        t.get_position()[1]
        for t in ax.get_yticklabels()
        if t.get_text() and low <= t.get_position()[1] <= high
    ]
    points = [y for line in ax.lines for y in np.asarray(line.get_ydata(), dtype=float) if np.isfinite(y)]
    assert labelled and min(labelled) <= min(points), (ax.get_ylim(), labelled, min(points))


def test_a_sweeps_log_y_axis_has_a_label_below_its_lowest_point_and_keeps_its_1_2_5_labels():
    """The gallery's split figure put neurosurgeon's 19 ms below the latency axis' lowest label (20):
    the chart sets its log view itself (the lowest point / 1.3). Reaching 10 there had left only 10,
    100 and 1000 labelled where 20, 50...2000 had been: a y label's height (its type's) was measured
    against five sixths of the axis."""
    bandwidths = ["1 Mbps", "5 Mbps", "20 Mbps", "100 Mbps", "500 Mbps"]
    latency = {"edge": [1.4, 0.9, 0.32, 0.06, 0.0186], "local": [0.48] * 5}
    rows = [
        {"policy": policy, "bw": bw, "replication": r, "latency_mean_s": value * (1 + 0.001 * r)}
        for policy, values in latency.items()
        for bw, value in zip(bandwidths, values, strict=True)
        for r in range(3)
    ]
    fig, ax = plots.new_axes((3.6, 1.7))  # room for 1, 2, 5 per decade, as measured; not with a sixth off
    plots.metric_vs_parameter(pd.DataFrame(rows), "latency_mean_s", "bw", ax=ax, log_y=True)
    check_readable(fig)
    low, high = ax.get_ylim()
    labelled = [
        t.get_position()[1]
        for t in ax.get_yticklabels()
        if t.get_text() and low <= t.get_position()[1] <= high
    ]
    lowest = min(float(np.nanmin(line.get_ydata())) for line in ax.get_lines())
    assert min(labelled) <= lowest, (ax.get_ylim(), labelled, lowest)
    assert labelled == [10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0], labelled


def test_log_tick_labels_that_would_collide_keep_the_decades(tmp_path):
    fig, ax = plots.new_axes((1.2, 1.5))
    ax.plot([60.0, 1300.0], [1.0, 2.0])
    log_axis(ax, "x")
    check_readable(fig)
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "100" in shown and "1,000" in shown and len(shown) < 5


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


@pytest.mark.parametrize(
    ("kind", "facet", "shared"),
    [
        ("cdf", "links[0].bandwidth", "x"),
        ("bars", "links[0].bandwidth", "y"),
        ("utilisation", "links[0].bandwidth", "y"),
        ("sweep", "policy", "xy"),
        ("energy", "policy", "xy"),
    ],
)
def test_faceted_panels_share_each_quantity_axis_range(sweep_results, kind, facet, shared):
    fig = plots.plot_results(sweep_results, kind, facet=facet)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) > 1
    for direction in shared:
        ranges = {ax.get_xlim() if direction == "x" else ax.get_ylim() for ax in axes}
        assert len(ranges) == 1, f"{kind} panels differ on {direction}: {sorted(ranges)}"
    assert len({(ax.get_xscale(), ax.get_yscale()) for ax in axes}) == 1, "one scale on every panel"


def test_one_panel_wide_enough_for_a_log_axis_gives_every_panel_one(sweep_results):
    # At 5 Mbps local latencies span three decades and the edge's less than one: alone, the edge's
    # panel would be drawn on a linear axis beside the local's log one.
    where = {"links[0].bandwidth": "5 Mbps"}
    alone = plots.plot_results(sweep_results, "cdf", where={**where, "policy": "edge"})
    assert alone.axes[0].get_xscale() == "linear"
    fig = plots.plot_results(sweep_results, "cdf", facet="policy", where=where)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_xscale() for ax in axes] == ["log", "log"]
    # The edge's decade is under half of the three both panels span: each keeps its own x range, said.
    assert len({ax.get_xlim() for ax in axes}) == 2
    assert "x axes differ" in _footnote(fig)
    assert all(ax.lines for ax in axes), "the panels were drawn again on the log axis"


def test_a_misspelt_metric_suggests_the_metric_meant(compare_results):
    """--metric latncy_p95_s listed all seventeen metrics and left the reader to find the typo."""
    with pytest.raises(
        ExperimentError, match=r'unknown metric \(did you mean "latency_p95_s"\?\); use one of'
    ):
        plots.plot_results(compare_results, "bars", metric="latncy_p95_s")


def test_a_part_of_a_metric_name_suggests_the_metric_holding_it(compare_results):
    """--metric p95 listed every metric without suggesting latency_p95_s."""
    with pytest.raises(
        ExperimentError, match=r'unknown metric \(did you mean "latency_p95_s"\?\); use one of'
    ):
        plots.plot_results(compare_results, "bars", metric="p95")


def test_a_metric_name_several_metrics_are_near_names_each_of_them(compare_results):
    """--metric latency suggested latency_p99_s alone, where its mean and other percentiles are as near."""
    with pytest.raises(ExperimentError) as caught:
        plots.plot_results(compare_results, "bars", metric="latency")
    assert str(caught.value).startswith(
        '--metric latency: unknown metric (did you mean "latency_mean_s", "latency_p50_s", '
        '"latency_p95_s" or "latency_p99_s"?); use one of latency_mean_s, '
    )
    assert "\n" not in str(caught.value)


def test_per_application_deadline_misses_count_expired_tasks_in_flight_as_the_run_does(tmp_path):
    """An overloaded edge ends with tasks queued past their deadline: the run counts them as misses,
    and the per-application metrics a figure draws must too, not only the tasks that finished."""
    from experiment_data import TINY

    from offloadsim.analysis.breakdown import metrics_per

    overloaded = TINY.replace("rate: 2 /s", "rate: 14 /s").replace("duration: 20 s", "duration: 8 s")
    (tmp_path / "tiny.yaml").write_text(overloaded, encoding="utf-8")
    compare(tmp_path / "tiny.yaml", ["edge"], 2, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    assert (results.metrics["in_flight"] > 0).all() and (results.metrics["deadline_miss_rate"] < 1).any()
    per_app = metrics_per(results.tasks, results.metrics, "app").sort_values("replication")
    whole = results.metrics.sort_values("replication")
    assert per_app["deadline_miss_rate"].tolist() == pytest.approx(whole["deadline_miss_rate"].tolist())
    assert (whole["end_s"] == 10.0).all(), "warm-up 2 s and duration 8 s"


def test_a_metric_with_zeros_keeps_its_linear_axis_and_a_log_one_is_refused(compare_results):
    """A wait of 0 beside waits 100x apart chose a log axis and failed: 'yerr' must not contain ..."""
    metrics = compare_results.metrics.copy()
    local = (metrics["policy"] == "local").to_numpy()
    metrics["wait_mean_s"] = np.where(local, 0.0, np.linspace(0.001, 0.5, len(metrics)))
    results = dataclasses.replace(compare_results, metrics=metrics)
    assert _y_scale(plots.plot_results(results, "bars", metric="wait_mean_s")) == "linear"
    with pytest.raises(ExperimentError, match=r"a log axis cannot show a mean of 0 or less \(local\)"):
        plots.plot_results(results, "bars", metric="wait_mean_s", logy=True)


@pytest.mark.parametrize(
    ("values", "unit", "ticks"),
    [
        (["45 s", "55 s", "70 s"], "(s)", [45.0, 55.0, 70.0]),  # read 45000, 55000, 70000 ms
        (["5 ms", "20 ms", "1 s"], "(ms)", [5.0, 20.0, 1000.0]),
    ],
)
def test_a_swept_time_is_shown_in_seconds_where_it_runs_to_tens_of_seconds(values, unit, ticks):
    """An outage ended at 45, 55 or 70 s had its axis labelled "edge back up at (ms)", 45000 to 70000."""
    metrics = pd.DataFrame(
        {"at": np.repeat(values, 2), "replication": [0, 1] * 3, "latency_mean_s": np.linspace(0.1, 0.2, 6)}
    )
    ax = plots.metric_vs_parameter(metrics, "latency_mean_s", "at", by=None, label="edge back up at")
    assert ax.get_xlabel() == f"edge back up at {unit}"
    assert sorted(ax.get_xticks()) == pytest.approx(ticks)


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


def test_a_legend_with_no_free_place_inside_goes_beside_the_axes():
    from offloadsim.plots.axes import clear_legend
    from offloadsim.plots.checks import legend_over_data

    fig, ax = plots.new_axes("one-column")
    for k, y in enumerate(np.linspace(0.02, 0.98, 25)):  # data across the whole of the axes
        ax.plot(
            [0.0, 1.0], [y, y], color=("C0", "C1", "0.6")[min(k, 2)], label=f"level {k}" if k < 2 else None
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right")
    assert legend_over_data(fig)
    clear_legend(ax)
    assert legend_over_data(fig) == []
    box = ax.get_legend().get_window_extent(fig._get_renderer())
    assert box.x0 > ax.get_window_extent().x1  # to the right of the axes
    check_readable(fig)


def test_a_legend_in_a_row_that_goes_beside_the_axes_stacks_its_entries():
    """The utilisation bars' legend, a row above the bars, went beside them still a row: wider than
    the axes it squeezed, so that their node names ran into each other."""
    from offloadsim.plots.axes import clear_legend, laid_out, lines_under_legend

    nodes = [f"phone-{i}" for i in range(5)] + ["edge"]
    policies = ["local", "edge", "neurosurgeon"]
    frame = pd.DataFrame(
        [
            {
                "node": node,
                "tier": "edge" if node == "edge" else "device",
                "cores": 1,
                "policy": policy,
                "replication": r,
                # The local phones busy, everything else nearly idle: no room inside for a legend.
                "utilisation": 0.26 + 0.02 * ((i + r) % 3) if policy == "local" and node != "edge" else 0.005,
            }
            for i, node in enumerate(nodes)
            for policy in policies
            for r in range(5)
        ]
    )
    fig, ax = plots.new_axes("one-column")
    plots.node_utilisation(frame, ax=ax, legend_title="policy")
    ax.set_title("uplink = 5 Mbit/s")  # as plot --where titles it
    # two lines of notes: the axes shorter, the place above the bars is taken (the node names, once
    # tilted for being more than five, took that height; upright, they fit and leave it)
    plots.note_under(
        fig, "error bars: 95 % CI of the mean (Student t) over 5 replications\nof completed tasks only"
    )
    assert lines_under_legend(ax, ax.get_legend(), laid_out(ax))  # the place above the bars is taken
    clear_legend(ax)
    legend = ax.get_legend()
    renderer = laid_out(ax)
    assert legend.get_window_extent(renderer).x0 > ax.get_window_extent(renderer).x1  # beside the axes
    assert [text.get_text() for text in legend.get_texts()] == policies
    assert legend.get_title().get_text() == "policy"
    boxes = [text.get_window_extent(renderer) for text in legend.get_texts()]
    assert len({round(box.x0) for box in boxes}) == 1  # one column
    assert all(upper.y0 > lower.y0 for upper, lower in itertools.pairwise(boxes))  # one under another
    check_readable(fig)


def test_a_legend_wider_than_its_axes_goes_above_them_not_beside(sweep_results):
    """A CDF of a line per policy and bandwidth put its long legend beside the axes, which it
    squeezed to a quarter of the figure's width."""
    fig = plots.plot_results(sweep_results, "cdf", by="policy,links[0].bandwidth")
    (ax,) = fig.axes
    renderer = laid_out(ax)
    assert ax.get_legend() is None
    (legend,) = fig.legends
    assert "local, 50 Mbit/s (same line as local, 5 Mbit/s)" in [t.get_text() for t in legend.get_texts()]
    assert legend.get_window_extent(renderer).y0 >= ax.get_window_extent(renderer).y1  # above the axes
    assert ax.get_window_extent(renderer).width > 0.7 * fig.bbox.width
    check_readable(fig)


SPEEDS = """
name: speeds
seed: 3
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 2 ms}
applications:
  job: {work: 1 GFLOP, input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: periodic, period: 1 s}
policy: local
"""


def speeds_sweep(folder, axes: str, *, run: bool = True):
    """A sweep of SPEEDS in ``folder`` over ``axes`` (the sweep file's grid, zip and policies), run."""
    (folder / "speeds.yaml").write_text(SPEEDS, encoding="utf-8")
    (folder / "sweep.yaml").write_text(f"base: speeds.yaml\n{axes}", encoding="utf-8")
    if not run:
        return None
    sweep(folder / "sweep.yaml", out=folder / "sweep", workers=1)
    return read_results(folder / "sweep")


@pytest.fixture(scope="module")
def speed_sweep(tmp_path_factory):
    return speeds_sweep(
        tmp_path_factory.mktemp("speeds"),
        "grid:\n  nodes.phone.processor.speed: [10 GFLOP/s, 40 GFLOP/s]\n"
        "  links[0].bandwidth: [5 Mbps, 50 Mbps]\npolicies: [local, edge]\n",
    )


def test_the_series_key_is_not_said_to_move_with_itself(speed_sweep):
    """A sweep's policies are its policy.name: the note said "each policy has its own policy: local local;
    edge edge" under every figure of a sweep of policies."""
    fig = plots.plot_results(
        speed_sweep, "sweep", x="links[0].bandwidth", facet="nodes.phone.processor.speed"
    )
    assert "has its own" not in fig.get_supxlabel(), fig.get_supxlabel()


def test_a_policy_entry_s_label_is_not_said_to_have_its_own_policy_name(tmp_path):
    """An entry with parameters is labelled by its text, not its name: the note said "each policy has
    its own policy: fixed(node=edge) fixed; local local" under the figure."""
    results = speeds_sweep(
        tmp_path, "grid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\npolicies: ['fixed(node=edge)', local]\n"
    )
    fig = plots.plot_results(results, "sweep", x="links[0].bandwidth")
    assert [t.get_text() for t in (fig.axes[0].get_legend() or fig.legends[0]).get_texts()] == [
        "fixed(node=edge)",
        "local",
    ]
    assert "has its own" not in fig.get_supxlabel(), fig.get_supxlabel()
    # A plain name runs with the file's parameters, which its label does not say: still named.
    (tmp_path / "file").mkdir()
    results = speeds_sweep(
        tmp_path / "file",
        "set:\n  policy: {name: edge, fallback: drop}\n"
        "grid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\npolicies: [edge, 'edge(fallback=local)']\n",
    )
    note = " ".join(plots.plot_results(results, "sweep", x="links[0].bandwidth").get_supxlabel().split())
    assert "each value of policy has its own fallback: edge drop; edge(fallback=local) local" in note, note
    assert "has its own policy" not in note, note


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


def test_where_takes_a_swept_mapping_as_sweep_dry_run_lists_it(tmp_path, capsys):
    """`sweep --dry-run` lists a swept mapping as YAML (`{speed: 40 GFLOP/s, cores: 2}`), the tables
    store it as JSON with sorted keys, and `--where` matched only the JSON: the listed form was refused."""
    from offloadsim.cli import main

    axes = "grid:\n  nodes.phone.processor: [{speed: 10 GFLOP/s}, {speed: 40 GFLOP/s, cores: 2}]\n"
    speeds_sweep(tmp_path, axes, run=False)
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--dry-run"]) == 0
    listed = "nodes.phone.processor={speed: 40 GFLOP/s, cores: 2}"
    assert listed in capsys.readouterr().out
    results = speeds_sweep(tmp_path, axes)
    plot = ["plot", str(tmp_path / "sweep"), "--kind", "bars", "--out", str(tmp_path / "f"), "--where"]
    for given in (listed, "nodes.phone.processor={cores: 2, speed: 40 GFLOP/s}"):
        assert main([*plot, given]) == 0
    fig = plots.plot_results(
        results, "bars", where={"nodes.phone.processor": "{speed: 40 GFLOP/s, cores: 2}"}
    )
    bars = [p.get_height() for p in fig.axes[0].patches]
    assert bars == [pytest.approx(25.0)]  # 1 GFLOP at 40 GFLOP/s: the 40 GFLOP/s point's alone
    assert main([*plot, "nodes.phone.processor={speed: 1}"]) == 2


def test_a_figure_names_a_swept_mapping_as_yaml_not_as_the_json_the_tables_hold(tmp_path, capsys):
    """A sweep of the phone's processor titled its panels `phone processor = {"cores": 2, "speed":
    "40 GFLOP/s"}` and listed its legend and a refusal's values so, where `--dry-run` and `--where`
    write YAML's `{speed: 40 GFLOP/s, cores: 2}`; a list zipped with the series read `["edge"]`."""
    from offloadsim.cli import main

    axes = (
        "set:\n  policy.name: fixed\n"
        "zip:\n  nodes.phone.processor: [{speed: 10 GFLOP/s}, {speed: 40 GFLOP/s, cores: 2}]\n"
        "  policy.nodes: [[edge], [$source]]\n"
    )
    results = speeds_sweep(tmp_path, axes)
    shown = ["{speed: 10 GFLOP/s}", "{cores: 2, speed: 40 GFLOP/s}"]
    fig = plots.plot_results(results, "bars", facet="nodes.phone.processor")
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert [t.split(" = ", 1)[1] for t in titles] == shown, titles
    fig = plots.plot_results(results, "cdf", by="nodes.phone.processor")
    legend = fig.axes[0].get_legend() or fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == shown
    note = " ".join(fig.get_supxlabel().split())
    assert f"has its own nodes: {shown[0]} [edge]; {shown[1]} [$source]" in note, note
    plot = ["plot", str(tmp_path / "sweep"), "--kind", "cdf", "--out", str(tmp_path / "f"), "--where"]
    assert main([*plot, "nodes.phone.processor={speed: 1}"]) == 2
    assert capsys.readouterr().err.rstrip().endswith(f"nodes.phone.processor is one of {', '.join(shown)}")
    assert main([*plot, f"nodes.phone.processor={shown[1]}"]) == 0  # the form it lists is one it takes


def test_a_key_zipped_with_the_series_is_named_under_the_axes(tmp_path):
    """Stations and cuts of a fixed policy swept in one zip: the legend named the stations only, and
    nothing on the figure said that each line also had its own cuts."""
    results = speeds_sweep(
        tmp_path,
        "grid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n"
        "zip:\n  nodes.phone.processor.speed: [10 GFLOP/s, 40 GFLOP/s]\n  links[0].latency: [2 ms, 20 ms]\n",
    )
    fig = plots.plot_results(results, "sweep", x="links[0].bandwidth", by="nodes.phone.processor.speed")
    note = " ".join(fig.get_supxlabel().split())  # as read, wherever the note wraps
    assert "has its own phone–edge latency: 10 GFLOP/s 2 ms; 40 GFLOP/s 20 ms" in note, note
    # Shown on the figure itself (here as the panels), it needs no word.
    fig = plots.plot_results(
        results, "sweep", x="links[0].bandwidth", by="nodes.phone.processor.speed", facet="links[0].latency"
    )
    assert "has its own" not in fig.get_supxlabel()


@pytest.mark.parametrize("kind", ["sweep", "energy"])
def test_a_note_wider_than_the_figure_wraps_inside_it(sweep_drops, kind, tmp_path):
    """The note "of completed tasks only; 5 % or more not completed ... (phone uplink, policy):" ran past
    both edges of the saved figure, its ends cut off. Each line of the note wraps at spaces to the figure's
    width, and the layout makes room for the lines it adds."""
    fig = plots.plot_results(sweep_drops, kind)
    note = _footnote(fig)
    assert "5 % or more not completed" in note
    said = " ".join(note.split())  # the note's words, whatever lines they were wrapped on
    assert "in flight) in (" in said and "policy): " in said and "edge " in said  # nothing lost
    check_readable(fig)  # the note stays inside the figure and off the axes


def test_a_footnote_past_the_figures_edge_is_a_problem():
    from offloadsim.plots.checks import figure_problems

    fig = Figure(figsize=(3, 2), layout="constrained")
    fig.add_subplot().plot([1, 2], [1, 2])
    fig.supxlabel("a note under the axes " * 6, fontsize=6)
    assert any("runs past the figure's edge" in problem for problem in figure_problems(fig))
    fig.supxlabel("a short note", fontsize=6)
    assert not [problem for problem in figure_problems(fig) if "edge" in problem]


def test_an_energy_line_end_on_another_ends_spot_shares_its_label_and_the_note_says_so(sweep_results):
    """Two policies that both offload everything at the fastest link end on one spot: the second end's
    label had no room beside the first's and was left off, as if there were no room for it."""
    metrics = sweep_results.metrics.copy()
    fast = (metrics["links[0].bandwidth"] == "50 Mbps").to_numpy()
    local = (metrics["policy"] == "local").to_numpy()
    rep = 0.001 * metrics["replication"].to_numpy()
    metrics["latency_mean_s"] = np.where(fast, 0.10, np.where(local, 0.80, 1.60)) + rep
    metrics["device_energy_mean_j"] = np.where(fast, 0.05, np.where(local, 1.00, 0.40)) + rep
    fig = plots.plot_results(dataclasses.replace(sweep_results, metrics=metrics), "energy")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    texts = [text.get_text() for text in ax.texts]
    assert texts.count("50 Mbit/s") == 1 and texts.count("5 Mbit/s") == 2, texts
    note = " ".join(_footnote(fig).split())
    assert "one label for ends on the same spot: local's and edge's 50 Mbit/s" in note, note
    assert "no room" not in note
    _end_labels_inside_and_apart(ax)
    check_readable(fig)


_LONG_NOTES = (
    "of completed tasks only; 5 % or more not completed (dropped, failed, in flight) in "
    "(phone uplink, policy): 5 Mbit/s, edge 12 %; 10 Mbit/s, edge 7 %",
    "markers: mean per run; error bars: 95 % CI of the mean (Student t) over 5 replications",
    "not drawn: a run completed under 95 % of its tasks (its queue still growing): edge at 1, 2, 5 Mbit/s",
)


@pytest.mark.parametrize("inches", [2.0, 2.5, 3.0, 3.5, 4.0, 5.0])
def test_a_wrapped_note_is_cut_between_items_not_inside_one(inches):
    """A note's long line was cut at whichever space filled the line: "(phone" / "uplink, policy)",
    "(Student" / "t)", "5" / "Mbit/s". Cut between the items of a parenthesised list, never inside
    one, and never between a number and its unit."""
    import re

    for note in _LONG_NOTES:
        fig = Figure(figsize=(inches, 1.5), layout="constrained")
        fig.add_subplot().plot([1, 2], [1, 2])
        plots.note_under(fig, note)
        lines = fig.get_supxlabel().split("\n")
        assert " ".join(lines) == note  # nothing lost or added
        for i, line in enumerate(lines[:-1]):
            before = " ".join(lines[: i + 1])
            inside = before.count("(") > before.count(")")
            assert not inside or line.endswith(","), (inches, lines)
            assert not (re.search(r"\d$", line) and re.match(r"[A-Za-z%]", lines[i + 1])), (inches, lines)
        check_readable(fig)


def _texts_of(ax, colour):
    """The texts drawn on ``ax`` in ``colour`` (an energy series' end labels)."""
    return sorted(t.get_text() for t in ax.texts if matplotlib.colors.same_color(t.get_color(), colour))


def test_an_energy_lines_end_label_names_its_last_drawn_marker_not_a_value_never_drawn(sweep_results):
    """At 1 Mbit/s none of the edge's tasks completed: no marker, yet its line's end was labelled
    (or said to have no room for) "edge's 1 Mbit/s", while its first marker, at 2 Mbit/s, had none."""
    metrics = sweep_results.metrics.copy()
    slow = (metrics["links[0].bandwidth"] == "5 Mbps").to_numpy()
    local = (metrics["policy"] == "local").to_numpy()
    rep = 0.001 * metrics["replication"].to_numpy()
    metrics["latency_mean_s"] = np.where(local, 0.8, np.where(slow, np.nan, 0.1)) + rep
    metrics["device_energy_mean_j"] = np.where(local, 1.0, np.where(slow, np.nan, 0.05)) + rep
    fig = plots.plot_results(dataclasses.replace(sweep_results, metrics=metrics), "energy")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    colours = {c.get_label(): c.lines[0].get_color() for c in ax.containers}
    assert _texts_of(ax, colours["edge"]) == ["50 Mbit/s"]
    assert _texts_of(ax, colours["local"]) == []  # on one spot at every bandwidth: no value is its own
    note = _footnote(fig)
    # Named once, as not drawn (in the axis's unit), and in no end label's words.
    assert "not drawn, no value (phone–ap bandwidth, policy): 5 Mbit/s, edge" in " ".join(note.split())
    assert "5 Mbit/s" not in " ".join(note.split()).replace("5–50", "").replace("policy): 5 Mbit/s, edge", "")
    check_readable(fig)


def test_a_y_label_taller_than_its_axes_is_broken_in_two_not_cut_at_the_figures_top(sweep_drops):
    """The notes under a one-column energy figure left its axes shorter than "device energy per task
    above idle (mJ)", which ran past the figure's top edge and was cut off in the saved file."""
    from offloadsim.plots.checks import figure_problems

    fig = Figure(figsize=(3.5, 1.4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([1, 2], [1, 2])
    ax.set_ylabel("device energy per task above idle (mJ)")
    assert any("runs past the figure's edge" in problem for problem in figure_problems(fig))
    fig = plots.plot_results(sweep_drops, "energy", size="one-column")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    assert ax.get_ylabel().replace("\n", " ") == "device energy per task above idle (mJ)"
    check_readable(fig)


#: One completed task, for a timeline whose ``stages=`` is the table in question.
_ONE_TASK = pd.DataFrame(
    {"task_id": [0], "arrival": [0.0], "latency": [0.1], "source": ["phone"], "placement": ["edge"]}
)


@pytest.mark.parametrize(
    ("draw", "said"),
    [
        (
            lambda m: plots.metric_bars(m, "mean_latency"),
            "no column 'mean_latency' in the data; columns: policy",
        ),
        (
            lambda m: plots.latency_cdf(m),
            "no column 'latency' in the data (latency_cdf draws task records, such as a result's tasks); "
            "columns: policy",
        ),
        (
            lambda m: plots.metric_vs_parameter(m, "latency_mean_s", "bandwidth"),
            "no column 'bandwidth' in the data (the swept key path, a column of a sweep's metrics)",
        ),
        (
            lambda m: plots.node_utilisation(m),
            "no column 'node' in the data (node_utilisation draws per-node records, "
            "such as a result's nodes)",
        ),
        (
            lambda m: plots.utilisation_over_time(m),
            "no column 'start' in the data (utilisation_over_time draws task records, "
            "such as a result's tasks)",
        ),
        (
            lambda m: plots.stage_timeline(m),
            "no column 'arrival' in the data (stage_timeline draws task records, such as a result's tasks)",
        ),
        (
            lambda m: plots.stage_timeline(_ONE_TASK, stages=m),
            "no column 'task_id' in the data (stages= takes the stage records of a run made with "
            "stages=True, its result's stages)",
        ),
        (
            lambda m: plots.split_vs_parameter(m, "bandwidth"),
            "no column 'split' in the data (split_vs_parameter draws task records, such as a sweep's tasks)",
        ),
    ],
    ids=[
        "misspelt-metric",
        "metrics-for-tasks",
        "unswept-key",
        "metrics-for-nodes",
        "metrics-for-load",
        "metrics-for-timeline",
        "metrics-for-stages",
        "metrics-for-split",
    ],
)
def test_a_chart_given_a_column_the_data_lacks_says_which_and_what_it_has(draw, said):
    """A newcomer's first plots raised a bare KeyError: 'mean_latency' from inside pandas; given another
    table, node_utilisation, utilisation_over_time, stage_timeline (and its stages=) and
    split_vs_parameter still did (KeyError: 'node', 'finish', 'arrival', 'task_id', 'split')."""
    metrics = pd.DataFrame(
        {
            "policy": ["edge", "edge", "local", "local"],
            "replication": [0, 1, 0, 1],
            "latency_mean_s": [0.1] * 4,
        }
    )
    with pytest.raises(ValueError) as caught:
        draw(metrics)
    assert said in str(caught.value)
    assert str(caught.value).endswith("replication, latency_mean_s")


def test_bars_given_task_records_say_to_pass_the_metrics_in_one_line():
    """``metric_bars(result.tasks, "latency")`` said it would pool 888 characters of task values."""
    tasks = pd.DataFrame(
        {
            "policy": ["edge"] * 4 + ["local"] * 4,
            "replication": [0, 0, 1, 1] * 2,
            "task_id": range(8),
            "source": ["phone-0", "phone-1"] * 4,
            "latency": np.linspace(0.1, 0.8, 8),
        }
    )
    with pytest.raises(ValueError) as caught:
        plots.metric_bars(tasks, "latency")
    message = str(caught.value)
    assert message.startswith("metric_bars draws per-run metrics, not task records: pass result.metrics")
    assert "\n" not in message and len(message) < 200


@pytest.fixture(scope="module")
def swept_processor(tmp_path_factory):
    """The tiny scenario with the phone's processor swept as a mapping: long values for a tick."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-processor")
    (folder / "tiny.yaml").write_text(TINY.replace("duration: 20 s", "duration: 4 s"), encoding="utf-8")
    (folder / "sweep.yaml").write_text(
        "base: tiny.yaml\n"
        "grid:\n"
        "  nodes.phone.processor: [{speed: 10 GFLOP/s}, {speed: 4 TFLOP/s, memory_bandwidth: 50 GB/s}]\n"
        "policies: [local, edge, least-loaded]\n"
        "replications: 2\n",
        encoding="utf-8",
    )
    sweep(folder / "sweep.yaml", out=folder / "sweep", workers=1)
    return read_results(folder / "sweep")


@pytest.mark.parametrize("logy", [False, True])
def test_bars_by_a_long_key_and_policy_have_legible_ticks(swept_processor, logy):
    """A bar per combination named "{memory_bandwidth: 50 GB/s, speed: 4 TFLOP/s}, edge" on its tick
    ran into its neighbours (and squeezed the axes to nothing): a cluster per processor, a bar per policy."""
    fig = plots.plot_results(swept_processor, "bars", by="nodes.phone.processor,policy", logy=logy)
    check_readable(fig)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert len(ticks) == 2 and all("local" not in t for t in ticks)
    assert "{memory_bandwidth: 50 GB/s,\nspeed: 4 TFLOP/s}" in ticks
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == [
        "local",
        "edge",
        "least-loaded",
    ]
    assert ax.get_xlabel() == "phone processor"


def test_the_reviewer_refuses_tick_labels_that_overlap():
    fig, ax = plots.new_axes("one-column")
    ax.bar(range(4), [1, 2, 3, 4])
    ax.set_xticks(range(4), ["{memory_bandwidth: 50 GB/s, speed: 4 TFLOP/s}, edge"] * 4)
    from offloadsim.plots.checks import figure_problems

    assert any("x tick labels overlap" in problem for problem in figure_problems(fig))


def test_notes_under_a_figure_write_swept_quantities_in_the_axis_unit(two_apps, sweep_results):
    """The axis said "phone–server bandwidth (Mbit/s)" while the note under it said "1 Mbps, 10 Mbps":
    the sweep file's spelling beside the axis', of one quantity."""
    from offloadsim.plots.completion import incomplete_note

    ax = plots.plot_results(two_apps, "sweep", x="links[0].latency", by="app", facet="policy.objective").axes[
        0
    ]
    assert "Mbps" not in ax.get_xlabel() and "100 Mbit/s, 10 Mbit/s, 1 Mbit/s" in ax.get_xlabel()
    tasks = pd.DataFrame(
        {
            "links[0].bandwidth": ["500 kbps", "500 kbps", "1 Gbps", "1 Gbps"],
            "status": ["completed", "dropped", "completed", "completed"],
        }
    )
    note = incomplete_note(tasks, ["links[0].bandwidth"], str)
    assert note.endswith("(links[0].bandwidth):\n0.5 Mbit/s 50 %"), note
    starved = sweep_results.tasks.assign(
        status=np.where(sweep_results.tasks["links[0].bandwidth"] == "5 Mbps", "dropped", "completed")
    )
    note = _footnote(
        plots.plot_results(
            dataclasses.replace(sweep_results, tasks=starved), "cdf", by="links[0].bandwidth,policy"
        )
    )
    assert "not drawn, no task completed (phone–ap bandwidth, policy): 5 Mbit/s, local" in note, note
    assert "Mbps" not in note


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


def test_a_swept_keys_label_given_for_its_column_names_the_column(tmp_path):
    """The figures name a swept key by its label ("uplink"), so a reader typed `--by uplink` back, and
    was asked "did you mean "point"?" or nothing, with no word of the column it labels."""
    results = speeds_sweep(
        tmp_path,
        "grid:\n  nodes.phone.processor.speed: [10 GFLOP/s, 40 GFLOP/s]\n"
        "  links[0].bandwidth: [5 Mbps, 50 Mbps]\nlabels:\n  links[0].bandwidth: Uplink\n",
    )
    said = 'no such column (did you mean "links[0].bandwidth"? "uplink" is its label'
    for options in (
        {"by": "uplink", "x": "nodes.phone.processor.speed"},
        {"where": {"uplink": "5 Mbps"}},
        {"x": "uplink"},
    ):
        with pytest.raises(ExperimentError, match=re.escape(said)):
            plots.plot_results(results, "sweep", **options)


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


def test_where_given_twice_on_one_column_keeps_the_rows_of_either_value(two_apps):
    """Two values of one column: the rows of either (a tuple), and the title names both kept.

    A tuple was compared as its text, "('1 Mbps', '100 Mbps')", which no row has: refused.
    """
    where = {"policy.objective": "latency", "links[0].bandwidth": ("1 Mbps", "100 Mbit/s")}
    fig = plots.plot_results(two_apps, "sweep", by="app", where=where)
    ax = fig.axes[0]
    assert [sorted(line.get_xdata()) for line in ax.lines if line.get_label() in ("small", "big")] == [
        [1.0, 100.0],
        [1.0, 100.0],
    ]
    title = ax.get_title(loc="left") + (fig._suptitle.get_text() if fig._suptitle else "")
    title = " ".join(title.split())  # a title wider than its figure is broken at a space
    assert "phone–server bandwidth = 1 Mbit/s or 100 Mbit/s" in title, title
    where["links[0].bandwidth"] = ("1 Mbps", "1 Mbit/s")  # one value twice: the title names it once
    fig = plots.plot_results(two_apps, "sweep", by="app", where=where)
    title = fig.axes[0].get_title(loc="left") + (fig._suptitle.get_text() if fig._suptitle else "")
    assert "phone–server bandwidth = 1 Mbit/s" in title and " or " not in title, title


def test_where_refuses_each_value_no_row_has_and_values_no_row_has_together(two_apps):
    """A typo among a column's values is named, not dropped; values that never meet say what is there.

    The second was "--where ...: no rows match", naming no value the rows hold.
    """
    with pytest.raises(ExperimentError) as caught:
        plots.plot_results(two_apps, "sweep", by="app", where={"policy.objective": ("latency", "energi")})
    assert str(caught.value) == (
        "--where policy.objective=energi: no rows have that value; policy.objective is one of latency, energy"
    )
    zipped = {"links[0].bandwidth": "1 Mbps", "links[0].latency": "5 ms"}  # zipped: 1 Mbps goes with 50 ms
    with pytest.raises(ExperimentError) as caught:
        plots.plot_results(two_apps, "sweep", by="app", where=zipped)
    assert str(caught.value) == (
        "--where links[0].bandwidth=1 Mbps --where links[0].latency=5 ms: no rows have all of these; "
        "where links[0].bandwidth=1 Mbps, links[0].latency is one of 50 ms"
    )


def test_a_swept_radio_level_or_loss_reads_in_dbm_or_db():
    """A radio's transmit power and noise (dBm) and its reference loss (dB) were no quantity: swept
    as ``23 dBm`` they were categories with no unit, as plain numbers numbers with none, on the axis
    and in the sweep table's heading (where a mobility radius reads ``(m)``)."""
    from offloadsim.analysis.values import axis_label_for, key_kind, quantity_kind, table_heading
    from offloadsim.plots.series import x_positions

    assert (quantity_kind(["17 dBm", "-95 dBm"]), quantity_kind(["35 dB", "40 dB"])) == ("level", "gain")
    for key, unit in (
        ("dynamics[0].radio.transmit_power", "dBm"),
        ("dynamics[0].access_points[1].transmit_power", "dBm"),
        ("dynamics[0].radio.noise", "dBm"),
        ("dynamics[0].radio.reference_loss", "dB"),
    ):
        assert axis_label_for(key, "number", "it") == (f"it ({unit})", 1.0), key
        assert table_heading(key, [-100, -90], "it") == f"it ({unit})", key
    assert table_heading("dynamics[0].radio.noise", ["-100 dBm"], "it") == "it"  # each cell says dBm
    assert key_kind("nodes.phone.processor.noise") is None  # a processor's noise switch is no level
    positions, label, numeric, order = x_positions(["20 dBm", "1 dBm", "10 dBm"], "k", None, "power")
    assert (positions.tolist(), label, numeric, order) == (
        [1.0, 10.0, 20.0],
        "power (dBm)",
        True,
        ["1 dBm", "10 dBm", "20 dBm"],
    )


def test_a_swept_power_battery_tail_sojourn_or_step_interval_of_plain_numbers_reads_in_its_unit():
    """A node's power states, its battery and its radio tail, a Gilbert-Elliott state's mean sojourn,
    a random walk's step interval and a processor's memory bandwidth, swept as plain numbers, had no
    unit on an axis or in the sweep table's heading (nor could --where give them one)."""
    from offloadsim.analysis.values import axis_label_for, table_heading, where_matches

    for key, heading, axis in (
        ("nodes.phone.power.idle", "it (W)", ("it (W)", 1.0)),
        ("nodes.phone.power.down", "it (W)", ("it (W)", 1.0)),
        ("nodes.phone.power.battery", "it (J)", ("it (J)", 1.0)),
        ("nodes.phone.power.tail", "it (s)", ("it (ms)", 1e-3)),
        ("dynamics[0].good.mean", "it (s)", ("it (ms)", 1e-3)),
        ("dynamics[1].every", "it (s)", ("it (ms)", 1e-3)),
        ("nodes.edge.processor.memory_bandwidth", "it (B/s)", ("it (GB/s)", 1e9)),
    ):
        assert table_heading(key, [1, 2], "it") == heading, key
        assert axis_label_for(key, "number", "it") == axis, key
    assert table_heading("applications.a.work.exponential.mean", [1, 2], "it") == "it"  # a mean of what
    assert where_matches(pd.Series([3600.0, 7200.0]), "nodes.phone.power.battery", "1 Wh").tolist() == [
        True,
        False,
    ]


@pytest.fixture(scope="module")
def radio_sweep(tmp_path_factory):
    from experiment_data import RADIO, SWEEP_RADIO

    return swept(tmp_path_factory, "plots-radio", "radio.yaml", RADIO, SWEEP_RADIO)


@pytest.mark.parametrize("kind", ["sweep", "split"])
def test_a_swept_transmit_power_is_a_linear_axis_in_dbm(radio_sweep, kind):
    """Swept from 1 to 20 dBm, a transmit power had no unit; read as a quantity spanning 20×, it
    would go on a log axis, which a scale in decibels already is."""
    fig = plots.plot_results(radio_sweep, kind, x="dynamics[0].radio.transmit_power")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    assert ax.get_xlabel().split("\n")[0] == "mobility radio transmit power (dBm)"
    assert ax.get_xscale() == "linear"
    assert [t.get_text() for t in ax.get_xticklabels() if t.get_text()] == ["1", "10", "20"]


def test_the_sweep_table_heads_a_swept_noise_of_plain_numbers_with_dbm(radio_sweep):
    from experiment_data import table_headings

    from offloadsim.cli.experiments import _sweep_table

    again = sweep(radio_sweep.path.parent / "sweep.yaml", out=radio_sweep.path, workers=1)  # every job reused
    headings = table_headings(_sweep_table(again))  # wrapped where the table is wide
    assert "mobility radio noise (dBm)" in headings
    assert "mobility radio transmit power" in headings, headings


def test_the_notes_of_tasks_not_completed_name_a_swept_noise_of_plain_numbers_in_dbm(radio_sweep):
    """The notes of configurations that completed few or none of their tasks named a radio noise swept
    as plain numbers without its unit (``(mobility radio noise): -100``), and so did the note of what
    moves with it (``each value of mobility radio noise has its own ...: -100 1 dBm``), a legend of it and
    the title of a panel of it, where its axis, the sweep table and the with-line say dBm."""
    from offloadsim.plots.completion import incomplete_note

    key = "dynamics[0].radio.noise"
    noise = radio_sweep.tasks[key]
    starved = radio_sweep.tasks.assign(status=np.where(noise == -100, "dropped", "completed"))
    fig = plots.plot_results(dataclasses.replace(radio_sweep, tasks=starved), "cdf", by=f"{key},policy")
    note = " ".join(_footnote(fig).split())
    assert "not drawn, no task completed (mobility radio noise (dBm), policy): -100, local" in note, note
    moving = "each value of mobility radio noise (dBm) has its own mobility radio transmit power: -100 1 dBm;"
    assert moving in note, note
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    assert [legend.get_title().get_text() for legend in legends] == ["mobility radio noise (dBm), policy"]
    fig = plots.plot_results(radio_sweep, "cdf", by="policy", facet=key)
    titles = [" ".join(ax.get_title(loc="left").split()) for ax in fig.axes if ax.get_visible()]
    expected = [f"({c}) mobility radio noise (dBm) = {n}" for c, n in (("a", -100), ("b", -95), ("c", -90))]
    assert titles == expected, titles
    tasks = pd.DataFrame(
        {key: [-100, -100, -90, -90], "status": ["completed", "dropped", *["completed"] * 2]}
    )
    note = incomplete_note(tasks, [key], lambda _: "mobility radio noise")
    assert note.endswith("in (mobility radio noise (dBm)):\n-100 50 %"), note
    written = tasks.assign(**{key: tasks[key].astype(str) + " dBm"})  # each value says its unit
    assert incomplete_note(written, [key], lambda _: "noise").endswith("in (noise):\n-100 dBm 50 %")


@pytest.mark.parametrize("kind", ["sweep", "split"])
@pytest.mark.parametrize("size", ["one-column", "two-column"])
def test_five_keys_zipped_with_the_x_axis_are_named_on_lines_that_fit_the_figure(radio_sweep, kind, size):
    """A zip of five keys made a "with ..." line under the x axis three times as wide as the figure,
    its ends cut off in the saved file. Its items go whole onto lines that fit, as many to a line as
    fit, each in its unit."""
    fig = plots.plot_results(radio_sweep, kind, x="dynamics[0].radio.transmit_power", size=size)
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    lines = ax.get_xlabel().split("\n")[1:]
    items = [
        "mobility radio noise (dBm) -100, -95, -90",
        "mobility radio reference loss 35 dB, 40 dB, 45 dB",
        "mobility radio exponent 3.0, 3.5, 4.0",
        "ap–edge latency 1 ms, 2 ms, 5 ms",
    ]
    assert " ".join(lines) == f"with {'; '.join(items)}"  # nothing lost or added
    assert all(any(item in line for line in lines) for item in items), lines  # none cut in two
    assert len(lines) > 1
    check_readable(fig)  # no line runs past the figure's edge


@pytest.mark.parametrize("kind", ["sweep", "split"])
def test_the_zipped_keys_under_panels_side_by_side_stay_under_their_own_panel(radio_sweep, kind):
    """Each panel's "with ..." lines are wrapped to its own room: those of panels side by side never meet."""
    fig = plots.plot_results(radio_sweep, kind, x="dynamics[0].radio.transmit_power", facet="policy")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2 and all(ax.get_xlabel().count("\n") > 1 for ax in axes)
    renderer = laid_out(axes[0])
    left, right = (ax.xaxis.label.get_window_extent(renderer) for ax in axes)
    assert left.x1 < right.x0
    check_readable(fig)


@pytest.fixture(scope="module")
def downward_zip(tmp_path_factory):
    """two_apps' bandwidth swept downwards, zipped with a latency that repeats a value."""
    from experiment_data import TWO_APPS

    text = (
        "base: two.yaml\nreplications: 1\nzip:\n  links[0].bandwidth: [100 Mbps, 10 Mbps, 2 Mbps, 1 Mbps]\n"
        "  links[0].latency: [5 ms, 5 ms, 20 ms, 50 ms]\nlabels:\n  links[0].latency: radio latency\n"
    )
    return swept(tmp_path_factory, "plots-downward-zip", "two.yaml", TWO_APPS, text)


@pytest.mark.parametrize("where", [None, {"links[0].bandwidth": ("100 Mbps", "2 Mbps", "1 Mbps")}])
def test_a_key_zipped_with_x_is_named_in_the_axis_order_even_where_a_value_repeats(downward_zip, where):
    """A bandwidth swept from 100 down to 1 Mbit/s beside a latency from 5 up to 50 ms: the note
    under an axis running 1 → 100 Mbit/s listed the latencies as the sweep file did (5 ms first,
    read as the latency at 1 Mbit/s, where it is 50 ms); and a latency that repeats a value
    (5 ms at 100 and at 10 Mbit/s) was not noted at all, though it moves along the axis."""
    expected = "radio latency 50 ms, 20 ms, 5 ms" + (", 5 ms" if where is None else "")
    for kind in ("split", "sweep"):
        fig = plots.plot_results(downward_zip, kind, by="app", where=where)
        labels = [ax.get_xlabel() for ax in fig.axes if ax.get_visible() and ax.get_xlabel()]
        said = [" ".join(label.split()) for label in labels]
        assert said and all(label.endswith(f"with {expected}") for label in said), said
    fig = plots.plot_results(downward_zip, "energy", by="policy", where={**(where or {}), "app": "small"})
    note = " ".join(_footnote(fig).split())
    assert f"along each line, phone–server bandwidth 1 Mbit/s to 100 Mbit/s with {expected}" in note, note


def test_an_energy_figure_says_what_moves_along_its_lines_with_their_key(two_apps, radio_sweep):
    """An energy line joins the points of its x key (its ends named "1 Mbit/s", "100 Mbit/s"), but the
    radio latency zipped with the bandwidth moved along it too, said nowhere: the sweep and split
    figures said it under their x axis, the energy figure (whose axes are latency and energy) not."""
    fig = plots.plot_results(two_apps, "energy", where={"app": "small", "policy.objective": "latency"})
    note = " ".join(_footnote(fig).split())
    along = "along each line, phone–server bandwidth 1 Mbit/s to 100 Mbit/s"
    assert f"{along} with radio latency 50 ms, 20 ms, 5 ms" in note, note
    fig = plots.plot_results(radio_sweep, "energy", x="dynamics[0].radio.transmit_power")
    note = " ".join(_footnote(fig).split())
    assert (
        "along each line, mobility radio transmit power 1 dBm to 20 dBm with mobility radio noise (dBm) "
        "-100, -95, -90; "
        "mobility radio reference loss 35 dB, 40 dB, 45 dB; mobility radio exponent 3.0, 3.5, 4.0; "
        "ap–edge latency 1 ms, 2 ms, 5 ms" in note
    ), note
    check_readable(fig)  # wrapped inside the figure


def test_bars_whose_labels_are_too_wide_for_their_ticks_are_tilted_under_them():
    """A comparison of parameterised policies labelled each bar under it, and the labels ran together.

    A legend in the ticks' place (as before) left the axis with no tick, and over nine policies sat
    over the value labels (the instructor trial): the labels are tilted under their bars instead.
    """
    from offloadsim.plots.checks import figure_problems

    def bars(labels):
        metrics = pd.DataFrame(
            [
                {"policy": p, "replication": r, "device_energy_mean_j": 0.1 + 0.01 * i + 0.001 * r}
                for i, p in enumerate(labels)
                for r in range(3)
            ]
        )
        return plots.metric_bars(metrics, "device_energy_mean_j")

    long = ["local", "edge", "neurosurgeon(objective=energy)", "neurosurgeon"]
    ax = bars(long)
    assert figure_problems(ax.get_figure()) == []
    assert ax.get_legend() is None
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "local",
        "edge",
        "neurosurgeon\n(objective=energy)",
        "neurosurgeon",
    ]
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {90.0}
    assert ax.get_xlabel() == "policy"
    # Names that fit once broken before their parameters stay under their bars (a compare of
    # edge, least-loaded, round-robin and neurosurgeon(load_aware=true) had a legend instead).
    compared = ["edge", "least-loaded", "round-robin", "neurosurgeon(load_aware=true)"]
    ax = bars(compared)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == [*compared[:3], "neurosurgeon\n(load_aware=true)"]
    assert ax.get_legend() is None
    assert ax.get_xlabel() == "policy"
    assert figure_problems(ax.get_figure()) == []
    # Labels that fit stay under their bars, with no legend (the gallery's policy bars).
    short = ["local", "edge", "cloud", "least-loaded"]
    ax = bars(short)
    assert [t.get_text() for t in ax.get_xticklabels()] == short
    assert ax.get_legend() is None
    # ... also in a panel of two, linear and log, as the gallery draws them: an estimate from the
    # axes' place before layout had put these four names in a legend, the log panel's axis
    # stretched to 20,000 ms to make room for it.
    metrics = pd.DataFrame(
        [
            {"policy": p, "replication": r, "latency_p95_s": 0.1 * (i + 1) + 0.001 * r}
            for i, p in enumerate(short)
            for r in range(3)
        ]
    )
    fig, (left, right) = plots.new_axes("two-column", ncols=2)
    plots.metric_bars(metrics, "latency_p95_s", ax=left, log_y=True, order=short)
    plots.metric_bars(metrics, "latency_p95_s", ax=right, order=short)
    for panel in (left, right):
        assert [t.get_text() for t in panel.get_xticklabels()] == short
        assert panel.get_legend() is None
    assert not [p for p in figure_problems(fig) if "tick labels overlap" in p]


def test_a_legend_row_too_wide_for_its_axes_takes_fewer_columns(compare_results):
    """Two policies labelled with their parameters made a legend row wider than the axes, and
    constrained layout squeezed the axes (and their node names, which ran together) to a sliver."""
    from offloadsim.plots.axes import laid_out
    from offloadsim.plots.checks import figure_problems

    long = {"local": "neurosurgeon(objective=energy)", "edge": "least-loaded(tiers=[edge, cloud])"}
    nodes = compare_results.nodes.assign(policy=compare_results.nodes["policy"].astype(str).map(long))
    ax = plots.node_utilisation(nodes, level="node")
    renderer = laid_out(ax)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(long.values())
    assert legend.get_window_extent(renderer).width <= ax.get_window_extent(renderer).width
    assert ax.get_window_extent(renderer).width > 0.6 * ax.get_figure().bbox.width
    assert not [p for p in figure_problems(ax.get_figure()) if "tick labels overlap" in p]


def test_notes_and_a_legend_above_leave_the_panel_its_height(tmp_path_factory):
    """Five long policy entries and a sweep whose slowest uplink completes nothing: the notes under a
    one-column figure and its legend above took nearly all of its 2.45 inches, and the axes were drawn
    half an inch tall (a few points, "constrained_layout not applied", with longer entries)."""
    import warnings

    from experiment_data import TINY

    from offloadsim.plots.checks import legend_over_data

    sweep_text = (
        "base: tiny.yaml\n"
        "grid:\n  links[0].bandwidth: [10 kbps, 5 Mbps, 50 Mbps]\n"
        "policies: [edge, 'fixed(node=edge)', 'least-loaded(tiers=[edge])',"
        " 'least-loaded(tiers=[edge, device])', 'fixed(nodes=[$source, edge], cuts=[1])']\n"
        "replications: 2\n"
        "labels:\n  links[0].bandwidth: the uplink of every phone to its access point\n"
    )
    results = swept(tmp_path_factory, "plots-notes", "tiny.yaml", TINY, sweep_text)
    for metric in ("latency_mean_s", "deadline_miss_rate"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib's "constrained_layout not applied" included
            fig = plots.plot_results(results, "sweep", metric=metric)
            renderer = laid_out(fig.axes[0])
        height = fig.axes[0].get_window_extent(renderer).height / fig.dpi
        assert height >= 0.98, f"{metric}: the axes are {height:.2f} in tall"
        assert fig.get_figheight() > 2.45, "the figure grew, not the notes shrank"
        assert not legend_over_data(fig)
        check_readable(fig)


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


@pytest.mark.parametrize(
    "options", [{"x": "policy"}, {"by": "links[0].bandwidth"}, {"x": "links[0].bandwidth", "by": "policy"}]
)  # two keys hidden; the policy hidden; the speed hidden
def test_an_energy_refusal_with_two_keys_hidden_suggests_a_figure_that_draws(speed_sweep, options):
    """With two swept keys hidden, the example was ``e.g. --by 'policy,KEY'`` (with ``--x policy``,
    a series of the x axis, itself refused) and the second key stayed hidden, refused in turn; the
    policy was named ``policy.name``.  It now shows one with --by and the other with --facet."""
    import shlex

    with pytest.raises(ExperimentError) as caught:
        plots.plot_results(speed_sweep, "energy", **options)
    message = str(caught.value)
    assert "policy.name (" not in message
    example = shlex.split(re.search(r"e\.g\. (.*?), or pick", message).group(1))
    given = dict(zip(example[::2], example[1::2], strict=True))
    assert set(given) <= {"--by", "--facet", "--where"}, message
    assert ("--facet" in given) == (options == {"x": "policy"}), message
    where = dict([given["--where"].split("=", 1)]) if "--where" in given else None
    by = given["--by"].split(",") if "," in given["--by"] else given["--by"]
    plots.plot_results(
        speed_sweep, "energy", x=options.get("x"), by=by, facet=given.get("--facet"), where=where
    )


def test_a_key_given_to_by_or_facet_is_not_the_default_x(speed_sweep):
    """The default x was the first numeric swept key even when --by or --facet named it, and the
    figure was then refused: `--facet nodes.phone.processor.speed: it is the x axis`, an x the user
    never chose. The next swept key (the bandwidth) is the x instead."""
    for options in (
        {"facet": "nodes.phone.processor.speed"},
        {"by": "nodes.phone.processor.speed", "where": {"policy": "edge"}},
    ):
        fig = plots.plot_results(speed_sweep, "sweep", **options)
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert all("bandwidth" in ax.get_xlabel() for ax in axes if ax.get_xlabel()), options
    fig = plots.plot_results(speed_sweep, "energy", facet="nodes.phone.processor.speed")
    assert "Mbit/s" in fig.get_supxlabel(), "its line ends are bandwidths"


def test_laying_a_figure_out_takes_only_matplotlib_s_collapse_warning():
    """keep_panels_tall recorded every warning its drawing gave and dropped all but the layout's
    collapse (laid_out passed them on): a glyph missing from the font went unsaid. Both now take the
    collapse alone, under an "error" filter too, and keep_panels_tall still grows a collapsed figure."""
    import warnings

    from matplotlib.artist import Artist

    from offloadsim.plots.axes import keep_panels_tall

    class Warns(Artist):
        def draw(self, renderer):
            warnings.warn("drawn with a warning", UserWarning, stacklevel=1)

    for lay_out in (keep_panels_tall, lambda fig: laid_out(fig.axes[0])):
        fig, _ = plots.new_axes("one-column")
        fig.add_artist(Warns())
        with pytest.warns(UserWarning, match="drawn with a warning"):
            lay_out(fig)
    fig, _ = plots.new_axes((3.0, 1.2))
    fig.supxlabel("\n".join(["a long note under the figure"] * 12))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the collapse is taken, never raised
        assert keep_panels_tall(fig)
        laid_out(fig.axes[0])
    assert fig.axes[0].get_window_extent(laid_out(fig.axes[0])).height / fig.dpi >= 0.99


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


def test_bars_too_low_to_see_write_their_values():
    # `plot --kind bars --metric deadline_miss_rate` of edge-outage: least-loaded's 0.05 % and cloud's
    # 0 % drew nothing, their slots empty as if they had no data.
    metrics = pd.DataFrame(
        {
            "policy": ["edge", "least-loaded", "cloud"] * 2,
            "replication": [0, 0, 0, 1, 1, 1],
            "deadline_miss_rate": [0.30, 0.0004, 0.0, 0.32, 0.0006, 0.0],
        }
    )
    ax = plots.metric_bars(metrics, "deadline_miss_rate")
    written = sorted(t.get_text() for t in ax.texts)
    assert written == ["0", "0.05"], written


def test_plot_results_names_its_arguments_as_python_has_them(sweep_results, compare_results):
    # plot_results called from Python was told of "--where", "--metric" and "--kind": flags it has not.
    calls = [
        ({"kind": "bars", "metric": "nosuch"}, "metric=nosuch: unknown metric"),
        ({"kind": "sweep", "where": {"nosuch": 1}}, "where=nosuch: no such column"),
        ({"kind": "cdf", "x": "policy"}, "x does not apply to kind=cdf"),
        ({"kind": "sweep", "facet": "nosuch"}, "facet=nosuch: no such column"),
        ({"kind": "timeline", "by": "tier"}, "by does not apply to kind=timeline"),
    ]
    for call, said in calls:
        with pytest.raises(ExperimentError) as caught:
            plots.plot_results(sweep_results, **call)
        assert str(caught.value).startswith(said), (call, str(caught.value))
        assert "--" not in str(caught.value).split(";")[0], str(caught.value)
        with as_flags(), pytest.raises(ExperimentError) as flagged:  # the command line's wording
            plots.plot_results(sweep_results, **call)
        flags = said.replace("=", " ").replace("kind ", "--kind ")
        assert str(flagged.value).startswith("--" + flags), (call, str(flagged.value))


def test_sweep_figure_says_a_change_after_the_runs_end(tmp_path_factory):
    # A sweep of when the edge comes back, one time (24 s) after the run's end (22 s, warm-up
    # included): the sweep warned [late-dynamics], but the figure drew 24 s as any other x value,
    # as if the edge came back.  The warning is kept in the manifest and said under the figure.
    from experiment_data import TINY

    outage = "{kind: node-schedule, node: edge, steps: [{at: 5 s, up: false}, {at: 10 s, up: true}]}"
    text = f"base: tiny.yaml\nset:\n  dynamics: [{outage}]\ngrid:\n  dynamics[0].steps[1].at: [10 s, 24 s]\n"
    text += "policies: [edge]\nreplications: 1\nlabels:\n  dynamics[0].steps[1].at: edge back at\n"
    with pytest.warns(ScenarioWarning, match="late-dynamics"):
        results = swept(tmp_path_factory, "plots-late", "tiny.yaml", TINY, text)
    (warning,) = results.manifest["point_warnings"]
    assert (warning["point"], warning["check"]) == (1, "late-dynamics"), warning
    fig = plots.plot_results(results, "sweep")
    said = "\n".join(t.get_text() for t in fig.texts)
    assert re.search(r"edge back at 24 s: dynamics\[0\]\.steps\[1\]\.at: 24 s is at or after", said), said
    assert "10 s" not in said.split("edge back at")[1], said


def test_energy_end_labels_cross_no_other_series_line_and_markers_stay_hollow():
    # A trial's energy figure put edge's "50 Mbit/s" across another series' line, where it read as
    # that line's; its hollow markers, 3.5 points with a 1-point edge, read as filled.
    from matplotlib.path import Path

    from offloadsim.plots.axes import laid_out

    def rows(name, points):
        return [
            {
                "policy": name,
                "bw": f"{bw} Mbps",
                "replication": 0,
                "latency_mean_s": lat,
                "device_energy_mean_j": e,
            }
            for bw, (lat, e) in points.items()
        ]

    # b's line runs just above a's 2 Mbit/s end, through the corner a's line points to.
    metrics = pd.DataFrame(
        rows("a", {1: (0.30, 0.30), 2: (0.50, 0.50)}) + rows("b", {1: (0.10, 0.512), 2: (0.90, 0.512)})
    )
    ax = plots.energy_latency(metrics, x="bw")
    renderer = laid_out(ax)
    ends = [t for t in ax.texts if "Mbit/s" in t.get_text()]
    assert len(ends) == 4, [t.get_text() for t in ends]  # each end has its label
    for text in ends:
        box = text.get_window_extent(renderer)
        for line in ax.get_lines():
            if len(line.get_xydata()) > 1 and not matplotlib.colors.same_color(
                line.get_color(), text.get_color()
            ):
                path = Path(ax.transData.transform(line.get_xydata()))
                assert not path.intersects_bbox(box, filled=False), (text.get_text(), text.get_color())
    for line in ax.get_lines():
        if line.get_marker() not in ("None", "", None, "|", "_"):  # a series' marker, not a cap
            assert line.get_markerfacecolor() == "none"
            assert line.get_markersize() >= 4 * line.get_markeredgewidth(), "an edge that fills the marker"


def test_an_energy_figure_whose_legend_is_wider_than_its_one_panel_keeps_readable_axes(tmp_path):
    """A trial's energy figure of one panel (vgg16 of the Neurosurgeon scenario, five policies, three
    drawn "(same spot as ...)") was written with its axes a vertical line, exit 0: its legend, wider
    than the axes, stayed inside them ("best"), each layout shrank the axes by what it stuck out until
    the layout collapsed, and then no line was under it, so it stayed there."""
    from pathlib import Path

    base = Path(__file__).resolve().parents[2] / "scenarios" / "neurosurgeon.yaml"
    (tmp_path / "sweep.yaml").write_text(
        f"base: {base}\nset:\n  duration: 20 s\n"
        "  nodes.phone.power: {idle: 0.5 W, busy: 3.0 W, transmit: 1.788 W, receive: 1.788 W,"
        " transmit_per_rate: 438.39 mW/Mbps, receive_per_rate: 51.97 mW/Mbps}\n"
        "zip:\n  links[0].bandwidth: [50 Mbps, 18.88 Mbps, 5.85 Mbps, 2 Mbps, 1.1 Mbps]\n"
        "  links[0].latency: [4 ms, 5 ms, 20 ms, 30 ms, 50 ms]\n"
        "policies: ['neurosurgeon(objective=latency)', 'neurosurgeon(objective=energy)',"
        " 'dads(objective=latency)', 'dads(objective=energy)', local]\nreplications: 2\n",
        encoding="utf-8",
    )
    sweep(tmp_path / "sweep.yaml", out=tmp_path / "out", workers=1)
    fig = plots.plot_results(read_results(tmp_path / "out"), "energy", where={"app": "vgg16"})
    assert sum("same spot as" in text for text in legend_texts(fig)) >= 2, legend_texts(fig)
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    extent = ax.get_window_extent(laid_out(ax))
    assert extent.width / fig.dpi >= 1.5 and extent.height / fig.dpi >= 0.99, extent
    check_readable(fig)


def test_a_panel_squeezed_in_width_widens_its_figure():
    """keep_panels_tall grew a collapsed figure's height only: a panel squeezed by something beside it
    (a legend wider than the figure) stayed collapsed. The figure widens until its layout holds."""
    from offloadsim.plots.axes import _draw_headless, keep_panels_tall

    fig, ax = plots.new_axes("one-column")
    ax.plot([1, 2], [1, 2], label="a series whose name is far wider than the whole figure is, " * 2)
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    assert _draw_headless(fig), "the layout collapses at first"
    assert keep_panels_tall(fig)
    assert not _draw_headless(fig), "a layout that holds the legend beside the panel"
    assert ax.get_window_extent(laid_out(ax)).width / fig.dpi >= 0.5


def test_a_series_under_another_in_each_panel_is_named_in_the_legend_per_panel():
    """dads sat on one series in panel (a) and on another in panel (b), hidden in both; the panels'
    legends disagreed ("same spot as x", "same spot as y"), and the figure's legend named it plainly."""
    from offloadsim.plots.axes import figure_legend

    fig, axes = plots.new_axes("two-column", ncols=3)
    under = ["dads (same spot as x)", "dads (same spot as y)", "dads"]
    for ax, dads in zip(axes, under, strict=True):
        for label in ("x", "y", dads):
            ax.plot([1, 2], [1, 2], label=label)
        ax.legend()
    assert figure_legend(fig, list(axes))
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["x", "y", "dads (same spot as x in (a); same spot as y in (b))"], texts
    assert plots.axes.series_name(texts[-1]) == "dads"


def test_nine_policies_bars_are_named_under_them_and_the_ninth_is_not_the_firsts_plain_colour():
    """The instructor trial's 9-policy bars: local and dads one blue, no tick, a legend over the labels."""
    from offloadsim.plots.checks import figure_problems

    names = [
        "local",
        "edge",
        "cloud",
        "random",
        "round-robin",
        "least-loaded",
        "neurosurgeon",
        "multi-tier",
        "dads",
    ]
    metrics = pd.DataFrame(
        [
            {"policy": p, "replication": r, "deadline_miss_rate": 0.1 + 0.08 * i + 0.001 * r}
            for i, p in enumerate(names)
            for r in range(3)
        ]
    )
    ax = plots.metric_bars(metrics, "deadline_miss_rate", order=names)
    assert [t.get_text() for t in ax.get_xticklabels()] == names
    assert ax.get_legend() is None and ax.get_xlabel() == "policy"
    (patches,) = [c.patches for c in ax.containers if hasattr(c, "patches")]
    look = [(p.get_facecolor(), p.get_hatch() or "") for p in patches]
    assert len(set(look)) == len(names)  # each bar its own colour, or its colour hatched
    assert look[0][1] == "" and look[8][0] == look[0][0] and look[8][1] != ""
    assert figure_problems(ax.get_figure()) == []
