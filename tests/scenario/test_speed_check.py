"""``plain-speeds``: a processor speed or memory bandwidth written as a bare number below 1e6 is warned of.

A bare number is a quantity in its SI unit, so ``speed: 10`` ran a processor of 10 FLOP/s: a new
user's scenario validated "ok" and its run ended with every task on that processor in flight, a
warning of overload its only word.  Its writer meant 10 GFLOP/s.  Only the plain document tells
``10`` from ``"10 FLOP/s"``; a value with a unit says what its writer meant.
"""

from __future__ import annotations

import pytest
from scenario_testkit import SHIPPED, check_warnings, small_document, write_document

from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.speed_check import plain_speeds
from offloadsim.world.dynamics import quantity_keys


def _warnings(path):
    return check_warnings(path, "plain-speeds")


def test_a_bare_speed_of_10_is_warned_of_naming_file_key_and_the_unit_to_write(tmp_path, capsys):
    document = small_document()
    document["nodes"]["phone"]["processor"] = {"speed": 10}
    path = write_document(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"offloadsim: warning: {path}: nodes.phone.processor.speed: a bare number is read as FLOP/s: "
        '10 FLOP/s, not GFLOP/s; write "10 GFLOP/s" if GFLOP/s were meant, or "10 FLOP/s" to say FLOP/s '
        "[plain-speeds]"
    ]
    assert captured.out.startswith("ok: ")


@pytest.mark.parametrize(
    ("speed", "warned"),
    [
        (10, True),
        (0.5, True),
        (999_999, True),
        (1_000_000, False),  # 1 MFLOP/s written in FLOP/s: what SI numbers are for
        (2e9, False),
        ("10 FLOP/s", False),  # with a unit: what its writer meant
        ("10 GFLOP/s", False),
    ],
)
def test_only_a_bare_speed_below_a_million_is_warned_of(speed, warned, tmp_path):
    document = small_document()
    document["nodes"]["phone"]["processor"] = {"speed": speed}
    assert bool(_warnings(write_document(tmp_path, document))) is warned


def test_a_bare_memory_bandwidth_and_each_of_several_processors_are_warned_of_at_their_keys(tmp_path):
    document = small_document()
    document["nodes"]["phone"]["processor"] = {"speed": "10 GFLOP/s", "memory_bandwidth": 50}
    document["nodes"]["edge"] = {
        "tier": "edge",
        "processors": {"cpu": {"speed": "200 GFLOP/s"}, "gpu": {"speed": 40, "memory_bandwidth": "300 GB/s"}},
    }
    found = _warnings(write_document(tmp_path, document))
    assert [line.split(": ")[1] for line in found] == [  # the speeds, then the memory bandwidths
        "nodes.edge.processors.gpu.speed",
        "nodes.phone.processor.memory_bandwidth",
    ]
    assert 'read as B/s: 50 B/s, not GB/s; write "50 GB/s" if gigabytes per second were meant' in found[1]


def test_a_set_that_writes_a_bare_speed_is_named_and_the_check_can_be_skipped(tmp_path, capsys):
    document = small_document()
    path = write_document(tmp_path, document)
    given = ["--set", "nodes.phone.processor={speed: 10}"]
    assert main(["validate", str(path), *given]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith('(set by --set "nodes.phone.processor={speed: 10}") [plain-speeds]'), err
    assert main(["validate", str(path), *given, "--set", "skip_checks=[plain-speeds]"]) == 0
    # skipped, a bare 10 FLOP/s is what was meant: it explains nothing, so the phones' load is said
    err = capsys.readouterr().err
    assert "[plain-speeds]" not in err and err.count("[offered-load]") == 1, err
    assert "phone-0 is offered 2e+10 % of its" in err


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_writes_a_bare_speed(path):
    scenario = load_scenario(path)
    run = CheckedRun(scenario, scenario.policy, lambda: None, quantity_keys=quantity_keys)
    assert plain_speeds(run) == []
