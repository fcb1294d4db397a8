"""An arrival trace that ends long before the run says that no request arrives in the rest of it.

The trial (HM46): a production log of arrivals shorter than the run sent nothing after its last
time, silently, where a link trace's held tail is said: the throughput, a rate over the measured
time, read the log's diluted, and nothing told the user the trace was not looped.
"""

from __future__ import annotations

import pytest
from test_dynamics import BASE

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots.latency_time import latency_time_figure
from offloadsim.world.notes.ended_arrivals import ended_arrivals_text

#: Nine requests 0.5 s apart, 0.5 to 4.5 s, in a 20 s run: nothing arrives in its last 15.5 s.
TIMES = "".join(f"{t / 2:g}\n" for t in range(1, 10))
ENDED = (
    "workload[0].trace: trace.csv's last arrival is at 4.5 s: no request arrives in the last 15.5 s of "
    "the run (to 20 s, 78 % of the measured time), which the rates over the measured time (throughput, "
    "on-time throughput) count as idle: an arrival trace is played once, never looped; a duration that "
    "ends with it measures its requests alone (docs/scenario-format.md#workload)"
)


def _said(tmp_path, capsys, times: str, *sets: str) -> list[str]:
    (tmp_path / "trace.csv").write_text("time\n" + times)
    (tmp_path / "s.yaml").write_text(BASE.replace("duration: 10 s", "duration: 20 s"))
    args = ["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), *sets]
    assert main(args) == 0
    return [line for line in capsys.readouterr().out.splitlines() if "last arrival" in line]


def test_a_run_past_its_arrival_traces_end_says_no_request_arrives_after_it(tmp_path, capsys):
    assert _said(tmp_path, capsys, TIMES) == [f"note: {ENDED}"]


@pytest.mark.parametrize(
    ("times", "sets"),
    [
        (TIMES, ("--set", "duration=5 s")),  # the run ends with the trace
        (TIMES, ("--set", "workload[0].stop=5 s")),  # the entry is bounded where the trace ends
        ("".join(f"{t:g}\n" for t in range(1, 20)), ()),  # to 19 s, one gap before the end
        ("1.0\n2.0\n", ()),  # two requests: meant as they are
    ],
)
def test_a_trace_that_reaches_the_end_or_is_bounded_is_not_said(tmp_path, capsys, times, sets):
    assert _said(tmp_path, capsys, times, *sets) == []


def test_the_tail_is_measured_from_the_last_arrival_at_any_source():
    # One source's rows end early, another's reach the end: the entry's arrivals do not end.
    early, late = (0.5, 1.0, 1.5), (2.0, 10.0, 19.5)
    assert ended_arrivals_text(0, "t.csv", (early, late), 0.0, 20.0) is None
    assert ended_arrivals_text(0, "t.csv", (early,), 0.0, 20.0) is not None


def test_the_latency_over_time_figure_says_it_under_the_empty_stretch(tmp_path, capsys):
    _said(tmp_path, capsys, TIMES)
    fig = latency_time_figure(read_results(tmp_path / "out"), bin_s=1.0)
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    assert ENDED in note
