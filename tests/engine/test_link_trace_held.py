"""A link trace played once that ends long before the run says that its last row holds to the end.

The trial (HG44): a drive test's 120 one-second rows drove a 200 s run; the link stayed at the last
second's rate for 81 s, as documented (``loop: false`` holds the last row), and neither the run's
notes nor its latency-over-time figure said so: the figure's flat stretch read as measured.
"""

from __future__ import annotations

import pytest
from test_dynamics import BASE
from test_link_trace import scenario

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots.latency_time import latency_time_figure
from offloadsim.world import build_world


def _rows(tenths) -> str:
    """A trace of rows at these tenths of a second."""
    return "time,bandwidth\n" + "".join(f"{t / 10:g},{4 + t % 3} Mbps\n" for t in tenths)


#: Ten rows 0.1 s apart, 0 to 0.9 s: BASE's 10 s run holds the last for 9.1 s, over ninety of its gaps.
ROWS = _rows(range(10))
HELD = (
    "dynamics[0].file: rate.csv ends at 0.9 s (rows every 0.1 s) and is played once: its last row's values "
    "hold for the last 9.1 s of the run (to 10 s, warm-up included, 91 % of it); loop: true plays it again "
    "(docs/scenario-format.md#link-traces-kind-link-trace)"
)


def _held(tmp_path, rows: str, entry: str = "") -> list[str]:
    return [note for note in build_world(scenario(tmp_path, rows, entry)).notes if "is played once" in note]


def test_a_trace_that_ends_long_before_the_run_says_its_last_row_holds(tmp_path):
    assert _held(tmp_path, ROWS) == [HELD]


@pytest.mark.parametrize(
    ("rows", "entry"),
    [
        (ROWS, ", loop: true"),  # played again: nothing held
        ("time,bandwidth\n0,8 Mbps\n1,6 Mbps\n2,4 Mbps\n", ""),  # held 8 s, eight of its gaps: not long
        ("time,bandwidth\n0,8 Mbps\n0.5,2 Mbps\n", ""),  # two rows, a step written to hold
        ("time,bandwidth\n0,8 Mbps\n", ""),  # one row: a constant
    ],
)
def test_a_trace_looped_or_held_for_a_few_of_its_gaps_is_not_said(tmp_path, rows, entry):
    assert _held(tmp_path, rows, entry) == []


def test_the_latency_over_time_figure_says_it_under_the_flat_stretch(tmp_path):
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    (tmp_path / "rate.csv").write_text(ROWS)
    path = tmp_path / "s.yaml"
    path.write_text(BASE + "dynamics:\n  - {kind: link-trace, link: [phone, edge], file: rate.csv}\n")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "-q"]) == 0
    fig = latency_time_figure(read_results(out), bin_s=1.0)
    note = " ".join(" ".join(text.get_text() for text in fig.texts).split())
    assert HELD in note


def test_a_gap_longer_than_ten_of_the_rows_spacing_says_the_row_before_it_holds(tmp_path):
    """A drive test's minute out of coverage, logged as no rows, held the rate before it: said."""
    notes = build_world(scenario(tmp_path, _rows((*range(10), *range(30, 100))))).notes
    assert [note for note in notes if "gap" in note] == [
        "dynamics[0].file: rate.csv has rows every 0.1 s but a gap longer than ten of them (2.1 s from "
        "0.9 s, line 11 to line 12): the row before a gap holds through it; a row of 0 bps at its start "
        "says the link carried nothing "
        "(docs/scenario-format.md#traces-from-measurements-a-drive-test-an-outage-log-a-cell-log)"
    ]
    # Nine missing rows (a gap of ten spacings) are not said.
    notes = build_world(scenario(tmp_path, _rows((*range(10), *range(19, 100))))).notes
    assert [note for note in notes if "gap" in note] == []
