"""The summary counts the handovers that hit a task using the network, not each one its device made.

A task computed on its device alone sends nothing over the access point: a handover while it runs
changes nothing for it.  Counted anyway, ``local`` reported a handover rate (0.0031 a task on the
cars below, against edge's 0.0027), read as if a handover could hurt it.
"""

from __future__ import annotations

import numpy as np

from offloadsim.experiments import compare

#: Cars on a road past four roadside units, each an access point and an edge server (the report's repro).
V2X = """
name: v2x
seed: 3
duration: 40 s
warmup: 30 s
nodes:
  car: {count: 6, tier: device, processor: {speed: 200 GFLOP/s}}
  rsu: {count: 4, tier: edge, processor: {speed: 2 TFLOP/s, cores: 2}}
  cloud: {tier: cloud, processor: {speed: 20 TFLOP/s, cores: 16}}
links:
  - {between: [car-*, rsu-*], bandwidth: 50 Mbps, latency: 2 ms}
  - {between: [rsu-*, cloud], bandwidth: 1 Gbps, latency: 20 ms}
applications:
  detect: {work: 16 GFLOP, input: 200 KB, output: 2 KB, deadline: 100 ms}
workload:
  - {app: detect, sources: car-*, arrivals: periodic, period: 100 ms}
policy: edge
dynamics:
  - kind: mobility
    devices: car-*
    access_points:
      - {node: rsu-0, position: [250 m, 10 m], radius: 300 m}
      - {node: rsu-1, position: [750 m, 10 m], radius: 300 m}
      - {node: rsu-2, position: [1250 m, 10 m], radius: 300 m}
      - {node: rsu-3, position: [1750 m, 10 m], radius: 300 m}
    random_waypoint: {area: [2000 m, 20 m], speed: 20 m/s, pause: 0 s}
    attach: strongest
    in_flight: continue
    update: 0.1 s
    radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm, exponent: 3.0, reference_loss: 40 dB}
"""


def test_local_reports_no_handover_hits_while_edge_does(tmp_path):
    path = tmp_path / "v2x.yaml"
    path.write_text(V2X, encoding="utf-8")
    result = compare(path, ["edge", "local"], 2, workers=1)
    hits = result.metrics.set_index(["policy", "replication"])["handovers_mean"]
    tasks = result.tasks
    local = tasks[(tasks["policy"] == "local") & (tasks["status"] == "completed")]
    # The records still say the device handed over while local tasks ran; none of them sent a byte.
    assert local["handovers"].sum() > 0 and (local["bytes_sent"] == 0).all()
    assert (hits.loc["local"] == 0.0).all()
    assert (hits.loc["edge"] > 0.0).any()
    edge = tasks[(tasks["policy"] == "edge") & (tasks["status"] == "completed")]
    # Every edge task crossed the network: its hits are the records' handovers, as before.
    assert (edge["bytes_sent"] > 0).all()
    for r, part in edge.groupby("replication", observed=True):
        assert np.isclose(hits.loc[("edge", r)], part["handovers"].mean())
    assert "mean handover hits per task" in result.format_table()
