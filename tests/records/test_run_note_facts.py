"""A run's manifest keeps its world notes' kinds and facts (``note_facts``), as a comparison keeps them.

The manifest's ``notes`` are text (what ``run`` prints): a registered note's ``kind`` and ``facts``
were lost in a run's manifest while a comparison's ``precision_notes`` kept them.  A manifest
written before (no ``note_facts``) still reads; a malformed one is refused in one line.
"""

from __future__ import annotations

import json

import pytest

import offloadsim
from offloadsim.records.results import read_run
from offloadsim.records.stored import ExperimentError, read_results

SCENARIO = "scenarios/quickstart.yaml"


def test_a_runs_world_notes_keep_their_kinds_and_facts(tmp_path):
    run = offloadsim.run(SCENARIO, overrides=("duration=2 s",), out=tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    kept = manifest["note_facts"]
    assert [row["note"] for row in kept] == [n for n in manifest["notes"] if n in {r["note"] for r in kept}]
    assert {row["kind"] for row in kept} >= {"calibrated-profile", "power"}
    power = next(row for row in kept if row["kind"] == "power")
    # the nodes it speaks of, the count's phones named by their group: a figure of the edge's leaves it out
    facts = {"keys": ["nodes.phone.power"], "nodes": ["phone"], "node_groups": {"phone": 20}}
    assert power["facts"] == facts and power["about"] == "energy"
    assert run.manifest["note_facts"] == kept


def test_a_manifest_without_them_reads_and_a_malformed_one_is_refused(tmp_path):
    offloadsim.run(SCENARIO, overrides=("duration=2 s",), out=tmp_path / "run")
    path = tmp_path / "run" / "manifest.json"
    manifest = json.loads(path.read_text())
    notes = read_run(tmp_path / "run").notes
    del manifest["note_facts"]  # as a run written before they were kept
    path.write_text(json.dumps(manifest))
    assert read_run(tmp_path / "run").notes == notes
    assert read_results(tmp_path / "run").notes
    path.write_text(json.dumps({**manifest, "note_facts": "power"}))
    with pytest.raises(
        ExperimentError, match="note_facts: expected a list of notes, each with a note, its kind"
    ):
        read_results(tmp_path / "run")
