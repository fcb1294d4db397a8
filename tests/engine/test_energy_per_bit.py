"""Radio power that grows with throughput: ``transmit_per_rate`` and ``receive_per_rate``, per bit.

A linear radio power model (Huang et al., MobiSys 2012: ``P = α_u t_u + α_d t_d + β``) draws
``β t + α B`` over a transfer of ``B`` bits lasting ``t`` seconds, whatever its rate did.  So a
flow is charged ``α`` per bit it moved, at its end, to its own task, on top of the state's power
(``β``: ``transmit``/``receive``), and the policies that price device energy add the same term.
Before, ``transmit_per_rate`` was an unknown key and a radio's draw ignored its throughput.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.engine import simulate
from offloadsim.policies.costs import LLMStage, llm_request_cost
from offloadsim.policies.device_energy import DeviceEnergy
from offloadsim.policies.splitting import best_single_cut, plan_cost, single_cut_costs
from offloadsim.scenario import load_scenario_text

ALPHA_U = 438.39e-9  # J/bit: 438.39 mW/Mbps
ALPHA_D = 51.97e-9

# A phone and an edge over a 10 Mbit/s, 20 ms link; APPS and WORKLOAD filled in below.
HEAD = """
name: per-bit
duration: 5 s
nodes:
  phone:
    tier: device
    power: {{idle: 0.5 W, transmit: 1.5 W, receive: 1 W{extra}}}
  edge: {{tier: edge, processor: {{speed: 1 TFLOP/s}}}}
links:
  - {{between: [phone, edge], bandwidth: 10 Mbps, latency: 20 ms}}
policy: {{name: fixed, node: edge}}
"""

# One request: 125 KB up (0.1 s), 10 ms on the edge, 25 KB back (0.02 s).
ONE = (
    HEAD
    + """applications:
  infer: {{service: 10 ms, input: 125 KB, output: 25 KB}}
workload:
  - {{app: infer, sources: phone, arrivals: trace, trace: once.csv}}
"""
)

PER_RATE = ", transmit_per_rate: 438.39 mW/Mbps, receive_per_rate: 51.97 mW/Mbps"


def _run(tmp_path: Path, text: str, trace: str = "time\n1.0\n"):
    (tmp_path / "once.csv").write_text(trace)
    return simulate(load_scenario_text(text, source="<t>", base_dir=tmp_path))


def test_one_transfer_costs_base_times_its_time_plus_alpha_per_bit(tmp_path):
    raw = _run(tmp_path, ONE.format(extra=PER_RATE))
    task = {k: v[0] for k, v in raw.tasks.items()}
    up_s, down_s = 0.1, 0.02
    bits_up, bits_down = 8 * 125_000, 8 * 25_000
    expected = (1.5 - 0.5) * up_s + (1.0 - 0.5) * down_s + ALPHA_U * bits_up + ALPHA_D * bits_down
    assert expected == pytest.approx(0.1 + 0.01 + 0.43839 + 0.010394)
    assert task["device_energy"] == pytest.approx(expected, rel=1e-12)
    phone = raw.nodes["node"].index("phone")
    assert raw.nodes["energy_j"][phone] == pytest.approx(0.5 * raw.end_s + expected, rel=1e-12)


def test_without_the_keys_nothing_changes(tmp_path):
    base = _run(tmp_path, ONE.format(extra=""))
    zero = _run(tmp_path, ONE.format(extra=", transmit_per_rate: 0 nJ/bit, receive_per_rate: 0 mW/Mbps"))
    assert base.tasks["device_energy"] == zero.tasks["device_energy"]
    assert base.nodes["energy_j"] == zero.nodes["energy_j"]


# Two uploads from one phone at once over the one link: max-min sharing gives each half the rate
# while both are under way, so neither's rate is constant; the per-bit term needs none.
TWO = (
    HEAD
    + """applications:
  small: {{service: 10 ms, input: 50 KB, output: 0 B}}
  large: {{service: 10 ms, input: 200 KB, output: 0 B}}
workload:
  - {{app: small, sources: phone, arrivals: trace, trace: once.csv}}
  - {{app: large, sources: phone, arrivals: trace, trace: once.csv}}
"""
)


def test_two_flows_sharing_a_link_each_pay_their_own_bits(tmp_path):
    base = _run(tmp_path, TWO.format(extra=""))
    per_rate = _run(tmp_path, TWO.format(extra=", transmit_per_rate: 438.39 mW/Mbps"))
    apps = list(base.tasks["app"])
    assert sorted(apps) == ["large", "small"]
    assert list(per_rate.tasks["app"]) == apps
    bits = {"small": 8 * 50_000, "large": 8 * 200_000}
    for i, app in enumerate(apps):
        added = per_rate.tasks["device_energy"][i] - base.tasks["device_energy"][i]
        assert added == pytest.approx(ALPHA_U * bits[app], rel=1e-9), app
    # The shared base: 0.04 s together (half rate each), then 0.12 s alone, 1 W above idle.
    assert sum(base.tasks["device_energy"]) == pytest.approx(1.0 * 0.2, rel=1e-9)
    phone = base.nodes["node"].index("phone")
    grown = per_rate.nodes["energy_j"][phone] - base.nodes["energy_j"][phone]
    assert grown == pytest.approx(ALPHA_U * 8 * 250_000, rel=1e-9)


def test_the_split_pricing_adds_the_same_term_as_the_engine(tmp_path):
    """plan_cost and single_cut_costs of offloading everything are what the engine measures."""
    raw = _run(tmp_path, ONE.format(extra=PER_RATE))
    measured = raw.tasks["device_energy"][0]
    power = DeviceEnergy(0.0, 1.0, 0.5, transmit_j_per_bit=ALPHA_U, receive_j_per_bit=ALPHA_D)
    times = [[math.inf], [0.010]]  # the phone computes nothing
    sizes = [125_000.0, 25_000.0]
    priced = plan_cost(times, sizes, [0], 10e6, 0.020, "energy", power)
    assert priced == pytest.approx(measured, rel=1e-12)
    table = single_cut_costs([math.inf], [0.010], sizes, 10e6, 0.020, "energy", power)
    assert table[0] == pytest.approx(measured, rel=1e-12)


def test_a_costly_uplink_per_bit_moves_the_energy_optimal_cut_to_the_device():
    """Neurosurgeon's energy choice: cheap bits offload everything; costly bits keep it local."""
    device, server = [0.05, 0.05], [0.001, 0.001]
    sizes = [150_000.0, 150_000.0, 4_000.0]
    flat = DeviceEnergy(2.0, 1.0, 0.5)
    costly = DeviceEnergy(2.0, 1.0, 0.5, transmit_j_per_bit=1e-6)  # 1 W per Mbit/s
    assert best_single_cut(device, server, sizes, 20e6, 0.01, "energy", flat)[0] == 0
    assert best_single_cut(device, server, sizes, 20e6, 0.01, "energy", costly)[0] == 2


def test_the_llm_request_price_adds_the_bits_the_source_moves():
    edge = LLMStage("edge", prefill_s=0.1, decode_s=[0.02, 0.02], hidden_bytes=2048.0)
    hop = lambda a, b: (0.01, 8e6)  # noqa: E731
    flat = llm_request_cost([edge], "phone", 10, 3, hop, DeviceEnergy(1.0, 1.0, 0.5))
    grown = llm_request_cost(
        [edge], "phone", 10, 3, hop, DeviceEnergy(1.0, 1.0, 0.5, 0.0, 0.0, ALPHA_U, ALPHA_D)
    )
    from offloadsim.policies.costs import TOKEN_BYTES

    sent, received = 10 * TOKEN_BYTES, 3 * TOKEN_BYTES  # the prompt up, each token home
    assert grown.energy_j - flat.energy_j == pytest.approx(8 * (ALPHA_U * sent + ALPHA_D * received))
    assert grown.latency_s == flat.latency_s


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-1 nJ/bit", 'expected a non-negative power per rate like "438 mW/Mbps", got "-1 nJ/bit"'),
        ("438 mW", 'unknown unit "mW" (a power unit)'),
        ("438 mW/MHz", 'unknown unit "mW/MHz"'),
    ],
)
def test_bad_values_are_refused_with_their_key_path(verb, value, expected, tmp_path, capsys):
    (tmp_path / "once.csv").write_text("time\n1.0\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(ONE.format(extra=""))
    out = tmp_path / "out"
    argv = [verb, str(scenario), "--set", f"nodes.phone.power.receive_per_rate={value}"]
    assert main(argv + (["--out", str(out)] if verb == "run" else [])) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("offloadsim: error: "), err
    assert "nodes.phone.power.receive_per_rate: " in err[0] and expected in err[0], err[0]
    assert not out.exists()
