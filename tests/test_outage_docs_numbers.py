"""docs/experiments.md "Latency through an outage": the numbers its prose gives are its own command's.

The trial found them stale (``edge`` "150–400 ms", ``least-loaded`` "near 115 ms" where the bins read
113–398 ms and 108.8–110.4 ms), and the by-hand rule for the time to recover silent on the row's
replication and on dropped or failed tasks: each is checked here against the command's own output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from offloadsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "experiments.md"


def _section() -> str:
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    start = text.index("### Latency through an outage")
    return text[start : text.index("###", start + 4)]


def test_the_outage_sections_numbers_and_by_hand_rule_are_its_commands(tmp_path, capsys):
    out = tmp_path / "edge-outage"
    compare = ["compare", str(ROOT / "scenarios" / "edge-outage.yaml"), "--policies", "edge,least-loaded"]
    assert main([*compare, "--replications", "3", "--set", "duration=60s", "--out", str(out), "--quiet"]) == 0
    assert main(["plot", str(out), "--kind", "latency-time"]) == 0
    capsys.readouterr()
    bins = pd.read_csv(out / "figures" / "latency-time.csv")
    ms = {
        name: (1e3 * part["value"].min(), 1e3 * part["value"].max()) for name, part in bins.groupby("policy")
    }
    said = _section()
    edge = re.search(r"`edge` moves little \(its bins read (\d+) to (\d+) ms\)", said)
    least = re.search(r"`least-loaded` stays between ([\d.]+) and ([\d.]+) ms", said)
    assert edge and least, "the section no longer says the bins' range"
    assert (float(edge[1]), float(edge[2])) == tuple(round(v) for v in ms["edge"])
    assert (float(least[1]), float(least[2])) == tuple(round(v, 1) for v in ms["least-loaded"])
    # The by-hand rule, as the section words it, gives every recovered row's time.
    assert "within its `replication`" in said and "leave out those dropped or failed" in said
    tasks = pd.read_parquet(out / "tasks.parquet")
    rows = pd.read_csv(out / "figures" / "latency-time.recovery.csv")
    for row in rows[rows["status"] == "recovered"].itertuples():
        mine = tasks[(tasks["policy"] == row.policy) & (tasks["replication"] == row.replication)]
        held = mine[
            (mine["arrival"] < row.outage_to_s)
            & ((mine["finish"] > row.outage_from_s) | (mine["status"] == "in_flight"))
            & ~mine["status"].isin(["dropped", "failed"])
        ]
        assert max(float(held["finish"].max()), row.outage_to_s) == row.recovered_at_s
