"""A sweep over image size and precision says each kind of note once, with its range and its points.

A trial's sweep of ``image_size`` x ``precision`` printed four fusion lines alike but for 53, 54,
56 and 60 %, and two int8 lines alike but for the model's time ratio on one GPU, without saying
which point each was of.  Each kind now merges from its facts into one line: the fusion shares as
a range, each profile's peak ratio once with the model's time ratios as a range, and the points.
"""

from __future__ import annotations

import re
from pathlib import Path

from npu_phone_scenario import BASE

from offloadsim.cli import main

SWEEP = """base: base.yaml
grid:
  applications.classify.params.image_size: [160, 224]
  applications.classify.params.precision: [fp32, int8]
policies: ["fixed(node=phone, processors=[npu])", "fixed(node=edge)"]
"""


def _notes(tmp_path: Path, capsys) -> list[str]:
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--dry-run", "--out", str(tmp_path / "out")]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: ")]


def test_the_fusion_lines_of_every_point_are_one_with_the_range_of_their_shares(tmp_path, capsys):
    (fusion,) = [note for note in _notes(tmp_path, capsys) if "a roofline charges each BatchNorm" in note]
    low, high = map(int, re.findall(r"\((\d+)-(\d+) % of the compute of", fusion)[0])
    assert 25 <= low < high <= 100
    assert fusion.startswith("note: nodes.phone.processors.npu, nodes.edge.processor: ")


def test_the_int8_lines_are_one_with_the_model_time_ratios_as_a_range_and_its_points(tmp_path, capsys):
    (int8,) = [note for note in _notes(tmp_path, capsys) if note.startswith("note: precision int8")]
    low, high = map(
        float,
        re.findall(r"16x (?:fp32's )?on jetson-orin \(the model ([0-9.]+)-([0-9.]+)x faster here\)", int8)[0],
    )
    assert 1.0 < low < high < 16.0
    assert int8.endswith(" (at points 2, 3, 6 and 7)")  # the int8 points, both policies
