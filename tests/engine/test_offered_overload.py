"""A node offered more than its capacity says its run's throughput is no capacity, and how to measure one.

``throughput_per_s`` counts the measured arrivals that completed.  A sweep of the arrival rate over one
core running resnet50 (1.86 a second at most) read 1.80, 1.55, 1.42, 1.15 and 0.94 a second offered
0.5 to 6: past capacity the queue the warm-up left is served first, so the higher the rate, the fewer
measured arrivals complete, which a capacity study reads as a server slowing down under load.
"""

from __future__ import annotations

import pytest
from test_overload import queue, run

import offloadsim


def _overloaded(result) -> list[str]:
    return [w for w in result.summary.warnings if w.startswith("overloaded: ")]


@pytest.mark.parametrize("rate", [1.5, 3.0])
def test_a_node_offered_more_than_its_capacity_says_throughput_is_no_capacity(rate: float):
    result = run(queue(rate=rate, duration=200) + "warmup: 20 s\n")
    (said,) = _overloaded(result)
    # One core, 1 s a task on average: offered the rate itself, as the scenario's numbers give it.
    (facts,) = [found for found in result.summary.warning_facts if found.kind == "overloaded"]
    ((name, load),) = facts.nodes
    assert name == "phone" and load == pytest.approx(rate, rel=0.15) and facts.offered_nodes == ("phone",)
    assert said.startswith(f"overloaded: phone offered {load:.0%} of its capacity (")
    assert "throughput here counts the measured arrivals that completed" in said
    assert said.endswith("for capacity, run a closed loop (`arrivals: closed, users: N`)")
    # The throughput it speaks of leaves arrivals unfinished: it is not what the core could serve.
    assert result.summary.in_flight > 0.2 * result.summary.arrived


def test_a_node_under_its_capacity_is_not_said_overloaded():
    assert _overloaded(run(queue(rate=0.8, duration=200))) == []


def test_a_node_busy_all_run_whose_offered_load_is_not_known_is_said_not_left_out(tmp_path):
    """A trace's rate is no scenario number: its node, busy all run, was left out of the warning."""
    from offloadsim.scenario import load_scenario

    times = "\n".join(f"{i / 3:.4f}" for i in range(3 * 200))  # 3 a second: three times one core's
    (tmp_path / "arrivals.csv").write_text(f"time\n{times}\n")
    text = queue(rate=1, duration=200).replace("rate: 1 /s", "arrivals: trace, trace: arrivals.csv")
    (tmp_path / "trace.yaml").write_text(text + "warmup: 20 s\n")
    result = offloadsim.run(load_scenario(tmp_path / "trace.yaml"))
    (said,) = _overloaded(result)
    busy = float(result.nodes.set_index("node").loc["phone", "utilisation"])
    assert said.startswith(
        f"overloaded: phone busy {busy:.1%} of the measured time, its offered load not known ("
    )
    assert "a trace" in said and said.endswith(
        "for capacity, run a closed loop (`arrivals: closed, users: N`)"
    )
    (facts,) = [found for found in result.summary.warning_facts if found.kind == "overloaded"]
    assert facts.nodes == (("phone", busy),) and facts.node_count == 1 and facts.offered_nodes == ()


def _tasks(placements: list[str]):
    """Three completed tasks, two of the phone's ``job`` and a camera's ``clip``, placed so."""
    import pandas as pd

    return pd.DataFrame(
        {
            "source": ["phone", "phone", "cam"],
            "app": ["job", "job", "clip"],
            "placement": placements,
            "status": pd.Categorical(["completed"] * 3),
            "compute_time": [0.5, 0.5, 0.2],
        }
    )


def test_a_node_that_ran_part_of_a_split_task_has_no_offered_load_and_says_why():
    from offloadsim.analysis.offered_load import RATE_UNKNOWN, SPLIT_UNKNOWN, loads_and_unknowns

    tasks = _tasks(["phone>edge", "phone", "cloud"])
    loads, unknown = loads_and_unknowns(tasks, {("phone", "job"): 2.0})
    assert loads == {}  # the phone also ran part of a split task; the cloud's pair has no rate
    assert unknown == {"phone": SPLIT_UNKNOWN, "edge": SPLIT_UNKNOWN, "cloud": RATE_UNKNOWN}


def test_a_node_a_closed_loop_keeps_busy_is_not_said_overloaded():
    """Its users wait on its service: offered no more than it serves, its throughput is its capacity."""
    text = queue(rate=1, duration=200).replace("rate: 1 /s", "arrivals: closed, users: 8")
    result = run(text + "warmup: 20 s\n")
    assert float(result.nodes.set_index("node").loc["phone", "utilisation"]) >= 0.99  # busy all run
    assert _overloaded(result) == []


def test_a_pipeline_a_closed_loop_keeps_busy_is_not_said_overloaded(tmp_path):
    """A split task's nodes under a closed loop alone: at capacity, not past it.

    Three Jetsons sharing an 8B model under 20 closed-loop users: the first was said overloaded, its
    load not known (it ran part of a split task), and told to run the closed loop it already was.
    """
    from pipeline_scenario import SCENARIO

    path = tmp_path / "pipeline.yaml"
    path.write_text(SCENARIO.replace("USERS", "20"), encoding="utf-8")
    result = offloadsim.run(path)
    assert float(result.nodes.set_index("node").loc["edge-0", "utilisation"]) >= 0.99  # busy all run
    assert _overloaded(result) == []
    # The same pipeline fed by open arrivals past its capacity is still said overloaded, and why.
    open_loop = SCENARIO.replace("arrivals: closed, users: USERS", "arrivals: poisson, rate: 30 /min")
    path.write_text(open_loop, encoding="utf-8")
    (said,) = _overloaded(offloadsim.run(path))
    assert "edge-0 busy" in said and "(it ran part of a split task)" in said


def test_a_split_task_node_is_known_paced_only_when_every_task_it_ran_is_a_closed_loop_s():
    from offloadsim.analysis.offered_load import SPLIT_UNKNOWN, loads_and_unknowns

    tasks = _tasks(["phone>edge", "phone>edge", "edge"])
    paced = frozenset({("phone", "job")})
    # The phone ran the closed loop's tasks alone; the edge a camera's too, at no rate known.
    assert loads_and_unknowns(tasks, {}, paced) == ({}, {"edge": SPLIT_UNKNOWN})
    assert loads_and_unknowns(tasks, {}, paced | {("cam", "clip")}) == ({}, {})


def test_a_node_open_and_closed_loops_both_feed_is_said_overloaded_by_the_open_loops_load():
    """One server, a 1-user closed loop beside Poisson requests at 1.5 /s, 1 s each on average: the
    open loop alone offers it 150 % of its capacity, yet it was never said overloaded (fed by a
    closed loop too, it had no offered load).  By hand: the open pair's rate times its mean time a
    task on the node, the settling warning's open-loop share; the closed loop's work not counted."""
    from test_settling import MIXED

    result = run(MIXED.format(rate=1.5, duration=300, think=2))
    tasks = result.tasks
    done = tasks[(tasks["status"] == "completed") & (tasks["app"] == "job")]
    offered = 1.5 * float(done["compute_time"].mean())
    assert offered == pytest.approx(1.5, rel=0.25)  # the scenario's 1.5 /s x 1 s
    (said,) = _overloaded(result)
    assert said.startswith(f"overloaded: srv open-loop offered {offered:.0%} of its capacity (")
    assert "closed loops feed it too, their share not counted" in said
    (facts,) = [found for found in result.summary.warning_facts if found.kind == "overloaded"]
    assert facts.nodes == (("srv", pytest.approx(offered)),) and facts.offered_nodes == ("srv",)
    # Under capacity from its open loop alone (0.3 /s, 30 %) it is not, however busy the loop keeps it.
    assert _overloaded(run(MIXED.format(rate=0.3, duration=300, think=0.1))) == []
