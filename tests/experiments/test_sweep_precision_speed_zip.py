"""A sweep that zips a precision with a plain speed does not say that precision runs no faster.

docs/profiles.md recommends a ``zip:`` of ``precision`` and a plain ``speed`` to give each
precision its own rate; the precision note still said "int8 runs no faster than fp32 on
nodes.phone.processors.npu, whose plain speed is the same FLOP/s for every precision" of such a
sweep, beside the plain-speed note listing both speeds.  A ``grid:`` crossing them runs both
precisions at each speed, where the clause holds and is kept.
"""

from __future__ import annotations

import json
from pathlib import Path

from npu_phone_scenario import BASE

from offloadsim.cli import main
from offloadsim.experiments.jobs import precision_notes_field
from offloadsim.experiments.sweep_spec import load_sweep
from offloadsim.scenario import load_scenario

PRECISION = "applications.classify.params.precision"
SPEED = "nodes.phone.processors.npu.speed"
NO_FASTER = "int8 runs no faster than fp32 on nodes.phone.processors.npu"


def _sweep(tmp_path: Path, block: str) -> Path:
    (tmp_path / "base.yaml").write_text(BASE.replace("node: edge}", "node: phone, processors: [npu]}"))
    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"base: base.yaml\n{block}:\n  {PRECISION}: [fp32, int8]\n  {SPEED}: [0.5 TFLOP/s, 2 TFLOP/s]\n"
    )
    return path


def _dry_notes(capsys, path: Path) -> list[str]:
    assert main(["sweep", str(path), "--dry-run", "--out", str(path.parent / "out")]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: precision")]


def test_a_zipped_precision_and_speed_says_no_faster_nowhere(tmp_path, capsys):
    notes = _dry_notes(capsys, _sweep(tmp_path, "zip"))
    assert notes and not any(NO_FASTER in note for note in notes)


def test_a_grid_of_them_runs_both_precisions_at_each_speed_and_keeps_it(tmp_path, capsys):
    notes = _dry_notes(capsys, _sweep(tmp_path, "grid"))
    assert any(NO_FASTER in note for note in notes)


def test_the_manifest_figures_read_drops_it_for_a_zip_only(tmp_path):
    spec = load_sweep(_sweep(tmp_path, "zip"))
    scenario = load_scenario(tmp_path / "base.yaml", overrides=[f"{PRECISION}=int8"])
    (row,) = [
        r for r in precision_notes_field([(1, scenario)], paired=spec.zipped) if r["kind"] == "precision"
    ]
    assert NO_FASTER not in row["note"] and row["facts"]["plain"] == []
    (row,) = [r for r in precision_notes_field([(1, scenario)]) if r["kind"] == "precision"]
    assert NO_FASTER in row["note"]
    assert json.loads(json.dumps(row["facts"]))["plain"][0]["on"][0]["key"] == "nodes.phone.processors.npu"
