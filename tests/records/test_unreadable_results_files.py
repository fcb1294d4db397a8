"""A results file that does not parse (emptied, cut in half) is named in the one line that refuses it.

``plot`` on a run whose ``tasks.parquet`` was cut in half said ``cannot read results in DIR: Parquet
magic bytes not found in footer...``, and an emptied ``summary.json`` ``cannot read results in DIR:
Expecting value: line 1 column 1 (char 0)``: which of the directory's seven files was not said.
"""

import shutil
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.experiments import ExperimentError, read_results
from offloadsim.records.results import ResultsError, read_run

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "quickstart.yaml"
SHORT = ["--set", "duration=1 s", "--set", "warmup=0 s", "-q"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "run"
    assert main(["run", str(SCENARIO), *SHORT, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "compare"
    argv = ["compare", str(SCENARIO), "--policies", "local,edge", "--workers", "1", *SHORT, "--out", str(out)]
    assert main(argv) == 0
    return out


def _cut(file: Path, how: str) -> None:
    data = file.read_bytes()
    file.write_bytes(b"" if how == "emptied" else data[: len(data) // 2])


@pytest.mark.parametrize("how", ["emptied", "cut in half"])
@pytest.mark.parametrize("name", ["tasks.parquet", "nodes.parquet", "processors.parquet", "summary.json"])
def test_a_run_file_that_does_not_parse_is_named(name, how, run_dir, tmp_path, capsys):
    damaged = tmp_path / "run"
    shutil.copytree(run_dir, damaged)
    _cut(damaged / name, how)
    what = "JSON" if name.endswith(".json") else "Parquet"
    said = f"{damaged / name}: cannot be read as {what} ("
    assert main(["plot", str(damaged), "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: {said}")
    assert line.endswith("cut short or edited? rerun the command that made it")
    assert not list(tmp_path.glob("figure*"))
    with pytest.raises((ResultsError, ExperimentError)) as raised:
        read_run(damaged)
    assert str(raised.value).startswith(said)


@pytest.mark.parametrize("name", ["metrics.parquet", "tasks.parquet"])
def test_a_compare_table_that_does_not_parse_is_named(name, compare_dir, tmp_path):
    damaged = tmp_path / "compare"
    shutil.copytree(compare_dir, damaged)
    _cut(damaged / name, "cut in half")
    with pytest.raises(ExperimentError, match=r"^" + str(damaged / name).replace("\\", "\\\\")):
        read_results(damaged)
