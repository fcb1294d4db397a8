"""Time to recover after an outage (offloadsim.analysis.recovery), on a hand-built tasks table.

Before it, a reader of ``latency-time`` judged "recovers" by eye, and a line came down after an
outage only because the tasks still queued were left out of it.  The tables here are built so
that the answer is known: every task before the outage takes 100 ms.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from offloadsim.analysis.recovery import Change, merged_outages, node_changes_of, time_to_recover
from offloadsim.plots.latency_time import binned_metric, recovery_note

OUTAGE = (60.0, 80.0)


def _tasks(policy: str, latency_after, status_after=lambda t: "completed") -> pd.DataFrame:
    """A task every 0.5 s for 200 s: 100 ms before the outage, 1 s in it, ``latency_after(t)`` after."""
    arrival = np.arange(0.0, 200.0, 0.5)
    latency = [0.1 if t < OUTAGE[0] else 1.0 if t < OUTAGE[1] else latency_after(t) for t in arrival]
    status = ["completed" if t < OUTAGE[1] else status_after(t) for t in arrival]
    latency = [x if s == "completed" else math.nan for x, s in zip(latency, status, strict=True)]
    return pd.DataFrame(
        {"policy": policy, "replication": 0, "arrival": arrival, "latency": latency, "status": status}
    )


def _recovery(tasks: pd.DataFrame, outages=(OUTAGE,)) -> pd.DataFrame:
    binned = binned_metric(tasks, "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=200.0)
    return time_to_recover(binned, outages)


def test_the_time_to_recover_is_from_the_outages_end_to_the_first_of_three_bins_back():
    # 500 ms for 10 s after the edge is back (the queue draining), then 110 ms: within 20 % of 100 ms.
    tasks = _tasks("edge", lambda t: 0.5 if t < 90.0 else 0.11)
    row = _recovery(tasks).iloc[0]
    assert (row.outage_from_s, row.outage_to_s) == OUTAGE
    assert row.baseline == pytest.approx(0.1)
    assert row.recovered_at_s == 90.0
    assert row.time_to_recover_s == pytest.approx(10.0)


def test_one_bin_back_between_high_ones_is_not_a_recovery():
    # Back for one 2 s bin at 84 s, high again, back for good from 100 s.
    tasks = _tasks("edge", lambda t: 0.1 if 84.0 <= t < 86.0 else 0.1 if t >= 100.0 else 0.6)
    assert _recovery(tasks).iloc[0].time_to_recover_s == pytest.approx(20.0)


def test_a_line_low_only_because_most_tasks_are_still_queued_never_recovers():
    """``local`` after the outage: 1 task in 4 completes (100 ms), the others still in flight at the end."""
    tasks = _tasks(
        "local", lambda t: 0.1, status_after=lambda t: "completed" if t % 2.0 == 0.0 else "in_flight"
    )
    row = _recovery(tasks).iloc[0]
    assert row.baseline == pytest.approx(0.1)
    assert math.isnan(row.recovered_at_s) and math.isnan(row.time_to_recover_s)
    assert row.status == "not recovered"
    note = recovery_note(_recovery(tasks))
    assert "after 60–80 s: local never within the run" in note


def test_an_outage_at_the_start_has_no_baseline_and_outages_that_overlap_are_one():
    tasks = _tasks("edge", lambda t: 0.1)
    assert merged_outages([(60.0, 70.0), (65.0, 80.0)]) == [OUTAGE]
    rows = _recovery(tasks, outages=[(0.0, 10.0), (60.0, 70.0), (65.0, 80.0)])
    assert rows["outage_from_s"].tolist() == [0.0, 60.0]
    assert math.isnan(rows.iloc[0].baseline) and math.isnan(rows.iloc[0].time_to_recover_s)
    assert rows.iloc[1].time_to_recover_s == 0.0
    assert rows["status"].tolist() == ["no baseline", "recovered"]
    assert "edge no bin before it" in recovery_note(rows)


def test_a_line_below_its_old_level_has_recovered_and_one_ending_too_soon_is_said_so():
    # Faster than before the outage (the queue empty): back at once, not "20 % off".
    faster = _recovery(_tasks("edge", lambda t: 0.05)).iloc[0]
    assert (faster.time_to_recover_s, faster.status) == (0.0, "recovered")
    # The window ends 4 s (two bins) after the outage: too soon to say, not "never".
    binned = binned_metric(_tasks("edge", lambda t: 0.1), "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=84.0)
    row = time_to_recover(binned, [OUTAGE]).iloc[0]
    assert row.status == "too near the end" and math.isnan(row.time_to_recover_s)
    assert "edge too near the end to say" in recovery_note(time_to_recover(binned, [OUTAGE]))


# --------------------------------------------------------------------------- other changes, other nodes


def _placed(tasks: pd.DataFrame, node: str) -> pd.DataFrame:
    return tasks.assign(placement=node, final_node=node)


def test_a_link_change_in_the_recovery_window_is_said_and_one_outside_it_is_not():
    """The trial's world: a rush-hour trace ending after the outage made every policy "recover" at
    its end.  A change between the baseline's start and the recovery's end is named on the row."""
    tasks = _placed(_tasks("edge", lambda t: 0.5 if t < 90.0 else 0.1), "edge")
    binned = binned_metric(tasks, "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=200.0)
    trace = Change("phone→ap", "link-trace", (84.0, 90.0))
    row = time_to_recover(binned, [("edge", *OUTAGE)], changes=[trace], tasks=tasks).iloc[0]
    assert row.time_to_recover_s == pytest.approx(10.0)  # the number, as before
    assert row.status == "recovered (overlapped)"
    assert row.overlapped == "link-trace of phone→ap at 84–90 s"
    note = recovery_note(time_to_recover(binned, [("edge", *OUTAGE)], changes=[trace], tasks=tasks))
    assert "after 60–80 s: edge 10 s* (down: edge; *overlapped, not the outage's alone: link-trace" in note
    # The same trace long after the recovery, and the outage's own node's changes: nothing overlapped.
    later = Change("phone→ap", "link-trace", (150.0, 160.0))
    own = Change("edge", "node down", OUTAGE)
    row = time_to_recover(binned, [("edge", *OUTAGE)], changes=[later, own], tasks=tasks).iloc[0]
    assert (row.status, row.overlapped) == ("recovered", "")


def test_another_nodes_outage_in_the_baseline_window_is_said():
    tasks = _placed(_tasks("edge", lambda t: 0.1), "edge-1")
    binned = binned_metric(tasks, "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=200.0)
    changes = node_changes_of([("edge-0", 20.0, 30.0), ("edge-1", *OUTAGE)])
    row = time_to_recover(binned, [("edge-1", *OUTAGE)], changes=changes, tasks=tasks).iloc[0]
    assert row.status == "recovered (overlapped)" and row.overlapped == "edge-0 down 20–30 s"
    # One after the recovery's last bin judged (back at 80 s, 3 bins of 2 s) overlaps nothing.
    changes = node_changes_of([("edge-0", 86.0, 100.0), ("edge-1", *OUTAGE)])
    assert time_to_recover(binned, [("edge-1", *OUTAGE)], changes=changes).iloc[0].status == "recovered"


def test_the_same_nodes_next_outage_before_the_line_is_back_is_said():
    """The trial's edge-outage run: a 0.4 s outage "recovered" in 14.5 s, judged back only after the
    same node's next outage; that next outage moved the line too, so the time is not the first's alone."""
    tasks = _placed(_tasks("edge", lambda t: 0.5 if t < 100.0 else 0.1), "edge")
    binned = binned_metric(tasks, "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=200.0)
    spans = [("edge", *OUTAGE), ("edge", 90.0, 94.0)]
    rows = time_to_recover(binned, spans, changes=node_changes_of(spans), tasks=tasks)
    first, second = rows.iloc[0], rows.iloc[1]
    assert first.time_to_recover_s == pytest.approx(20.0)
    assert (first.status, first.overlapped) == ("recovered (overlapped)", "edge down 90–94 s")
    # The second outage's window holds the first outage (the same node's, before it): not counted.
    assert (second.status, second.overlapped) == ("recovered", "")


def test_a_line_as_noisy_after_the_outage_as_before_it_is_back_at_once():
    """The trial's 1 s bins: a quarter of ordinary bins lay over 1.2 × their median, so a line no
    different after an outage than before took seconds of noise to be judged "back".  Back is within
    the baseline bins' own spread where that is wider than 20 %."""

    def noisy(t: float) -> float:
        return 0.1 if int(t // 2.0) % 2 else 0.16  # 2 s bins alternating 100 and 160 ms

    arrival = np.arange(0.0, 200.0, 0.5)
    latency = [1.0 if OUTAGE[0] <= t < OUTAGE[1] else noisy(t) for t in arrival]
    tasks = pd.DataFrame({"policy": "edge", "replication": 0, "arrival": arrival, "latency": latency})
    tasks["status"] = "completed"
    row = _recovery(tasks).iloc[0]
    assert row.baseline == pytest.approx(0.13)  # 160 ms bins are 23 % above it
    assert (row.status, row.time_to_recover_s) == ("recovered", 0.0)
    # A line still at the outage's level is no more back than before.
    slow = tasks.assign(latency=[1.0 if OUTAGE[0] <= t < 100.0 else noisy(t) for t in arrival])
    assert _recovery(slow).iloc[0].time_to_recover_s == pytest.approx(20.0)


def test_a_series_that_ran_nothing_on_the_node_down_does_not_recover_from_it():
    """``cloud`` never used the edge: its line's moves are not a recovery from the edge's outage."""
    edge = _placed(_tasks("edge", lambda t: 0.5 if t < 90.0 else 0.1), "edge")
    cloud = _placed(_tasks("cloud", lambda t: 0.5 if t < 90.0 else 0.1), "cloud")
    tasks = pd.concat([edge, cloud], ignore_index=True)
    binned = binned_metric(tasks, "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=200.0)
    rows = time_to_recover(binned, [("edge", *OUTAGE)], tasks=tasks).set_index("series")
    assert rows.loc["edge", "status"] == "recovered"
    assert rows.loc["cloud", "status"] == "not on the node"
    assert "cloud ran nothing on edge (not a recovery from it)" in recovery_note(rows.reset_index())
    # Without the records of where tasks ran, nothing is claimed.
    unknown = time_to_recover(binned, [("edge", *OUTAGE)]).set_index("series")
    assert unknown.loc["cloud", "status"] == "recovered"


def test_the_tasks_arriving_in_each_outage_and_their_deadline_misses_are_counted_from_the_records():
    """A deadline of 0.5 s: the tasks in the outage take 1 s and miss it; one of them is dropped,
    one still in flight at the end (past its deadline: missed), all from the records, not bins."""
    tasks = _tasks("edge", lambda t: 0.1).assign(deadline=0.5)
    tasks["deadline_met"] = (tasks["latency"] <= 0.5).astype(float)
    inside = tasks.index[(tasks["arrival"] >= OUTAGE[0]) & (tasks["arrival"] < OUTAGE[1])]
    assert len(inside) == 40  # a task every 0.5 s for 20 s
    tasks.loc[inside[0], ["status", "latency", "deadline_met"]] = ["dropped", math.nan, 0.0]
    tasks.loc[inside[1], ["status", "latency", "deadline_met"]] = ["in_flight", math.nan, math.nan]
    binned = binned_metric(tasks, "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=200.0)
    row = time_to_recover(binned, [OUTAGE], tasks=tasks, run_end_s=200.0).iloc[0]
    assert (row.arrived, row.completed, row.with_deadline, row.deadline_missed) == (40, 38, 40, 40)
    # Without the task records the counts are empty, never made up from the bins.
    row = time_to_recover(binned, [OUTAGE]).iloc[0]
    assert pd.isna(row.arrived) and pd.isna(row.deadline_missed)


def _uplinks(phones: int) -> list[str]:
    return [d for i in range(phones) for d in (f"phone-{i}→ap", f"ap→phone-{i}")]


def test_a_series_that_sent_nothing_over_any_link_does_not_recover_from_a_link_outage():
    """The trial: ``local`` was said to "recover" in 0 s from the phones' uplinks going down, which
    it never used.  A link outage names a series that put no byte on any link ``not on the link``."""
    edge = _placed(_tasks("edge", lambda t: 0.5 if t < 90.0 else 0.1), "edge").assign(bytes_sent=150e3)
    local = _placed(_tasks("local", lambda t: 0.1), "phone-0").assign(bytes_sent=0.0)
    tasks = pd.concat([edge, local], ignore_index=True)
    binned = binned_metric(tasks, "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=200.0)
    outages = [(d, *OUTAGE) for d in _uplinks(2)]
    rows = time_to_recover(binned, outages, tasks=tasks).set_index("series")
    assert rows.loc["edge", "status"] == "recovered"
    assert rows.loc["local", "status"] == "not on the link"
    note = " ".join(recovery_note(rows.reset_index()).split())
    assert "local sent nothing over any link (not a recovery from it)" in note
    # A node's outage is the node's to judge: local sent nothing, but the status is not of links.
    rows = time_to_recover(binned, [("edge", *OUTAGE)], tasks=tasks).set_index("series")
    assert rows.loc["local", "status"] == "not on the node"


def test_the_note_says_many_link_directions_down_as_a_range_and_the_metric_by_its_label():
    """The trial's note listed all 40 uplink directions of 20 phones; and said "above the
    device_energy_mean_j", the metric's name, where the figure's axis gives its label."""
    tasks = _tasks("edge", lambda t: 0.1)
    binned = binned_metric(tasks, "latency_p50_s", bin_s=2.0, start_s=0.0, end_s=200.0)
    rows = time_to_recover(binned, [(d, *OUTAGE) for d in _uplinks(20)])
    note = " ".join(recovery_note(rows, "device_energy_mean_j").split())
    assert "(down: phone-0…phone-19↔ap (20 links, both ways))" in note
    assert "ap→phone-7" not in note
    assert "above the device energy per task of the 60 s before it" in note
