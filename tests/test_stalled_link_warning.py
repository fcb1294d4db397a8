"""A link at 0 bit/s (or down) to the run's end is said as cut, not as an overload.

A trace at 0 for the whole run left every transfer on its link in flight, and the run's only
warning was the backlog's: "it looks overloaded, or too short to settle".  The ``stalled_link``
warning names the link, from when, and the tasks it left in flight, and the backlog warning counts
the backlog without them: said only where something else grew it too.
"""

from __future__ import annotations

import pytest

import offloadsim
from offloadsim.analysis.warning_kinds.stalled_link import STALLED_WARNING, stalls
from offloadsim.scenario.errors import ScenarioWarning

#: Phone and edge, the phone -> edge direction driven by trace.csv; CAMERA: a second source to fill in.
TRACED = """
dynamics:
  - {kind: link-trace, link: [phone, edge], file: trace.csv}
"""

#: A camera sending the edge server 150 jobs of 1 GFLOP a second: 150 % of its 100 GFLOP/s.
CAMERA = """
  cam: {tier: device, processor: {speed: 10 GFLOP/s}}
"""


@pytest.fixture
def run(tiny_scenario_text, tmp_path):
    """A function running the tiny scenario for 20 s with ``rows`` as its trace (and the camera, ``busy``)."""

    def run_with(rows: str, busy: bool = False):
        (tmp_path / "trace.csv").write_text(rows, encoding="utf-8")
        text = tiny_scenario_text.replace("duration: 2 s", "duration: 20 s") + TRACED
        if busy:
            text = text.replace("nodes:\n", "nodes:" + CAMERA, 1)
            text = text.replace(
                "links:\n", "links:\n  - {between: [cam, edge], bandwidth: 1 Gbps, latency: 1 ms}\n"
            )
            text = text.replace("workload:\n", "workload:\n  - {app: job, sources: cam, rate: 150 /s}\n")
        path = tmp_path / "stalled.yaml"
        path.write_text(text, encoding="utf-8")
        return offloadsim.run(path)

    return run_with


def _kinds(result) -> list[str]:
    return [facts.kind for facts in result.summary.warning_facts]


def _in_flight_from(result, source: str) -> int:
    tasks = result.tasks
    return int(((tasks["status"] == "in_flight") & (tasks["source"] == source)).sum())


def test_a_link_at_0_all_run_is_said_cut_and_not_overloaded(run):
    with pytest.warns(ScenarioWarning, match=r"\[stalled-traces\]"):  # said before the run too
        result = run("time,bandwidth,reverse_bandwidth\n0,0,5 Mbps\n10,0,5 Mbps\n")
    stuck = _in_flight_from(result, "phone")
    assert stuck == len(result.tasks) > 50  # nothing finished: every task is on the cut link
    assert result.summary.warnings == (
        f"{STALLED_WARNING}: phone -> edge had 0 bandwidth from 0 s to the end (20 s; its {stuck} tasks "
        "in flight between phone and edge never finished): cut, not overloaded, so the tasks it left in "
        "flight say nothing of the load, and their latencies are in no mean",
    )
    (facts,) = result.summary.warning_facts
    assert dict(facts.numbers)["phone->edge"] == 0.0


def test_a_link_that_stalls_later_says_from_when_and_the_tasks_it_holds(run):
    result = run("time,bandwidth\n0,20 Mbps\n12,0\n")
    (text,) = result.summary.warnings
    stuck = _in_flight_from(result, "phone")
    assert 0 < stuck < len(result.tasks)
    assert f"phone -> edge had 0 bandwidth from 12 s to the end (20 s; its {stuck} tasks in flight" in text
    assert _kinds(result) == ["stalled_link"]


def test_a_stall_that_ended_before_the_run_did_is_not_said(run):
    """A tunnel: the link at 0 from 5 s to 10 s, its transfers finished after it."""
    result = run("time,bandwidth\n0,20 Mbps\n5,0\n10,20 Mbps\n")
    assert "stalled_link" not in _kinds(result)
    assert _in_flight_from(result, "phone") <= 1


def test_an_overload_beside_a_cut_link_is_still_said_as_overload(run):
    """The camera's tasks pile up on the edge server: the backlog, without the phone's, still grew."""
    with pytest.warns(ScenarioWarning, match=r"\[stalled-traces\]"):
        result = run("time,bandwidth\n0,0\n", busy=True)
    kinds = _kinds(result)
    assert "stalled_link" in kinds and "backlog" in kinds
    (backlog,) = [text for text in result.summary.warnings if text.startswith("the tasks in the system grew")]
    assert "looks overloaded" in backlog


def test_stalls_reads_the_state_in_force_at_the_end_from_the_link_changes():
    changes = {
        "time": [0.0, 3.0, 4.0, 6.0, 2.0, 9.0],
        "a": ["p", "p", "p", "p", "q", "q"],
        "b": ["e", "e", "e", "e", "e", "e"],
        "capacity": [8e6, 0.0, 0.0, 8e6, 8e6, 8e6],
        "up": [True, True, False, True, False, True],
    }
    assert stalls(changes, 3.5) == [("p", "e", 3.0, "had 0 bandwidth"), ("q", "e", 2.0, "was down")]
    assert stalls(changes, 5.0)[0] == ("p", "e", 3.0, "had 0 bandwidth or was down")
    assert stalls(changes, 10.0) == []  # both carry again by then
    assert stalls(None, 10.0) == []
