"""A sweep's refusal names the grid key inside a ``set`` key's value, which varies what was refused.

Before, a bad trace file at one value of ``grid: {dynamics[0].file: [...]}`` over ``set: {dynamics:
[...]}`` was said at ``set.dynamics`` (the first key whose value holds the refused key path),
pointing the reader at the list every point shares instead of the grid value that broke one point.
"""

from __future__ import annotations

from pathlib import Path

from tiny_scenarios import phone_edge

from offloadsim.cli import main

BASE = phone_edge("name: traced\nduration: 2 s\n")

SWEEP = """\
base: base.yaml
set:
  dynamics: [{kind: link-trace, link: [phone, edge], file: up.csv}]
grid:
  dynamics[0].file: [up.csv, bad.csv]
"""


def test_the_grid_key_inside_a_set_keys_value_is_named(tmp_path: Path, capsys):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "up.csv").write_text("time,bandwidth\n0,1 Mbps\n1,2 Mbps\n")
    (tmp_path / "bad.csv").write_text("time,bandwidth\n2,1 Mbps\n1,1 Mbps\n")
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--dry-run"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f'offloadsim: error: {tmp_path / "sweep.yaml"}: grid["dynamics[0].file"]: '), line
    assert "bad.csv, line 3: time 1 s does not come after the previous row's 2 s" in line, line
    assert line.endswith("(point 1: dynamics[0].file=bad.csv)"), line


def test_a_set_key_alone_is_still_named(tmp_path: Path, capsys):
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(
        "base: base.yaml\nset:\n  dynamics: [{kind: link-trace, link: [phone, edge], file: none.csv}]\n"
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--dry-run"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert f"{tmp_path / 'sweep.yaml'}: set.dynamics: " in line and "none.csv: no such file" in line, line
