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


def test_the_uplink_runs_bandwidth_dips_are_as_the_section_says(tmp_path, capsys):
    """The section's dips of ``unstable-uplink`` (a 120 s run): how many, and the 29–31 s one's numbers."""
    out = tmp_path / "uplink"
    run = ["run", str(ROOT / "scenarios" / "unstable-uplink.yaml"), "--set", "duration=120s"]
    assert main([*run, "--out", str(out), "--quiet"]) == 0
    assert main(["plot", str(out), "--kind", "latency-time"]) == 0
    capsys.readouterr()
    rows = pd.read_csv(out / "figures" / "latency-time.recovery.csv")
    said = _section()
    found = re.search(
        r"fell under 3 Mb/s \(half the scenario's 6 Mb/s\) (\d+) times in 120 s: after its dip at "
        r"(\d+)–(\d+) s `fixed` took ([\d.]+) s to recover, its (\d+) tasks held up there ending at "
        r"([\d.]+) s, marked overlapped by its next dip at (\d+)–(\d+) s; after the others, 0 to ([\d.]+) s",
        said,
    )
    assert found, "the section no longer says the uplink's dips"
    assert (rows["change"] == "bandwidth dip").sum() == int(found[1]) == len(rows)
    row = rows.set_index("outage_from_s").loc[float(found[2])]
    assert row.outage_to_s == float(found[3])
    assert round(row.time_to_recover_s, 1) == float(found[4]) and row.backlog == int(found[5])
    assert round(row.recovered_at_s, 1) == float(found[6])
    assert row.status == "recovered (overlapped)"
    assert row.overlapped == f"bandwidth dip of phone→server at {found[7]}–{found[8]} s"
    others = rows[rows["outage_from_s"] != float(found[2])]["time_to_recover_s"]
    assert others.min() == 0.0 and round(others.max(), 1) == float(found[9])
