"""What a testbed run did, written as an offloadsim scenario, and the costs the simulator will assume.

The scenario mirrors the testbed's layout: ``device-0 .. device-(N-1)``
linked to a ``network`` node ``ap`` by fast links (the unshaped veths), and
``ap`` linked to ``edge`` at the shaped rate and the added latency. Device
and edge compute with the calibrated profile on one core each (the workers
run onnxruntime with one thread). The request pattern is the one the devices
followed: a closed loop of one user each (one request at a time), or the
exact arrival times of an open pattern as a trace. The split is a ``fixed``
plan (``local`` when every layer stays on the device). The link model
(``network: {model: ...}``) is the one the testbed was told to predict with
(``max-min`` unless ``--link-model`` says otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ACCESS_LINK",
    "APP",
    "FAST_LINK_BPS",
    "Costs",
    "flows_scenario",
    "inference_scenario",
    "model_entry",
    "predicted_costs",
    "trace_csv",
]

#: The application's name in every scenario the testbed writes.
APP = "infer"
#: Bandwidth given to the unshaped device—ap veths (far above any shaped rate).
FAST_LINK_BPS = 10e9
#: Index of the shaped ap—edge link in ``links``.
ACCESS_LINK = 1


def _bps(value: float) -> str:
    return f"{value / 1e6:.12g} Mbps"


def _seconds(value: float) -> str:
    return f"{value * 1e3:.12g} ms"


def model_entry(label: str) -> dict[str, Any]:
    """The application keys naming model ``label`` (``resnet18@160`` has ``params: {image_size: 160}``)."""
    from offloadsim.models.registry import sized_name

    base, params = sized_name(label)
    return {"model": base, "params": params} if params else {"model": base}


def _policy(k: int, layers: int) -> dict[str, Any]:
    if k >= layers:
        return {"name": "local"}
    if k == 0:
        return {"name": "fixed", "node": "edge"}
    return {"name": "fixed", "nodes": ["$source", "edge"], "cuts": [k]}


def _base(
    name: str,
    description: str,
    *,
    devices: int,
    rate_bps: float,
    latency_s: float,
    profile: str | None,
    seed: int,
    duration_s: float,
    link_model: str,
) -> dict[str, Any]:
    processor = {"profile": profile, "cores": 1} if profile is not None else {"speed": "1 TFLOP/s"}
    return {
        "name": name,
        "description": description,
        "seed": seed,
        "duration": _seconds(duration_s),
        "nodes": {
            "device": {"count": devices, "tier": "device", "processor": dict(processor)},
            "ap": {"tier": "network"},
            "edge": {"tier": "edge", "processor": dict(processor)},
        },
        "links": [
            {"between": ["device-*", "ap"], "bandwidth": _bps(FAST_LINK_BPS)},
            {"between": ["ap", "edge"], "bandwidth": _bps(rate_bps), "latency": _seconds(latency_s)},
        ],
        "network": {"model": link_model},
    }


def inference_scenario(
    *,
    name: str,
    label: str,
    k: int,
    layers: int,
    devices: int,
    rate_bps: float,
    latency_s: float,
    profile: str,
    seed: int,
    duration_s: float,
    think_s: float | None = None,
    trace: str | None = None,
    input_bytes: float | None = None,
    output_bytes: float | None = None,
    link_model: str = "max-min",
) -> dict[str, Any]:
    """The scenario of a split-inference run: one user per device (``think_s``) or a ``trace`` file.

    ``input_bytes`` and ``output_bytes`` (default: the model's own input and
    output tensors) are what a request uploads at cut 0 and gets back.
    """
    if (think_s is None) == (trace is None):
        raise ValueError("give exactly one of think_s (one request at a time) and trace (open arrivals)")
    doc = _base(
        name,
        f"testbed: {label} cut after {k} of {layers} layers, {devices} device(s), "
        f"{_bps(rate_bps)} access link",
        devices=devices,
        rate_bps=rate_bps,
        latency_s=latency_s,
        profile=profile,
        seed=seed,
        duration_s=duration_s,
        link_model=link_model,
    )
    app: dict[str, Any] = model_entry(label)
    if input_bytes is not None:
        app["input"] = f"{input_bytes:.0f} B"
    if output_bytes is not None:
        app["output"] = f"{output_bytes:.0f} B"
    doc["applications"] = {APP: app}
    workload: dict[str, Any]
    if trace is not None:
        workload = {"app": APP, "sources": "device-*", "arrivals": "trace", "trace": trace}
    else:
        workload = {
            "app": APP,
            "sources": "device-*",
            "arrivals": "closed",
            "users": 1,
            "think": _seconds(think_s or 0.0),
        }
    doc["workload"] = [workload]
    doc["policy"] = _policy(k, layers)
    return doc


def flows_scenario(
    *,
    name: str,
    size_bytes: float,
    devices: int,
    rate_bps: float,
    latency_s: float,
    seed: int,
    duration_s: float,
    trace: str,
    link_model: str = "max-min",
) -> dict[str, Any]:
    """The scenario of a concurrent-flows run: each request uploads ``size_bytes`` to the edge, no more."""
    doc = _base(
        name,
        f"testbed: {devices} device(s) upload {size_bytes:.0f} B each over one {_bps(rate_bps)} access link",
        devices=devices,
        rate_bps=rate_bps,
        latency_s=latency_s,
        profile=None,
        seed=seed,
        duration_s=duration_s,
        link_model=link_model,
    )
    doc["applications"] = {APP: {"service": "0 s", "input": f"{size_bytes:.0f} B", "output": "0 B"}}
    doc["workload"] = [{"app": APP, "sources": "device-*", "arrivals": "trace", "trace": trace}]
    doc["policy"] = {"name": "fixed", "node": "edge"}
    return doc


def trace_csv(arrivals: Sequence[Sequence[float]]) -> str:
    """CSV text of an arrival trace: ``arrivals[i]`` are device ``i``'s times (s), merged in time order."""
    rows = sorted((float(t), i) for i, times in enumerate(arrivals) for t in times)
    return "time,source\n" + "".join(f"{t:.9f},device-{i}\n" for t, i in rows)


@dataclass(frozen=True, slots=True)
class Costs:
    """Service times the simulator will assume for one request (seconds), and the busiest resource's."""

    device_s: float
    edge_s: float
    upload_s: float
    download_s: float

    def bottleneck_s(self, devices: int) -> float:
        """Busy time per request of the most loaded resource when ``devices`` send at the same rate."""
        return max(self.device_s, devices * self.edge_s, devices * self.upload_s, devices * self.download_s)


def predicted_costs(document: dict[str, Any], k: int, base_dir: str | None = None) -> Costs:
    """Per-request compute and transfer times of ``document``'s model cut at ``k``, as simulated.

    Built through the simulator's own world (profile lookup, per-layer costs,
    cut sizes), so the arrival rate chosen for a load is the one the
    simulator agrees with.
    """
    from pathlib import Path

    from offloadsim.scenario import load_scenario_data
    from offloadsim.world import build_world

    world = build_world(load_scenario_data(document, source="testbed", base_dir=Path(base_dir or ".")))
    app = world.apps[APP]
    assert app.cut_bytes is not None
    device = np.asarray(world.layer_seconds(APP, "device-0"))
    edge = np.asarray(world.layer_seconds(APP, "edge"))
    rate = world.scenario.links[-1].bandwidth_bps
    n = len(device)
    offloaded = k < n
    return Costs(
        device_s=float(device[:k].sum()),
        edge_s=float(edge[k:].sum()),
        upload_s=float(app.cut_bytes[k]) * 8 / rate if offloaded else 0.0,
        download_s=float(app.cut_bytes[-1]) * 8 / rate if offloaded else 0.0,
    )
