"""Two workload entries of one index are refused: the engine names their random streams by it.

A hand-built scenario whose entries share an index (``WorkloadSpec``'s default 0, an entry
repeated) ran, both entries drawing the same arrival times, in lockstep, without a word.
"""

from __future__ import annotations

import dataclasses

import pytest

import offloadsim
from offloadsim.errors import RunError
from offloadsim.scenario.loader import load_scenario


@pytest.mark.parametrize("how", ["repeated", "default index"])
def test_two_entries_of_one_index_are_refused(how, tiny_scenario, tmp_path):
    scenario = load_scenario(tiny_scenario)
    entry = scenario.workload[0]
    other = entry if how == "repeated" else dataclasses.replace(entry, stop_s=1.0, index=0)
    built = dataclasses.replace(scenario, workload=(entry, other))
    with pytest.raises(RunError) as caught:
        offloadsim.run(built, out=tmp_path / "run")
    said = str(caught.value)
    expected = "scenario.workload[1].index: expected 1, its entry's place (0 to 1), got int 0"
    assert said.startswith(expected), said
    assert "the index of workload[0] too: the two would draw the same random numbers" in said
    assert "\n" not in said and not (tmp_path / "run").exists()


def test_numbered_in_order_they_draw_streams_of_their_own(tiny_scenario, tmp_path):
    scenario = load_scenario(tiny_scenario)
    entry = scenario.workload[0]
    built = dataclasses.replace(scenario, workload=(entry, dataclasses.replace(entry, index=1)))
    run = offloadsim.run(built, out=tmp_path / "run")
    arrivals = run.tasks["arrival"].tolist()
    assert len(arrivals) > 4 and len(set(arrivals)) == len(arrivals)  # no arrival time twice
