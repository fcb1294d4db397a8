"""``link_changes.parquet``: when each link direction changed, against the scenario's trace and schedule."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from tiny_scenarios import phone_edge

import offloadsim
from offloadsim.records.results import read_run
from offloadsim.records.schema import LINK_CHANGE_COLUMNS
from offloadsim.records.stored import read_results

ROOT = Path(__file__).resolve().parents[2]

SCHEDULED = phone_edge(
    "name: scheduled\nseed: 1\nduration: 50 s\nwarmup: 0 s\n",
    after="""\
dynamics:
  - kind: link-schedule
    link: [phone, edge]
    steps:
      - {at: 10 s, bandwidth: 2 Mbps}
      - {at: 20 s, latency: 40 ms, reverse_bandwidth: 1 Mbps}
      - {at: 30 s, up: false}
      - {at: 40 s, up: true, bandwidth: 20 Mbps}
      - {at: 45 s, bandwidth: 20 Mbps}
""",
)


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [
        (r.time, r.a, r.b, r.change, r.capacity, r.latency, bool(r.up), r.dynamics, r.kind)
        for r in frame.itertuples()
    ]


def test_a_link_schedule_gives_a_row_per_direction_and_step_that_moved_its_state(tmp_path):
    (tmp_path / "s.yaml").write_text(SCHEDULED)
    run = offloadsim.run(tmp_path / "s.yaml", out=tmp_path / "run")
    changes = run.link_changes
    assert list(changes.columns) == list(LINK_CHANGE_COLUMNS)
    k = "link-schedule"
    up, down = ("phone", "edge"), ("edge", "phone")
    # Each step's changes in the order they apply (a step's bandwidth before its latency and its up),
    # a direction at a time, each row with the state in force after it; 45 s changes nothing: no row.
    assert _rows(changes) == [
        (10.0, *up, "capacity", 2e6, 0.005, True, 0, k),
        (10.0, *down, "capacity", 2e6, 0.005, True, 0, k),
        (20.0, *down, "capacity", 1e6, 0.005, True, 0, k),
        (20.0, *up, "latency", 2e6, 0.040, True, 0, k),
        (20.0, *down, "latency", 1e6, 0.040, True, 0, k),
        (30.0, *up, "down", 2e6, 0.040, False, 0, k),
        (30.0, *down, "down", 1e6, 0.040, False, 0, k),
        (40.0, *up, "capacity", 20e6, 0.040, False, 0, k),
        (40.0, *down, "capacity", 20e6, 0.040, False, 0, k),
        (40.0, *up, "up", 20e6, 0.040, True, 0, k),
        (40.0, *down, "up", 20e6, 0.040, True, 0, k),
    ]
    assert changes["time"].is_monotonic_increasing
    assert (changes["scenario_capacity"] == 20e6).all()  # the scenario's, whatever came before
    # Written with the run, and read back the same, by read_run and read_results alike.
    pd.testing.assert_frame_equal(read_run(tmp_path / "run").link_changes, changes)
    back = read_results(tmp_path / "run").link_changes
    assert back is not None and _rows(back) == _rows(changes)


def _trace(path: Path) -> list[tuple[float, float]]:
    with path.open(encoding="utf-8") as file:
        rows = csv.DictReader(line for line in file if not line.startswith("#"))
        return [(float(row["time"]), float(row["bandwidth"])) for row in rows]


def test_a_link_trace_gives_a_row_per_sample_that_changed_the_uplink(tmp_path):
    """unstable-uplink: phone -> server follows traces/lte-uplink.csv from 6 Mb/s; the downlink stays."""
    run = offloadsim.run(ROOT / "scenarios/unstable-uplink.yaml", overrides=["duration=40 s"])
    changes = run.link_changes
    in_force, expected = 6e6, []
    for at, bps in _trace(ROOT / "scenarios/traces/lte-uplink.csv"):
        if at < 40.0 and bps != in_force:
            expected.append((at, bps))
            in_force = bps
    assert len(expected) > 30
    assert list(zip(changes["time"], changes["capacity"], strict=True)) == expected
    assert set(zip(changes["a"], changes["b"], strict=True)) == {("phone", "server")}
    assert set(changes["change"]) == {"capacity"} and changes["up"].all()
    assert set(changes["kind"]) == {"link-trace"} and set(changes["dynamics"]) == {0}
    assert (changes["latency"] == 0.020).all() and (changes["scenario_capacity"] == 6e6).all()


def test_a_node_outage_is_no_link_change_and_a_still_world_has_none(tmp_path):
    outage = offloadsim.run(ROOT / "scenarios/edge-outage.yaml", overrides=["duration=60 s"])
    assert outage.nodes.loc[outage.nodes["node"] == "edge", "down"].iloc[0] not in ("", None)
    assert outage.link_changes.empty
    still = offloadsim.run(ROOT / "scenarios/quickstart.yaml", overrides=["duration=2 s"], out=tmp_path / "q")
    assert still.link_changes.empty and list(still.link_changes.columns) == list(LINK_CHANGE_COLUMNS)
    assert (tmp_path / "q" / "link_changes.parquet").is_file()
    (tmp_path / "q" / "link_changes.parquet").unlink()  # a run directory written before the table was
    assert read_run(tmp_path / "q").link_changes.empty
    assert read_results(tmp_path / "q").link_changes is None


def test_handovers_give_rows_of_the_links_taken_down_and_brought_up():
    run = offloadsim.run(ROOT / "scenarios/commute.yaml", overrides=["duration=20 s", "warmup=0 s"])
    changes = run.link_changes
    assert set(changes["kind"]) == {"mobility"}
    assert {"down", "up", "capacity"} <= set(changes["change"])
    # Every phone is attached to one access point at a time: its links up after each instant.
    for (_, phone), rows in changes[changes["a"].str.startswith("phone")].groupby(["time", "a"]):
        state = rows.drop_duplicates("b", keep="last")
        assert state["up"].sum() <= 1, (phone, state)


def test_compare_keeps_each_run_s_link_changes_with_its_policy_and_replication(tmp_path):
    """Each run's rows as the run alone records them: the schedule's in all, a failure's per replication."""
    from offloadsim.experiments import compare

    failing = SCHEDULED + ("  - {kind: failures, link: [phone, edge], mtbf: 4 s, mttr: 1 s}\n")
    (tmp_path / "f.yaml").write_text(failing)
    result = compare(tmp_path / "f.yaml", ["edge", "local"], replications=2, workers=1, out=tmp_path / "cmp")
    kept = read_results(tmp_path / "cmp").link_changes
    assert kept is not None and list(kept.columns[:2]) == ["policy", "replication"]
    assert len(result.link_changes) == len(kept)
    own: dict[int, list[tuple]] = {}
    for policy in ("edge", "local"):
        for replication in (0, 1):
            alone = offloadsim.run(tmp_path / "f.yaml", policy=policy, replication=replication).link_changes
            rows = kept[(kept["policy"] == policy) & (kept["replication"] == replication)]
            assert _rows(rows) == _rows(alone) and len(alone) > 4
            assert set(alone["kind"]) == {"link-schedule", "failures"}
            own.setdefault(replication, _rows(alone))
            assert _rows(alone) == own[replication]  # the same failures whatever the policy
    assert own[0] != own[1]  # each replication draws its own
