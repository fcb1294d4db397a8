"""Device energy (tail, battery) and activation compression on split transfers."""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.models import as_chain, get_model
from offloadsim.scenario import load_scenario_text

SPLIT = """
name: codec
duration: 30 s
nodes:
  phone:
    tier: device
    processor: {speed: 20 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.5 W, receive: 1 W}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 10 Mbps, latency: 5 ms}
applications:
  cnn: {model: alexnet, compression: CODEC}
workload:
  - {app: cnn, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [phone, edge], cuts: [CUT]}
"""


def one_task(tmp_path, codec: str, cut: int, text: str = SPLIT) -> dict:
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    scenario = load_scenario_text(
        text.replace("CODEC", codec).replace("CUT", str(cut)), source="<t>", base_dir=tmp_path
    )
    raw = simulate(scenario)
    return {k: v[0] for k, v in raw.tasks.items()} | {"nodes": raw.nodes}


@pytest.mark.parametrize(("codec", "factor", "encode", "decode"), [("fp16", 0.5, 1, 1), ("int8", 0.25, 4, 2)])
def test_codec_shrinks_the_cut_tensor_and_charges_its_cost(tmp_path, codec, factor, encode, decode):
    chain = as_chain(get_model("alexnet"))
    cut = 5
    plain = one_task(tmp_path, "none", cut)
    packed = one_task(tmp_path, codec, cut)
    crossing = chain.cut_bytes[cut]
    output = chain.cut_bytes[-1]
    assert plain["bytes_sent"] == pytest.approx(crossing + output)
    assert packed["bytes_sent"] == pytest.approx(crossing * factor + output)
    elements = crossing / 4
    extra = elements * encode / 20e9 + elements * decode / 1e12
    assert packed["compute_time"] - plain["compute_time"] == pytest.approx(extra, rel=1e-9)
    saved = crossing * (1 - factor) * 8 / 10e6
    assert plain["latency"] - packed["latency"] == pytest.approx(saved - extra, rel=1e-9)


def test_raw_input_and_result_are_never_compressed(tmp_path):
    all_remote = one_task(tmp_path, "int8", 0)
    chain = as_chain(get_model("alexnet"))
    assert all_remote["bytes_sent"] == pytest.approx(chain.cut_bytes[0] + chain.cut_bytes[-1])
    assert all_remote["raw_input_offloaded"] == 1.0


def codec_notes(tmp_path, codec: str, cut: int) -> tuple[list[str], tuple[str, ...]]:
    """The run's notes on ``cnn``'s codec, and the notes on what only that run measured."""
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    text = SPLIT.replace("CODEC", codec).replace("CUT", str(cut))
    raw = simulate(load_scenario_text(text, source="<t>", base_dir=tmp_path))
    return [note for note in raw.notes if note.startswith("applications.cnn.compression")], raw.own_notes


@pytest.mark.parametrize("cut", [0, 20])
def test_a_codec_no_plan_applied_is_said_in_a_note(tmp_path, cut):
    """A plan that uploads the raw input (cut 0) or runs the model whole on the phone (cut 20)
    crosses no cut: int8 changed nothing, and a sweep of it read the same at every value with no
    word of why."""
    notes, own = codec_notes(tmp_path, "int8", cut)
    assert notes == [
        "applications.cnn.compression: int8 compressed nothing: no plan cut cnn between two "
        "nodes (a codec acts on the activations crossing a cut; the raw input and the result are never "
        "compressed): the records' split and placement say where the cuts fell"
    ]
    assert notes[0] in own  # what only this run measured: compare and sweep say which runs did


def test_a_sweep_says_the_codec_note_once_with_its_runs_and_not_of_this_run(tmp_path, capsys):
    """Grouped over a sweep's runs it read "int8 compressed nothing in this run ... (2 of 4 runs ...)"."""
    from offloadsim.cli import main

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    (tmp_path / "codec.yaml").write_text(SPLIT.replace("CODEC", "int8").replace("CUT", "5"))
    (tmp_path / "sweep.yaml").write_text(
        "name: s\nbase: codec.yaml\ngrid:\n  policy.cuts: [[0], [5]]\nreplications: 2\n", encoding="utf-8"
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "out")]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "compressed nothing" in line]
    assert line.startswith("note: applications.cnn.compression: int8 compressed nothing: no plan cut cnn ")
    assert (
        "this run" not in line and "(2 of 4 runs: policy.cuts=[0], policy=fixed, replication=0, ...)" in line
    )


def test_a_codec_a_plan_applied_has_no_note(tmp_path):
    assert codec_notes(tmp_path, "int8", 5)[0] == []
    assert codec_notes(tmp_path, "none", 0)[0] == []


def test_radio_tail_is_charged_above_idle_and_cut_short_by_the_next_activity(tmp_path):
    with_tail = SPLIT.replace("receive: 1 W}", "receive: 1 W, tail: 2 s}")
    assert with_tail != SPLIT
    plain = one_task(tmp_path, "none", 5)
    tailed = one_task(tmp_path, "none", 5, with_tail)
    # After the upload the radio idles at transmit power until the result's first byte arrives
    # (route latency up + the edge's compute + route latency back), then for a whole tail after it.
    chain = as_chain(get_model("alexnet"))
    gap = 0.005 + float(np.sum(chain.flops[5:])) / 1e12 + 0.005
    expected = (1.5 - 0.5) * (gap + 2.0)
    assert tailed["device_energy"] - plain["device_energy"] == pytest.approx(expected, rel=1e-9)
    # The node pays the same: one task, so its tail is the node's.
    phone = tailed["nodes"]["node"].index("phone")
    delta = tailed["nodes"]["energy_j"][phone] - plain["nodes"]["energy_j"][phone]
    assert delta == pytest.approx(expected, rel=1e-9)


# Uploads of 606 KB at 3/s over 10 Mbps load each phone's radio to 1.45 while arrivals run: the
# backlog drains after they stop at 40 s, by 70 s at the latest over seeds 0-29 (edge policy),
# so every task completes within 90 s whatever the draws.
BUSY_PHONES = """
name: busy-phones
duration: 90 s
nodes:
  phone:
    count: 2
    tier: device
    processor: {speed: 20 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.5 W, receive: 1 W, tail: TAIL}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s, cores: 2}}
links:
  - {between: [phone-*, ap], bandwidth: 10 Mbps, latency: 5 ms}
  - {between: [ap, edge], bandwidth: 100 Mbps, latency: 1 ms}
applications:
  cnn: {model: alexnet, output: 4 KB, compression: int8}
workload:
  - {app: cnn, sources: phone-*, arrivals: poisson, rate: 3 /s, stop: 40 s}
policy: POLICY
"""


POLICIES = [
    "{name: fixed, nodes: [$source, edge], cuts: [5]}",
    "local",
    "edge",
    "{name: neurosurgeon, objective: energy}",
]


@pytest.mark.parametrize("tail", ["0 s", "0.3 s", "2 s"])
@pytest.mark.parametrize("policy", POLICIES)
def test_task_energy_adds_up_to_the_node_energy_above_idle(tail, policy):
    """Per-task device energy summed over a phone equals its node energy less idle x time.

    Tasks overlap: flows share the radio, tails are cut short by the next
    transfer, and stages queue; before tails were merged per task, the sum
    ran to about twice the node's energy.
    """
    text = BUSY_PHONES.replace("TAIL", tail).replace("POLICY", policy)
    raw = simulate(load_scenario_text(text, source="<t>"))
    tasks, nodes = raw.tasks, raw.nodes
    assert set(tasks["status"]) == {"completed"}
    for i, node in enumerate(nodes["node"]):
        if not node.startswith("phone"):
            continue
        mine = tasks["source"] == node
        assert mine.sum() > 50
        above_idle = nodes["energy_j"][i] - 0.5 * raw.end_s
        assert above_idle > 0
        assert float(np.sum(tasks["device_energy"][mine])) == pytest.approx(above_idle, rel=1e-9)


# Cuts on top of BUSY_PHONES: each phone fails at random (every 3 s on average, for 0.5 s), drawing
# its idle power while down or ("down-draw") 0.2 W, or runs flat about a third of the way through;
# each cut meets stages in service and flows in flight (and tails: going down ends them).
# "retried": the edge fails too, and recovery retries what it aborts after a backoff, during which
# the task's source may go down (the waiting attempt, not yet planned, ends there: it is recorded as
# its source's, with the plan its task last ran, not as the run's first compiled plan's source).
CUTS = {
    "down": "dynamics:\n  - {kind: failures, nodes: phone-*, mtbf: 3 s, mttr: 0.5 s}\n",
    "down-draw": "dynamics:\n  - {kind: failures, nodes: phone-*, mtbf: 3 s, mttr: 0.5 s}\n",
    "flat": "",
    "retried": "dynamics:\n  - {kind: failures, nodes: [phone-0, phone-1, edge], mtbf: 2 s, mttr: 0.5 s}\n"
    "recovery: {retries: 2, backoff: 0.3 s}\n",
}


@pytest.mark.parametrize("cut", sorted(CUTS))
@pytest.mark.parametrize("policy", POLICIES)
def test_task_energy_adds_up_when_the_device_goes_down_or_runs_flat_mid_stage(cut, policy):
    """The same identity, with no exception, when a device's work is cut short: a stage that loses
    its core as the phone goes down (or its battery runs flat) is charged to its task for the time
    it ran, as a flow it cut short is for the time it sent or received.  The phone draws idle while
    up, its ``down`` power (idle unless given) while down, and nothing once flat: the tasks add up
    to its energy less idle × the time up less ``down`` × the time down.  A retry still waiting out
    its backoff as its source goes down ends there, in its source's record."""
    text = (
        BUSY_PHONES.replace("TAIL", "0.3 s")
        .replace("POLICY", policy)
        .replace("processor: {speed: 20 GFLOP/s}", "processor: {speed: 5 GFLOP/s}")
    )
    if cut == "flat":
        text = text.replace("tail: 0.3 s}", "tail: 0.3 s, battery: 25 J}")
    down_w = 0.2 if cut == "down-draw" else 0.5
    if cut == "down-draw":
        text = text.replace("tail: 0.3 s}", "tail: 0.3 s, down: 0.2 W}")
    raw = simulate(load_scenario_text(text + CUTS[cut], source="<t>"))
    tasks, nodes = raw.tasks, raw.nodes
    reasons = {reason.split(" at ")[0].split(" went ")[-1] for reason in tasks["reason"] if reason}
    assert ({"battery flat"} if cut == "flat" else {"down"}) <= reasons
    if cut == "retried" and policy != "local":  # retried tasks whose phone went down (some while waiting)
        retried = zip(tasks["retries"], tasks["reason"], strict=True)
        assert any(count > 0 and why.startswith("phone") for count, why in retried)
    for i, node in enumerate(nodes["node"]):
        if not node.startswith("phone"):
            continue
        mine = tasks["source"] == node
        on_s = nodes["drained_at"][i] if cut == "flat" else raw.end_s
        assert 0 < on_s <= raw.end_s
        up_s = nodes["availability"][i] * raw.end_s
        down_s = on_s - up_s  # down, not flat: a flat battery draws nothing
        assert (down_s > 1.0) == (cut != "flat")
        above_idle = nodes["energy_j"][i] - 0.5 * up_s - down_w * down_s
        assert above_idle > 0
        assert float(np.sum(tasks["device_energy"][mine])) == pytest.approx(above_idle, rel=1e-9)


def test_concurrent_flows_share_one_radio():
    text = BUSY_PHONES.replace("TAIL", "0 s").replace("POLICY", "edge").replace("rate: 3 /s", "rate: 6 /s")
    raw = simulate(load_scenario_text(text, source="<t>"))
    tasks = raw.tasks
    phone = tasks["source"] == "phone-0"
    # Uploads overlap at this rate: the radio is on for less than the sum of the uploads,
    # and the phone is charged for the time it was on, once.
    uploads = np.sum(tasks["transfer_time"][phone])
    energy = float(np.sum(tasks["device_energy"][phone]))
    assert energy < (1.5 - 0.5) * uploads


BATTERY = """
name: battery
duration: 100 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 1 W, busy: 3 W, battery: CAPACITY}}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: every-2-s.csv}
policy: local
"""


def battery_run(tmp_path, capacity: str):
    """One job every 2 s (0, 2, 4, ... 40 s) on a phone with a battery."""
    (tmp_path / "every-2-s.csv").write_text("time\n" + "\n".join(str(2 * i) for i in range(21)) + "\n")
    return simulate(
        load_scenario_text(BATTERY.replace("CAPACITY", capacity), source="<t>", base_dir=tmp_path)
    )


def test_a_flat_battery_draws_nothing_more_and_stops_the_device(tmp_path):
    # Each 2 s period burns 1 s busy (3 J) + 1 s idle (1 J): after four periods 16 J, then
    # 19 J at 9 s when the fifth task ends, and 19.5 J half a second later.
    raw = battery_run(tmp_path, "19.5 J")
    assert list(raw.tasks["arrival"]) == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert set(raw.tasks["status"]) == {"completed"}
    assert raw.nodes["drained_at"][0] == pytest.approx(9.5)
    assert raw.nodes["energy_j"][0] == pytest.approx(19.5)  # not 19.5 + 90.5 s of idle


def test_a_battery_that_runs_flat_mid_task_fails_the_task(tmp_path):
    # At 8 s the battery holds 16 J of 18: the fifth task burns the rest in 2/3 s of its 1 s.
    raw = battery_run(tmp_path, "18 J")
    status = list(raw.tasks["status"])
    assert status == ["completed"] * 4 + ["failed"]
    assert raw.tasks["reason"][4] == "battery flat at phone"
    assert raw.nodes["drained_at"][0] == pytest.approx(8 + 2 / 3)
    assert raw.nodes["energy_j"][0] == pytest.approx(18.0)


def test_a_state_below_idle_is_refused_and_an_absent_one_draws_idle():
    from offloadsim.scenario import ScenarioError

    once = BATTERY.replace("arrivals: trace, trace: every-2-s.csv", "arrivals: periodic, period: 2 s")
    text = once.replace("busy: 3 W, battery: CAPACITY", "busy: 3 W, transmit: 0.5 W")
    with pytest.raises(
        ScenarioError, match=r"nodes\.phone\.power\.transmit: transmit power \(0\.5 W\) is below"
    ):
        load_scenario_text(text, source="<t>")
    scenario = load_scenario_text(once.replace("busy: 3 W, battery: CAPACITY", "busy: 3 W"), source="<t>")
    power = scenario.node("phone").power
    assert (power.transmit_w, power.receive_w) == (1.0, 1.0)  # the radio draws nothing above idle
