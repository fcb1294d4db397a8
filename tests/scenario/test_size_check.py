"""``plain-sizes``: an application's size written as a bare number below 10,000 is warned of.

A bare number is a quantity in its SI unit, bytes here, so ``input: 150`` is a 150-byte request:
the quickstart's frame, 150 KB, read a thousand times smaller, and its mean latency halved with
nothing said.  Zero (the model's own tensor) and a bare number of 10,000 or more (bytes, as SI
numbers are meant) are not warned of, nor is a value with a unit.
"""

from __future__ import annotations

import pytest
from scenario_testkit import SHIPPED, check_warnings, small_document, write_document

from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.size_check import plain_sizes
from offloadsim.world.dynamics import quantity_keys


def test_a_bare_input_is_warned_of_naming_file_key_and_the_unit_to_write(tmp_path, capsys):
    document = small_document()
    document["applications"]["job"]["input"] = 150
    path = write_document(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"offloadsim: warning: {path}: applications.job.input: a bare number is read as bytes: 150 B, "
        'not kilobytes; write "150 KB" if kilobytes were meant, or "150 B" to say bytes [plain-sizes]'
    ]
    assert captured.out.startswith("ok: ")


def test_an_output_and_a_stages_output_are_read_too(tmp_path):
    document = small_document()
    document["applications"]["job"] = {
        "stages": [{"work": "1 GFLOP", "output": 600}, {"work": "1 GFLOP"}],
        "input": "150 KB",
        "output": 4,
    }
    warned = check_warnings(write_document(tmp_path, document), "plain-sizes")
    assert [line.split(": ")[1] for line in warned] == [
        "applications.job.output",
        "applications.job.stages[0].output",
    ]


def test_only_a_bare_size_above_0_and_below_10000_bytes_is_warned_of(tmp_path):
    cases = {
        150: True,
        0.5: True,
        9999: True,
        10000: False,
        150000: False,  # 150 KB in bytes: what SI numbers are for
        0: False,  # the model's own input tensor
        "150 KB": False,
        "150 B": False,  # small, but said with its unit
    }
    warned = {}
    for value in cases:
        document = small_document()
        document["applications"]["job"]["input"] = value
        warned[value] = bool(check_warnings(write_document(tmp_path, document), "plain-sizes"))
    assert warned == cases


def test_a_set_that_writes_a_bare_size_is_named_and_the_check_can_be_skipped(tmp_path, capsys):
    path = write_document(tmp_path, small_document())
    given = ["--set", "applications.job.input=150"]
    assert main(["validate", str(path), *given]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith('(set by --set "applications.job.input=150") [plain-sizes]')
    assert main(["validate", str(path), *given, "--set", "skip_checks=[plain-sizes]"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_writes_a_bare_size(path):
    scenario = load_scenario(path)
    run = CheckedRun(scenario, scenario.policy, lambda: None, quantity_keys=quantity_keys)
    assert plain_sizes(run) == []


def test_a_size_in_abbreviated_bits_is_warned_of_with_the_bytes_it_reads_as(tmp_path, capsys):
    """``bit-sizes`` (the HH42 trial): ``input: 150 kb`` is 150 kilobits, 18.75 KB, with nothing said."""
    document = small_document()
    document["applications"]["job"]["input"] = "150 kb"
    path = write_document(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f'offloadsim: warning: {path}: applications.job.input: "150 kb" is read as 150 kilobits (18.75 KB): '
        'a lower-case b is a bit; write "150 KB" if kilobytes were meant, or "150 kbit" to say kilobits'
        " [bit-sizes]"
    ]


def test_only_an_abbreviated_bit_unit_is_warned_of():
    from offloadsim.scenario.size_check import bit_size_words

    said = {written: bit_size_words(written) for written in ("2 Mb", "1.5Gb", "150 kb", "8 b")}
    assert all(said.values()), said
    for written in ("150 KB", "150 kB", "150 kbit", "2 Mbit", "150", 150, "4 B", "150 KiB", "fast kb"):
        assert bit_size_words(written) is None, written
