"""A new kind of ``offloadsim plot`` figure is one module and one registration (offloadsim/plots/kinds.py).

The toy kind's drawing is in a test-only module (tests/toy_figure_kind.py) that offloadsim never
names; registering a :class:`FigureKind` is all it takes for ``plot --kind`` to list it, check its
options and the results it draws, draw it and write its table.  Before the registry, ``--kind``'s
choices were a fixed tuple and the drawing a chain of ``if kind == ...``: a new kind meant editing
the command line, the dispatch and every list of kinds that take an option.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from offloadsim import plugins
from offloadsim.cli import main
from offloadsim.plots import kinds
from offloadsim.plots.kind_registry import FigureKind, register_kind, unregister_kind

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "quickstart.yaml"

TOY = FigureKind(
    "task-count",
    "completed tasks per series (a toy kind)",
    "toy_figure_kind:draw",
    quantity_axes="y",
    results=("run",),
    options=frozenset({"by"}),
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "run"
    assert main(["run", str(SCENARIO), "--set", "duration=2 s", "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture
def toy():
    sys.modules.pop("toy_figure_kind", None)
    register_kind(TOY)
    yield TOY
    unregister_kind(TOY.name)


def test_a_registered_kind_is_drawn_by_plot_with_its_table(toy, run_dir, tmp_path, capsys):
    out = tmp_path / "count"
    assert main(["plot", str(run_dir), "--kind", "task-count", "--out", str(out)]) == 0
    suffixes = (".pdf", ".png", ".csv", ".plot.json")
    assert capsys.readouterr().out.split() == [str(out) + suffix for suffix in suffixes]
    tasks = pd.read_parquet(run_dir / "tasks.parquet")
    table = pd.read_csv(out.with_suffix(".csv"))
    assert table["completed"].sum() == (tasks["status"].astype(str) == "completed").sum() > 0
    assert out.with_suffix(".png").stat().st_size > 1000


def test_its_default_file_name_and_the_help_come_from_its_registration(toy, run_dir, capsys):
    assert main(["plot", str(run_dir), "--kind", "task-count"]) == 0
    assert capsys.readouterr().out.split()[0] == str(run_dir / "figures" / "task-count.pdf")
    assert main(["plot", "--help"]) == 0
    help_text = "".join(capsys.readouterr().out.split())  # wrapped anywhere, at a hyphen too
    assert "task-count,completedtasksperseries(atoykind)" in help_text


def test_an_option_it_does_not_take_is_one_line_naming_the_kinds_that_do(toy, run_dir, tmp_path, capsys):
    out = tmp_path / "count"
    assert main(["plot", str(run_dir), "--kind", "task-count", "--logy", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "offloadsim: error: --logy does not apply to --kind task-count; it does to bars, sweep, energy\n"
    )
    # and the kinds that do take --by now include it
    assert main(["plot", str(run_dir), "--kind", "timeline", "--x", "a", "--out", str(out)]) == 2
    assert capsys.readouterr().err.endswith("it does to sweep, split, energy\n")
    assert not list(tmp_path.iterdir())


def test_results_it_does_not_draw_are_refused_naming_what_it_draws(toy, compare_dir, tmp_path, capsys):
    out = tmp_path / "count"
    assert main(["plot", str(compare_dir), "--kind", "task-count", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"offloadsim: error: --kind task-count draws a run, and {compare_dir} is a comparison\n"
    )
    assert not list(tmp_path.iterdir())


def test_an_unregistered_kind_is_refused_listing_the_registered_ones(run_dir, tmp_path, capsys):
    assert main(["plot", str(run_dir), "--kind", "task-count", "--out", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'task-count'" in err and "'latency-time'" in err
    register_kind(TOY)
    try:
        assert main(["plot", str(run_dir), "--kind", "nosuch", "--out", str(tmp_path / "f")]) == 2
        assert "'battery-time', 'task-count')" in capsys.readouterr().err  # the shipped ones, then it
    finally:
        unregister_kind(TOY.name)


def test_listing_the_kinds_imports_no_drawing_code(toy, capsys):
    """The parser lists every kind (``--help``) without importing a kind's module, nor matplotlib's."""
    assert main(["plot", "--help"]) == 0
    capsys.readouterr()
    assert "toy_figure_kind" not in sys.modules


def test_a_kind_is_checked_when_registered():
    with pytest.raises(ValueError, match="unknown option 'bins'"):
        FigureKind("bad", "a bad kind", "m:f", options=frozenset({"bins"}))
    with pytest.raises(ValueError, match="registered already"):
        register_kind(FigureKind("cdf", "another cdf", "m:f"))


TOY_PLUGIN = '''
"""A toy distribution's figure kinds."""

from offloadsim.plots.kind_registry import FigureKind

COUNT = FigureKind("toy-count", "completed tasks (a plug-in)", "toy_figure_kind:draw", options={"by"})
MISNAMED = FigureKind("other-name", "a plug-in named otherwise", "toy_figure_kind:draw")
'''


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Install a distribution of figure kinds into a folder on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))

    def install(entry_points: str) -> None:
        (site / "toy_figure_plugin.py").write_text(TOY_PLUGIN)
        info = site / "toy_figure_plugin-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-figure-plugin\nVersion: 0.1\n")
        (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))

    def forget() -> None:
        for name in ("toy-count", "other-name"):
            unregister_kind(name)
        kinds.PLUGINS.forget()
        sys.modules.pop("toy_figure_plugin", None)

    forget()
    yield install
    forget()


def test_an_entry_point_kind_is_drawn_and_a_misnamed_one_skipped_with_a_warning(
    install, run_dir, tmp_path, capsys
):
    install(
        "[offloadsim.figure_kinds]\ntoy-count = toy_figure_plugin:COUNT\n"
        "misnamed = toy_figure_plugin:MISNAMED\n"
    )
    with pytest.warns(plugins.PluginWarning, match="called 'other-name', not 'misnamed'"):
        names = kinds.kind_names()
    assert names[: len(kinds.KINDS)] == kinds.KINDS and names[len(kinds.KINDS) :] == ("toy-count",)
    out = tmp_path / "count"
    assert main(["plot", str(run_dir), "--kind", "toy-count", "--out", str(out)]) == 0
    assert pd.read_csv(out.with_suffix(".csv"))["completed"].sum() > 0


@pytest.mark.parametrize(
    ("function", "said"),
    [
        ("broken", "raised ZeroDivisionError: the toy divided by zero (toy_figure_kind.py, line "),
        ("no_figure", "returned str, not a (Figure, {suffix: DataFrame}) pair"),
    ],
)
def test_a_kind_whose_drawing_fails_is_one_line_naming_it(run_dir, tmp_path, capsys, function, said):
    """Its bug is its own, said in one line naming it (exit 2), not offloadsim's internal error (exit 1)."""
    register_kind(FigureKind("toy-failing", "a toy that fails", f"toy_figure_kind:{function}"))
    try:
        assert main(["plot", str(run_dir), "--kind", "toy-failing", "--out", str(tmp_path / "f")]) == 2
    finally:
        unregister_kind("toy-failing")
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: figure kind 'toy-failing' (toy_figure_kind:{function}) ")
    assert said in line
    assert not list(tmp_path.iterdir())


def test_what_a_kind_says_under_its_figure_is_its_registrations(compare_dir, tmp_path, capsys):
    # The notes' words of each kind (its method, what its intervals are, the columns a mark needs)
    # were tables in plots/figure_notes.py keyed by the shipped kinds' names: a plug-in kind drawing
    # bars with 95 % CIs said nothing of them.
    from offloadsim.plots import plot_results
    from offloadsim.plots.figure_notes import method_text
    from offloadsim.records.stored import read_results

    toy = FigureKind(
        "toy-bars",
        "a metric's mean per series (a toy kind, drawn as bars are)",
        "offloadsim.plots.figure_kinds.bars:figure",
        quantity_axes="y",
        options=frozenset({"metric", "by", "facet", "logy"}),
        records="job",
        default_metric="latency_p95_s",
        method="a toy's method\nin two lines",
        method_stages="a toy's method from stage records",
        intervals="error bars",
        interval_of="mean of a toy per run",
        drawn_values={"y": "metric"},
    )
    register_kind(toy)
    try:
        assert method_text("toy-bars", stages=False) == "a toy's method\nin two lines"
        assert method_text("toy-bars", stages=True) == "a toy's method from stage records"
        said = plot_results(read_results(compare_dir), "toy-bars")._supxlabel.get_text()
        # The method follows the runs' warnings where a drawn run never settled (as compare_dir's did).
        assert said.startswith("one replication: no confidence interval drawn\n"), said
        assert "\na toy's method\nin two lines\n" in said, said
        argv = ["compare", str(SCENARIO), "--policies", "local,edge", "-n", "2", "--set", "duration=2 s"]
        assert main([*argv, "--workers", "1", "--out", str(tmp_path / "cmp"), "-q"]) == 0
        said = plot_results(read_results(tmp_path / "cmp"), "toy-bars")._supxlabel.get_text()
        expected = "mean of a toy per run; error bars: 95 % CI of the mean (Student t) over 2"
        assert said.startswith(expected), said
    finally:
        unregister_kind(toy.name)
    with pytest.raises(ValueError, match="intervals 'whiskers': expected one of '', 'error bars', 'bands'"):
        FigureKind("toy-whiskers", "a toy", "toy_figure_kind:draw", intervals="whiskers")


def test_an_entry_point_kind_is_in_plots_help_and_the_kinds_an_option_applies_to(install, capsys):
    # The help was built from the kinds registered in this process when the parser was built: an
    # installed plug-in's kind was a --kind choice but missing from --kind's list and --by's kinds.
    install("[offloadsim.figure_kinds]\ntoy-count = toy_figure_plugin:COUNT\n")
    sys.modules.pop("toy_figure_kind", None)  # drawn by an earlier test
    assert main(["plot", "--help"]) == 0
    said = "".join(capsys.readouterr().out.split())  # argparse wraps lines, at a hyphen too
    assert "toy-count,completedtasks(aplug-in)" in said
    assert "--byCOLUMN" in said and "(sweep,split,energy)" in said  # the kinds --x applies to
    assert "toy_figure_kind" not in sys.modules  # its drawing code is not imported to list it


def test_what_an_option_does_to_a_kind_is_said_in_the_help_from_its_registration(capsys):
    # --logy's help named "bars, drawn as dots" by replacing the shipped kind's name in its text.
    toy = FigureKind(
        "toy-dots", "a toy", "toy_figure_kind:draw", options={"logy"}, option_notes={"logy": "as toy dots"}
    )
    register_kind(toy)
    try:
        assert main(["plot", "--help"]) == 0
    finally:
        unregister_kind(toy.name)
    said = "".join(capsys.readouterr().out.split())  # argparse wraps lines, at a hyphen too
    assert "logyaxis(bars,drawnasdots,sweep,energy,toy-dots,astoydots;" in said
    with pytest.raises(ValueError, match="a note on option 'logx', which it does not take"):
        FigureKind("toy-bad", "a toy", "toy_figure_kind:draw", option_notes={"logx": "wider"})


def test_metric_and_by_help_say_each_kinds_default_from_its_registration(capsys, monkeypatch):
    # --metric's and --by's help named the shipped kinds and their defaults by hand: a kind added
    # (a plug-in's) was missing from them, and a default changed in one place only.
    from offloadsim.plots.latency_time import DEFAULT_METRIC

    toy = FigureKind(
        "toy-job",
        "a toy",
        "toy_figure_kind:draw",
        options={"metric", "by"},
        records="job",
        default_metric="toy_metric_s",
        option_notes={"by": "toy columns only"},
    )
    monkeypatch.setenv("COLUMNS", "2000")  # one line per option: argparse wraps at a hyphen too
    register_kind(toy)
    try:
        assert main(["plot", "--help"]) == 0
    finally:
        unregister_kind(toy.name)
    said = " ".join(capsys.readouterr().out.split())
    start = said.index("--metric NAME what is drawn")
    metric = said[start : said.index("--x KEY", start)]
    assert "toy-job: a column of metrics.parquet (default toy_metric_s)" in metric
    for kind in kinds.figure_kinds():
        if kind.takes("metric"):
            assert f"{kind.name}: {kind.option_note('metric')}" in metric, kind.name
    assert "bars: a column of metrics.parquet (default latency_p95_s)" in metric
    assert f"latency-time: one drawn over time in bins (default {DEFAULT_METRIC})" in metric
    start = said.index("--by COLUMN[,COLUMN] column(s)")
    by = said[start : said.index("--facet COLUMN", start)]
    assert "utilisation-time: tier or placement (default tier)" in by and "toy-job: toy columns only" in by
    plain = [kind.name for kind in kinds.figure_kinds() if kind.takes("by") and not kind.option_note("by")]
    assert f"by default policy ({', '.join(plain)};" in by
    assert "timeline" not in by  # it does not take --by


#: Every option, given as a caller would, and each as the kind's request must carry it.
EVERY_OPTION = {
    "metric": "latency_mean_s",
    "x": "policy",
    "by": "policy",
    "facet": "policy",
    "where": {
        "policy": "neurosurgeon"
    },  # the run's own: --where now filters a plug-in kind's rows too (HM35)
    "size": "one-column",
    "logx": True,
    "logy": False,
    "bin_s": 0.5,
    "from_s": 0.0,
    "to_s": 2.0,
    "facet_order": "local,edge",
}


@pytest.mark.parametrize("function", ["plot_results", "plot_with_tables"])
def test_both_plot_functions_hand_every_option_to_the_kind_and_refuse_a_misspelt_one(run_dir, function):
    """plot_results reached the figure through plot_with_tables, each listing every option: one given
    to plot_results alone (facet_order, once) never reached the CLI's.  One list now (PlotOptions)."""
    from matplotlib.figure import Figure

    from offloadsim.experiments import read_results
    from offloadsim.plots import results as plotting
    from offloadsim.plots.kind_registry import OPTIONS

    assert set(plotting.PlotOptions.__annotations__) == set(EVERY_OPTION)
    seen = []

    def draw(results, request):
        seen.append(request)
        return Figure(), {}

    register_kind(FigureKind("request-seen", "the request, kept", draw, options=frozenset(OPTIONS)))
    try:
        getattr(plotting, function)(read_results(run_dir), "request-seen", **EVERY_OPTION)
        with pytest.raises(TypeError, match=rf"^{function}\(\) got an unexpected keyword argument 'facets'$"):
            getattr(plotting, function)(read_results(run_dir), "request-seen", facets="policy")
    finally:
        unregister_kind("request-seen")
    assert [{name: getattr(seen[0], name) for name in EVERY_OPTION}] == [EVERY_OPTION]
    assert seen[0].kind == "request-seen" and seen[0].panel_order == ("local", "edge")
