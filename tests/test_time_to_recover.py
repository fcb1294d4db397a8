"""Time to recover after an outage (offloadsim.analysis.recovery), on hand-built tasks tables.

The time is the outage's backlog's drain, from the task records: from the outage's end until the
last task that arrived before that end, unfinished at its start, completed.  An earlier rule judged
the figure's bins (3 in a row within 20 % of the baseline): the same run read 0.23 s, 3.7 s or
1.7 s by the bin width.  The tables here are built so that the answer is known by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from offloadsim.analysis.recovery import (
    DIP,
    Change,
    capacity_dips,
    link_changes_of,
    merged_outages,
    node_changes_of,
    time_to_recover,
    unanalysed_changes,
)
from offloadsim.plots.latency_time import binned_metric, metric_over, recovery_note

OUTAGE = (60.0, 80.0)


def _tasks(
    policy: str, latency_after, status_after=lambda t: "completed", during: float = 1.0
) -> pd.DataFrame:
    """A task every 0.5 s: 100 ms before the outage, ``during`` in it, then ``latency_after(t)``."""
    arrival = np.arange(0.0, 200.0, 0.5)
    latency = [0.1 if t < OUTAGE[0] else during if t < OUTAGE[1] else latency_after(t) for t in arrival]
    status = ["completed" if t < OUTAGE[1] else status_after(t) for t in arrival]
    latency = [x if s == "completed" else math.nan for x, s in zip(latency, status, strict=True)]
    return pd.DataFrame(
        {"policy": policy, "replication": 0, "arrival": arrival, "latency": latency, "status": status}
    )


def _recovery(tasks: pd.DataFrame, outages=(OUTAGE,), bin_s: float = 2.0, start_s: float = 0.0, **kw):
    binned = binned_metric(tasks, "latency_p50_s", bin_s=bin_s, start_s=start_s, end_s=200.0)
    kw.setdefault("level", lambda lo, hi: metric_over(tasks, "latency_p50_s", lo, hi))
    return time_to_recover(binned, outages, tasks=tasks, **kw)


def _fifo(down: tuple[float, float], service: float = 0.1, every: float = 0.2, bump_at: float = 20.0):
    """One server, first come first served, a task every ``every`` s for 30 s, each ``service`` s
    (five at ``bump_at`` take 3 × as long: a bump of ordinary noise); the server does nothing
    while ``down``, tasks queueing for it."""
    free, rows = 0.0, []
    for k in range(int(30.0 / every)):
        arrival = round(k * every, 9)
        start = max(arrival, free)
        if down[0] <= start < down[1]:
            start = down[1]
        took = 3 * service if bump_at <= arrival < bump_at + 5 * every else service
        free = start + took
        rows.append({"policy": "edge", "arrival": arrival, "finish": free, "latency": free - arrival})
    return pd.DataFrame(rows).assign(status="completed", replication=0)


def test_the_time_to_recover_is_the_drain_of_a_deterministic_queue_whatever_the_bins():
    """Down 10–12 s: the 10 tasks arriving at 10.0, 10.2, ... 11.8 wait, then run 0.1 s each from
    12 s, the last ending at 13.0 s: 1.0 s to recover, by hand.  The line stays high until the queue
    has caught up with new arrivals too (14 s), and the noise bump at 20 s is no outage's: the old
    rule on bins read a different time for each bin width and window; the drain reads one."""
    tasks = _fifo((10.0, 12.0))
    seen = set()
    for bin_s in (0.25, 0.5, 1.0, 2.0):
        for start_s in (0.0, 5.0, 9.0):
            row = _recovery(tasks, outages=[(10.0, 12.0)], bin_s=bin_s, start_s=start_s).iloc[0]
            assert row.status == "recovered"
            seen.add((round(row.recovered_at_s, 9), round(row.time_to_recover_s, 9)))
            assert row.backlog == 10
    assert seen == {(13.0, 1.0)}


def test_the_baseline_is_the_records_before_the_outage_whatever_the_bins_and_the_window():
    """The baseline was the median of the figure's bins wholly in the 60 s before the outage: another
    number for each bin width and window.  It is now the metric over the tasks arriving in those 60 s,
    from the measured time's start (5 s here: the warm-up left out), as a summary takes it: the
    median of the latencies of the tasks arriving 5–25 s (the bump at 20 s among them), and their
    95th percentile for ``latency_p95_s``."""
    tasks = _fifo((25.0, 27.0))
    before = tasks[(tasks["arrival"] >= 5.0) & (tasks["arrival"] < 25.0)]["latency"].to_numpy()
    assert len(before) == 100 and before.max() > 2 * np.median(before)  # the bump is in it
    for metric, expected in (
        ("latency_p50_s", np.median(before)),
        ("latency_p95_s", np.percentile(before, 95)),
    ):
        seen = set()
        for bin_s in (0.3, 0.5, 1.0, 2.0, 7.0):
            for start_s in (0.0, 5.0, 9.0, 24.0):
                row = _recovery(
                    tasks,
                    outages=[(25.0, 27.0)],
                    bin_s=bin_s,
                    start_s=start_s,
                    measured_from_s=5.0,
                    level=lambda lo, hi, m=metric: metric_over(tasks, m, lo, hi),
                ).iloc[0]
                seen.add((row.baseline, row.baseline_s))
        assert len(seen) == 1, (metric, seen)  # one value, bit for bit, whatever the bins
        assert seen.pop() == (pytest.approx(expected), 20.0)


def test_tasks_in_flight_when_the_outage_starts_are_its_backlog_too():
    """The task running at 10 s when the server went down (arrived 9.95 s, 0.5 s long) ends late."""
    tasks = _fifo((10.0, 12.0), service=0.5, every=1.0, bump_at=99.0)
    tasks = tasks[tasks["arrival"] < 25.0]
    # arrivals 0, 1, ..., 9 end by 9.5; 10 and 11 wait for 12 s: 12.5, 13.0.
    row = _recovery(tasks, outages=[(10.0, 12.0)]).iloc[0]
    assert (row.recovered_at_s, row.backlog) == (13.0, 2)
    shifted = tasks.assign(arrival=tasks["arrival"] - 0.2)  # one running at 10 s (9.8–10.3 s)
    shifted["finish"] = shifted["arrival"] + shifted["latency"]
    row = _recovery(shifted, outages=[(10.0, 12.0)]).iloc[0]
    assert row.backlog == 3


def test_a_backlog_still_in_flight_at_the_end_is_not_recovered_and_the_note_says_how_many():
    """``local`` after the outage: the tasks arriving in it never complete; it has not recovered by
    the run's end, however low the line of the few that did."""
    tasks = _tasks("local", lambda t: 0.1)
    inside = tasks.index[(tasks["arrival"] >= 70.0) & (tasks["arrival"] < OUTAGE[1])]
    tasks.loc[inside, ["status", "latency"]] = ["in_flight", math.nan]
    row = _recovery(tasks).iloc[0]
    assert math.isnan(row.recovered_at_s) and math.isnan(row.time_to_recover_s)
    assert (row.status, row.backlog_in_flight) == ("not recovered", 20)
    assert "after 60–80 s: local not by the run's end (20 of its tasks still in flight)" in recovery_note(
        _recovery(tasks)
    )


def test_outages_that_overlap_are_one_and_a_quick_policy_recovers_in_its_own_latency():
    tasks = _tasks("edge", lambda t: 0.1, during=0.1)
    assert merged_outages([(60.0, 70.0), (65.0, 80.0)]) == [OUTAGE]
    rows = _recovery(tasks, outages=[(0.0, 10.0), (60.0, 70.0), (65.0, 80.0)])
    assert rows["outage_from_s"].tolist() == [0.0, 60.0]
    # the last task before 80 s arrived at 79.5 s and took 0.1 s: it ended before the outage did
    assert rows["time_to_recover_s"].tolist() == [0.0, 0.0]
    assert math.isnan(rows.iloc[0].baseline)  # no bin before it: the baseline only, not the time
    slow = _recovery(_tasks("edge", lambda t: 0.1, during=1.0)).iloc[0]
    assert slow.time_to_recover_s == pytest.approx(0.5)  # arrived 79.5 s, 1 s: ends 80.5 s


def test_no_outage_and_a_noise_bump_claim_no_recovery():
    tasks = _fifo((99.0, 99.0))
    binned = binned_metric(tasks, "latency_p50_s", bin_s=1.0, start_s=0.0, end_s=30.0)
    assert not len(time_to_recover(binned, [], tasks=tasks))


# --------------------------------------------------------------------------- other changes, other nodes


def _placed(tasks: pd.DataFrame, node: str) -> pd.DataFrame:
    return tasks.assign(placement=node, final_node=node)


def test_a_link_change_before_the_backlog_drained_is_said_and_one_after_it_is_not():
    """The trial's world: a rush-hour trace around the outage moved every policy's line with it.
    A change between the baseline's start and the drain is named on the row."""
    tasks = _placed(_tasks("edge", lambda t: 0.1, during=5.0), "edge")  # drains at 79.5 + 5 = 84.5 s
    trace = Change("phone→ap", "link-trace", (82.0, 90.0))
    row = _recovery(tasks, [("edge", *OUTAGE)], changes=[trace]).iloc[0]
    assert row.time_to_recover_s == pytest.approx(4.5)  # the number, as before
    assert row.status == "recovered (overlapped)"
    assert row.overlapped == "link-trace of phone→ap at 82–90 s"
    note = recovery_note(_recovery(tasks, [("edge", *OUTAGE)], changes=[trace]))
    assert "after 60–80 s: edge 4.5 s* (down: edge; *overlapped, not the outage's alone: link-trace" in note
    later = Change("phone→ap", "link-trace", (150.0, 160.0))
    own = Change("edge", "node down", OUTAGE)
    row = _recovery(tasks, [("edge", *OUTAGE)], changes=[later, own]).iloc[0]
    assert (row.status, row.overlapped) == ("recovered", "")


def test_another_nodes_outage_in_the_baseline_window_or_the_same_nodes_next_is_said():
    tasks = _placed(_tasks("edge", lambda t: 0.1, during=5.0), "edge-1")
    changes = node_changes_of([("edge-0", 20.0, 30.0), ("edge-1", *OUTAGE)])
    row = _recovery(tasks, [("edge-1", *OUTAGE)], changes=changes).iloc[0]
    assert row.status == "recovered (overlapped)" and row.overlapped == "edge-0 down 20–30 s"
    changes = node_changes_of([("edge-0", 86.0, 100.0), ("edge-1", *OUTAGE)])
    assert _recovery(tasks, [("edge-1", *OUTAGE)], changes=changes).iloc[0].status == "recovered"
    spans = [("edge-1", *OUTAGE), ("edge-1", 82.0, 83.0)]
    first = _recovery(tasks, spans, changes=node_changes_of(spans)).iloc[0]
    assert (first.status, first.overlapped) == ("recovered (overlapped)", "edge-1 down 82–83 s")


def test_a_series_that_ran_nothing_on_the_node_down_does_not_recover_from_it():
    """``cloud`` never used the edge: its line's moves are not a recovery from the edge's outage."""
    edge = _placed(_tasks("edge", lambda t: 0.1), "edge")
    cloud = _placed(_tasks("cloud", lambda t: 0.1), "cloud")
    tasks = pd.concat([edge, cloud], ignore_index=True)
    rows = _recovery(tasks, [("edge", *OUTAGE)]).set_index("series")
    assert rows.loc["edge", "status"] == "recovered"
    assert rows.loc["cloud", "status"] == "not on the node"
    assert "cloud ran nothing on edge (not a recovery from it)" in recovery_note(rows.reset_index())


def test_the_tasks_arriving_in_each_outage_and_their_deadline_misses_are_counted_from_the_records():
    """A deadline of 0.5 s: the tasks in the outage take 1 s and miss it; one of them is dropped
    (lost, not waited for), one still in flight at the end (past its deadline: missed; and the
    backlog not drained)."""
    tasks = _tasks("edge", lambda t: 0.1).assign(deadline=0.5)
    tasks["deadline_met"] = (tasks["latency"] <= 0.5).astype(float)
    inside = tasks.index[(tasks["arrival"] >= OUTAGE[0]) & (tasks["arrival"] < OUTAGE[1])]
    assert len(inside) == 40  # a task every 0.5 s for 20 s
    tasks.loc[inside[0], ["status", "latency", "deadline_met"]] = ["dropped", math.nan, 0.0]
    tasks.loc[inside[1], ["status", "latency", "deadline_met"]] = ["in_flight", math.nan, math.nan]
    row = _recovery(tasks, run_end_s=200.0).iloc[0]
    assert (row.arrived, row.completed, row.with_deadline, row.deadline_missed) == (40, 38, 40, 40)
    assert (row.backlog, row.backlog_in_flight, row.status) == (39, 1, "not recovered")


def _uplinks(phones: int) -> list[str]:
    return [d for i in range(phones) for d in (f"phone-{i}→ap", f"ap→phone-{i}")]


def test_a_series_that_sent_nothing_over_any_link_does_not_recover_from_a_link_outage():
    """The trial: ``local`` was said to "recover" in 0 s from the phones' uplinks going down, which
    it never used.  A link outage names a series that put no byte on any link ``not on the link``."""
    edge = _placed(_tasks("edge", lambda t: 0.1), "edge").assign(bytes_sent=150e3)
    local = _placed(_tasks("local", lambda t: 0.1), "phone-0").assign(bytes_sent=0.0)
    tasks = pd.concat([edge, local], ignore_index=True)
    rows = _recovery(tasks, [(d, *OUTAGE) for d in _uplinks(2)]).set_index("series")
    assert rows.loc["edge", "status"] == "recovered"
    assert rows.loc["local", "status"] == "not on the link"
    note = " ".join(recovery_note(rows.reset_index()).split())
    assert "local sent nothing over any link (not a recovery from it)" in note
    rows = _recovery(tasks, [("edge", *OUTAGE)]).set_index("series")
    assert rows.loc["local", "status"] == "not on the node"


def test_the_note_says_many_link_directions_down_as_a_range():
    """The trial's note listed all 40 uplink directions of 20 phones."""
    rows = _recovery(_tasks("edge", lambda t: 0.1), [(d, *OUTAGE) for d in _uplinks(20)])
    note = " ".join(recovery_note(rows).split())
    assert "(down: phone-0…phone-19↔ap (20 links, both ways))" in note
    assert "ap→phone-7" not in note


#: The uplink's bandwidth (Mb/s) from each time (s), as a trace sets it; the scenario gives 10 Mb/s.
UPLINK = ((0.0, 10.0), (20.0, 2.0), (25.0, 10.0), (30.0, 6.0), (40.0, 4.0), (41.0, 10.0))


def _uplink_changes(steps=UPLINK) -> pd.DataFrame:
    """``link_changes`` rows of the trace ``steps`` on ``phone→ap`` (bit/s), one a step."""
    return pd.DataFrame(
        {
            "time": [t for t, _ in steps],
            "a": "phone",
            "b": "ap",
            "change": "capacity",
            "capacity": [mbps * 1e6 for _, mbps in steps],
            "scenario_capacity": 10e6,
            "up": True,
            "kind": "link-trace",
        }
    )


def _uplink_tasks(steps=UPLINK) -> pd.DataFrame:
    """A task a second for 60 s, each sending 4 Mb over the uplink, first come first served at the
    bandwidth in force (a transfer straddling a step goes on at the new rate), then 0.1 s of compute;
    and ``local``'s tasks, 0.1 s each on the phone, sending nothing."""
    rows, free = [], 0.0
    for arrival in np.arange(0.0, 60.0, 1.0):
        at, left = max(float(arrival), free), 4.0
        while left > 1e-12:  # send the bits left at each step's rate until the step's end
            rate = [mbps for t, mbps in steps if t <= at + 1e-12][-1]
            upto = min([t for t, _ in steps if t > at + 1e-12], default=math.inf)
            took = min(left / rate, upto - at)
            at, left = at + took, left - took * rate
        free = at
        rows.append({"policy": "edge", "arrival": arrival, "finish": at + 0.1, "bytes_sent": 500e3})
        rows.append({"policy": "local", "arrival": arrival, "finish": arrival + 0.1, "bytes_sent": 0.0})
    tasks = pd.DataFrame(rows).assign(status="completed", replication=0)
    return tasks.assign(latency=tasks["finish"] - tasks["arrival"])


def test_a_bandwidth_dip_is_recovered_from_when_the_transfers_it_held_up_have_ended():
    """The trial: a trace's dip held ``edge`` up and the figure said only "not analysed".  The uplink
    of 10 Mb/s falls to 2 Mb/s at 20–25 s (under half: a dip), a task a second sending 4 Mb (0.4 s at
    10 Mb/s, 2 s at 2 Mb/s), by hand: 20's goes 20–22 s, 21's 22–24 s, 22's 24–25 s at 2 Mb/s and the
    2 Mb left at 10 Mb/s, to 25.2 s; 23's 25.2–25.6 s, 24's 25.6–26.0 s, ending 26.1 s after its
    0.1 s of compute: 5 tasks held up, 1.1 s to recover.  At 30 s 6 Mb/s is a move, not a dip (over
    half); at 40–41 s 4 Mb/s is: 40's task, alone, 40–41 s, ends 41.1 s (0.1 s).  ``local`` sent
    nothing: no recovery from a dip."""
    changes, tasks = _uplink_changes(), _uplink_tasks()
    assert tasks.set_index(["policy", "arrival"]).loc[("edge", 24.0), "finish"] == pytest.approx(26.1)
    dips = capacity_dips(changes, 60.0)
    assert dips == [("phone→ap", 20.0, 25.0), ("phone→ap", 40.0, 41.0)]
    rows = _recovery(tasks, [], dips=dips, changes=link_changes_of(changes), run_end_s=60.0)
    edge = rows[rows["series"] == "edge"]
    assert edge["change"].tolist() == [DIP, DIP]
    assert edge["backlog"].tolist() == [5, 1]
    assert edge["recovered_at_s"].tolist() == pytest.approx([26.1, 41.1])
    assert edge["time_to_recover_s"].tolist() == pytest.approx([1.1, 0.1])
    assert edge["status"].tolist() == ["recovered", "recovered"]  # the trace's own moves are its weather
    assert edge["baseline"].iloc[0] == pytest.approx(0.5)  # 0.4 s to send, 0.1 s to compute, before 20 s
    local = rows[rows["series"] == "local"]
    assert local["status"].tolist() == ["not on the link"] * 2
    note = " ".join(recovery_note(rows).split())
    assert "after 20–25 s: edge 1.1 s, local sent nothing over any link" in note
    assert "(bandwidth dip under 50%: phone→ap)" in note
    # its next dip before the backlog drained is another change: the time is not this dip's alone
    steps = ((0.0, 10.0), (20.0, 2.0), (25.0, 10.0), (25.5, 1.0), (26.5, 10.0))
    dips = capacity_dips(_uplink_changes(steps), 60.0)
    rows = _recovery(_uplink_tasks(steps), [], dips=dips, changes=link_changes_of(_uplink_changes(steps)))
    first = rows[rows["series"] == "edge"].iloc[0]
    assert first.status == "recovered (overlapped)" and first.overlapped.startswith(f"{DIP} of phone→ap")
    # and the note calls it the dip's, not "the outage's" (the unstable-uplink figure's 29–31 s)
    note = " ".join(recovery_note(rows).split())
    assert f"*overlapped, not the dip's alone: {DIP} of phone→ap" in note, note
    assert "outage's alone" not in note


def test_a_bandwidth_that_never_dipped_or_dipped_to_the_end_or_a_latency_change_is_said_not_analysed():
    """A link going down and up is an outage; a dip is analysed; the rest has no end to recover
    from, and the note says so rather than leave an empty table read as "no effect"."""
    changes = pd.concat(
        [
            _uplink_changes(((0.0, 10.0), (20.0, 2.0), (25.0, 10.0))),
            _uplink_changes(((10.0, 6.0), (50.0, 3.0))).assign(a="ap", b="edge"),
            _uplink_changes(((5.0, 10.0),)).assign(a="edge", b="ap", change="latency"),
            _uplink_changes(((90.0, 10.0), (95.0, 10.0))).assign(
                a="ap", b="cloud", change=["down", "up"], up=[False, True], kind="link-schedule"
            ),
        ],
        ignore_index=True,
    )
    dips = capacity_dips(changes, 100.0)
    assert dips == [("phone→ap", 20.0, 25.0)]  # ap→edge still under half at the end: no row
    found = unanalysed_changes(changes, dips)
    assert [(c.what, c.times) for c in found] == [("ap→edge", (10.0, 50.0)), ("edge→ap", (5.0,))]
    note = recovery_note(pd.DataFrame(), "link-trace of ap→edge at 10–50 s")
    assert "no time to recover after link-trace of ap→edge at 10–50 s (a latency or loss change" in note


def test_only_a_recovery_has_a_time_to_recover():
    """The trial: ``local``'s row said ``not on the link`` and still gave a time (6.095 s) in the
    ``.recovery.csv``: every status but a recovery leaves the time empty, as ``not recovered`` does."""
    edge = _placed(_tasks("edge", lambda t: 0.1), "edge").assign(bytes_sent=150e3)
    local = _placed(_tasks("local", lambda t: 0.1), "phone-0").assign(bytes_sent=0.0)
    tasks = pd.concat([edge, local], ignore_index=True)
    for outages in ([(d, *OUTAGE) for d in _uplinks(2)], [("edge", *OUTAGE)]):
        rows = _recovery(tasks, outages).set_index("series")
        assert rows.loc["local", "status"].startswith("not on the")
        assert math.isnan(rows.loc["local", "time_to_recover_s"])
        assert math.isnan(rows.loc["local", "recovered_at_s"])
        assert rows.loc["edge", "status"] == "recovered" and rows.loc["edge", "time_to_recover_s"] >= 0
