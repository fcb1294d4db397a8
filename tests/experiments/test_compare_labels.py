"""A compared entry takes a short label, ``LABEL=ENTRY``, used in tables, files and figures.

Before, an entry was labelled by its whole text only, so a figure's bars and legends read
``fixed(nodes=[box-0, box-1, box-2], cuts=[57, 110])``; ``3-box=fixed(...)`` was refused as no
entry.  Two entries of one label are refused: the figures could not tell them apart.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from offloadsim.cli import main
from offloadsim.scenario.policy_entries import EntryError, policy_entries


def test_an_entry_s_label_names_it():
    [entry, plain] = policy_entries(["3-box = fixed(nodes=[box-0, box-1], cuts=[57])", "local"])
    assert (entry.label, entry.name, dict(entry.params)) == (
        "3-box",
        "fixed",
        {"nodes": ["box-0", "box-1"], "cuts": [57]},
    )
    assert (plain.label, plain.name) == ("local", "local")


@pytest.mark.parametrize(
    ("texts", "said"),
    [
        (["a=edge", "a=local"], '"edge" and "local" are both labelled "a"'),
        (["local=edge", "local"], '"edge" and "local" are both labelled "local"'),
        (["a(b)=edge"], "expected NAME"),
        (["a[1]=edge"], "a label (before the =) cannot be empty or hold any of"),
        (["=edge"], "a label (before the =) cannot be empty"),
    ],
)
def test_a_label_given_twice_or_malformed_is_refused(texts, said):
    with pytest.raises(EntryError, match=None) as caught:
        policy_entries(texts)
    assert said in str(caught.value), caught.value


def test_compare_writes_the_label_in_tables_files_and_manifest(tiny_scenario, tmp_path, capsys):
    out = tmp_path / "c"
    argv = ["compare", str(tiny_scenario), "--policies", "near=fixed(node=edge),local", "--baseline", "near"]
    assert main([*argv, "-n", "2", "--out", str(out), "-q"]) == 0
    assert list(pd.read_parquet(out / "metrics.parquet")["policy"].unique()) == ["near", "local"]
    assert set(pd.read_parquet(out / "tasks.parquet")["policy"].astype(str)) == {"near", "local"}
    policies = json.loads((out / "manifest.json").read_text())["policies"]
    assert policies[0] == {"name": "fixed", "params": {"node": "edge"}, "label": "near"}, policies
    assert "Δ vs near" in (out / "summary.txt").read_text()
    assert main(["plot", str(out), "--kind", "bars", "--out", str(tmp_path / "b.png")]) == 0


def test_compare_refuses_two_entries_of_one_label(tiny_scenario, tmp_path, capsys):
    out = tmp_path / "c"
    assert main(["compare", str(tiny_scenario), "--policies", "a=edge,a=local", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("offloadsim: error: ") and 'both labelled "a"' in err and "\n" not in err, err
    assert not out.exists()


def test_a_sweep_s_entries_take_labels_too(tiny_scenario, tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: s\nbase: {tiny_scenario.name}\ngrid:\n  duration: [1 s, 2 s]\n"
        "policies: [near=edge, local]\nreplications: 1\n"
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "s"), "-q"]) == 0
    assert set(pd.read_parquet(tmp_path / "s" / "metrics.parquet")["policy"]) == {"near", "local"}
    sweep.write_text(sweep.read_text().replace("local]", "near=local]"))
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "s2"), "-q"]) == 2
