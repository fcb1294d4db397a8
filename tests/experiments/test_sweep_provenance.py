"""A sweep's identity and provenance: the same content hashes the same, and a resume keeps the first run's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offloadsim.experiments import sweep, sweep_from_data


def _sweep_file(folder: Path, name: str = "sweep.yaml") -> Path:
    from experiment_data import TINY

    (folder / "tiny.yaml").write_text(TINY.replace("duration: 20 s", "duration: 4 s"), encoding="utf-8")
    path = folder / name
    path.write_text("base: tiny.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n", encoding="utf-8")
    return path


def test_a_rerun_from_the_sweeps_own_copies_has_the_same_sweep_hash(tmp_path):
    """``sweep DIR/sweep.yaml --out NEW`` hashed the text ``base: scenario.yaml``: 1b7e3dc4 -> a64f5527."""
    first = sweep(_sweep_file(tmp_path), out=tmp_path / "out", workers=1)
    again = sweep(tmp_path / "out" / "sweep.yaml", out=tmp_path / "again", workers=1)
    assert again.manifest["base_hash"] == first.manifest["base_hash"]
    assert again.manifest["sweep_hash"] == first.manifest["sweep_hash"]
    given = sweep_from_data(
        {"name": "sweep", "base": "tiny.yaml", "grid": {"links[0].bandwidth": ["5 Mbps", "50 Mbps"]}},
        base_dir=tmp_path,
    )
    data = sweep(given, out=tmp_path / "data", workers=1)
    assert data.manifest["sweep_hash"] == first.manifest["sweep_hash"]  # the same sweep, given as data
    base = tmp_path / "tiny.yaml"
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("duration: 4 s", "duration: 3 s"), encoding="utf-8")
    edited = sweep(tmp_path / "sweep.yaml", out=tmp_path / "edited", workers=1)
    assert edited.manifest["sweep_hash"] != first.manifest["sweep_hash"]  # its base's content is hashed


def test_a_sweep_resumed_in_its_folder_keeps_where_it_came_from(tmp_path, monkeypatch):
    """A resume replaced sweep_file, base_file, command, started_utc and wall_s with its own."""
    from offloadsim.records.stored import UnreadableResults, read_results

    out = tmp_path / "out"
    monkeypatch.setattr("sys.argv", ["offloadsim", "sweep", "sweep.yaml"])
    first = sweep(_sweep_file(tmp_path), out=out, workers=1).manifest
    assert "resumed" not in first and (first["jobs_run"], first["jobs_reused"]) == (2, 0)
    copy = out / "sweep.yaml"  # resumed from its own copy, a point added
    added = copy.read_text(encoding="utf-8").replace("- 50 Mbps", "- 50 Mbps\n  - 20 Mbps")
    copy.write_text(added, encoding="utf-8")
    for n in (1, 2):
        monkeypatch.setattr("sys.argv", ["offloadsim", "sweep", str(copy), "--out", str(out), f"-n{n}"])
        resumed = sweep(copy, out=out, workers=1).manifest
    kept = ("sweep_file", "base_file", "command", "started_utc", "wall_s", "jobs_run", "jobs_reused")
    assert {key: resumed[key] for key in kept} == {key: first[key] for key in kept}
    assert [row["command"][-3:] for row in resumed["resumed"]] == ["-n1", "-n2"]
    assert [(row["jobs_run"], row["jobs_reused"]) for row in resumed["resumed"]] == [(1, 2), (0, 3)]
    assert {row["sweep_file"] for row in resumed["resumed"]} == {str(copy)}
    assert resumed["sweep_hash"] == resumed["resumed"][-1]["sweep_hash"] != first["sweep_hash"]
    header = (out / "scenario.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert f"from {first['base_file']}," in header  # not the copy the resume read
    assert read_results(out).manifest["resumed"] == resumed["resumed"]
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps({**resumed, "resumed": [{"command": 3}]}), encoding="utf-8")
    with pytest.raises(UnreadableResults, match=r"manifest.json: resumed: expected a list of runs"):
        read_results(out)


def _traced_sweep(folder: Path, trace: str = "trace.csv") -> Path:
    """A sweep whose base reads its arrivals from ``trace`` (written beside it), named as given."""
    from experiment_data import TINY

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trace.csv").write_text("time\n0.5\n1.5\n2.5\n", encoding="utf-8")
    text = TINY.replace("duration: 20 s", "duration: 4 s")
    text = text.replace("arrivals: poisson, rate: 2 /s", f"arrivals: trace, trace: {trace}")
    (folder / "tiny.yaml").write_text(text, encoding="utf-8")
    path = folder / "sweep.yaml"
    path.write_text("base: tiny.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n", encoding="utf-8")
    return path


def test_base_and_sweep_hash_read_the_base_files_content_not_their_path(tmp_path):
    """They hashed the base's document alone: a rewritten trace kept both, a moved one changed both."""
    hashes = ("base_hash", "sweep_hash")
    first = sweep(_traced_sweep(tmp_path / "a"), out=tmp_path / "out", workers=1).manifest
    assert [row["key"] for row in first["inputs"]] == ["workload[0].trace"]
    moved = tmp_path / "b" / "kept" / "trace.csv"  # the same bytes elsewhere, named by an absolute path
    moved_sweep = _traced_sweep(tmp_path / "b", trace=str(moved))
    moved.parent.mkdir()
    (tmp_path / "b" / "trace.csv").rename(moved)
    again = sweep(moved_sweep, out=tmp_path / "moved", workers=1).manifest
    assert {key: again[key] for key in hashes} == {key: first[key] for key in hashes}
    (tmp_path / "a" / "trace.csv").write_text(
        "time\n0.5\n1.5\n3.5\n", encoding="utf-8"
    )  # same name, new content
    edited = sweep(tmp_path / "a" / "sweep.yaml", out=tmp_path / "edited", workers=1).manifest
    assert edited["base_hash"] != first["base_hash"] and edited["sweep_hash"] != first["sweep_hash"]
    copies = sweep(tmp_path / "edited" / "sweep.yaml", out=tmp_path / "copies", workers=1).manifest
    assert {key: copies[key] for key in hashes} == {key: edited[key] for key in hashes}  # its inputs/ copies
