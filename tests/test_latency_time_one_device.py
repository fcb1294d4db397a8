"""latency-time of one device on the move (HB35's trial on commute.yaml): its note counts that device's
mobility changes, not every phone's; one run marks its handovers; runs of different drives are said."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.lines import Line2D

from offloadsim.experiments import compare, read_results
from offloadsim.plots import plot_results

COMMUTE = Path(__file__).resolve().parents[1] / "scenarios" / "commute.yaml"


@pytest.fixture(scope="module")
def commute(tmp_path_factory):
    out = tmp_path_factory.mktemp("commute") / "cmp"
    compare(COMMUTE, ["edge"], 2, workers=1, out=out, overrides=["duration=90 s"])
    return read_results(out)


def _note(fig) -> str:
    return " ".join(" ".join(text.get_text() for text in fig.texts).split())


def test_the_note_counts_the_shown_devices_changes_only(commute):
    fig = plot_results(commute, "latency-time", where={"source": "phone-0"})
    directions = int(re.search(r"changes of ([\d,]+) link directions", _note(fig)).group(1))
    assert 0 < directions <= 10  # phone-0 to and from its five access points, not 12 phones' 120


def test_one_run_of_one_device_marks_its_handovers(commute):
    fig = plot_results(commute, "latency-time", where={"source": "phone-0", "replication": "0"})
    changes = commute.link_changes
    ups = changes[
        (changes["replication"].astype(str) == "0")
        & (changes["a"].astype(str) == "phone-0")
        & (changes["change"].astype(str) == "up")
        & (changes["time"] > 30)
    ]
    ax = fig.axes[0]
    dotted = [line for line in ax.get_lines() if isinstance(line, Line2D) and line.get_linestyle() == ":"]
    assert len(ups) > 0 and sorted(float(line.get_xdata()[0]) for line in dotted) == sorted(set(ups["time"]))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"phone-0 handed over ({len(set(ups['time']))})" in legend
    assert "handed over to another access point" in _note(fig)


def test_a_median_over_runs_of_different_drives_says_so(commute):
    note = _note(plot_results(commute, "latency-time", where={"source": "phone-0"}))
    assert "the median pools 2 runs whose drives differ" in note
