"""The gallery's helpers keep a point keyed by a real null: a policy parameter another entry's policy has not.

Since a text policy parameter that a policy lacks is a null in the tables (not the text "None"),
``analysis/_common.py`` grouped the keys' ``astype(str)``: NaN, which ``groupby`` drops. A point
of a policy without the parameter was then never left out as unsteady, and its runs were not
counted in the note of the figure's intervals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from offloadsim.experiments import compare, read_results

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "analysis"))

import _common  # noqa: E402  (analysis/ is not a package: its scripts run as files)

KEY = "policy.objective"


@pytest.fixture(scope="module")
def metrics(tmp_path_factory):
    """A comparison of a policy with ``objective`` and one without (``local``: a null there)."""
    tmp = tmp_path_factory.mktemp("cmp")
    overrides = ["duration=10 s", "nodes.phone.count=3"]
    out = tmp / "cmp"
    entries = ["neurosurgeon(objective=energy)", "local"]
    compare(ROOT / "scenarios" / "quickstart.yaml", entries, 2, workers=1, out=out, overrides=overrides)
    table = read_results(out).metrics
    assert table[KEY].isna().any() and table[KEY].notna().any()  # the null this is about
    return table


def test_an_unsteady_point_with_a_null_key_is_left_out(metrics):
    local = metrics["policy"] == "local"
    unsteady = metrics.assign(completed=metrics["completed"].where(~local, 0))  # local's runs finished none
    steady = _common.steady_runs(unsteady, [KEY])
    assert steady.left_out == [("null",)]
    assert set(steady.metrics["policy"]) == {"neurosurgeon(objective=energy)"}
    runs = metrics[[KEY, "policy", "replication"]]  # one row a run, keyed as its tasks are
    assert len(steady.tasks(runs)) == int((~local).sum())


def test_the_interval_note_counts_the_runs_of_a_null_key(metrics):
    one_local = metrics[(metrics["policy"] != "local") | (metrics["replication"] == 0)]
    assert _common.interval_note(one_local, [KEY], "bars").endswith("over 1–2 replications")


def test_a_null_key_reads_null_as_the_tables_write_it():
    column = pd.Series(["energy", None], dtype="string")
    assert _common.key_texts(column).tolist() == ["energy", "null"]
