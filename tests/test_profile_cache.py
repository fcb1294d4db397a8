"""A calibrated profile file is read once per process while it is unchanged; edits and errors are not hidden.

A sweep builds one world per grid point, and each re-read and re-parsed the same profile: 116 s of a
127 s, 2,000-point ``sweep --dry-run``. The profile is frozen, so the worlds can share it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from offloadsim.models import get_model
from offloadsim.scenario import load_scenario
from offloadsim.world import build_world
from offloadsim.world.profiles import SHIPPED_PROFILE_DIR, calibrated
from offloadsim.world.profiles.calibrated import ProfileError, load_profile

XEON = SHIPPED_PROFILE_DIR / "xeon-ort-1t.json"
QUICKSTART = Path(__file__).resolve().parent.parent / "scenarios" / "quickstart.yaml"


def settled(path: Path, age_s: float = 60.0) -> Path:
    """``path`` with its modification time ``age_s`` ago: as a file not edited during the run is."""
    then = time.time_ns() - int(age_s * 1e9)
    os.utime(path, ns=(then, then))
    return path


def edited(path: Path, document: dict, age_s: float) -> Path:
    """``path`` rewritten with ``document`` and dated ``age_s`` ago."""
    path.write_text(json.dumps(document), encoding="utf-8")
    return settled(path, age_s)


@pytest.fixture
def xeon(tmp_path: Path) -> Path:
    """A copy of the shipped Xeon profile, last changed a minute ago."""
    return settled(Path(shutil.copy(XEON, tmp_path / "xeon.json")))


def test_an_unchanged_file_is_read_once_and_gives_what_a_fresh_read_gives(xeon):
    first = load_profile(xeon)
    assert load_profile(str(xeon)) is first  # before: a new parse each time
    fresh = calibrated._read_profile(xeon)
    assert fresh is not first and fresh.to_dict() == first.to_dict() and fresh.path == first.path
    graph = get_model("resnet50")
    assert np.array_equal(first.layer_seconds(graph), fresh.layer_seconds(graph))


def test_a_shared_profile_cannot_be_changed_in_place(xeon):
    profile = load_profile(xeon)
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.layout_s_per_byte = 0.0  # type: ignore[misc]
    assert load_profile(xeon).layout_s_per_byte > 0


def test_the_worlds_of_two_points_share_one_profile():
    """What a sweep does at every grid point: build a world from the same scenario."""
    scenario = load_scenario(QUICKSTART)
    first = build_world(scenario).processors["edge"].costs
    assert first.kind == "calibrated"
    other = build_world(load_scenario(QUICKSTART, ["links[0].bandwidth=5 Mbps"]))
    assert other.processors["edge"].costs is first


def test_an_edited_file_is_read_again(xeon):
    document = json.loads(xeon.read_text(encoding="utf-8"))
    assert load_profile(xeon).description == document["description"]
    for age_s, description in [(50.0, "edited"), (40.0, "edixed"), (0.0, "edixes")]:  # the last: just now
        edited(xeon, {**document, "description": description}, age_s)
        assert load_profile(xeon).description == description
        assert load_profile(xeon).description == description  # and kept, once settled, or read again


def test_a_failing_file_is_refused_each_time_and_read_once_fixed(xeon):
    good = json.loads(xeon.read_text(encoding="utf-8"))
    edited(xeon, {**good, "effective_flops": -1}, 50.0)
    messages = set()
    for _ in range(2):
        with pytest.raises(ProfileError) as error:
            load_profile(xeon)
        messages.add(str(error.value))
    (message,) = messages
    assert "effective_flops: expected a rate in FLOP/s, a finite positive number, got -1" in message
    edited(xeon, good, 40.0)
    assert load_profile(xeon).effective_flops == good["effective_flops"]


def test_each_spelling_of_a_path_is_the_profile_path_it_gave(xeon, monkeypatch):
    monkeypatch.chdir(xeon.parent)
    assert load_profile(xeon).path == str(xeon)
    assert load_profile("xeon.json").path == "xeon.json"
    assert load_profile(Path("xeon.json")) is load_profile("xeon.json")


def test_a_relative_path_in_another_folder_is_another_file(tmp_path, monkeypatch):
    document = json.loads(XEON.read_text(encoding="utf-8"))
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        edited(tmp_path / folder / "p.json", {**document, "description": folder}, 60.0)
    for folder in ("a", "b", "a"):
        monkeypatch.chdir(tmp_path / folder)
        assert load_profile("p.json").description == folder


def test_the_cache_is_bounded(tmp_path):
    document = json.loads(XEON.read_text(encoding="utf-8"))
    for i in range(calibrated._LOADED_MAX + 3):
        load_profile(edited(tmp_path / f"p{i}.json", document, 60.0))
    assert len(calibrated._LOADED) <= calibrated._LOADED_MAX
