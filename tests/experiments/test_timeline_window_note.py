"""A run's timeline says when the tasks it draws arrived, and how to draw another window.

A trial's LLM timeline drew its first 30 requests over 250 s, and the note said only "the first
30 of 65 completed tasks": not which stretch of the run that is, nor that ``--from``/``--to``
draw another.  The times said are checked against the tasks table, and the window they name is
drawn by ``--from``/``--to``.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from experiment_data import TINY

from offloadsim import plots
from offloadsim.analysis.values import number_text
from offloadsim.cli import main
from offloadsim.experiments import read_results


def _note(fig) -> str:
    label = fig._supxlabel  # the figure-level text under the axes
    return " ".join(label.get_text().split()) if label is not None else ""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("timeline")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    assert main(["run", str(folder / "tiny.yaml"), "--out", str(folder / "run"), "-q"]) == 0
    return folder / "run"


def test_a_timeline_of_the_first_tasks_says_when_they_arrived_and_how_to_draw_others(run):
    tasks = pd.read_parquet(run / "tasks.parquet")
    done = tasks[tasks["status"] == "completed"].sort_values(["arrival", "task_id"])
    assert len(done) > 30
    first = done["arrival"].to_numpy(dtype=float)[:30]
    note = _note(plots.plot_results(read_results(run), "timeline"))
    start, end = (number_text(float(f"{t:.4g}")) for t in (first.min(), first.max()))
    assert (
        f"the first 30 of {len(done)} completed tasks, by arrival (they arrived from {start} s to {end} s; "
        in note
    )
    (following,) = re.findall(r"--from (\S+)s draws the next ones, --to ends a window\)", note)
    # The --from it names draws the next tasks: the first of them is the 31st completed one.
    later = plots.plot_results(read_results(run), "timeline", from_s=float(following))
    assert float(following) <= done["arrival"].iloc[30] < float(following) + 0.1
    assert f"of the tasks arriving from {float(following):g} s on only" in _note(later)
    plt.close("all")


def test_a_timeline_that_draws_every_task_of_its_window_names_no_other(run):
    tasks = pd.read_parquet(run / "tasks.parquet")
    late = float(np.quantile(tasks["arrival"], 0.8))
    fig = plots.plot_results(read_results(run), "timeline", from_s=late)
    note = _note(fig)
    assert f"of the tasks arriving from {late:g} s on only (--from, --to)" in note
    later = tasks[(tasks["arrival"] >= late) & (tasks["status"] == "completed")]
    assert len(later) <= 30 and "they arrived from" not in note  # every one drawn: no window to name
    plt.close("all")
