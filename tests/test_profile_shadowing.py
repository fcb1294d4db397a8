"""A profile name whose lookup passes over a file says so: the order stays, the silence goes.

A user profile named like a shipped calibrated one (``epyc-ort-1t.json`` in the scenario's folder
or the user profile directory) replaced it, by the documented lookup order, without a word; a file
named like a shipped derived profile (``t4.json``) was never read, the derived one answering first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.world.profiles import SHIPPED_PROFILE_DIR, user_profile_dir

QUICKSTART = Path(offloadsim.__file__).resolve().parent.parent / "scenarios" / "quickstart.yaml"
SHADOW = 'profile "xeon-ort-1t" is read from {file}, which shadows the shipped profile of that name'


def _scenario(folder: Path, text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    scenario = folder / "s.yaml"
    scenario.write_text(text or QUICKSTART.read_text(encoding="utf-8"), encoding="utf-8")
    return scenario


@pytest.mark.parametrize("where", ["profiles", "", "user"])
def test_a_profile_named_like_a_shipped_one_says_it_shadows_it(where, tmp_path, capsys):
    scenario = _scenario(tmp_path / "study")
    folder = user_profile_dir() if where == "user" else scenario.parent / where
    folder.mkdir(parents=True, exist_ok=True)
    mine = folder / "xeon-ort-1t.json"
    shutil.copy(SHIPPED_PROFILE_DIR / "xeon-ort-1t.json", mine)
    try:
        for argv in (["validate", str(scenario)], ["run", str(scenario), "--dry-run"]):
            assert main(argv) == 0
            out = capsys.readouterr().out
            notes = [line for line in out.splitlines() if "shadows" in line]
            assert len(notes) == 1 and notes[0].startswith("note: " + SHADOW.format(file=mine)), out
        assert main(["profiles", "show", "xeon-ort-1t", "--scenario", str(scenario)]) == 0
        out = capsys.readouterr().out
        assert f"file: {mine}" in out and SHADOW.format(file=mine) in out
        assert main(["profiles", "--scenario", str(scenario)]) == 0  # the table lists the name once
        row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("xeon-ort-1t "))
        assert row.endswith(", in place of the shipped one)"), row
    finally:
        mine.unlink()


def test_the_shipped_profile_itself_says_nothing_of_shadowing(tmp_path, capsys):
    scenario = _scenario(tmp_path / "study")
    assert main(["validate", str(scenario)]) == 0
    assert main(["profiles", "show", "xeon-ort-1t"]) == 0
    assert main(["profiles", "--scenario", str(scenario)]) == 0
    out = capsys.readouterr().out
    assert "shadows" not in out and "is not read" not in out and "in place of" not in out


def test_a_file_named_like_a_derived_profile_is_said_not_to_be_read(tmp_path, capsys):
    text = QUICKSTART.read_text(encoding="utf-8").replace("profile: a100", "profile: t4")
    scenario = _scenario(tmp_path / "study", text)
    unread = scenario.parent / "profiles" / "t4.json"
    unread.parent.mkdir()
    shutil.copy(SHIPPED_PROFILE_DIR / "xeon-ort-1t.json", unread)
    assert main(["validate", str(scenario)]) == 0
    out = capsys.readouterr().out
    said = (
        f'note: profile "t4" is the shipped derived one (a derived profile\'s name answers first): {unread} '
        f"is not read; to use it, name its file: profile: {unread}"
    )
    assert said in out.splitlines(), out


def test_a_profile_named_by_its_path_passes_over_nothing(tmp_path, capsys):
    text = QUICKSTART.read_text(encoding="utf-8").replace("xeon-ort-1t", "boxes/xeon-ort-1t.json")
    scenario = _scenario(tmp_path / "study", text)
    (scenario.parent / "boxes").mkdir()
    shutil.copy(SHIPPED_PROFILE_DIR / "xeon-ort-1t.json", scenario.parent / "boxes" / "xeon-ort-1t.json")
    assert main(["validate", str(scenario)]) == 0
    assert "shadows" not in capsys.readouterr().out
