"""What calibrate says of naming the profile it wrote: from which scenario folders the name finds it.

``--out study/profiles/my-cpu.json`` said "by name from a scenario in study/profiles or its
profiles/ folder": a scenario in study/profiles/profiles finds nothing there; the ones that find it
by name are in study (whose profiles/ folder holds it) and in study/profiles itself, where the
search looks (docs/profiles.md, *Where a profile name is looked up*) (HF38's trial).
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli.calibrate import _how_to_use
from offloadsim.world.profiles import get_profile, profile_search_path


def _folders(said: str) -> list[Path]:
    where = said.split(", or by name from a scenario in ", 1)[1]
    return [Path(part) for part in where.split(" or in ")]


def _finds(scenario_dir: Path, path: Path) -> bool:
    folders = profile_search_path(scenario_dir)
    return any((folder / path.name).resolve() == path.resolve() for folder in folders)


def test_a_profiles_folder_is_named_with_the_folder_above_it(tmp_path):
    path = tmp_path / "study" / "profiles" / "my-cpu.json"
    folders = _folders(_how_to_use("my-cpu", path))
    assert folders == [tmp_path / "study", tmp_path / "study" / "profiles"]
    assert all(_finds(folder, path) for folder in folders)
    assert not _finds(tmp_path / "study" / "profiles" / "profiles", path)


def test_another_folder_is_named_alone(tmp_path):
    path = tmp_path / "lab" / "my-cpu.json"
    assert _folders(_how_to_use("my-cpu", path)) == [tmp_path / "lab"]


def test_no_name_is_offered_where_the_file_s_name_is_not_the_profile_s(tmp_path):
    """``--out lab/t4.json`` writes a profile named calibrated-ort-1t; ``profile: t4`` is the derived T4."""
    said = _how_to_use("calibrated-ort-1t", tmp_path / "lab" / "t4.json")
    assert "by name" not in said and said.endswith(str(tmp_path / "lab" / "t4.json") + "}")
    assert get_profile("t4").kind == "derived"
