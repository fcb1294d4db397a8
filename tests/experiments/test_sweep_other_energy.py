"""Sweep's printed table shows other devices' energy per task where some run has any.

A sweep of a phone's own NPU against a powered edge GPU printed only device energy per task: the
phone's radio, 6 mJ, for the runs offloaded to the edge against the NPU's 52 mJ, while the edge
drew 190 mJ a task, which ``run`` and ``compare`` print under their device energy and ``summary.csv``
kept; the sweep's table said nothing of it (HF38's trial).
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli import main

BASE = """
name: powered-edge
duration: 4 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {speed: 100 GFLOP/s}, power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}, power: {idle: 5 W, busy: 30 W}}
links:
  - {between: [phone, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  classify: {model: resnet18, input: 150 KB, output: 4 KB}
workload:
  - {app: classify, sources: phone, arrivals: periodic, period: 500 ms}
policy: local
"""


def _table(tmp_path: Path, capsys, base: str) -> str:
    (tmp_path / "base.yaml").write_text(base, encoding="utf-8")
    sweep = tmp_path / "sweep.yaml"
    grid = "grid:\n  links[0].bandwidth: [10 Mbps, 50 Mbps]\n"
    sweep.write_text(f"base: base.yaml\n{grid}policies: [local, edge]\n", encoding="utf-8")
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    return capsys.readouterr().out


def test_a_powered_edge_s_energy_is_a_column_beside_device_energy(tmp_path, capsys):
    out = _table(tmp_path, capsys, BASE)
    lines = out.splitlines()
    header = "\n".join(lines[1 : next(i for i, line in enumerate(lines) if line.startswith("---"))])
    assert "other devices'" in header, out
    first = header.splitlines()[0]  # headings wrap: their first words are on the first line
    assert first.index(" device ") < first.index("other devices'")
    assert "above idle, on powered nodes other than the task's source" in out


def test_no_column_where_no_other_node_is_powered(tmp_path, capsys):
    out = _table(tmp_path, capsys, BASE.replace(", power: {idle: 5 W, busy: 30 W}", ""))
    assert "other devices'" not in out, out
