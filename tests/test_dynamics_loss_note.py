"""A loss a ``dynamics`` entry sets is said, as a link's own ``loss`` is: recorded, not simulated.

The trial (HM33): a Gilbert-Elliott uplink with 10 % loss in its bad state printed "loss 2.06%" in
the links table with no note, while a static ``links[0].loss`` was said not to slow transfers.
"""

from __future__ import annotations

from offloadsim.scenario import load_scenario, load_scenario_text
from offloadsim.world import build_world

BASE = """\
name: lossy
duration: 10 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  server: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, server], bandwidth: 6 Mbps, latency: 20 ms}
applications:
  job: {stages: [{work: 1 GFLOP}], input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: poisson, rate: 1 /s}
policy: edge
dynamics:
"""
SAID = "packet loss is recorded (the links table's loss_rate), not simulated: it does not slow transfers"


def _loss_notes(text: str, source: str = "<t>") -> list[str]:
    return [n for n in build_world(load_scenario_text(text, source=source)).notes if SAID in n]


def test_a_gilbert_elliott_states_loss_is_said_not_simulated():
    entry = (
        "  - {kind: gilbert-elliott, link: [phone, server],"
        " good: {bandwidth: 8 Mbps, loss: 0.001, mean: 10 s},"
        " bad: {bandwidth: 1 Mbps, loss: 0.1, mean: 3 s}}\n"
    )
    assert _loss_notes(BASE + entry) == [f"dynamics[0].good.loss, dynamics[0].bad.loss: {SAID}"]
    lossless = entry.replace("loss: 0.001", "loss: 0").replace("loss: 0.1", "loss: 0")
    assert _loss_notes(BASE + lossless) == []


def test_a_traces_loss_column_is_said(tmp_path):
    (tmp_path / "t.csv").write_text("time,bandwidth,loss\n0,5e6,0\n2,1e6,0.02\n")
    (tmp_path / "s.yaml").write_text(BASE + "  - {kind: link-trace, link: 0, file: t.csv}\n")
    notes = build_world(load_scenario(tmp_path / "s.yaml")).notes
    assert [n for n in notes if SAID in n] == [f"dynamics[0].file (its loss column): {SAID}"]
