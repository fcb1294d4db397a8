"""A run too short for its loaded queue to settle says so: its mean latency reads low.

A single Jetson serving Llama 3.1 8B at about 85 % of its time (13 s of decoding a request) gave a
mean latency of 41 s over 600 s runs and 70 s over 6,000 s ones (means over 20 and 6 seeds), and
no warning: its queue neither grew all run nor kept the Jetson busy 99 % of the time.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from test_overload import queue, run

import offloadsim
from offloadsim.scenario.loader import load_scenario

SHIPPED_DIR = Path(__file__).parents[2] / "scenarios"
SHIPPED = sorted(p for p in SHIPPED_DIR.glob("*.yaml") if "sweep" not in p.name)

JETSON = """\
name: jetson
seed: {seed}
duration: {duration} s
warmup: 30 s
nodes:
  phone: {{tier: device, processor: {{profile: cortex-a76, cores: 1}}}}
  ap: {{tier: network}}
  jet: {{tier: edge, processor: {{profile: jetson-orin, cores: 1}}}}
links:
  - {{between: [phone, ap], bandwidth: 50 Mbps, latency: 5 ms}}
  - {{between: [ap, jet], bandwidth: 1 Gbps, latency: 1 ms}}
applications:
  chat:
    model: llama-3.1-8b
    prompt_tokens: {{uniform: [32, 128]}}
    output_tokens: {{uniform: [64, 256]}}
    hosts: [jet]
workload:
  - {{app: chat, sources: phone, arrivals: poisson, rate: {rate} /min}}
policy: {{name: fixed, node: jet}}
"""


def _settling(result) -> list[str]:
    return [w for w in result.summary.warnings if w.startswith("too short to settle")]


def _offered(result, node: str, rate_per_s: float) -> float:
    """The load the scenario offers ``node``: its sources' rate times its mean time a completed task."""
    tasks = result.tasks
    done = (tasks["status"] == "completed") & (tasks["placement"] == node)
    return rate_per_s * float(tasks.loc[done, "compute_time"].mean())


@pytest.mark.parametrize("seed", range(3))
def test_a_nearly_saturated_llm_server_over_a_short_run_is_said_to_read_low(seed: int):
    result = run(JETSON.format(seed=seed, duration=600, rate=4))
    (said,) = _settling(result)
    busy = float(result.nodes.set_index("node").loc["jet", "utilisation"])
    assert 0.5 <= busy < 0.99  # what the other warnings miss: no growth all run, not busy all of it
    assert not [w for w in result.summary.warnings if w != said]
    # The load it names is the one the scenario offers (4 requests a minute), not the busy share.
    assert said.startswith(f"too short to settle: jet {_offered(result, 'jet', 4 / 60):.0%} offered, ")
    assert "more than a fifth of the 600 s measured: latencies likely read low; run " in said
    # Requests a quarter as often load it a fifth of the time: nothing to say.
    assert run(JETSON.format(seed=seed, duration=600, rate=1)).summary.warnings == ()


def test_the_same_queue_run_long_enough_is_not_said_to_read_low():
    """M/M/1 at a load of 0.85: its relaxation time is 1 s / (1 - sqrt(0.85))^2, about 164 s."""
    short, long = run(queue(rate=0.85, duration=120)), run(queue(rate=0.85, duration=20_000))
    assert _settling(short) and _settling(short)[0].startswith("too short to settle: phone ")
    assert long.summary.warnings == ()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_no_shipped_scenario_is_said_to_be_too_short(path: Path):
    import offloadsim

    assert _settling(offloadsim.run(path)) == []


def test_the_nodes_slowest_to_settle_are_named_first():
    """The line names its nodes slowest to settle first, the one whose relaxation time sets the length
    it asks for, not in the nodes table's order (a hidden fourth node asked for 2,518 s while the
    three named said 83 s)."""
    import pandas as pd

    from offloadsim.analysis.warning_kinds.settling import settling_warnings as _settling_warnings

    nodes = pd.DataFrame({"node": ["a", "b"], "utilisation": [0.6, 0.9], "cores": [1.0, 1.0]})
    ((line, facts),) = _settling_warnings(nodes, 10.0, {"a": (10.0, 10), "b": (10.0, 10)})  # 1 s a task each
    assert line.index("b 90% busy") < line.index("a 60% busy"), line
    relaxation_b = 1.0 / (1.0 - 0.9**0.5) ** 2  # 380 s
    assert f"run {5 * relaxation_b:,.0f} s or longer" in line
    # Its facts, which compare's notes read, say the same: the slowest first, b's relaxation time.
    assert facts.nodes == (("b", 0.9), ("a", 0.6)) and facts.node_count == 2
    assert facts.relaxation_s == pytest.approx(relaxation_b) and facts.length_s == pytest.approx(
        5 * relaxation_b
    )


def test_a_settling_warnings_facts_are_the_numbers_its_text_says():
    """The summary keeps each warning's numbers beside its text: the nodes named, their busy shares, the
    relaxation time and the length asked, as the text rounds them (and the nodes it only counts)."""
    result = run(JETSON.format(seed=0, duration=600, rate=4))
    (said,) = _settling(result)
    (facts,) = result.summary.warning_facts
    offered = _offered(result, "jet", 4 / 60)
    assert (facts.kind, facts.node_count, facts.offered_nodes) == ("settling", 1, ("jet",))
    ((name, load),) = facts.nodes
    assert name == "jet" and load == pytest.approx(offered)
    assert f"relaxation time {facts.relaxation_s:,.0f} s" in said
    assert said.endswith(f"run {facts.length_s:,.0f} s or longer")
    assert facts.length_s == pytest.approx(5 * facts.relaxation_s)


def test_the_offered_load_said_is_the_rate_times_what_the_run_measured_and_the_text_says_so():
    """An M/M/1 queue offered 85 % (exponential service, mean 1 s) reads "77% offered" over 120 s: the
    rate times its completed tasks' mean time, 0.902 s.  The warning said that number came from "the
    scenario's arrival rates times the node's time a task", which reads as the nominal 85 %."""
    from offloadsim.analysis.warning_kinds.shared import OFFERED_SAID

    result = run(queue(rate=0.85, duration=120))
    (said,) = _settling(result)
    measured = _offered(result, "phone", 0.85)
    assert f"{measured:.0%}" != "85%"  # what the run measured, not the nominal load
    assert said.startswith(f"too short to settle: phone {measured:.0%} offered, "), said
    assert f"(offered: {OFFERED_SAID};" in said
    assert "share of their completed tasks" in said and "as this run measured them" in said


MD1 = """\
name: md1
seed: {seed}
duration: 100 s
nodes:
  phone: {{tier: device, processor: {{speed: 1 GFLOP/s}}}}
applications:
  job: {{service: 1 s}}
workload:
  - {{app: job, sources: phone, {arrivals}}}
"""


@pytest.mark.parametrize("arrivals", ["rate: 0.8 /s", "arrivals: periodic, period: 1.25 s, jitter: 1 s"])
def test_the_relaxation_time_is_the_closed_forms_at_the_load_the_scenario_offers(arrivals: str):
    """One core serving 1 s tasks at 0.8 a second: S / (1 - sqrt(0.8))^2 = 89.7 s, the same in every seed.

    Read from the busy share over the 100 s measured, it was 36 s in one seed and 312 s in another
    (busy 69 % and 89 %): the length asked rested on the noise of a short run, not on the load.
    """
    closed = 1.0 / (1.0 - math.sqrt(0.8)) ** 2
    busy = []
    for seed in range(5):
        result = run(MD1.format(seed=seed, arrivals=arrivals))
        (facts,) = [found for found in result.summary.warning_facts if found.kind == "settling"]
        assert facts.relaxation_s == pytest.approx(closed, rel=1e-9)
        assert facts.nodes == (("phone", pytest.approx(0.8)),) and facts.offered_nodes == ("phone",)
        (said,) = _settling(result)
        assert said.startswith("too short to settle: phone 80% offered, 1 s a task, relaxation time 90 s (")
        assert "order-of-magnitude guide" in said and "busy:" not in said
        busy.append(float(result.nodes.set_index("node").loc["phone", "utilisation"]))
    if arrivals.startswith("rate"):  # the Poisson busy shares it no longer reads differ by more than that
        assert max(busy) - min(busy) > 0.1


def test_a_load_the_scenario_does_not_fix_is_read_from_the_busy_share_and_said_so():
    """Arrivals that start after the warm-up send over part of the measured time only: their mean rate
    is not the node's load, so the warning reads the busy share and says which it read."""
    text = MD1.format(seed=2, arrivals="rate: 0.8 /s, start: 5 s")
    result = run(text)
    (said,) = _settling(result)
    busy = float(result.nodes.set_index("node").loc["phone", "utilisation"])
    assert said.startswith(f"too short to settle: phone {busy:.0%} busy, ")
    assert "busy: its share of the measured time" in said and "offered:" not in said
    (facts,) = [found for found in result.summary.warning_facts if found.kind == "settling"]
    assert facts.offered_nodes == () and facts.nodes == (("phone", busy),)


def test_offered_rates_and_loads_by_hand():
    """The rates a workload fixes over the measured time, and the load they offer each node."""
    from offloadsim.analysis.offered_load import offered_loads, offered_rates
    from offloadsim.scenario import load_scenario_text

    scenario = load_scenario_text(
        MD1.format(seed=0, arrivals="rate: 2 /s")
        .replace(
            "  - {app: job, sources: phone, rate: 2 /s}",
            "  - {app: job, sources: phone, rate: 2 /s}\n"
            "  - {app: job, sources: phone, arrivals: periodic, period: 0.5 s}\n"
            "  - {app: job2, sources: phone, rate: 1 /s, stop: 50 s}",
        )
        .replace("  job: {service: 1 s}", "  job: {service: 1 s}\n  job2: {service: 1 s}")
    )
    # job: 2 /s and one every 0.5 s add up; job2 stops before the run's end: its rate is no load's.
    assert offered_rates(scenario.workload, 0.0, 100.0) == {("phone", "job"): 4.0}
    tasks = {
        "source": np.array(["a", "a", "a", "a", "b", "b"]),
        "app": np.array(["x"] * 6),
        "placement": np.array(["a", "a", "e", "e", "e", "b>e"]),
        "status": np.array(["completed"] * 5 + ["completed"]),
        "compute_time": np.array([0.5, 0.5, 0.1, 0.1, 0.2, 0.3]),
    }
    # a: half its tasks at 0.5 s at 2 /s offer 2 x (1.0 s / 4 tasks) = 0.5; e runs part of a split task
    # (b>e), so its load is not known; b has no whole task.
    assert offered_loads(tasks, {("a", "x"): 2.0, ("b", "x"): 1.0}) == {"a": pytest.approx(0.5)}
    # e without the split task: a's 0.2 s over its 4 tasks at 2 /s, b's 0.2 s over its 1 at 1 /s.
    tasks["placement"][-1] = "b"
    loads = offered_loads(tasks, {("a", "x"): 2.0, ("b", "x"): 1.0})
    assert loads == {"a": pytest.approx(0.5), "e": pytest.approx(0.2), "b": pytest.approx(0.15)}
    # a pair with no rate leaves the nodes it fed unknown
    assert offered_loads(tasks, {("a", "x"): 2.0}) == {"a": pytest.approx(0.5)}


def test_a_critically_loaded_node_is_told_no_run_length_settles():
    """One core offered 0.995 of its capacity: its relaxation time, 1 s / (1 - sqrt(0.995))^2, is 160,000 s,
    and a 0.5 % error in the rate overloads it.  A camera offered 99.988 % was told to run
    2,734,233,040 s; at 99 % or more the warning says no practical length settles, not a length."""
    from offloadsim.analysis.warning_kinds.settling import CRITICAL_LOAD

    result = run(MD1.format(seed=0, arrivals="rate: 0.995 /s"))
    (said,) = _settling(result)
    assert said.startswith("too short to settle: phone 99.50% offered, 1 s a task (offered: ")
    assert "critically loaded (offered 99% or more per core" in said
    assert said.endswith("no practical run length settles; lower the rate or add capacity")
    assert "or longer" not in said and "relaxation time" not in said
    (facts,) = [found for found in result.summary.warning_facts if found.kind == "settling"]
    assert facts.critical_nodes == ("phone",)
    assert math.isnan(facts.length_s) and math.isnan(facts.relaxation_s)
    assert facts.to_dict()["critical_nodes"] == ["phone"] and "length_s" not in facts.to_dict()
    # Just short of the threshold the length is still advised, as before.
    below = run(MD1.format(seed=0, arrivals=f"rate: {CRITICAL_LOAD - 0.005} /s"))
    (said,) = _settling(below)
    assert said.endswith(f"run {5 / (1 - math.sqrt(CRITICAL_LOAD - 0.005)) ** 2:,.0f} s or longer"), said


def test_a_node_only_closed_loops_feed_is_no_open_queue_and_not_said_too_short():
    """A closed loop's users wait on the node: no M/M/1 queue forms (1 user: none at all), so its
    busy share gives no relaxation time.  A 1-user loop, mean wait 0.0 ms, was told to run 8,289 s."""
    overrides = (
        "duration=120s",
        "workload=[{app: chat-1b, sources: phone-0, arrivals: closed, users: 1}]",
        "policy={name: fixed, node: edge}",
    )
    result = offloadsim.run(load_scenario(SHIPPED_DIR / "llm-assistant.yaml", overrides))
    busy = float(result.nodes.set_index("node").loc["edge", "utilisation"])
    assert 0.5 <= busy < 0.99  # the busy share the rule read: short of the overload warning's
    assert float(result.tasks["wait"].max()) == 0.0  # never a queue
    assert _settling(result) == []


MIXED = """\
name: mixed
seed: 1
duration: {duration} s
nodes:
  srv: {{tier: device, processor: {{speed: 1 GFLOP/s}}}}
applications:
  job: {{service: {{exponential: {{mean: 1 s}}}}}}
  chat: {{service: {{exponential: {{mean: 1 s}}}}}}
workload:
  - {{app: chat, sources: srv, arrivals: closed, users: 1, think: {{exponential: {think} s}}}}
  - {{app: job, sources: srv, rate: {rate} /s}}
"""


def test_a_node_open_and_closed_loops_both_feed_is_judged_by_the_open_loops_load():
    """One server, a 1-user closed loop (1 s tasks, think 0.5 s) and a trickle of Poisson requests
    (0.1 /s): busy 73 %, it was told from that share to run 243 s, the closed loop's work read as an
    open queue's.  Its open loop offers it 0.1 /s x 1.3 s, 13 %: not loaded enough to name.  At
    0.6 /s (think 2 s, 60 s) the open loop alone offers 67 %, said as such, the relaxation time the
    closed form's at that load (the old rule read 91 % busy and asked 2,497 s)."""
    trickle = run(MIXED.format(rate=0.1, duration=120, think=0.5))
    busy = float(trickle.nodes.set_index("node").loc["srv", "utilisation"])
    assert 0.5 <= busy < 0.99  # what the rule read before: loaded enough to name, short of overload
    assert _settling(trickle) == []
    result = run(MIXED.format(rate=0.6, duration=60, think=2))
    tasks = result.tasks
    done = tasks[tasks["status"] == "completed"]
    offered = 0.6 * float(done.loc[done["app"] == "job", "compute_time"].mean())  # by hand, the open pair's
    service = float(done["compute_time"].mean())  # every task it ran whole, as for any node
    (said,) = _settling(result)
    assert said.startswith(
        f"too short to settle: srv {offered:.0%} open-loop offered, {service:.3g} s a task, "
    )
    relaxation = service / (1.0 - math.sqrt(offered)) ** 2
    assert f"relaxation time {relaxation:,.0f} s" in said and "closed loops feed it too" in said
    (facts,) = [f for f in result.summary.warning_facts if f.kind == "settling"]
    assert facts.nodes == (("srv", pytest.approx(offered)),) and facts.offered_nodes == ("srv",)


def test_a_node_fed_by_a_closed_loop_and_an_open_one_of_unknown_rate_is_not_judged():
    """Its busy share counts the closed loop's work and its open load is not known (a trace): the
    M/M/1 rule cannot judge it, so it names it neither way."""
    import pandas as pd

    from offloadsim.analysis.warning_kinds.settling import settling_warnings as _settling_warnings

    nodes = pd.DataFrame({"node": ["both-fed", "open"], "utilisation": [0.8, 0.8], "cores": [1.0, 1.0]})
    whole = {"both-fed": (10.0, 10), "open": (10.0, 10)}
    ((line, facts),) = _settling_warnings(nodes, 10.0, whole, mixed={"both-fed": None})
    assert facts.nodes == (("open", 0.8),) and "both-fed" not in line
