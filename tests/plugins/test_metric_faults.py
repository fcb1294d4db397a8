"""A registered metric whose ``compute`` raises or returns no number is named in the one line that says so.

Before, both were ``offloadsim: internal error: KeyError: 'final_nod'`` (exit 1), naming neither the
metric nor its code: a plug-in's metric (here, this test's) is now the plug-in's fault (exit 2, the
metric, its function, the exception and its line); a shipped metric's is still offloadsim's bug
(exit 1), its line naming the metric and its module.
"""

from __future__ import annotations

import pytest

from offloadsim.analysis import fairness
from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric, register, unregister
from offloadsim.cli import main


def _boom(run):
    raise KeyError("final_nod")


@pytest.fixture
def toy():
    """Register a toy metric computed by ``compute`` for one test."""
    names = []

    def add(name, compute):
        register(
            SummaryMetric(name=name, description="a toy", columns={name: Metric("toy", "")}, compute=compute)
        )
        names.append(name)

    yield add
    for name in names:
        unregister(name)


def _error(capsys) -> str:
    """The one line of the error (an error or an internal error), without the --debug hint."""
    (line,) = [
        x
        for x in capsys.readouterr().err.splitlines()
        if x.startswith(("offloadsim: error", "offloadsim: int"))
    ]
    return line.removesuffix("; run again with --debug to see its traceback")


@pytest.mark.parametrize(
    ("compute", "said"),
    [
        (
            _boom,
            f'run metric "toy_boom" ({__name__}._boom) raised KeyError in compute() while the run was '
            "summarised: 'final_nod' (test_metric_faults.py, line 20, in _boom)",
        ),
        (
            lambda run: "abc",
            f'run metric "toy_boom" ({__name__}.<lambda>) returned str "abc" from compute(); expected a '
            "number (NaN where it has none)",
        ),
    ],
)
def test_a_plugin_metric_that_fails_is_said_as_the_plugins_exit_2(
    toy, tiny_scenario, tmp_path, capsys, compute, said
):
    toy("toy_boom", compute)
    out = tmp_path / "run"
    assert main(["run", str(tiny_scenario), "--out", str(out)]) == 2
    assert _error(capsys) == f"offloadsim: error: {said}"
    assert not out.exists()  # nothing half-written


def test_a_plugin_metric_that_fails_in_compare_is_the_runs_line(toy, tiny_scenario, tmp_path, capsys):
    toy("toy_boom", _boom)
    out = tmp_path / "c"
    argv = [
        "compare",
        str(tiny_scenario),
        "--policies",
        "local,edge",
        "-n",
        "1",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    assert main(argv) == 2  # one worker: the runs are in this process, which registered the metric
    assert _error(capsys).startswith('offloadsim: error: run metric "toy_boom"')
    assert not out.exists()


def test_a_shipped_metric_that_fails_is_offloadsims_bug_naming_it(
    monkeypatch, tiny_scenario, tmp_path, capsys
):
    monkeypatch.setattr(fairness, "source_latency_fairness", _boom)
    assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "run")]) == 1
    line = _error(capsys)
    assert line.startswith(
        'offloadsim: internal error: MetricBug: run metric "latency_fairness" '
        "(offloadsim.analysis.fairness._of_run) raised KeyError in compute()"
    ), line


@pytest.mark.parametrize(
    ("part", "verb"),
    [("row", ["compare", "--policies", "local,edge", "-n", "1", "--workers", "1"]), ("table_row", ["run"])],
)
def test_a_plugin_metrics_row_or_table_row_that_raises_is_named(tiny_scenario, tmp_path, capsys, part, verb):
    """Before: ``internal error: KeyError: 'final_nod'`` (exit 1), from compare's rows or the run's table."""
    toy = SummaryMetric(
        name="toy_rows",
        description="a toy",
        columns={"toy_rows": Metric("toy", "")},
        compute=lambda run: 1.0,
        **{part: _boom},
    )
    register(toy)
    out = tmp_path / "out"
    try:
        assert main([verb[0], str(tiny_scenario), *verb[1:], "--out", str(out)]) == 2
    finally:
        unregister(toy.name)
    line = _error(capsys)
    said = f'offloadsim: error: run metric "toy_rows" ({__name__}._boom) raised KeyError in {part}()'
    assert line.startswith(said), line
    assert not out.exists()
