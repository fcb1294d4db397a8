"""plot refuses more series than it tells apart, in one line, before drawing any.

``plot RUN --kind cdf --by task_id`` drew one curve per task: 40,000 curves of one run of the
quickstart, for minutes on end (a hang, to its user), in 64 styles repeated (two series were
indistinguishable from 65 on). Now it is one line naming the option and the count, exit 2.
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
