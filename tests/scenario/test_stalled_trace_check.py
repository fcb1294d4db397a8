"""``stalled-traces``: a bandwidth trace at 0 for the rest of the run is warned of before it runs.

A ``link-trace`` whose ``bandwidth`` was 0 throughout passed ``validate`` without a word; the run
then ended with every transfer on that link in flight.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main

#: After the tiny scenario (a phone and an edge server), run for 20 s: its link driven by a trace.
TRACED = """
dynamics:
  - {kind: link-trace, link: LINK, file: trace.csv EXTRA}
"""


@pytest.fixture
def base(tiny_scenario_text) -> str:
    """The tiny scenario for 20 s, its link driven by trace.csv (LINK and EXTRA to fill in)."""
    return tiny_scenario_text.replace("duration: 2 s", "duration: 20 s") + TRACED


def _warnings(base, tmp_path, capsys, rows: str, link: str = "[phone, edge]", extra: str = "") -> list[str]:
    (tmp_path / "trace.csv").write_text(rows, encoding="utf-8")
    path = tmp_path / "stalled.yaml"
    path.write_text(base.replace("LINK", link).replace("EXTRA", extra), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    return [line for line in capsys.readouterr().err.splitlines() if "[stalled-traces]" in line]


def test_a_trace_at_0_throughout_names_the_file_the_link_and_that_nothing_finishes(base, tmp_path, capsys):
    lines = _warnings(base, tmp_path, capsys, "time,bandwidth,reverse_bandwidth\n0,0,5 Mbps\n10,0,5 Mbps\n")
    assert lines == [
        f"offloadsim: warning: {tmp_path / 'stalled.yaml'}: dynamics[0].file: trace.csv: its bandwidth "
        "column is 0 in every row: no transfer from phone to edge can finish (the run ends with them in "
        "flight) [stalled-traces]"
    ]


def test_the_reverse_column_and_a_links_entry_name_their_direction(base, tmp_path, capsys):
    (line,) = _warnings(base, tmp_path, capsys, "time,reverse_bandwidth\n0,0\n", link="[edge, phone]")
    assert "its reverse_bandwidth column is 0 in every row: no transfer from phone to edge" in line
    (line,) = _warnings(base, tmp_path, capsys, "time,bandwidth\n0,0\n", link="0")
    assert "no transfer on links[0] (from each link's first node to its second) can finish" in line


def test_a_trace_at_0_in_every_row_the_run_reaches_says_the_runs_end(base, tmp_path, capsys):
    (line,) = _warnings(base, tmp_path, capsys, "time,bandwidth\n0,0\n30,5 Mbps\n")
    assert "its bandwidth column is 0 in every row before the run's end at 20 s: no transfer" in line


def test_a_trace_at_0_from_a_later_row_says_when_the_link_stalls(base, tmp_path, capsys):
    """Before its first row the scenario's 8 Mbps holds: transfers finish until then."""
    (line,) = _warnings(base, tmp_path, capsys, "time,bandwidth\n4,0\n")
    assert "0 in every row: every transfer from phone to edge stalls at 4 s: none finishes after it" in line


@pytest.mark.parametrize(
    ("rows", "extra"),
    [
        ("time,bandwidth\n0,0\n10,1 Mbps\n", ""),  # it moves in the run
        ("time,bandwidth\n0,5 Mbps\n30,0\n", ""),  # 0 only after the run's end
        ("time,bandwidth\n0,0\n5,1 Mbps\n", ", loop: true, period: 30 s"),  # looped, moves at 5 s
        ("time,latency\n0,5 ms\n", ""),  # no bandwidth column
        ("time,bandwidth\n25,0\n", ""),  # its one row after the run's end (late-dynamics says so)
    ],
)
def test_a_trace_that_carries_data_in_the_run_is_not_warned_of(base, rows, extra, tmp_path, capsys):
    assert _warnings(base, tmp_path, capsys, rows, extra=extra) == []


@pytest.mark.parametrize("extra", [", loop: true", ", loop: true, offset: random"])
def test_a_looped_trace_at_0_throughout_is_warned_of(base, extra, tmp_path, capsys):
    """A loop shorter than the run, or started at a drawn point of it, reaches every row."""
    (line,) = _warnings(base, tmp_path, capsys, "time,bandwidth\n0,0\n2,0\n", extra=extra)
    assert "0 in every row: no transfer from phone to edge can finish" in line
