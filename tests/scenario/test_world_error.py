"""A world's error carries its key path and message as data, and a ``--set`` behind it is named."""

from __future__ import annotations

import pickle

import pytest
import yaml
from scenario_testkit import small_document

from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.world import WorldError, build_world


def test_a_world_error_has_its_key_path_and_message_as_fields(tmp_path):
    document = small_document()
    document["nodes"]["edge"]["processor"]["profile"] = "nope"
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(WorldError) as caught:
        build_world(load_scenario(path))
    error = caught.value
    assert error.key_path == "nodes.edge.processor.profile"
    assert error.message.startswith('unknown profile "nope"')
    assert str(error) == f"{error.key_path}: {error.message}"
    copy = pickle.loads(pickle.dumps(error))  # survives a process pool with its fields
    assert (type(copy), copy.key_path, copy.message) == (WorldError, error.key_path, error.message)


def test_a_dynamics_error_keeps_its_key_path_in_the_world_error(tmp_path):
    document = small_document()
    steps = [{"at": "1 s", "bogus": 1}]
    document["dynamics"] = [{"kind": "link-schedule", "link": "ap--edge", "steps": steps}]
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(WorldError) as caught:
        build_world(load_scenario(path))
    assert caught.value.key_path.startswith("dynamics[0]"), caught.value.key_path


@pytest.mark.parametrize("verb", ["validate", "run"])
def test_a_dynamics_entry_a_set_gave_is_blamed_on_the_set(verb, tmp_path, capsys):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_document()), encoding="utf-8")
    assignment = "dynamics=[{kind: link-shedule}]"
    out = tmp_path / "out"
    argv = [verb, str(path), "--set", assignment] + (["--out", str(out)] if verb == "run" else [])
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f'offloadsim: error: {path}: dynamics[0].kind: unknown kind "link-shedule"'), line
    assert line.endswith(f' (set by --set "{assignment}")'), line
    assert not out.exists()


def test_a_model_its_params_cannot_build_is_refused_at_the_parameter(tmp_path):
    """AlexNet at 32 px has no room for its third pooling window: the refusal names image_size."""
    document = small_document()
    document["applications"]["job"] = {"model": "alexnet", "params": {"image_size": 32}}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(WorldError) as caught:
        build_world(load_scenario(path))
    assert caught.value.key_path == "applications.job.params.image_size"
    assert caught.value.message.startswith('model "alexnet" cannot be built with image_size 32: window 3')
