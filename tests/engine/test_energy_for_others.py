"""Energy a powered node spends on another source's task: the task's other_device_energy.

A phone that computes (or receives, or sends) a stage of another phone's
task draws power above idle for it; so does a powered edge server.  That
energy is not the task's ``device_energy`` (its source device's, which the
energy objective prices) but its ``other_device_energy``, and the node's
``energy_for_others_j``, so that every powered node's energy less idle is
its own tasks' device energy plus what it spent for others, where no work is under way at the
measured window's edges (these scenarios have no warm-up, and every task ends before the run):
work running across the window's start or end draws energy the node's meter counts in the window
and no measured task holds in full.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text

# Both phones' tasks start on phone-a (its own, and phone-b's raw input sent to it), which runs the
# first layers and sends the rest to the powered edge; the result goes back to each source.
SHARED = """
name: shared
duration: 20 s
nodes:
  phone-a:
    tier: device
    processor: {speed: 20 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.5 W, receive: 1 W, tail: 0.2 s,
            transmit_per_rate: 1e-9 J/bit, receive_per_rate: 5e-10 J/bit}
  phone-b:
    tier: device
    processor: {speed: 10 GFLOP/s}
    power: {idle: 0.4 W, busy: 2 W, transmit: 1.2 W, receive: 0.8 W, tail: 0.1 s}
  edge:
    tier: edge
    processor: {speed: 1 TFLOP/s}
    power: {idle: 50 W, busy: 120 W, transmit: 52 W, receive: 51 W}
links:
  - {between: [phone-a, edge], bandwidth: 20 Mbps, latency: 5 ms}
  - {between: [phone-b, edge], bandwidth: 10 Mbps, latency: 5 ms}
applications:
  cnn: {model: alexnet}
workload:
  - {app: cnn, sources: phone-a, arrivals: trace, trace: a.csv}
  - {app: cnn, sources: phone-b, arrivals: trace, trace: b.csv}
policy: {name: fixed, nodes: [phone-a, edge], cuts: [5]}
"""


def run(tmp_path):
    (tmp_path / "a.csv").write_text("time\n1.0\n4.0\n")
    (tmp_path / "b.csv").write_text("time\n1.1\n2.0\n7.0\n")
    scenario = load_scenario_text(SHARED, source="<t>", base_dir=tmp_path)
    return scenario, simulate(scenario)


def test_every_powered_node_adds_up_to_its_tasks_and_what_it_spent_for_others(tmp_path):
    _, raw = run(tmp_path)
    tasks, nodes = raw.tasks, raw.nodes
    assert list(tasks["status"]) == ["completed"] * 5
    idle = {"phone-a": 0.5, "phone-b": 0.4, "edge": 50.0}
    # (Code before the column had no energy_for_others_j: it read 0, and phone-a's and the edge's
    # own tasks fell short of their energy above idle.)
    for_others = nodes.get("energy_for_others_j", [0.0] * len(nodes["node"]))
    for i, node in enumerate(nodes["node"]):
        own = sum(e for e, s in zip(tasks["device_energy"], tasks["source"], strict=True) if s == node)
        above_idle = nodes["energy_j"][i] - idle[node] * 20.0
        assert above_idle == pytest.approx(own + for_others[i], rel=1e-12, abs=1e-12), node
    others = dict(zip(nodes["node"], nodes["energy_for_others_j"], strict=True))
    assert others["phone-b"] == 0.0  # it only ever handled its own tasks
    assert others["phone-a"] > 0.0 and others["edge"] > 0.0
    # What the nodes spent for others is what the tasks were charged as other_device_energy.
    assert sum(tasks["other_device_energy"]) == pytest.approx(others["phone-a"] + others["edge"], rel=1e-12)


def test_a_stage_computed_on_another_phone_is_that_task_s_other_device_energy(tmp_path):
    """phone-b's task runs its first 5 layers on phone-a: phone-a's busy power × their time, with
    phone-a's radio receiving the input and sending the activations, is the task's other energy."""
    _, raw = run(tmp_path)
    tasks = raw.tasks
    from_b = np.asarray(tasks["source"]) == "phone-b"
    other = np.asarray(tasks["other_device_energy"])
    # Both kinds of task reach the powered edge; phone-b's also run on, and cross, phone-a.
    assert other[from_b].min() > other[~from_b].max() > 0.0
    assert (np.asarray(tasks["device_energy"]) > 0).all()


def test_the_summary_says_what_other_devices_spent_beside_device_energy_per_task(tmp_path):
    """Device energy per task leaves out phone-a's and the edge's energy for others' tasks: the
    summary says how much, over how many tasks, on both summary paths (records read a chunk at a
    time, and whole columns)."""
    import offloadsim
    from offloadsim.analysis.summary import summarize

    scenario, raw = run(tmp_path)
    result = offloadsim.run(scenario)
    tasks = result.tasks
    # What phone-a and the edge spent above idle less what their own tasks were charged (the nodes
    # table's energy, so the line's number is checked against the meters, not the column alone).
    nodes = raw.nodes
    idle = {"phone-a": 0.5, "phone-b": 0.4, "edge": 50.0}
    own = {n: float(tasks.loc[tasks["source"] == n, "device_energy"].sum()) for n in idle}
    total = sum(nodes["energy_j"][i] - idle[n] * 20.0 - own[n] for i, n in enumerate(nodes["node"]))
    whole = summarize(tasks, result.nodes, result.links, 20.0, end_s=20.0)
    for summary in (result.summary, whole):
        text = summary.format_table()
        assert "over 5 tasks spent on other powered nodes, not in device energy per task" in text, text
        assert re.search(rf"other devices' energy +{total:.1f}  J over", text), text
        assert summary.other_device_energy_tasks == 5
        assert summary.other_device_energy_j == pytest.approx(total, rel=1e-12)


def test_compare_shows_other_devices_energy_per_task_where_a_run_has_some(tmp_path):
    """compare's table has the other devices' energy per task row, and the line under the table says
    it is not in device energy per task; a policy whose tasks stay on their own phones has none."""
    from offloadsim.experiments.compare import compare

    scenario, _ = run(tmp_path)
    result = compare(scenario, ["fixed", "local"], replications=1, workers=1)
    text = result.format_table()
    row = next(line for line in text.splitlines() if line.startswith("other devices' energy per task"))
    assert row.split()[-1] == "0.00"  # local: no task ran or moved anywhere but its own phone
    other = result.metrics.set_index("policy")["other_device_energy_mean_j"]
    assert other["local"] == 0.0 and other["fixed"] > 0.0
    assert "other devices' energy per task (mJ): counted above idle, on powered nodes other than" in text


@pytest.mark.parametrize("node", ["phone-a", "edge"])
@pytest.mark.parametrize("at", [1.12, 1.2, 1.35, 2.05, 2.3])
def test_the_identity_holds_when_a_node_serving_others_goes_down(tmp_path, node, at):
    """A stage of phone-b's task cut short on phone-a (or a transfer on the edge's radio) as that
    node goes down is charged, for the time it ran, to the task's other energy: still every
    powered node's energy less idle is its own tasks' device energy plus its energy for others
    (``down`` defaults to ``idle``: the down time is idle's here; no warm-up, and no task is in
    flight at the end: no work under way at the window's edges)."""
    steps = f"[{{at: {at} s, up: false}}, {{at: 3 s, up: true}}]"
    schedule = f"dynamics:\n  - {{kind: node-schedule, node: {node}, steps: {steps}}}\n"
    (tmp_path / "a.csv").write_text("time\n1.0\n4.0\n")
    (tmp_path / "b.csv").write_text("time\n1.1\n2.0\n7.0\n")
    raw = simulate(load_scenario_text(SHARED + schedule, source="<t>", base_dir=tmp_path))
    tasks, nodes = raw.tasks, raw.nodes
    assert "failed" in set(tasks["status"])
    assert "in_flight" not in set(tasks["status"])  # the identity's condition: nothing under way at the end
    idle = {"phone-a": 0.5, "phone-b": 0.4, "edge": 50.0}
    for i, name in enumerate(nodes["node"]):
        own = sum(e for e, s in zip(tasks["device_energy"], tasks["source"], strict=True) if s == name)
        above_idle = nodes["energy_j"][i] - idle[name] * 20.0
        assert above_idle == pytest.approx(own + nodes["energy_for_others_j"][i], rel=1e-12, abs=1e-12), name


def test_work_under_way_at_the_window_s_end_is_in_the_node_s_energy_not_its_tasks():
    """The identity's condition (docs/cli.md, other_device_energy): phone-0 of quickstart under
    ``local`` for 20 s ends with a task in flight, whose stage in service drew energy that the
    node's meter counts and no measured task's device energy holds: 34.948 J against 35.747 J."""
    from pathlib import Path

    from offloadsim import api

    root = Path(__file__).resolve().parents[2]
    result = api.run(root / "scenarios/quickstart.yaml", policy="local", overrides=["duration=20 s"])
    tasks, nodes = result.tasks, result.nodes.set_index("node")
    mine = tasks[tasks["source"] == "phone-0"]
    assert (mine["status"] == "in_flight").sum() == 1
    charged = mine["device_energy"].sum() + nodes.loc["phone-0", "energy_for_others_j"]
    metered = nodes.loc["phone-0", "energy_j"] - 0.5 * 20.0  # idle 0.5 W, up the whole 20 s
    assert (round(charged, 3), round(metered, 3)) == (34.948, 35.747)


def test_a_sweep_reads_0_other_devices_energy_where_a_policy_s_tasks_stayed_home(tmp_path):
    """As compare does: beside ``fixed``, whose tasks ran on phone-a and the edge, ``local``'s runs
    read 0 other devices' energy per task at every point, not a missing value (its mean read "-")."""
    import pandas as pd

    from offloadsim.cli import main

    run(tmp_path)  # writes the traces
    (tmp_path / "shared.yaml").write_text(SHARED, encoding="utf-8")
    (tmp_path / "sw.yaml").write_text(
        "name: sw\nbase: shared.yaml\npolicies: [fixed, local]\nreplications: 1\n"
        "grid:\n  links[0].bandwidth: [20 Mbps, 40 Mbps]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "sw.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    metrics = pd.read_parquet(out / "metrics.parquet")
    other = metrics.groupby("policy", observed=True)["other_device_energy_mean_j"]
    assert (other.min()["fixed"] > 0.0) and list(other.max().loc[["local"]]) == [0.0], metrics
    assert not metrics["other_device_energy_mean_j"].isna().any(), metrics
