"""A plug-in author's kinds treated as offloadsim's own (HA35's trial of the four entry-point groups).

Each test is a finding of a plug-in author's trial: a figure kind's ``--where``, its tick labels,
its faults and ``--debug``; a metric's sign on the sweep figure; a warning kind's wrong facts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import new_axes
from offloadsim.plots.kind_registry import FigureKind, register_kind, unregister_kind
from offloadsim.plots.results import plot_with_tables
from offloadsim.plots.style import FIGSIZES

matplotlib.use("Agg")


def _labels(axis) -> list[str]:
    axis.figure.canvas.draw()
    return [text.get_text() for text in axis.get_majorticklabels() if text.get_text()]


def test_text_categories_keep_their_names_on_new_axes():
    """The docs' example kind drew ``ax.bar(["completed"], ...)``: its bar was labelled "0"."""
    _, ax = new_axes("one-column")
    ax.bar(["completed", "dropped"], [12, 3])
    assert _labels(ax.xaxis) == ["completed", "dropped"]
    _, ax = new_axes("one-column")
    ax.bar([0.0, 1.0], [12_000, 3])
    assert "10,000" in _labels(ax.yaxis)  # numbers still grouped in the house style


REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "quickstart.yaml"


@pytest.fixture
def kind():
    """Register a toy kind drawing with a function of tests/toy_figure_kind.py; unregister it after."""
    names: list[str] = []

    def register(function: str, name: str = "toy-author", **given) -> str:
        sys.modules.pop("toy_figure_kind", None)
        register_kind(FigureKind(name, "a plug-in author's toy", function, **given))
        names.append(name)
        return name

    yield register
    for name in names:
        unregister_kind(name)


def test_where_is_checked_and_applied_for_a_plugin_kind(kind, compare_dir, tmp_path, capsys):
    """The toy draws a bar per policy from every row it is handed: it never reads ``request.where``."""
    kind("toy_figure_kind:draw", options={"by"})
    out = tmp_path / "f"
    plot = ["plot", str(compare_dir), "--kind", "toy-author"]
    assert main([*plot, "--where", "nosuch=1", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("offloadsim: error: --where nosuch: no such column")
    assert not list(tmp_path.iterdir())
    argv = [*plot, "--where", "policy=edge", "--size", "two-column"]
    assert main([*argv, "--out", str(out)]) == 0
    table = pd.read_csv(out.with_suffix(".csv"))
    assert table["policy"].tolist() == ["edge"]
    tasks = pd.read_parquet(compare_dir / "tasks.parquet")
    edge = tasks[(tasks["policy"].astype(str) == "edge") & (tasks["status"].astype(str) == "completed")]
    assert table["completed"].tolist() == [len(edge)] != [0]
    assert main([*argv[:4], "--where", "policy=nosuch", "--out", str(out)]) == 2
    assert "--where policy=nosuch: no rows have that value; policy is one of " in capsys.readouterr().err


def test_size_is_applied_for_a_plugin_kind_that_ignores_it(kind, compare_dir, tmp_path):
    """``--size`` applies to every kind: one drawing at its own size is set to the size asked for."""
    kind("toy_figure_kind:fixed_size")
    results = read_results(compare_dir)
    figure, _ = plot_with_tables(results, "toy-author", size="two-column")
    assert figure.get_size_inches().tolist() == list(FIGSIZES["two-column"])


def test_a_failing_kind_says_debug_shows_its_traceback_and_debug_does(kind, compare_dir, tmp_path, capsys):
    kind("toy_figure_kind:broken")
    argv = ["plot", str(compare_dir), "--kind", "toy-author", "--out", str(tmp_path / "f")]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("; run again with --debug to see its traceback")
    assert main([*argv, "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and 'toy_figure_kind.py", line' in err
    assert err.splitlines()[-1].startswith("offloadsim: error: figure kind 'toy-author' ")


def test_a_kind_naming_a_missing_module_blames_its_entry_not_importlib(kind, compare_dir, tmp_path, capsys):
    kind("toy_no_such_module_hm35:draw")
    argv = ["plot", str(compare_dir), "--kind", "toy-author", "--out", str(tmp_path / "f")]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        "offloadsim: error: figure kind 'toy-author' (toy_no_such_module_hm35:draw): its drawing function "
        "could not be imported: ModuleNotFoundError: No module named 'toy_no_such_module_hm35'"
    )
    assert "frozen" not in line


def test_a_plugin_kind_named_like_a_shipped_one_is_one_warning_line(tmp_path):
    """Read while the parser checks ``--kind``: it was a raw ``PluginWarning`` with its source line."""
    site = tmp_path / "site"
    info = site / "toy_cdf_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "toy_cdf_plugin.py").write_text(
        "from offloadsim.plots.kind_registry import FigureKind\n"
        'CDF = FigureKind("cdf", "another cdf", "toy_cdf_plugin:draw")\n'
    )
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-cdf-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[offloadsim.figure_kinds]\ncdf = toy_cdf_plugin:CDF\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.environ.get("PYTHONPATH", str(REPO)), str(site)])}
    argv = [sys.executable, "-m", "offloadsim", "plot", str(tmp_path / "none"), "--kind", "cdf"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "offloadsim: warning: figure kind plug-in 'cdf' (toy_cdf_plugin:CDF) from distribution "
        "toy-cdf-plugin 0.1 is ignored: a figure kind named 'cdf' is registered already",
        f"offloadsim: error: no results directory at {tmp_path / 'none'}",
    ]


def _slack(run) -> float:
    return -5.0


def test_a_metric_name_taken_by_another_package_names_that_package(monkeypatch):
    """A second package's ``slack_ms`` was refused as 'registered already (metric 'slack_ms''s)': whose?"""
    from offloadsim.analysis.catalogue import Metric
    from offloadsim.analysis.metric_registry import SummaryMetric, register, unregister

    def other(run) -> float:
        return 1.0

    other.__module__ = "second_package.metrics"
    first = SummaryMetric("slack_ms", "slack", {"slack_ms": Metric("slack", "ms")}, compute=_slack)
    register(first)
    try:
        second = SummaryMetric("slack_ms", "slack", {"slack_ms": Metric("slack", "ms")}, compute=other)
        with pytest.raises(ValueError) as refused:
            register(second)
    finally:
        unregister("slack_ms")
    assert str(refused.value).startswith(
        "metric 'slack_ms' (second_package.metrics): its name 'slack_ms' is registered already "
        f"(by metric 'slack_ms' of {__name__}); "
    )


@pytest.fixture
def slack_metric():
    """A plug-in author's metric that can be negative (deadline minus latency), registered."""
    from offloadsim.analysis.catalogue import Metric
    from offloadsim.analysis.metric_registry import SummaryMetric, register, unregister

    def register_slack(**display) -> None:
        columns = {"latency_slack_s": Metric("latency slack", "ms", 1e3, **display)}
        register(SummaryMetric("latency_slack_s", "deadline minus latency", columns, compute=_slack))

    yield register_slack
    unregister("latency_slack_s")


def _slack_sweep(values: list[float]) -> pd.DataFrame:
    """A sweep's metrics: one run per replication at each of two bandwidths, one policy."""
    return pd.DataFrame(
        {
            "bandwidth": [5.0, 5.0, 10.0, 10.0][: len(values)],
            "replication": [0, 1, 0, 1][: len(values)],
            "policy": "edge",
            "latency_slack_s": values,
        }
    )


def test_a_negative_mean_of_a_plugin_metric_is_on_the_sweep_figure(slack_metric):
    """One replication each (no interval): the axis started at 0 and −5,503 ms lay below it, unsaid."""
    from offloadsim.plots.sweep_lines import metric_vs_parameter

    slack_metric()
    metrics = _slack_sweep([-5.503, -4.0, -4.5, -3.5]).iloc[[0, 2]]
    metrics.loc[:, "latency_slack_s"] = [-5.503, 2.0]
    ax = metric_vs_parameter(metrics, "latency_slack_s", "bandwidth", by=None)
    low, high = ax.get_ylim()
    assert low < -5503 < 2000 < high


def test_a_metric_that_can_be_negative_keeps_its_interval_below_zero(slack_metric):
    """Declared ``nonnegative=False``: a t-interval reaching below 0 is drawn there, not cut at 0."""
    from offloadsim.plots.sweep_lines import metric_vs_parameter

    slack_metric(nonnegative=False)
    ax = metric_vs_parameter(_slack_sweep([0.5, -0.3, 0.4, 0.6]), "latency_slack_s", "bandwidth", by=None)
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() < -1000  # the first point's interval: 100 ms ± 5 s
    assert ax.get_ylim()[0] < band.min()


def test_the_completed_tasks_note_follows_the_registration_not_the_name(slack_metric):
    from offloadsim.analysis.catalogue import of_completed_tasks

    slack_metric()
    assert not of_completed_tasks("latency_slack_s")  # registered of every task
    assert of_completed_tasks("latency_p95_s") and of_completed_tasks("ttft_mean_s")
