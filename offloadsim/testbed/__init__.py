"""An emulated testbed on one Linux machine: real split inference over real TCP, held against the simulator.

Network namespaces joined by veth pairs through a bridge stand for devices
and an edge server; a token-bucket qdisc (``tc ... tbf``) shapes the access
link. Device processes run the first layers of a zoo model with onnxruntime
(one thread), send the real activation tensors to the edge process, which
runs the rest and returns the result. The testbed writes what it ran as an
offloadsim scenario, simulates it and reports predicted against measured.
It needs root; see docs/testbed.md.

>>> from offloadsim.testbed import InferenceConfig, run_inference
>>> row = run_inference(InferenceConfig(model="resnet18", split="middle"), "results/tb")  # doctest: +SKIP
"""

from typing import Any

from offloadsim.testbed.errors import TestbedError, TestbedUnavailable

__all__ = [
    "FlowsConfig",
    "InferenceConfig",
    "TestbedError",
    "TestbedUnavailable",
    "run_flows",
    "run_inference",
]

_LAZY = frozenset({"FlowsConfig", "InferenceConfig", "run_flows", "run_inference"})


def __getattr__(name: str) -> Any:
    """The experiment API, imported on first use (the CLI's start-up needs none of numpy/onnx)."""
    if name in _LAZY:
        from offloadsim.testbed import experiment

        return getattr(experiment, name)
    raise AttributeError(f"module 'offloadsim.testbed' has no attribute {name!r}")
