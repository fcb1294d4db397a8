"""A throughput figure says that it counts completed tasks only, as a latency figure does.

A sweep of an LLM on one Jetson drew its output token throughput falling from 10 to 2.6 tokens/s as
requests grew from 4 to 12 a minute: 87 % of them were still in flight when the run ended, which the
latency figure of the same sweep said and the throughput figure did not, so it read as a collapse.
"""

from __future__ import annotations

import pytest
from figure_checks import check_readable
from matplotlib.figure import Figure

from offloadsim import plots
from offloadsim.experiments import compare, read_results


def _footnote(fig: Figure) -> str:
    label = fig._supxlabel  # the figure-level text under the axes
    return " ".join(label.get_text().split()) if label is not None else ""  # wrapped lines joined


@pytest.fixture(scope="module")
def edge_saturated(tmp_path_factory):
    """Three phones at 20 tasks/s each on an edge that serves 40 a second, its queue unbounded: it
    never catches up, and a third of its tasks are still in flight when the run ends."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("throughput-in-flight")
    (folder / "tiny.yaml").write_text(TINY.replace("rate: 2 /s", "rate: 20 /s"), encoding="utf-8")
    compare(folder / "tiny.yaml", ["edge", "local"], 2, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


def test_a_throughput_of_tasks_left_in_flight_says_so(edge_saturated):
    metrics = edge_saturated.metrics
    edge = metrics[metrics["policy"] == "edge"]
    in_flight = edge["in_flight"].sum() / edge["arrived"].sum()
    assert in_flight >= 0.05 and (edge["dropped"] + edge["failed"]).sum() == 0  # what the note is about
    fig = plots.plot_results(edge_saturated, "bars", metric="throughput_per_s")
    note = _footnote(fig)
    assert (
        "counts completed tasks only, so it reads low where they are left unfinished; "
        "5 % or more not completed (in flight at the end) in (policy): "
        f"edge {in_flight * 100:.0f} %"
    ) in note, note
    check_readable(fig)
    # The latency figure's note is unchanged: of completed tasks, whatever ended the others.
    latency = _footnote(plots.plot_results(edge_saturated, "bars"))
    assert "of completed tasks only; 5 % or more not completed (dropped, failed, in flight)" in latency


def test_a_throughput_sweep_of_dropped_tasks_names_them_not_as_in_flight(sweep_drops):
    fig = plots.plot_results(sweep_drops, "sweep", metric="throughput_per_s")
    note = _footnote(fig)
    assert (
        "counts completed tasks only, so it reads low where they are left unfinished; "
        "5 % or more not completed (dropped, failed, in flight) in (phone–ap bandwidth, policy):"
    ) in note, note
    check_readable(fig)
    # A metric that counts tasks not completed needs no such note.
    assert "not completed" not in _footnote(plots.plot_results(sweep_drops, "sweep", metric="drop_rate"))
