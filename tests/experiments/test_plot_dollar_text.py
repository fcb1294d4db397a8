"""A `$` in an entry's text is drawn as written, not read as TeX.

``fixed(nodes=[$source, edge], cuts=[3])`` beside ``...cuts=[5])`` put two `$` in one note
line under the figure: matplotlib read the text between them as mathtext and ``plot --kind split`` ended in a
ParseException (exit 1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"


def test_entries_with_a_dollar_each_are_drawn_in_a_split_figure(cli_main, tmp_path):
    document = {
        "base": str(QUICKSTART),
        "set": {"duration": "10 s"},
        "grid": {"links[0].bandwidth": ["5 Mbps", "20 Mbps"]},
        "policies": ["fixed(nodes=[$source, edge], cuts=[3])", "fixed(nodes=[$source, edge], cuts=[5])"],
    }
    (tmp_path / "s.yaml").write_text(json.dumps(document), encoding="utf-8")
    assert cli_main(["sweep", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    figure = tmp_path / "split"
    # In a process of its own, as a user runs it (inside pytest's the same figure drew without the error).
    plot = [
        sys.executable,
        "-m",
        "offloadsim",
        "plot",
        str(tmp_path / "out"),
        "--kind",
        "split",
        "--out",
        str(figure),
    ]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(plot, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert figure.with_suffix(".png").stat().st_size > 0
