"""``plain-deadlines``: an application's deadline written as a bare number of 10 or more is warned of.

A bare number is a quantity in its SI unit, so a user's ``deadline: 50``, meant as 50 ms, was a
50 s deadline every task met, and a run longer than 50 s said nothing of it
(``unmissable-deadlines`` speaks only of a deadline no shorter than the run).  No vision or speech
request waits 10 s, so a bare deadline below 10 (``2``, or ``0.05``: 50 ms in seconds) is what SI
numbers are for; an LLM's answer takes seconds to tens of seconds, so an LLM application's bare
deadline is warned of from 300; a value with a unit says what its writer meant.
"""

from __future__ import annotations

import pytest
from scenario_testkit import SHIPPED, check_warnings, small_document, write_document

from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.deadline_unit_check import plain_deadlines


def _longer_run(deadline):
    """The small scenario, run for 60 s (longer than a bare 50 s deadline), its application's ``deadline``."""
    document = small_document()
    document["duration"] = "60 s"
    document["workload"][0]["rate"] = "0.2 /s"
    document["applications"]["job"]["deadline"] = deadline
    return document


@pytest.mark.parametrize("command", [["validate"], ["run", "--out", "{out}"]], ids=["validate", "run"])
def test_a_bare_deadline_of_50_is_warned_of_by_validate_and_run_in_a_run_longer_than_it(
    tmp_path, capsys, command
):
    path = write_document(tmp_path, _longer_run(50))
    args = [arg.format(out=tmp_path / "out") for arg in command]
    assert main([args[0], str(path), *args[1:]]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [
        f"offloadsim: warning: {path}: applications.job.deadline: a bare number is read as seconds: "
        '50 s, not milliseconds; write "50 ms" if milliseconds were meant, or "50 s" to say seconds '
        "[plain-deadlines]"
    ]


@pytest.mark.parametrize("command", [["validate"], ["run", "--out", "{out}"]], ids=["validate", "run"])
def test_a_deadline_of_50_ms_is_not_warned_of_by_validate_or_run(tmp_path, capsys, command):
    path = write_document(tmp_path, _longer_run("50 ms"))
    args = [arg.format(out=tmp_path / "out") for arg in command]
    assert main([args[0], str(path), *args[1:]]) == 0
    assert "warning" not in capsys.readouterr().err


def test_only_a_bare_deadline_of_10_or_more_is_warned_of(tmp_path):
    cases = {
        50: True,
        10: True,
        200: True,
        9.9: False,  # under the threshold: a long deadline, in seconds, but one some request could have
        2: False,
        0.05: False,  # 50 ms written in seconds: what SI numbers are for
        "50 ms": False,  # with a unit: what its writer meant
        "50 s": False,
    }
    warned = {}
    for deadline in cases:
        warned[deadline] = bool(
            check_warnings(write_document(tmp_path, _longer_run(deadline)), "plain-deadlines")
        )
    assert warned == cases


def test_an_llm_s_bare_deadline_is_warned_of_from_300(tmp_path):
    """An LLM's answer takes seconds to tens of seconds: a bare 60 is seconds; a bare 2000 is ms."""
    warned = {}
    for deadline in (60, 2000):
        document = small_document()
        document["applications"]["job"] = {"model": "llama-3.2-1b", "deadline": deadline}
        warned[deadline] = check_warnings(write_document(tmp_path, document), "plain-deadlines")
    assert warned[60] == []
    assert [line.split(": ")[1] for line in warned[2000]] == ["applications.job.deadline"]


def test_a_set_that_writes_a_bare_deadline_is_named_and_the_check_can_be_skipped(tmp_path, capsys):
    path = write_document(tmp_path, _longer_run("200 ms"))
    given = ["--set", "applications.job.deadline=50"]
    assert main(["validate", str(path), *given]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith('(set by --set "applications.job.deadline=50") [plain-deadlines]'), err
    assert main(["validate", str(path), *given, "--set", "skip_checks=[plain-deadlines]"]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_writes_a_bare_deadline(path):
    scenario = load_scenario(path)
    assert plain_deadlines(CheckedRun(scenario, scenario.policy, lambda: None)) == []
