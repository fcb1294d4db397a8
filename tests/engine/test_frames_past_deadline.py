"""Frames at a fixed rate with a deadline: what the docs promise a camera or AR headset's user.

Periodic arrivals keep to their grid (each arrival within its jitter after its nominal time,
never drifting, never out of order, even with a jitter wider than the period); a frame past its
deadline is still queued, served and counted in the throughput (by default: ``late: drop`` drops
stale work, tests/engine/test_late_drop.py); and a
processor's ``queue_limit`` is what sheds frames instead: the newest turned away as ``dropped``,
with no latency, so the frames served keep to their deadline.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import offloadsim
from offloadsim.analysis.summary import metrics_row

# One camera sends a frame every 100 ms to an edge that takes SERVICE a frame (150 ms: overloaded
# by half, which the offered-load check would rightly warn of).
FRAMES = """
name: frames
seed: 5
duration: 20 s
warmup: 0 s
skip_checks: [offered-load]
nodes:
  cam: {tier: device}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s, queue_limit: LIMIT}}
links:
  - {between: [cam, edge], bandwidth: 1 Gbps, latency: 0 ms}
applications:
  frame: {service: SERVICE, deadline: 200 ms}
workload:
  - {app: frame, sources: cam, arrivals: periodic, period: 100 ms, jitter: JITTER}
policy: edge
"""


def _run(
    tmp_path, *, service: str = "150 ms", jitter: str = "0 s", limit: int = 10000
) -> offloadsim.RunResult:
    text = FRAMES.replace("SERVICE", service).replace("JITTER", jitter).replace("LIMIT", str(limit))
    path = tmp_path / "frames.yaml"
    path.write_text(text)
    return offloadsim.run(path)


def _in_order(tasks: pd.DataFrame) -> pd.DataFrame:
    return tasks.sort_values("task_id", kind="stable")


@pytest.mark.parametrize("jitter_s", [0.0, 0.03, 0.25])
def test_periodic_arrivals_stay_on_their_grid_in_order(tmp_path, jitter_s):
    """Each arrival lies in [nominal, nominal + jitter): the jitter shifts frames, it does not drift them."""
    arrival = _in_order(_run(tmp_path, service="1 ms", jitter=f"{jitter_s} s").tasks).arrival.to_numpy()
    # 20 s at 10 frames a second; the last frames' shifts may take them past the end of the run
    assert 200 - math.ceil(jitter_s / 0.1) <= len(arrival) <= 200
    assert np.all(np.diff(arrival) >= 0.0)  # frames keep their order
    offsets = arrival - 0.1 * np.arange(len(arrival))  # the source's phase + each frame's shift
    assert offsets.max() - offsets.min() <= jitter_s + 1e-9
    if jitter_s > 0.1:  # wider than the period: a frame drawn before its predecessor comes with it
        assert np.any(np.diff(arrival) == 0.0)


def test_a_frame_past_its_deadline_is_still_served_and_counted_in_the_throughput(tmp_path):
    result = _run(tmp_path)
    tasks = result.tasks
    assert not (tasks.status == "dropped").any()  # no frame is shed, however stale
    done = tasks[tasks.status == "completed"]
    # The queue grows by 50 ms a frame: all but the first two frames finish past their 200 ms.
    assert int(done.deadline_met.sum()) == 2 and done.latency.max() > 5.0
    assert result.summary.throughput_per_s == pytest.approx(len(done) / 20.0)  # late frames included


def test_a_queue_limit_sheds_the_newest_frames_and_the_served_ones_keep_their_deadline(tmp_path):
    result = _run(tmp_path, limit=0)
    tasks = result.tasks
    dropped, done = tasks[tasks.status == "dropped"], tasks[tasks.status == "completed"]
    assert len(dropped) > 0 and dropped.latency.isna().all()  # no latency for a frame not served
    assert set(dropped.reason) == {"queue full at edge"}
    assert done.latency.max() == pytest.approx(0.15) and done.deadline_met.all()
    assert result.summary.latency_p99_s == pytest.approx(0.15)  # the dropped frames are not in it
    # ... but they are misses: the miss rate counts them, so shedding does not read as meeting.
    assert result.summary.deadline_miss_rate == pytest.approx(len(dropped) / (len(dropped) + len(done)))


def test_the_on_time_throughput_counts_the_frames_in_time_where_the_throughput_counts_all(tmp_path):
    stale = _run(tmp_path).summary
    assert stale.metric("on_time_per_s") == pytest.approx(2 / 20.0)  # the first two frames alone
    assert stale.throughput_per_s > 30 * stale.metric("on_time_per_s")
    shed = _run(tmp_path, limit=0)
    served = int((shed.tasks.status == "completed").sum())
    assert (
        shed.summary.metric("on_time_per_s") == pytest.approx(served / 20.0) == shed.summary.throughput_per_s
    )
    assert metrics_row(shed.summary)["on_time_per_s"] == shed.summary.metric("on_time_per_s")


def test_no_deadline_no_on_time_throughput(tmp_path):
    path = tmp_path / "frames.yaml"
    path.write_text(
        FRAMES.replace(", deadline: 200 ms", "")
        .replace("SERVICE", "1 ms")
        .replace("JITTER", "0 s")
        .replace("LIMIT", "10")
    )
    summary = offloadsim.run(path).summary
    assert math.isnan(summary.metric("on_time_per_s")) and "on_time_per_s" not in metrics_row(summary)
