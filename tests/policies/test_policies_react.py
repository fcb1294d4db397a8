"""Policies follow a link whose rate changes: decisions move with the rates, caches stand."""

from __future__ import annotations

import pytest

from offloadsim.engine import simulate
from offloadsim.engine.simulation import Simulation
from offloadsim.policies.split import NeurosurgeonPolicy
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world

# Two synthetic layers: 1 GFLOP then 10 GFLOP; 2 MB in, 10 KB between them, 1 KB out.  The phone
# computes 10 GFLOP/s, the edge 1 TFLOP/s.  Neurosurgeon's price of k layers on the phone, with
# r the rate in bytes/s both ways and 1 ms latency each way:
#   k=0: 2 MB/r + 0.011 s + 1 KB/r + 2 ms;  k=1: 0.1 s + 10 KB/r + 0.010 s + 1 KB/r + 2 ms;  k=2: 1.1 s.
# At 800 Mb/s (100 MB/s): 0.033 < 0.1121 < 1.1, so k=0; at 80 Mb/s: 0.2131 > 0.1131, so k=1;
# at 80 kb/s (10 KB/s): k=1 costs 1.212 s > 1.1 s, so k=2 (all on the phone).
TEXT = """
name: react
duration: 20 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 800 Mbps, latency: 1 ms}
applications:
  job:
    stages: [{work: 1 GFLOP, output: 10 KB}, {work: 10 GFLOP}]
    input: 2 MB
    output: 1 KB
workload:
  - {app: job, sources: phone, arrivals: trace, trace: arrivals.csv}
policy: neurosurgeon
dynamics:
  - kind: link-trace
    link: [phone, edge]
    file: rate.csv
"""


def run(tmp_path):
    (tmp_path / "arrivals.csv").write_text("time\n1\n1.5\n4\n4.5\n7\n")
    (tmp_path / "rate.csv").write_text(
        "time,bandwidth,reverse_bandwidth\n0,800 Mbps,800 Mbps\n3,80 Mbps,80 Mbps\n6,80 kbps,80 kbps\n"
    )
    return simulate(load_scenario_text(TEXT, source="<test>", base_dir=tmp_path))


def test_a_split_policy_moves_its_cut_as_the_rate_drops_as_its_cost_model_says(tmp_path):
    tasks = run(tmp_path).tasks
    assert list(tasks["split"]) == [0, 0, 1, 1, 2]
    # And each ran at the price the policy chose it by.
    mb = 1e6
    assert list(tasks["latency"]) == pytest.approx(
        [2 * mb / 100e6 + 0.011 + 1e3 / 100e6 + 0.002] * 2
        + [0.1 + 10e3 / 10e6 + 0.010 + 1e3 / 10e6 + 0.002] * 2
        + [1.1],
        rel=1e-9,
    )


class _Watched(NeurosurgeonPolicy):
    """Neurosurgeon noting which cache dictionary each decision used."""

    def reset(self, view):
        super().reset(view)
        self.caches: list[dict] = []  # kept alive, so their ids stay distinct

    def _state(self, view):
        state = super()._state(view)
        self.caches.append(state)
        return state


@pytest.mark.parametrize(("latency", "caches"), [("", 1), (",latency", 3)])
def test_a_rate_change_keeps_the_split_policys_caches_a_route_change_does_not(tmp_path, latency, caches):
    policy = _Watched()
    (tmp_path / "arrivals.csv").write_text("time\n1\n1.5\n4\n4.5\n7\n")
    rows = "0,800 Mbps,800 Mbps,1 ms\n3,80 Mbps,80 Mbps,2 ms\n6,80 kbps,80 kbps,3 ms\n"
    if not latency:
        rows = rows.replace(",1 ms", "").replace(",2 ms", "").replace(",3 ms", "")
    (tmp_path / "rate.csv").write_text(f"time,bandwidth,reverse_bandwidth{latency}\n{rows}")
    scenario = load_scenario_text(TEXT, source="<test>", base_dir=tmp_path)
    tasks = Simulation(build_world(scenario), policy, "neurosurgeon", scenario.seed).run().tasks
    assert list(tasks["split"]) == [0, 0, 1, 1, 2]
    # Rates alone: one cache all run.  A latency change moves routes (routes_version): afresh each time.
    assert len({id(cache) for cache in policy.caches}) == caches
