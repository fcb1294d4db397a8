"""A sweep's identity and provenance: the same content hashes the same, and a resume keeps the first run's."""

from __future__ import annotations

from pathlib import Path

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
