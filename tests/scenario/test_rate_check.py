"""``plain-rates``: a radio power per rate written as a bare number of 0.001 or more is warned of.

A bare number is a quantity in its SI unit, J/bit here, so ``power: {transmit_per_rate: 438.39}``
charges 438.39 J per bit sent: its writer meant Huang et al.'s LTE slope, 438.39 mW/Mbps (438.39
nJ/bit).  No radio's slope is near 1 mJ/bit, so a small bare number (the slope in J/bit) is what
SI numbers are for, and a value with a unit says what its writer meant.
"""

from __future__ import annotations

import pytest
from scenario_testkit import SHIPPED, check_warnings, small_document, write_document

from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.rate_check import plain_rates
from offloadsim.world.dynamics import quantity_keys


def test_a_bare_slope_is_warned_of_naming_file_key_and_the_unit_to_write(tmp_path, capsys):
    document = small_document()
    document["nodes"]["phone"]["power"]["receive_per_rate"] = 51.97
    path = write_document(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"offloadsim: warning: {path}: nodes.phone.power.receive_per_rate: a bare number is read as "
        'joules per bit: 51.97 J/bit, not mW/Mbps; write "51.97 mW/Mbps" if milliwatts per Mbit/s '
        'were meant, or "51.97 J/bit" to say joules per bit [plain-rates]'
    ]
    assert captured.out.startswith("ok: ")


def test_only_a_bare_slope_of_a_millijoule_per_bit_or_more_is_warned_of(tmp_path):
    cases = {
        438.39: True,
        1: True,
        1e-3: True,
        9e-4: False,
        4.3839e-7: False,  # the LTE slope in J/bit: what SI numbers are for
        0: False,
        "438.39 mW/Mbps": False,
        "2 J/bit": False,  # absurd, but said with its unit
    }
    warned = {}
    for value in cases:
        document = small_document()
        document["nodes"]["phone"]["power"]["transmit_per_rate"] = value
        warned[value] = bool(check_warnings(write_document(tmp_path, document), "plain-rates"))
    assert warned == cases


def test_a_set_that_writes_a_bare_slope_is_named_and_the_check_can_be_skipped(tmp_path, capsys):
    path = write_document(tmp_path, small_document())
    given = ["--set", "nodes.phone.power.transmit_per_rate=438.39"]
    assert main(["validate", str(path), *given]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith('(set by --set "nodes.phone.power.transmit_per_rate=438.39") [plain-rates]')
    assert main(["validate", str(path), *given, "--set", "skip_checks=[plain-rates]"]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_writes_a_bare_slope(path):
    scenario = load_scenario(path)
    run = CheckedRun(scenario, scenario.policy, lambda: None, quantity_keys=quantity_keys)
    assert plain_rates(run) == []
