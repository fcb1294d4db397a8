"""Every figure kind renders headless to PDF + PNG from a sweep, a compare and a run, never pooling what
it does not show; filters, the palette, and the clear errors of the chart functions."""

from __future__ import annotations

import dataclasses
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest
from figure_helpers import check_figure, legend_texts
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from offloadsim import plots
from offloadsim.analysis.statistics import mean_ci
from offloadsim.errors import as_flags
from offloadsim.experiments import ExperimentError, compare, read_results
from offloadsim.scenario import ScenarioWarning


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


def test_a_cdf_of_a_run_with_no_task_is_refused_not_drawn_empty(tmp_path):
    """A run whose workload sent nothing measured drew empty axes, no line and no word."""
    from experiment_data import TINY

    import offloadsim

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    with pytest.warns(ScenarioWarning, match="workload: no entry: no task is sent"):
        offloadsim.run(tmp_path / "tiny.yaml", overrides=["workload=[]"], out=tmp_path / "run")
    with pytest.raises(ExperimentError, match=r"^cannot draw cdf: no task records to draw"):
        plots.plot_results(read_results(tmp_path / "run"), "cdf")


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
