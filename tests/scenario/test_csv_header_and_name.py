"""A CSV file a scenario names: an empty name, an arrival trace naming a column twice, a first row of nan.

``trace: ""`` and ``{empirical: ""}`` named the scenario's own folder, refused as ``: is a
directory, expected a CSV file``; a ``link-trace``'s ``file: ""`` was already ``expected a file
path, got ""``.  An arrival trace with two ``time`` (or ``source``) columns ran with the first,
without a word, where a link trace refuses a column given twice.  A samples file whose first row
is ``nan`` or ``inf`` had it taken for a header and dropped, where a later row's is refused.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main

TRACE = "{app: job, sources: phone, arrivals: trace, trace: trace.csv}"


def _validate(
    tmp_path, capsys, tiny, work="1 GFLOP", arrivals="{app: job, sources: phone, rate: 5 /s}", trace=None
):
    """``validate`` of the tiny scenario with its job's ``work`` and its workload entry replaced."""
    if trace is not None:
        (tmp_path / "trace.csv").write_text(trace)
    scenario = tmp_path / "s.yaml"
    text = tiny.replace("work: 1 GFLOP", f"work: {work}")
    scenario.write_text(text.replace("{app: job, sources: phone, rate: 5 /s}", arrivals))
    status = main(["validate", str(scenario)])
    return status, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    ("work", "arrivals", "at"),
    [
        ('{empirical: ""}', "{app: job, sources: phone, rate: 5 /s}", "applications.job.work.empirical"),
        ("1 GFLOP", '{app: job, sources: phone, arrivals: trace, trace: ""}', "workload[0].trace"),
    ],
)
def test_an_empty_file_name_is_refused_as_no_path(tmp_path, capsys, tiny_scenario_text, work, arrivals, at):
    status, lines = _validate(tmp_path, capsys, tiny_scenario_text, work=work, arrivals=arrivals)
    assert status == 2
    assert lines == [f'offloadsim: error: {tmp_path / "s.yaml"}: {at}: expected a file path, got ""']


@pytest.mark.parametrize(
    ("header", "row", "column", "times"),
    [
        ("time,time", "0,5", "time", 2),
        ("time,source,source", "0,phone,", "source", 2),
        ("Time,note,TIME,time", "0,a,1,2", "time", 3),
    ],
)
def test_an_arrival_trace_giving_a_column_twice_is_refused_at_its_header(
    tmp_path, capsys, tiny_scenario_text, header, row, column, times
):
    status, lines = _validate(
        tmp_path, capsys, tiny_scenario_text, arrivals=TRACE, trace=f"{header}\n{row}\n"
    )
    assert status == 2
    assert lines == [
        f"offloadsim: error: {tmp_path / 's.yaml'}: workload[0].trace: trace.csv, line 1: "
        f'column "{column}" is given {times} times; expected it once'
    ]


def test_other_columns_given_twice_are_still_ignored(tmp_path, capsys, tiny_scenario_text):
    status, lines = _validate(
        tmp_path, capsys, tiny_scenario_text, arrivals=TRACE, trace="time,note,note\n0,a,b\n1,c,d\n"
    )
    assert (status, lines) == (0, [])


@pytest.mark.parametrize("first", ["nan", "NaN", "inf", "Infinity"])
def test_a_samples_file_whose_first_row_is_nan_or_inf_is_refused_there_not_read_as_its_header(
    tmp_path, capsys, tiny_scenario_text, first
):
    # A number to float(), not a header: a later row holding it was refused, the first dropped.
    (tmp_path / "work.csv").write_text(f"{first}\n1 GFLOP\n")
    status, lines = _validate(tmp_path, capsys, tiny_scenario_text, work="{empirical: work.csv}")
    assert status == 2
    assert lines == [
        f"offloadsim: error: {tmp_path / 's.yaml'}: applications.job.work.empirical: work.csv, line 1: "
        f'expected a non-negative work, got "{first}"'
    ]


def test_a_samples_file_with_a_header_of_words_still_skips_it(tmp_path, capsys, tiny_scenario_text):
    (tmp_path / "work.csv").write_text("work\n1 GFLOP\n")
    status, lines = _validate(tmp_path, capsys, tiny_scenario_text, work="{empirical: work.csv}")
    assert (status, lines) == (0, [])
