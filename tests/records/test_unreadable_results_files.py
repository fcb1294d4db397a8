"""A results file that does not parse (emptied, cut in half) is named in the one line that refuses it.

``plot`` on a run whose ``tasks.parquet`` was cut in half said ``cannot read results in DIR: Parquet
magic bytes not found in footer...``, and an emptied ``summary.json`` ``cannot read results in DIR:
Expecting value: line 1 column 1 (char 0)``: which of the directory's seven files was not said.
"""

import json
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


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        ("utf-16", "not UTF-8 text: it is UTF-16 (it begins with its byte-order mark)"),
        ("latin-1", "not UTF-8 text (byte {at})"),
        ("a list", "is a list"),
    ],
)
def test_a_summary_json_that_is_no_json_object_is_named_with_what_was_expected(
    spoil, problem, run_dir, tmp_path, capsys
):
    """A UTF-16 summary.json (a Windows editor's "Unicode") said "cannot read results in DIR: 'utf-8'
    codec can't decode byte 0xff in position 0": no file, nothing expected.  Every reader of a run
    (``plot``, ``read_run``, ``read_results``) names the file and what it should hold, in one line."""
    damaged = tmp_path / "run"
    shutil.copytree(run_dir, damaged)
    summary = damaged / "summary.json"
    text = summary.read_text(encoding="utf-8")
    if spoil == "a list":
        summary.write_text(f"[{text}]", encoding="utf-8")
    else:
        summary.write_bytes(text.replace('"', '"é', 1).encode(spoil))  # é: 0xe9 in Latin-1
    at = text.index('"') + 1  # the first byte past ASCII
    said = (
        f"{summary}: {problem.format(at=at)}, expected the run's summary (a JSON object, in UTF-8); "
        "rerun the command that made it"
    )
    assert main(["plot", str(damaged), "--out", str(tmp_path / "figure")]) == 2
    assert capsys.readouterr().err.splitlines() == [f"offloadsim: error: {said}"]
    assert not list(tmp_path.glob("figure*"))
    for read in (read_run, read_results):
        with pytest.raises((ResultsError, ExperimentError)) as raised:
            read(damaged)
        assert str(raised.value) == said


@pytest.mark.parametrize("name", ["metrics.parquet", "tasks.parquet"])
def test_a_compare_table_that_does_not_parse_is_named(name, compare_dir, tmp_path):
    damaged = tmp_path / "compare"
    shutil.copytree(compare_dir, damaged)
    _cut(damaged / name, "cut in half")
    with pytest.raises(ExperimentError, match=r"^" + str(damaged / name).replace("\\", "\\\\")):
        read_results(damaged)


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "sw.yaml").write_text(
        f"base: {SCENARIO}\nset: {{duration: 1 s, warmup: 0 s}}\n"
        "grid:\n  links[0].bandwidth: [5 Mbps, 20 Mbps]\n",
        encoding="utf-8",
    )
    out = folder / "out"
    assert main(["sweep", str(folder / "sw.yaml"), "--workers", "1", "--out", str(out), "-q"]) == 0
    return out


def _with_swept(sweep_dir: Path, tmp_path: Path, swept: list[str]) -> Path:
    edited = tmp_path / "sweep"
    shutil.copytree(sweep_dir, edited)
    manifest = json.loads((edited / "manifest.json").read_text(encoding="utf-8"))
    (edited / "manifest.json").write_text(json.dumps({**manifest, "swept": swept}), encoding="utf-8")
    return edited


def test_a_swept_key_that_is_no_column_is_named(sweep_dir, tmp_path, capsys):
    """It was a KeyError inside the figure (exit 1)."""
    edited = _with_swept(sweep_dir, tmp_path, ["links[0].bandwidth", "nosuch"])
    assert main(["plot", str(edited), "--kind", "sweep", "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        f'offloadsim: error: {edited / "manifest.json"}: swept[1]: "nosuch" is no column of metrics.parquet'
    )
    assert not list(tmp_path.glob("figure*"))


def test_a_sweep_that_varies_no_key_is_not_said_to_be_no_sweep(sweep_dir, tmp_path, capsys):
    """It said "DIR is a sweep directory; this figure needs a sweep"."""
    edited = _with_swept(sweep_dir, tmp_path, [])
    assert main(["plot", str(edited), "--kind", "sweep", "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert (
        line
        == f"offloadsim: error: {edited} is a sweep directory that varies no key; this figure needs a sweep"
    )


@pytest.mark.parametrize("how", ["emptied", "cut in half"])
def test_a_runs_stages_file_that_does_not_parse_is_named_by_read_run(how, tmp_path):
    """``read_run`` read ``stages.parquet`` outside the guard of the other tables: pyarrow's ArrowInvalid
    came out of the Python API as it was (``plot``'s reader, ``read_results``, named the file)."""
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), *SHORT, "--stages", "--out", str(out)]) == 0
    _cut(out / "stages.parquet", how)
    with pytest.raises(ResultsError) as raised:
        read_run(out)
    assert str(raised.value).startswith(f"{out / 'stages.parquet'}: cannot be read as Parquet (")


# read_run raised ResultsError and read_results ExperimentError (a ValueError, no ResultsError) for the
# same directory: a Python user caught two types.  read_results's is a ResultsError too now.


def _missing(directory: Path) -> Path:
    return directory / "nowhere"


def _file(directory: Path) -> Path:
    (directory / "afile").write_text("x", encoding="utf-8")
    return directory / "afile"


def _cut_tasks(directory: Path) -> Path:
    (directory / "tasks.parquet").write_bytes(b"")
    return directory


def _no_manifest(directory: Path) -> Path:
    (directory / "manifest.json").unlink()
    return directory


@pytest.mark.parametrize("damage", [_missing, _file, _cut_tasks, _no_manifest])
def test_both_readers_raise_results_error_said_once(damage, run_dir, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    broken = damage(copy)
    for read in (read_run, read_results):
        with pytest.raises(ResultsError) as raised:
            read(broken)
        message = str(raised.value)
        assert "\n" not in message
        assert message.count("cannot read") <= 1, message  # not wrapped a second time
    with pytest.raises(ExperimentError):  # read_results's type as before, a ValueError
        read_results(broken)


def test_results_error_is_no_value_error():
    """It also says "directory locked", "not writable": ``except (OSError, ValueError)`` must not wrap it."""
    assert not issubclass(ResultsError, ValueError)
