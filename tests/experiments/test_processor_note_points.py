"""The note that the nodes table reports each node's first processor says where every processor is.

It said processors.parquet only; a run's summary.json has every processor (``processors``) and the
metrics give each tier's processors by name (``utilisation_<tier>_<processor>``) too.  Each place it
names is checked to hold the processors, on the CPU+GPU edge of tests/processors_scenario.py.
"""

from __future__ import annotations

import json

import pandas as pd
from processors_scenario import EXPECTED, write_scenario

from offloadsim.analysis.notes import carried_run_notes
from offloadsim.cli import main
from offloadsim.records.schema import FIRST_PROCESSOR_ONLY
from offloadsim.records.stored import read_results


def test_a_runs_note_names_every_place_that_has_every_processor_and_each_holds_them(tmp_path, capsys):
    scenario = write_scenario(tmp_path)
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(out), "-q"]) == 0
    (note,) = [n for n in read_results(out).manifest["notes"] if n.startswith(FIRST_PROCESSOR_ONLY)]
    for place in ("processors.parquet", "summary.json's processors", "utilisation_<tier>_<processor>"):
        assert place in note
    listed = [
        (row["node"], row["processor"])
        for row in json.loads((out / "summary.json").read_text())["processors"]
    ]
    assert listed == [row[:1] + row[2:3] for row in EXPECTED]
    assert len(pd.read_parquet(out / "processors.parquet")) == len(EXPECTED)
    assert read_results(out).metrics["utilisation_edge_gpu"].iloc[0] > 0


def test_compares_note_names_processors_parquet_and_the_metrics_columns_and_each_holds_them(tmp_path, capsys):
    scenario = write_scenario(tmp_path)
    out = tmp_path / "cmp"
    args = ["compare", str(scenario), "--policies", "fixed,local", "-n", "1", "--out", str(out)]
    assert main(args) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if FIRST_PROCESSOR_ONLY in line]
    assert "processors.parquet has every processor's row of every run" in line
    assert "metrics.parquet each run's utilisation_<tier>_<processor>" in line
    metrics = pd.read_parquet(out / "metrics.parquet")
    assert metrics.loc[metrics["policy"] == "fixed", "utilisation_edge_gpu"].iloc[0] > 0


def test_an_older_runs_note_is_still_known_and_said_from_the_processors_table_instead():
    """A run of an older offloadsim ended its note "(...; processors.parquet has every processor's row)"."""
    old = f"{FIRST_PROCESSOR_ONLY}; other processors computed too: edge gpu 7.5 % (busy time per core over "
    old += "the measured time; processors.parquet has every processor's row)"
    metrics = pd.DataFrame({"policy": ["fixed"], "replication": [0]})
    processors = pd.DataFrame(
        {"node": ["edge", "edge"], "processor": ["cpu", "gpu"], "utilisation": [0.0, 0.075]}
    )
    processors = processors.assign(policy="fixed", replication=0)
    manifest = {"run_notes": [{"policy": "fixed", "replication": 0, "note": old}]}
    notes = carried_run_notes(manifest, metrics, ["policy"], ["policy", "replication"], processors)
    (note,) = notes
    assert note != old and "metrics.parquet each run's utilisation_<tier>_<processor>" in note
