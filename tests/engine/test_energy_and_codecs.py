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


def test_radio_tail_adds_transmit_power_after_the_last_transfer(tmp_path):
    with_tail = SPLIT.replace("receive: 1 W}", "receive: 1 W, tail: 2 s}")
    assert with_tail != SPLIT
    plain = one_task(tmp_path, "none", 5)
    tailed = one_task(tmp_path, "none", 5, with_tail)
    assert tailed["device_energy"] - plain["device_energy"] == pytest.approx(1.5 * 2.0)
    # Node level: tails of transfers close together merge.  The reply arrives a few
    # milliseconds after the upload ends, so the radio is up for one tail plus that gap.
    phone = tailed["nodes"]["node"].index("phone")
    delta = tailed["nodes"]["energy_j"][phone] - plain["nodes"]["energy_j"][phone]
    assert (1.5 - 0.5) * 2.0 < delta < (1.5 - 0.5) * 2.1


def test_a_flat_battery_stops_the_device_generating():
    text = """
name: battery
duration: 100 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 1 W, busy: 3 W, battery: 20 J}}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: periodic, period: 2 s}
policy: local
"""
    raw = simulate(load_scenario_text(text, source="<t>"))
    # Each 2 s period burns 1 s busy (3 J) + 1 s idle (1 J) = 4 J: the battery lasts ~5 periods.
    arrivals = raw.tasks["arrival"]
    assert 4 <= len(arrivals) <= 6
    drained = raw.nodes["drained_at"][0]
    assert np.isfinite(drained) and drained < 14.0
    assert raw.nodes["energy_j"][0] < 20.0 + 100 * 1.0
