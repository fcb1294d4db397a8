"""A results directory's manifest.json format is checked on read-back: a newer version's, an unknown one,
and a manifest's ``replications`` below 1 are each refused in one line naming the file, exit 2 from plot.

``read_results`` read ``offloadsim-sweep/9`` as a sweep of this version, any other format (``foo``, or
none) as a run, and ``replications: -1`` as it came; ``read_run`` read a newer run's directory as its own.
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
KNOWN = "offloadsim-run/1, offloadsim-compare/1, offloadsim-sweep/1"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("written")
    run, compare = base / "run", base / "compare"
    assert main(["run", str(SCENARIO), *SHORT, "--out", str(run)]) == 0
    assert main(["compare", str(SCENARIO), "--policies", "local,edge", "--replications", "2", *SHORT,
                 "--out", str(compare)]) == 0  # fmt: skip
    return {"run": run, "compare": compare}


def _edited(source: Path, tmp_path: Path, **changes: object) -> Path:
    copy = tmp_path / "edited"
    shutil.copytree(source, copy)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(changes)
    (copy / "manifest.json").write_text(json.dumps({k: v for k, v in manifest.items() if v is not None}))
    return copy


def _plot_error(directory: Path, tmp_path: Path, capsys) -> str:
    assert main(["plot", str(directory), "--out", str(tmp_path / "figure")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert not list(tmp_path.glob("figure*"))
    return line


@pytest.mark.parametrize(("source", "form"), [("compare", "offloadsim-sweep/9"), ("run", "offloadsim-run/2"),
                                               ("compare", "offloadsim-compare/10")])  # fmt: skip
def test_a_newer_version_is_refused_naming_the_newest_read(source, form, written, tmp_path, capsys):
    edited = _edited(written[source], tmp_path, format=form)
    kind = form.split("/")[0]
    said = (
        f'{edited / "manifest.json"}: format "{form}" was written by a newer offloadsim '
        f"(this one reads {kind}/1 at newest): upgrade offloadsim to read it"
    )
    assert _plot_error(edited, tmp_path, capsys) == f"offloadsim: error: {said}"
    with pytest.raises(ExperimentError) as caught:
        read_results(edited)
    assert str(caught.value) == said


@pytest.mark.parametrize("form", ["foo", "offloadsim-report/1", "offloadsim-run", "offloadsim-run/0", None])
def test_an_unknown_format_is_refused_naming_those_known(form, written, tmp_path, capsys):
    edited = _edited(written["run"], tmp_path, format=form)
    if form is None:
        (edited / "manifest.json").write_text(json.dumps({"seed": 1}), encoding="utf-8")
    said = (
        f"format: missing (expected one of {KNOWN})"
        if form is None
        else f'format "{form}": not a results format this offloadsim knows (expected one of {KNOWN})'
    )
    line = _plot_error(edited, tmp_path, capsys)
    assert line == f"offloadsim: error: {edited / 'manifest.json'}: {said}"
    with pytest.raises(ResultsError, match=r"not a results format|format: missing"):
        read_run(edited)


def test_read_run_refuses_a_newer_run(written, tmp_path):
    edited = _edited(written["run"], tmp_path, format="offloadsim-run/3")
    with pytest.raises(ResultsError, match=r'format "offloadsim-run/3" was written by a newer offloadsim'):
        read_run(edited)


@pytest.mark.parametrize(("value", "got"), [(-1, "-1"), (0, "0"), (1.5, "1.5"), (True, "true")])
def test_replications_below_one_or_not_whole_are_refused(value, got, written, tmp_path, capsys):
    edited = _edited(written["compare"], tmp_path, replications=value)
    line = _plot_error(edited, tmp_path, capsys)
    assert line == (
        f"offloadsim: error: {edited / 'manifest.json'}: replications: expected a whole number >= 1, "
        f"got {got} (not as offloadsim writes it; rerun the command that made it)"
    )


def test_the_formats_this_version_writes_read_back(written):
    assert read_results(written["run"]).kind == "run"
    assert read_run(written["run"]).manifest["format"] == "offloadsim-run/1"
    compare = read_results(written["compare"])
    assert (compare.kind, compare.manifest["format"], compare.manifest["replications"]) == (
        "compare",
        "offloadsim-compare/1",
        2,
    )
