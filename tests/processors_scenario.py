"""A scenario with a phone's CPU and NPU and an edge server's CPU and GPU, and its processors table.

The ``fixed`` policy runs a task's first synthetic stage (1 GFLOP) on the phone's NPU
(2 GFLOP/s: 0.5 s) and its second (6 GFLOP) on the edge's GPU (12 GFLOP/s: 0.5 s on one of
its two cores).  Three tasks, far apart, over 10 s measured: the NPU is busy 1.5 s (15 %), the
GPU 1.5 core-seconds, 0.75 s a core (7.5 %), and both CPUs (each node's first processor, which
the nodes table reports) are idle.  Shared by the engine's and the experiments' tests.
"""

from __future__ import annotations

import pandas as pd
import pytest

from offloadsim.records.schema import PROCESSOR_COLUMNS

SCENARIO = """
name: npu-and-gpu
duration: 10 s
nodes:
  phone:
    tier: device
    processors:
      cpu: {profile: cortex-a76, cores: 1}
      npu: {speed: 2 GFLOP/s, cores: 1}
  edge:
    tier: edge
    processors:
      cpu: {speed: 1 GFLOP/s, cores: 4}
      gpu: {speed: 12 GFLOP/s, cores: 2}
links:
  - {between: [phone, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job:
    stages:
      - {work: 1 GFLOP, output: 10 KB}
      - {work: 6 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [phone, edge], cuts: [1], processors: [npu, gpu]}
"""

#: (node, tier, processor, profile, cores, busy_s, utilisation, stages_completed), computed by hand.
EXPECTED = [
    ("phone", "device", "cpu", "cortex-a76", 1, 0.0, 0.0, 0),
    ("phone", "device", "npu", "", 1, 1.5, 0.15, 3),
    ("edge", "edge", "cpu", "", 4, 0.0, 0.0, 0),
    ("edge", "edge", "gpu", "", 2, 0.75, 0.075, 3),
]


def write_scenario(directory):
    """The scenario file and its trace in ``directory``; returns the scenario's path."""
    (directory / "trace.csv").write_text("time\n1\n4\n7\n")
    path = directory / "npu-and-gpu.yaml"
    path.write_text(SCENARIO)
    return path


def rows(frame):
    """The table's rows as tuples, in the declared column order."""
    return [tuple(row) for row in pd.DataFrame(frame)[list(PROCESSOR_COLUMNS)].itertuples(index=False)]


def assert_expected(frame):
    got = rows(frame)
    assert [row[:5] for row in got] == [row[:5] for row in EXPECTED]
    for row, want in zip(got, EXPECTED, strict=True):
        assert row[5:7] == pytest.approx(want[5:7], rel=1e-12, abs=1e-15)
        assert row[7] == want[7]
