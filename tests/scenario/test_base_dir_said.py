"""``load_scenario_data(mapping)`` without ``base_dir=`` says, as it loads, a relative file it cannot find.

A link trace (``dynamics[i].file``) is read by the world: the scenario loaded fine and the run
failed; and a sample file or ONNX model not found named no ``base_dir=``, the argument that fixes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from offloadsim.scenario import ScenarioError, load_scenario_data, read_document

ROOT = Path(__file__).resolve().parents[2]
UPLINK = ROOT / "scenarios" / "unstable-uplink.yaml"


def test_a_link_trace_not_found_is_said_at_load_naming_base_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    document = read_document(UPLINK)
    with pytest.raises(ScenarioError) as error:
        load_scenario_data(document)
    (problem,) = error.value.problems
    assert problem.key_path == "dynamics[0].file"
    assert problem.message.startswith("traces/lte-uplink.csv: no such file")
    assert "pass base_dir=" in problem.message
    scenario = load_scenario_data(document, base_dir=UPLINK.parent)  # the fix it names
    assert scenario.dynamics[0]["file"] == "traces/lte-uplink.csv"


def test_a_sample_file_not_found_names_base_dir_only_where_it_was_not_given(tmp_path, tiny_scenario_text):
    import yaml

    document = yaml.safe_load(tiny_scenario_text)
    document["applications"]["job"]["input"] = {"empirical": "no-such-samples.csv"}
    with pytest.raises(ScenarioError, match=r"no such file .*pass base_dir="):
        load_scenario_data(document)
    with pytest.raises(ScenarioError) as error:
        load_scenario_data(document, base_dir=tmp_path)
    assert "base_dir" not in str(error.value)
