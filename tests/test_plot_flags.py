"""plot's options that asked for what it could not draw, or drew something else without a word.

``plot RUN --kind cdf --by task_id`` drew one curve per task: 40,000 curves of one run of the
quickstart, for minutes on end (a hang, to its user), in 64 styles repeated (two series were
indistinguishable from 65 on). Now it is one line naming the option and the count, exit 2.
``--metric`` was read by ``bars`` and ``sweep`` only: ``--kind cdf --metric latency_p95_s`` drew the
latency CDF, and ``--kind energy --metric nosuch`` its figure, exit 0.
"""

from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.plots.style import MAX_SERIES

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "quickstart.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "run"
    argv = ["run", str(SCENARIO), "--set", "duration=5 s", "--set", "warmup=0 s", "--out", str(out), "-q"]
    assert main(argv) == 0
    return out


def test_more_series_than_styles_are_refused_naming_the_option_and_the_count(run_dir, tmp_path, capsys):
    import pandas as pd

    tasks = pd.read_parquet(run_dir / "tasks.parquet")
    assert len(tasks) > MAX_SERIES  # the run has more tasks than a figure has styles
    out = tmp_path / "figure"
    assert main(["plot", str(run_dir), "--kind", "cdf", "--by", "task_id", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"offloadsim: error: --by task_id: {len(tasks):,} values make too many series (at most "
        f"{MAX_SERIES}, each its own colour and marker); use --where, or --facet"
    )
    assert not list(tmp_path.iterdir())


def test_as_many_series_as_styles_still_draw(run_dir, tmp_path, capsys):
    out = tmp_path / "figure"
    assert main(["plot", str(run_dir), "--kind", "cdf", "--by", "source", "--out", str(out)]) == 0
    assert (tmp_path / "figure.pdf").is_file() and (tmp_path / "figure.png").is_file()


@pytest.mark.parametrize("kind", ["split", "energy", "utilisation", "utilisation-time", "timeline"])
def test_a_metric_for_a_kind_that_draws_none_is_refused(run_dir, tmp_path, capsys, kind):
    out = tmp_path / "figure"
    argv = ["plot", str(run_dir), "--kind", kind, "--metric", "latency_p95_s", "--out", str(out)]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    kinds = "cdf, bars, sweep, latency-time"
    assert line == f"offloadsim: error: --metric does not apply to --kind {kind}; it does to {kinds}"
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["bars", "sweep"])
def test_a_metric_for_bars_or_a_sweep_is_still_read(run_dir, tmp_path, capsys, kind):
    """bars draws it from a run; sweep takes it too, and says first that a run is no sweep."""
    argv = ["plot", str(run_dir), "--kind", kind, "--metric", "nosuch", "--out", str(tmp_path / "f")]
    assert main(argv) == 2
    said = capsys.readouterr().err
    assert "does not apply" not in said
    if kind == "bars":
        assert "--metric nosuch: unknown metric" in said
    else:
        assert said == f"offloadsim: error: --kind sweep draws a sweep, and {run_dir} is a run\n"


def test_a_cdf_reads_metric_as_a_task_column_and_refuses_a_job_metric(run_dir, tmp_path, capsys):
    """--kind cdf --metric latency_p95_s drew the latency CDF without a word; a CDF now draws a task
    column's distribution (--metric wait), and a job metric, which has none, is refused."""
    argv = ["plot", str(run_dir), "--kind", "cdf", "--metric", "latency_p95_s", "--out", str(tmp_path / "f")]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("offloadsim: error: --metric latency_p95_s: no such task column")
    assert not list(tmp_path.iterdir())
    argv = ["plot", str(run_dir), "--kind", "cdf", "--metric", "wait", "--out", str(tmp_path / "f")]
    assert main(argv) == 0
    assert (tmp_path / "f.png").is_file()
