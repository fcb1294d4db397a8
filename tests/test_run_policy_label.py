"""``run --policy LABEL=ENTRY`` names the run's policy LABEL, as ``compare`` names such an entry.

It was taken and the label dropped: the run directory, table title, task records, figures and
manifest named the policy (``quickstart-edge-s7``, "policy edge"), the label appearing only in the
dry run's first line; ``offloadsim.run(policy="near=edge")`` was an unknown policy "near=edge".
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import offloadsim
from offloadsim.cli import main
from offloadsim.experiments import read_results

SCENARIO = str(Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml")
SHORT = ["--set", "duration=2 s", "--set", "warmup=0 s", "-q"]


def test_the_label_names_the_run_where_its_outputs_name_the_policy(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", SCENARIO, "--policy", "near=edge", *SHORT]) == 0
    out = tmp_path / "results" / "quickstart-near-s7"
    assert capsys.readouterr().out.splitlines() == [str(Path("results") / "quickstart-near-s7")]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["policy"] == {"name": "edge", "params": {}, "label": "near"}
    title = (out / "summary.txt").read_text(encoding="utf-8").splitlines()[0]
    assert title.startswith("quickstart: policy near=edge, seed 7")
    assert set(pd.read_parquet(out / "tasks.parquet")["policy"].astype(str)) == {"near"}
    assert list(read_results(out).metrics["policy"]) == ["near"]


def test_a_labelled_entry_runs_what_the_entry_alone_runs(tmp_path):
    assert (
        main(
            [
                "run",
                SCENARIO,
                "--policy",
                "lb=least-loaded(load_bucket=0.02)",
                *SHORT,
                "--out",
                str(tmp_path / "a"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "run",
                SCENARIO,
                "--policy",
                "least-loaded(load_bucket=0.02)",
                *SHORT,
                "--out",
                str(tmp_path / "b"),
            ]
        )
        == 0
    )
    labelled, plain = (pd.read_parquet(tmp_path / d / "tasks.parquet") for d in "ab")
    np.testing.assert_array_equal(labelled["latency"], plain["latency"])
    assert set(plain["policy"].astype(str)) == {"least-loaded"} and set(labelled["policy"].astype(str)) == {
        "lb"
    }


def test_the_python_api_takes_it_as_the_command_line_does():
    result = offloadsim.run(SCENARIO, policy="near=edge", overrides=["duration=2 s", "warmup=0 s"])
    assert result.manifest["policy"]["label"] == "near"
    assert result.title.startswith("quickstart: policy near=edge")
