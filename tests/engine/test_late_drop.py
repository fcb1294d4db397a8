"""``late: drop``: a request past its deadline as it would start a stage is dropped, not served.

One camera sends a frame every 100 ms to an edge taking 160 ms a frame, deadline 250 ms; the
transfers take no time (0 B over a link with no latency), so a frame's life is its wait and its
compute at the edge, then its (instant) result transfer.  By hand, with frame ``i`` arriving at
0.1 i after the source's phase and the edge free from 0:

====  =======  ==============  ==================================================
frame  head at  age at the head  what becomes of it
====  =======  ==============  ==================================================
0      0.00     0.00            served to 0.16, latency 0.16: completed
1      0.16     0.06            served to 0.32, latency 0.22: completed
2      0.32     0.12            served to 0.48, latency 0.28: dropped before its result is sent
3      0.48     0.18            served to 0.64: dropped likewise
4      0.64     0.24            served to 0.80: dropped likewise
5      0.80     0.30            dropped at the head of the queue, never computed
6      0.80     0.20            moves up: served from 0.80 (waited 0.20) to 0.96, dropped
7      0.96     0.26            dropped at the head
8      0.96     0.16            served to 1.12, dropped
====  =======  ==============  ==================================================
"""

from __future__ import annotations

import numpy as np
import pytest
from test_frames_past_deadline import FRAMES as PAST_DEADLINE_FRAMES

import offloadsim
from offloadsim.cli import main

# The trial's camera (test_frames_past_deadline.py), its edge taking 160 ms a frame, deadline 250 ms.
FRAMES = (
    PAST_DEADLINE_FRAMES.replace("name: frames", "name: stale-frames")
    .replace(", queue_limit: LIMIT", "")
    .replace(", jitter: JITTER", "")
    .replace("{service: SERVICE, deadline: 200 ms}", "{service: 160 ms, deadline: 250 ms, late: LATE}")
)
SERVICE, DEADLINE, PERIOD = 0.16, 0.25, 0.1
REASON = "past deadline at edge"


def _frames(tmp_path, late: str):
    path = tmp_path / "frames.yaml"
    path.write_text(FRAMES.replace("LATE", late))
    return offloadsim.run(path).tasks.sort_values("task_id", kind="stable").reset_index(drop=True)


def _by_hand(arrivals: np.ndarray, end: float) -> list[tuple[str, float]]:
    """Each frame's (status, compute time) by the rule: dropped if older than the deadline as it
    would start its compute (at the head of the queue) or its result transfer (as its compute ends)."""
    free, out = 0.0, []
    for arrival in arrivals:
        head = max(arrival, free)
        if head > end:
            out.append(("in_flight", 0.0))  # still waiting as the run ends
        elif head - arrival > DEADLINE:
            out.append(("dropped", 0.0))
        else:
            free = head + SERVICE
            if free > end:
                out.append(("in_flight", 0.0))  # in service as the run ends
            else:
                out.append(("completed" if free - arrival <= DEADLINE else "dropped", SERVICE))
    return out


def test_exactly_the_stale_frames_are_dropped_and_the_queue_behind_moves_up(tmp_path):
    tasks = _frames(tmp_path, "drop")
    first = tasks.head(9)
    assert first.status.tolist() == ["completed"] * 2 + ["dropped"] * 7
    assert first.compute_time.round(9).tolist() == [SERVICE] * 5 + [0.0, SERVICE, 0.0, SERVICE]
    assert set(first.reason[first.status == "dropped"]) == {REASON}
    assert first.wait[6] == pytest.approx(0.20)  # frame 6 started as frame 5 was dropped at the head
    assert first.latency[:2].tolist() == pytest.approx([0.16, 0.22])
    # ... and every frame of the run is what the rule gives by hand
    phase = tasks.arrival[0]
    expected = _by_hand(phase + PERIOD * np.arange(len(tasks)), 20.0)
    assert list(zip(tasks.status, tasks.compute_time.round(9), strict=True)) == expected


def test_serving_late_frames_stays_the_default(tmp_path):
    """``late: serve`` (the default): every frame is computed and completes, late."""
    tasks = _frames(tmp_path, "serve")
    assert not (tasks.status == "dropped").any()
    assert (tasks.compute_time[tasks.status == "completed"].round(9) == SERVICE).all()


# 32 AR headsets at 30 fps, deadline 33 ms, sending to one edge offered 124 % of its capacity (HF46's
# trial): served to the end, every frame comes back seconds late; dropping the stale ones, the edge
# serves frames no older than the deadline, so some come back in time.
HEADSETS = """
name: ar-headsets
seed: 1
duration: 4 s
warmup: 1 s
skip_checks: [offered-load]
nodes:
  headset: {count: 32, tier: device}
  ap: {tier: network}
  edge: {tier: edge, processor: {profile: t4}}
links:
  - {between: ["headset-*", ap], bandwidth: 50 Mbps, latency: 2 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 0.5 ms}
applications:
  detect: {model: resnet18, input: 30 KB, output: 2 KB, deadline: 33 ms, late: LATE}
workload:
  - {app: detect, sources: "headset-*", arrivals: periodic, period: 33.333 ms, jitter: 2 ms}
policy: edge
"""


def test_dropping_stale_frames_raises_the_on_time_rate_and_cuts_the_served_latency(tmp_path):
    results = {}
    for late in ("serve", "drop"):
        path = tmp_path / f"{late}.yaml"
        path.write_text(HEADSETS.replace("LATE", late))
        results[late] = offloadsim.run(path)
    served, dropped = results["serve"], results["drop"]
    assert served.summary.metric("on_time_per_s") == 0.0  # queued behind seconds of backlog
    assert dropped.summary.metric("on_time_per_s") > 20.0
    done = dropped.tasks[dropped.tasks.status == "completed"]
    late = served.tasks[served.tasks.status == "completed"]
    assert late.latency.mean() > 0.5 and done.latency.mean() < 0.05
    # A frame that completed started its last step (the result's 2 KB back over Wi-Fi, a few ms) no
    # older than its deadline.
    assert done.latency.max() < 0.033 + 0.005
    assert set(dropped.tasks.reason[dropped.tasks.status == "dropped"]) == {REASON}


@pytest.mark.parametrize(
    ("app", "said"),
    [
        (
            "{service: 1 ms, late: drop}",
            "late: drop drops a request past its deadline, and this application has none",
        ),
        ("{service: 1 ms, deadline: 1 s, late: sometimes}", "expected one of serve, drop"),
        ("{model: gpt2, deadline: 1 s, late: drop}", "late: drop applies to model and synthetic work"),
    ],
)
def test_late_drop_where_it_cannot_act_is_refused(tmp_path, capsys, app, said):
    text = FRAMES.replace("{service: 160 ms, deadline: 250 ms, late: LATE}", app)
    path = tmp_path / "frames.yaml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "applications.frame.late" in err and said in err
