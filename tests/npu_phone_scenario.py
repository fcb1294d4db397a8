"""A phone with a CPU and a plain-speed NPU, and a jetson-orin edge server: the trial of precision notes.

Shared by the sweep tests of the precision note (a ``zip:`` of precision and the NPU's speed) and
of the notes merged over a sweep's points (``image_size`` x ``precision``).
"""

from __future__ import annotations

BASE = """
name: npu
duration: 2 s
nodes:
  phone:
    tier: device
    processors: {cpu: {profile: cortex-a76}, npu: {speed: 2 TFLOP/s, memory_bandwidth: 30 GB/s}}
  edge: {tier: edge, processor: {profile: jetson-orin}}
links: [{between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}]
applications: {classify: {model: mobilenet_v2, input: 50 KB, output: 4 KB}}
workload: [{app: classify, sources: phone, arrivals: poisson, rate: 5 /s}]
policy: {name: fixed, node: edge}
"""
