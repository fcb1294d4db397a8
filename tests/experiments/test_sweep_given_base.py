"""From Python, a sweep's base may be a scenario mapping or a loaded Scenario, not only a file's path.

Before: ``sweep_from_data({"base": read_document(...)})`` was refused ("expected the path of a
scenario file"), so a scenario built in a notebook had to be written to a file to be swept.  The
jobs' keys are of each point's document, so a sweep of the same content, whichever way its base
came, plans the same jobs (and reuses another's finished ones).  A sweep file's ``base`` still
names a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from experiment_data import SWEEP, TINY

from offloadsim import api
from offloadsim.experiments import sweep
from offloadsim.experiments.sweep_spec import load_sweep, plan_sweep, sweep_from_data
from offloadsim.scenario import ScenarioError, read_document
from offloadsim.strict_yaml import read_yaml

_AXES = {
    "grid": {"links[0].bandwidth": ["5 Mbps", "50 Mbps"]},
    "policies": ["local", "edge"],
    "replications": 2,
}


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "tiny.yaml").write_text(TINY.replace("duration: 20 s", "duration: 4 s"), encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text("name: given\n" + SWEEP, encoding="utf-8")
    assert read_yaml(SWEEP) == {"base": "tiny.yaml", **_AXES}
    return tmp_path


def _keys(spec) -> list[str]:
    return [job.key for job in plan_sweep(spec)]


@pytest.mark.parametrize("given", ["mapping", "scenario"])
def test_a_base_given_in_python_plans_the_file_sweeps_jobs(files: Path, given: str) -> None:
    base = read_document(files / "tiny.yaml") if given == "mapping" else api.load(files / "tiny.yaml")
    spec = sweep_from_data({"name": "given", "base": base, **_AXES})
    assert _keys(spec) == _keys(load_sweep(files / "sweep.yaml"))


def test_a_sweep_of_a_mapping_reuses_the_file_sweeps_jobs_and_writes_its_base(files: Path) -> None:
    first = sweep(files / "sweep.yaml", out=files / "out", workers=1)
    spec = sweep_from_data({"name": "given", "base": read_document(files / "tiny.yaml"), **_AXES})
    again = sweep(spec, out=files / "out", workers=1)
    assert (again.ran, again.reused) == (0, first.ran)
    assert again.manifest["base_file"] == first.manifest["base_file"]  # the first run's, kept
    assert again.manifest["resumed"][-1]["base_file"] == "<base>"
    assert again.manifest["base_hash"] == first.manifest["base_hash"]
    assert again.manifest["sweep_hash"] == first.manifest["sweep_hash"]
    copy = read_document(files / "out" / "scenario.yaml")
    assert copy == read_document(files / "tiny.yaml")


def test_a_sweep_files_base_still_names_a_file(files: Path) -> None:
    (files / "inline.yaml").write_text("base: {name: x}\ngrid: {duration: [1 s, 2 s]}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"base: expected the path of a scenario file, got a mapping"):
        load_sweep(files / "inline.yaml")


def test_a_base_given_as_yaml_text_names_the_loader_that_takes_it(files: Path) -> None:
    """A notebook's YAML string as the base was "no scenario file DIR/ name: x duration: ...",
    its lines run together as a file name."""
    text = (files / "tiny.yaml").read_text(encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^<sweep>: base: got YAML text, not a file path: ") as caught:
        sweep_from_data({"base": text, **_AXES})
    assert "offloadsim.scenario.load_scenario_text(text)" in str(caught.value)
    from offloadsim.scenario import load_scenario_text

    spec = sweep_from_data({"name": "given", "base": load_scenario_text(text, base_dir=files), **_AXES})
    assert _keys(spec) == _keys(load_sweep(files / "sweep.yaml"))


@pytest.mark.parametrize("given", ["file", "mapping", "scenario"])
def test_a_python_sweep_without_a_name_is_named_after_its_base_not_results_sweep(
    files: Path, given: str
) -> None:
    """``sweep_from_data`` without ``name`` was named ``<sweep>``, so ``sweep(spec)`` wrote into a
    folder ``results/<sweep>``: the base's name names it, as a run's and a comparison's folders are."""
    from offloadsim.experiments.sweep_spec import default_sweep_dir

    base: object = {
        "file": "tiny.yaml",
        "mapping": read_document(files / "tiny.yaml"),
        "scenario": api.load(files / "tiny.yaml"),
    }[given]
    spec = sweep_from_data({"base": base, **_AXES}, base_dir=files)
    name = api.load(files / "tiny.yaml").name if given != "file" else "tiny"
    assert spec.name == f"{name}-sweep" and default_sweep_dir(spec) == Path("results", f"{name}-sweep")
    assert sweep_from_data({"base": base, **_AXES}, source="mine.yaml", base_dir=files).name == "mine"
