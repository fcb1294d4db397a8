"""``plain-powers``: a device's power written as a bare number of 100 or more is warned of.

A bare number is a quantity in its SI unit, so a phone's ``power: {busy: 3000}``, copied in
milliwatts from a power monitor, drew 3 kW: every device energy read a thousand times too high and
the run said nothing of it.  No phone, tablet or wearable draws 100 W, so a device's bare power
below 100 (``1.4``: watts) is what SI numbers are for; a server's bare ``busy: 300`` is its watts,
and is not read.
"""

from __future__ import annotations

from scenario_testkit import SHIPPED, check_warnings, small_document, write_document

from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.power_check import plain_powers
from offloadsim.world.dynamics import quantity_keys


def _warnings(path):
    return check_warnings(path, "plain-powers")


def test_a_phone_s_bare_busy_of_3000_is_warned_of_naming_file_key_and_the_unit_to_write(tmp_path, capsys):
    document = small_document()
    document["nodes"]["phone"]["power"]["busy"] = 3000
    path = write_document(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"offloadsim: warning: {path}: nodes.phone.power.busy: a bare number is read as watts: "
        '3000 W, not milliwatts; write "3000 mW" if milliwatts were meant, or "3000 W" to say watts '
        "[plain-powers]"
    ]
    assert captured.out.startswith("ok: ")


def test_only_a_device_s_bare_power_of_100_or_more_is_warned_of(tmp_path):
    cases = {
        3000: True,
        100: True,
        99.9: False,  # a device's watts, improbable but what SI numbers are for
        4.4: False,
        0: False,
        "3000 mW": False,  # with a unit: what its writer meant
        "150 W": False,
    }
    warned = {}
    for busy in cases:
        document = small_document()
        document["nodes"]["phone"]["power"] = {"idle": 0, "busy": busy}
        warned[busy] = bool(_warnings(write_document(tmp_path, document)))
    assert warned == cases


def test_every_power_key_of_a_device_and_its_processors_busy_are_read_but_not_a_server_s(tmp_path):
    document = small_document()
    document["nodes"]["phone"]["power"] = {
        "idle": 500,
        "busy": 4400,
        "transmit": 1400,
        "receive": 1000,
        "down": 200,
    }
    document["nodes"]["phone"]["processor"]["busy"] = 2000
    document["nodes"]["edge"]["power"] = {"idle": 150, "busy": 300}  # a server's watts
    found = _warnings(write_document(tmp_path, document))
    assert [line.split(": ")[1] for line in found] == [
        "nodes.phone.processor.busy",
        "nodes.phone.power.idle",
        "nodes.phone.power.busy",
        "nodes.phone.power.transmit",
        "nodes.phone.power.receive",
        "nodes.phone.power.down",
    ]


def test_a_set_that_writes_a_bare_power_is_named_the_check_can_be_skipped_and_no_shipped_scenario_has_one(
    tmp_path, capsys
):
    path = write_document(tmp_path, small_document())
    given = ["--set", "nodes.phone.power.busy=3000"]
    assert main(["validate", str(path), *given]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith('(set by --set "nodes.phone.power.busy=3000") [plain-powers]'), err
    assert main(["validate", str(path), *given, "--set", "skip_checks=[plain-powers]"]) == 0
    assert capsys.readouterr().err == ""
    for shipped in SHIPPED:
        scenario = load_scenario(shipped)
        run = CheckedRun(scenario, scenario.policy, lambda: None, quantity_keys=quantity_keys)
        assert plain_powers(run) == [], shipped
