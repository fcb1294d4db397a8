"""Every task is accounted for once, whatever fails when: arrived = completed + dropped + failed + in flight.

A property test over random failure schedules: nodes (servers, the access
point, a source) and links going down and up at random times, with random
recovery rules (none, retries with backoff, a timeout, each fallback), under
a policy that offloads.  Whatever happens, each arrival ends in exactly one
record, its status counted once, and no task is retried more often than the
rules allow.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text

BASE = """
name: accounting
duration: 6 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 20 GFLOP/s}}
  ap: {tier: network}
  edge: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s}}
  cloud: {tier: cloud, processor: {speed: 400 GFLOP/s, cores: 4}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap, edge-*], bandwidth: 200 Mbps, latency: 1 ms}
  - {between: [ap, cloud], bandwidth: 100 Mbps, latency: 20 ms}
applications:
  job: {work: {exponential: {mean: 2 GFLOP}}, input: 200 KB, output: 10 KB}
workload:
  - {app: job, sources: phone-*, rate: 8 /s}
"""

NODES = ("edge-0", "edge-1", "ap", "cloud", "phone-1")
LINKS = ("[ap, edge-0]", "[ap, cloud]", "[phone-0, ap]")
times = st.floats(min_value=0.0, max_value=6.0, allow_nan=False).map(lambda t: round(t, 3))


@st.composite
def outages(draw: st.DrawFn, targets: tuple[str, ...]) -> list[tuple[str, list[tuple[float, bool]]]]:
    chosen = draw(st.lists(st.sampled_from(targets), unique=True, max_size=len(targets)))
    out = []
    for target in chosen:
        moments = sorted(draw(st.lists(times, min_size=1, max_size=4)))
        out.append((target, [(at, i % 2 == 1) for i, at in enumerate(moments)]))  # down, up, down ...
    return out


recoveries = st.one_of(
    st.just(""),
    st.builds(
        lambda retries, backoff, fallback, timeout: (
            f"recovery: {{retries: {retries}, backoff: {backoff} s, fallback: {fallback}"
            + (f", timeout: {timeout} s" if timeout else "")
            + "}\n"
        ),
        st.integers(0, 3),
        st.sampled_from([0, 0.01, 0.2]),
        st.sampled_from(["drop", "local", "another"]),
        st.sampled_from([0, 0.05, 0.3, 1.0]),
    ),
)


def _steps(steps: list[tuple[float, bool]]) -> str:
    return "[" + ", ".join(f"{{at: {at} s, up: {'true' if up else 'false'}}}" for at, up in steps) + "]"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    nodes=outages(NODES),
    links=outages(LINKS),
    recovery=recoveries,
    policy=st.sampled_from(["edge", "cloud", "random", "least-loaded"]),
    seed=st.integers(0, 2**16),
)
def test_every_arrival_ends_once_under_random_failures(nodes, links, recovery, policy, seed):
    dynamics = [f"  - {{kind: node-schedule, node: {n}, steps: {_steps(s)}}}" for n, s in nodes]
    dynamics += [f"  - {{kind: link-schedule, link: {k}, steps: {_steps(s)}}}" for k, s in links]
    text = BASE + f"seed: {seed}\npolicy: {policy}\n" + recovery
    if dynamics:
        text += "dynamics:\n" + "\n".join(dynamics) + "\n"
    raw = simulate(load_scenario_text(text, source="<property>"))
    counters, tasks = raw.counters, raw.tasks
    status = tasks["status"]
    in_flight = int(np.sum(status == "in_flight"))
    assert counters["arrived"] == counters["completed"] + counters["dropped"] + counters["failed"] + in_flight
    # Without a warm-up every task is recorded, once, with the status it was counted under.
    assert len(tasks["task_id"]) == counters["arrived"]
    assert len(set(tasks["task_id"].tolist())) == counters["arrived"]
    for name in ("completed", "dropped", "failed"):
        assert int(np.sum(status == name)) == counters[name]
    limit = 0
    if recovery:
        rules = raw_rules(recovery)
        limit = rules["retries"] + (rules["fallback"] != "drop")
    assert int(tasks["retries"].max(initial=0)) <= limit
    done = status == "completed"
    assert np.all(tasks["finish"][done] >= tasks["arrival"][done])


def raw_rules(recovery: str) -> dict[str, object]:
    """The retries and fallback of a generated ``recovery:`` line."""
    body = recovery.split("{", 1)[1].rsplit("}", 1)[0]
    pairs = dict(part.strip().split(": ", 1) for part in body.split(","))
    return {"retries": int(pairs["retries"]), "fallback": pairs["fallback"]}
