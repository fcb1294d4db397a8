"""A plug-in record column whose ``derive`` returns what is not one number per row: one line, exit 2.

Before, a derive that returned one number, an array one row short or strings was an internal
error of offloadsim (exit 1: an ``IndexError`` or ``ValueError`` from wherever the column was
next read), naming neither the column nor its function.
"""

from __future__ import annotations

import numpy as np
import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.errors import EngineError
from offloadsim.records import schema

RETURNS = {
    "one number": (lambda c: 1.0, "float"),
    "a row short": (lambda c: c["latency"][:-1], "an array of shape (9,)"),
    "strings": (lambda c: np.array(["x"] * len(c["latency"])), "an array of shape (10,) that is not numbers"),
    "a list": (lambda c: list(c["latency"] * 2), None),  # one number a row: taken, as before
}


def _column(returns):
    derive = RETURNS[returns][0]
    return schema.Column("toy_derived", "float64", "s", "a toy", summary=("mean",), derive=derive)


@pytest.mark.parametrize("returns", ["one number", "a row short", "strings"])
def test_a_derive_returning_other_than_a_number_a_row_stops_the_run_naming_the_column(returns, tiny_scenario):
    with schema.task_column_added(_column(returns)), pytest.raises(EngineError) as caught:
        offloadsim.run(tiny_scenario)  # ten tasks
    assert str(caught.value) == (
        f'record column "toy_derived" ({__name__}.<lambda>) returned {RETURNS[returns][1]} '
        "for 10 rows; expected one number per row (an array of 10)"
    )


def test_one_number_a_row_in_any_sequence_is_taken(tiny_scenario):
    with schema.task_column_added(_column("a list")):
        tasks = offloadsim.run(tiny_scenario).tasks
    np.testing.assert_array_equal(tasks["toy_derived"].to_numpy(), tasks["latency"].to_numpy() * 2)


def test_the_command_says_it_in_one_line_with_exit_2(tiny_scenario, tmp_path, capsys):
    with schema.task_column_added(_column("a row short")):
        assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith('offloadsim: error: record column "toy_derived" (') and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def latncy(c):
    """A derive with a typo: before, it read an all-NaN column and the run exited 0."""
    return c["latncy"] * 2


def ttft_doubled(c):
    """A column of the schema that a run of a CNN does not record (LLM): NaN, as it always was."""
    return c["ttft"] * 2


def probing(c):
    """A derive that looks for a column that may not be there reads it only if it is."""
    return c["latency"] * (2 if "latncy" not in c and c.get("latncy") is None else 3)


def _named(derive):
    return schema.Column("toy_derived", "float64", "s", "a toy", summary=("mean",), derive=derive)


def test_a_derive_reading_a_column_no_record_has_ends_the_run_in_one_line_with_exit_2(
    tiny_scenario, tmp_path, capsys
):
    with schema.task_column_added(_named(latncy)):
        assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err == (
        f'offloadsim: error: record column "toy_derived" ({__name__}.latncy) reads column "latncy", '
        'which is no record column (did you mean "latency"?)\n'
    )
    assert not (tmp_path / "out").exists()


def test_a_column_of_the_schema_this_run_does_not_record_is_still_nan_and_probing_still_works(tiny_scenario):
    with schema.task_column_added(_named(ttft_doubled)):
        tasks = offloadsim.run(tiny_scenario).tasks
    assert len(tasks) == 10 and tasks["toy_derived"].isna().all()
    with schema.task_column_added(_named(probing)):
        tasks = offloadsim.run(tiny_scenario).tasks
    np.testing.assert_array_equal(tasks["toy_derived"].to_numpy(), tasks["latency"].to_numpy() * 2)


def reads_toy_derived(c):
    return c["toy_derived"] * 2


def test_a_derive_reading_another_whose_derive_read_a_typo_names_that_one(tiny_scenario):
    """The column that read the typo is named, not the one that read it in turn (listed first here)."""
    reading = schema.Column("toy_reading", "float64", "s", "a toy", derive=reads_toy_derived)
    added = schema.task_column_added(reading), schema.task_column_added(_named(latncy))
    with added[0], added[1], pytest.raises(EngineError) as caught:
        offloadsim.run(tiny_scenario)
    assert str(caught.value) == (
        f'record column "toy_derived" ({__name__}.latncy) reads column "latncy", '
        'which is no record column (did you mean "latency"?)'
    )
