"""A sweep's planning looks each profile name up once, and says what it said looking it up per point."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.world.profiles import builtin
from offloadsim.world.profiles.search import SHIPPED_PROFILE_DIR

ROOT = Path(__file__).resolve().parents[2]
GRID = """\
name: lookups
base: base.yaml
grid:
  nodes.edge.processor.profile: [my-cpu, xeon-ort-1t, nope, t4, profiles/my-cpu.json, T4]
  links[0].bandwidth: [1 Mbps, 100 Mbps]
policies: [local, edge]
"""


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """A sweep over profile names: a user profile, one shadowing a shipped one, unknown ones."""
    (tmp_path / "profiles").mkdir()
    shipped = SHIPPED_PROFILE_DIR / "xeon-ort-1t.json"
    for name in ("my-cpu", "xeon-ort-1t"):  # the second shadows the shipped one (a note says so)
        shutil.copy(shipped, tmp_path / "profiles" / f"{name}.json")
    text = (ROOT / "scenarios" / "quickstart.yaml").read_text()
    (tmp_path / "base.yaml").write_text(text)
    (tmp_path / "sweep.yaml").write_text(GRID)
    return tmp_path / "sweep.yaml"


def _dry_run(capsys, path: Path) -> tuple[int, str, str]:
    code = main(["sweep", str(path), "--dry-run"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_dry_run_says_the_same_with_lookups_once_as_per_point(study, capsys, monkeypatch):
    once = _dry_run(capsys, study)
    assert once[0] == 2 and 'unknown profile "nope"' in once[2] and 'did you mean "t4"' in once[2]
    monkeypatch.setattr(builtin, "profile_lookups_once", contextlib.nullcontext)
    assert _dry_run(capsys, study) == once


def test_a_name_is_looked_up_once_per_planning_and_afresh_the_next(study, capsys, monkeypatch):
    calls: list[str] = []
    real = builtin._profile_file

    def counted(name, search_dirs):
        calls.append(name)
        return real(name, search_dirs)

    monkeypatch.setattr(builtin, "_profile_file", counted)
    text = study.read_text().replace(", nope", "").replace(", T4", "")
    study.write_text(text)
    assert _dry_run(capsys, study)[0] == 0
    assert sorted(calls) == sorted(set(calls)), calls  # 8 points a name before: each name once now
    # A profile file added after planning is found by the next (jobs look their profiles up anew).
    study.write_text(text.replace("[my-cpu,", "[later, my-cpu,"))
    assert _dry_run(capsys, study)[0] == 2
    shutil.copy(SHIPPED_PROFILE_DIR / "xeon-ort-1t.json", study.parent / "later.json")
    assert _dry_run(capsys, study)[0] == 0
