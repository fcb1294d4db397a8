"""The share of tasks whose raw input left the device (``raw_input_offloaded_share``), counted by hand.

The fleet of ``by-group``'s tests with three old phones, which offload every task whole to the edge
(the raw input leaves), and one new phone, which runs its own (it stays): one task every 5 s per
phone, none meeting, so every phone's tasks end alike and 3 of every 4 inputs left their phone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml
from fleet_scenario import FLEET

import offloadsim
from offloadsim.analysis.summary import metrics_row, summarize

_NAME = "raw_input_offloaded_share"


def test_the_share_of_raw_inputs_that_left_is_the_hand_counted_one(tmp_path: Path) -> None:
    nodes = dict(FLEET["nodes"])
    nodes["old-phone"] = {**nodes["old-phone"], "count": 3}
    nodes["new-phone"] = {**nodes["new-phone"], "count": 1}
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump({**FLEET, "nodes": nodes}, sort_keys=False), encoding="utf-8")
    run = offloadsim.run(path, out=tmp_path / "run")
    tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
    ended = tasks[tasks["status"].astype(str).isin(["completed", "dropped", "failed"])]
    per_source = ended.groupby(ended["source"].astype(str), observed=True).size()
    assert len(per_source) == 4 and per_source.nunique() == 1, per_source  # what makes it 3 of 4
    old = ended["source"].astype(str).str.startswith("old-phone")
    assert (ended["raw_input_offloaded"] == old.astype(float)).all()  # the records say who sent it
    assert run.summary.metric(_NAME) == 0.75
    assert json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))[_NAME] == 0.75
    assert metrics_row(run.summary)[_NAME] == 0.75
    # a DataFrame, a column at a time (the engine's records above were read a chunk at a time)
    assert summarize(run.tasks, run.nodes, run.links, 30.0).metric(_NAME) == 0.75
    # every phone runs its own: none left
    local = offloadsim.run(path, policy="local", out=tmp_path / "local")
    assert local.summary.metric(_NAME) == 0.0 and metrics_row(local.summary)[_NAME] == 0.0
