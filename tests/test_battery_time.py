"""``plot --kind battery-time``: a battery fleet's charge over time, rebuilt from the records.

Checked against a case worked by hand (idle, a down spell at 0 W, a task's energy spread over its
life, one of no duration, a battery run flat with energy no task record holds), read a chunk of one
row at a time and all at once; against a comparison's own summary at the curve's end; and the
refusal of results with no battery (exit 2, naming the scenario).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from offloadsim.analysis.battery_charge import Battery, charge_over_time
from offloadsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
NAN = math.nan

# p: 100 J, idle 1 W, 0 W while down in [20, 40]; a task of 10 J over [50, 60] and one of 2 J at 70.
# q: 50 J, idle 1 W, flat at 45 s: 5 J of its drain is in no task record, spread over [0, 45].
NODES = pd.DataFrame(
    {
        "node": ["p", "q", "edge"],
        "down": ["[[20.0, 40.0]]", "[[45.0, null]]", ""],
        "drained_at": [NAN, 45.0, NAN],
        "battery_left": [1.0 - 72.0 / 100.0, 0.0, NAN],
    }
)
TASKS = pd.DataFrame(
    {
        "source": ["p", "p", "edge", "q"],
        "arrival": [49.0, 70.0, 10.0, 30.0],
        "start": [50.0, 70.0, 10.0, NAN],  # q's task never started: it spent nothing
        "finish": [60.0, 70.0, 11.0, NAN],
        "lost_at": [NAN, NAN, NAN, 31.0],
        "device_energy": [10.0, 2.0, 99.0, 0.0],
    }
)
BATTERIES = {"p": Battery(100.0, 1.0, 0.0), "q": Battery(50.0, 1.0, 1.0)}
TIMES = np.array([0.0, 9.0, 10.0, 30.0, 40.0, 50.0, 55.0, 60.0, 70.0, 80.0])


@pytest.mark.parametrize("chunk_rows", [1, 100])
def test_the_charge_over_time_is_the_hand_worked_one(chunk_rows):
    curves = charge_over_time(TASKS, NODES, BATTERIES, 80.0, TIMES, chunk_rows=chunk_rows)
    assert curves.nodes == ("p", "q")
    # p: idle to 20, nothing while down to 40, idle after; 10 J over [50, 60]; 2 J at 70 (counted after it)
    p_spent = [0, 9, 10, 20, 20, 30, 35 + 5, 40 + 10, 50 + 10, 60 + 12]
    q_spent = [t * 50.0 / 45.0 for t in TIMES]  # 1 W and 5 J unrecorded over its 45 s: 50 J at 45 s
    np.testing.assert_allclose(curves.left[0], 1.0 - np.array(p_spent) / 100.0, rtol=0, atol=1e-12)
    expected_q = np.where(TIMES >= 45.0, 0.0, 1.0 - np.array(q_spent) / 50.0)
    np.testing.assert_allclose(curves.left[1], expected_q, rtol=0, atol=1e-12)
    np.testing.assert_allclose(curves.unrecorded_j, [0.0, 5.0], atol=1e-12)
    fleet = curves.fleet()
    assert fleet["batteries_flat"].tolist() == [0] * 5 + [1] * 5
    assert fleet["battery_left_min"].iloc[-1] == 0.0
    assert fleet["battery_left_median"].iloc[-1] == pytest.approx((0.28 + 0.0) / 2, abs=1e-12)


@pytest.fixture(scope="module")
def fleet_compare(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("battery") / "fleet"
    scenario = ROOT / "tests" / "data" / "battery_fleet.yaml"
    args = ["compare", str(scenario), "--policies", "local,edge", "-n", "2", "--workers", "1"]
    assert main([*args, "--out", str(out), "--quiet"]) == 0
    return out


def test_each_curve_ends_at_its_runs_summary(fleet_compare, capsys):
    from offloadsim.plots.battery_time import fleet_charge
    from offloadsim.records.stored import read_results

    assert main(["plot", str(fleet_compare), "--kind", "battery-time"]) == 0
    capsys.readouterr()
    written = pd.read_csv(fleet_compare / "figures" / "battery-time.csv")  # 9 significant digits
    curves = fleet_charge(read_results(fleet_compare)).curves
    np.testing.assert_allclose(written["battery_left_median"], curves["battery_left_median"], rtol=1e-8)
    metrics = pd.read_parquet(fleet_compare / "metrics.parquet")
    ends = curves.groupby(["policy", "replication"], observed=True).tail(1)
    ends = ends.set_index([ends["policy"].astype(str), ends["replication"]])
    runs = metrics.set_index([metrics["policy"].astype(str), metrics["replication"]])
    assert len(ends) == len(runs) == 4
    assert (runs["batteries_flat"] > 0).any() and (runs["battery_left_median"] > 0).all()  # a real case
    for column in ("battery_left_median", "battery_left_min", "batteries_flat"):
        np.testing.assert_allclose(ends[column], runs.loc[ends.index, column], rtol=1e-12, atol=1e-12)
    assert (ends["time_s"].to_numpy() == runs.loc[ends.index, "end_s"].to_numpy()).all()


def test_without_warm_up_or_shared_work_the_records_place_the_whole_drain(fleet_compare):
    from offloadsim.plots.battery_time import fleet_charge
    from offloadsim.records.stored import read_results

    fleet = fleet_charge(read_results(fleet_compare))
    spread = fleet.spread
    assert fleet.warmup_s == 0.0 and fleet.batteries == 6
    # Only radio tails past a task's end can be left over: next to nothing of the drain.
    assert spread["unrecorded_j"].sum() < 1e-6 * spread["drained_j"].sum()


def test_results_with_no_battery_are_refused_naming_the_scenario(tmp_path, capsys):
    out = tmp_path / "qs"
    scenario = ROOT / "scenarios" / "quickstart.yaml"
    assert main(["run", str(scenario), "--set", "duration=2s", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["plot", str(out), "--kind", "battery-time"]) == 2
    err = capsys.readouterr().err
    assert "scenario 'quickstart'" in err and "no node has a battery" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (out / "figures").exists() or not list((out / "figures").glob("battery-time*"))


def test_results_written_without_a_needed_column_are_refused_naming_it(fleet_compare):
    from offloadsim.plots.battery_time import fleet_charge
    from offloadsim.records.stored import ExperimentError, read_results

    results = read_results(fleet_compare)
    results.nodes = results.nodes.drop(columns=["down"])
    with pytest.raises(ExperimentError, match=r"needs nodes\.parquet's down, which these results"):
        fleet_charge(results)
