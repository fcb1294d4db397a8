"""A record table and a note provider from another distribution, declared as entry points only.

A pip-installed plug-in's table is written by ``run`` and kept by ``compare`` (its pool workers
load it for themselves), the command's ``results:`` line names its file, and its note is said by
``validate`` and ``run``: with no registration in this process, nothing but the entry points.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from toy_distributions import CODE, install_distribution, site_on_path

from offloadsim.cli import main
from offloadsim.records import tables
from offloadsim.records.stored import read_results
from offloadsim.world.notes import registry as notes

TOY_MODULE = """
from offloadsim.records.schema import Column
from offloadsim.records.tables import RecordTable
from offloadsim.world.notes.registry import Note


class Ticks:
    def __init__(self, run):
        self.columns = {"time": [], "replication_seen": []}
        self._run = run
        run.env.process(self._tick())

    def _tick(self):
        env = self._run.env
        while True:
            self.columns["time"].append(float(env.now))
            self.columns["replication_seen"].append(int(self._run.replication))
            yield env.timeout(1.0)


TICKS = RecordTable(
    "toy_ticks",
    (
        Column("time", "float64", "s", "simulated time of the tick", required=True),
        Column("replication_seen", "int64", "", "the run's replication", required=True),
    ),
    collector=Ticks,
)


def devices(context):
    count = sum(node.tier == "device" for node in context.scenario.nodes)
    return [Note("toy-devices", f"toy note: {count} device noted", {"devices": count})]
"""


@pytest.fixture
def toy_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``toy-plug 0.1`` installed on sys.path (this process's and its workers'), its groups unread."""
    install_distribution(
        site_on_path(tmp_path, monkeypatch),
        "toy_plug",
        TOY_MODULE,
        "[offloadsim.record_tables]\ntoy_ticks = toy_plug:TICKS\n\n"
        "[offloadsim.note_providers]\ntoy-devices = toy_plug:devices\n",
    )
    tables.PLUGINS.forget()
    notes.PLUGINS.forget()
    try:
        yield
    finally:
        tables.forget_table("toy_ticks")
        notes.unregister_note("toy-devices")
        # Read again on the next look-up, without this distribution: restoring ``loaded`` left the
        # groups saying toy-plug provided toy_ticks, so a later test's own toy_ticks was taken for
        # an entry point's, not carried to its workers (an empty table there).
        tables.PLUGINS.forget()
        notes.PLUGINS.forget()


def test_a_plugin_table_and_note_reach_run_validate_and_compare(
    toy_distribution, tiny_scenario, tmp_path, capsys
):
    scenario = tiny_scenario

    assert main(["validate", str(scenario)]) == 0
    assert "toy note: 1 device noted" in capsys.readouterr().out

    assert main(["run", str(scenario), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "toy note: 1 device noted" in out
    results = next(line for line in out.splitlines() if line.startswith("results:"))
    assert "toy_ticks.parquet" in results
    written = pd.read_parquet(tmp_path / "run" / "toy_ticks.parquet")
    assert list(written["time"]) == [0.0, 1.0]  # a tick a second; the run stops at 2 s, before its tick
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    toy = {"distribution": "toy-plug", "version": "0.1", "code": CODE}
    assert {"group": "offloadsim.record_tables", "name": "toy_ticks", **toy} in manifest["plugins"]
    assert {"group": "offloadsim.note_providers", "name": "toy-devices", **toy} in manifest["plugins"]
    kept = {"note": "toy note: 1 device noted", "kind": "toy-devices", "facts": {"devices": 1}}
    assert kept in manifest["note_facts"]  # the note's kind and facts, not its text alone

    compared = ["compare", str(scenario), "--policies", "local,edge", "--replications", "2"]
    assert main([*compared, "--workers", "2", "--out", str(tmp_path / "cmp")]) == 0
    results = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("results:"))
    assert "toy_ticks.parquet" in results  # what the manifest lists, not a fixed list
    kept = read_results(tmp_path / "cmp").tables["toy_ticks"]
    assert len(kept) == 4 * 2 and sorted(set(kept["policy"])) == ["edge", "local"]
    assert (kept["replication"] == kept["replication_seen"]).all()  # each worker's own run's rows


FAULTY_MODULE = """
def devices(context):
    return [context.scenario.nodes[0].name]  # its text, not a Note
"""


def test_a_plugin_providers_fault_names_its_distribution(tiny_scenario, tmp_path, monkeypatch, capsys):
    site = site_on_path(tmp_path, monkeypatch, workers=False)
    entry_points = "[offloadsim.note_providers]\nbad-devices = faulty_notes:devices\n"
    install_distribution(site, "faulty_notes", FAULTY_MODULE, entry_points, "0.2")
    monkeypatch.setattr(notes.PLUGINS, "loaded", False)
    try:
        assert main(["validate", str(tiny_scenario)]) == 2
    finally:
        notes.unregister_note("bad-devices")
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        'offloadsim: error: note provider "bad-devices" (faulty_notes.devices, from distribution '
        "faulty-notes 0.2) returned a str as its note 0, not an offloadsim.world.notes.registry.Note "
        "(its kind, its text and its facts)"
    ]
