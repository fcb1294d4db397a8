"""load_sweep from Python given what is no path: one line naming it, not the file reader's TypeError."""

import shutil
from pathlib import Path

import pytest

from offloadsim.experiments import load_sweep

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("path", [3, None])
def test_load_sweep_given_no_path_says_so(path):
    """load_sweep(3) ended in a TypeError from the file reader."""
    from offloadsim.scenario.errors import ScenarioError

    with pytest.raises(
        ScenarioError, match=rf"<sweep>: expected a sweep file's path, got {type(path).__name__}"
    ):
        load_sweep(path)


def test_sweep_given_yaml_text_says_so(tmp_path):
    """sweep(text) read the text as a file name: "base: s.yaml\\ngrid: ...: no such file"."""
    import yaml

    from offloadsim.experiments import sweep, sweep_from_data
    from offloadsim.scenario.errors import ScenarioError

    text = "base: s.yaml\ngrid:\n  duration: [1 s, 2 s]\n"
    with pytest.raises(ScenarioError) as caught:
        sweep(text, out=tmp_path / "out", workers=1)
    assert str(caught.value) == (
        "<sweep>: got YAML text, not a sweep file's path: offloadsim.experiments.sweep_from_data"
        "(yaml.safe_load(text)) makes a SweepSpec of it, which sweep takes"
    )
    assert not (tmp_path / "out").exists()
    # the way it names works: the text's mapping makes the spec
    shutil.copy(SCENARIOS / "quickstart.yaml", tmp_path / "s.yaml")
    assert sweep_from_data(yaml.safe_load(text), base_dir=tmp_path).points == 2
