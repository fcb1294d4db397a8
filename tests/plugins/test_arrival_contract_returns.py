"""A plug-in arrival process whose ``closed_loop()`` or ``mean_rate_per_s()`` returns what the contract
does not allow: refused as its scenario is read, one line naming the process and the method, exit 2.

Before, neither was checked: a loop of a string was an AttributeError in the size checks'
``served_arrivals`` (an internal error, exit 1), and a negative rate or a NaN think time ran, and
the settling, overloaded and closed_loop warnings read numbers that meant nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pytest
from tiny_scenarios import one_phone

import offloadsim
from offloadsim.cli import main
from offloadsim.scenario import ScenarioError, load_scenario_text
from offloadsim.scenario.arrivals import (
    ArrivalProcess,
    ArrivalRun,
    ClosedLoop,
    register_arrival_process,
    unregister_arrival_process,
)
from offloadsim.scenario.keys import key

RATES = {"negative": -1.0, "nan": math.nan, "inf": math.inf, "text": "1 /s", "bool": True}
LOOPS = {
    "no-users": ClosedLoop(0, 1.0),
    "negative-users": ClosedLoop(-2, 1.0),
    "half-a-user": ClosedLoop(1.5, 1.0),
    "text-users": ClosedLoop("2", 1.0),  # type: ignore[arg-type]
    "nan-think": ClosedLoop(2, math.nan),
    "negative-think": ClosedLoop(2, -0.5),
    "text-think": ClosedLoop(2, "1 s"),  # type: ignore[arg-type]
    "text": "2 users",
    "tuple": (2, 1.0),  # a plain tuple: the readers read .users and .think_s
}
# What the contract allows: numpy's numbers, a think time of 0, no loop and no rate.
SOUND_RATES = {"none": None, "numpy": np.float32(2.0), "int": 1, "zero": 0.0}
SOUND_LOOPS = {"none": None, "numpy": ClosedLoop(np.int64(2), np.float64(0.5)), "no-think": ClosedLoop(1, 0)}


@dataclass(frozen=True, slots=True)
class Returns(ArrivalProcess):
    """``arrivals: toy-returns, rate_is: NAME, loop_is: NAME``: an arrival a second; RATES or LOOPS given."""

    kind = "toy-returns"

    rate_is: str = key("none", doc="Toy: what mean_rate_per_s returns.")
    loop_is: str = key("none", doc="Toy: what closed_loop returns.")

    def start(self, run: ArrivalRun) -> None:
        run.chain(lambda: 1.0, run.start)

    def expected_arrivals(self, sources: int, window_s: float) -> float:
        return sources * window_s

    def mean_rate_per_s(self) -> float | None:
        return {**SOUND_RATES, **RATES}[self.rate_is]  # type: ignore[return-value]

    def closed_loop(self) -> ClosedLoop | None:
        return {**SOUND_LOOPS, **LOOPS}[self.loop_is]  # type: ignore[return-value]


SCENARIO = one_phone("returns", "arrivals: toy-returns, rate_is: RATE, loop_is: LOOP")
WORDS = f"arrivals: toy-returns ({__name__}.Returns) returned"


@pytest.fixture
def returns():
    register_arrival_process(Returns)
    yield
    unregister_arrival_process("toy-returns")


def _text(rate: str = "none", loop: str = "none") -> str:
    return SCENARIO.replace("RATE", rate).replace("LOOP", loop)


def _refused(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, source="returns.yaml")
    [problem] = caught.value.problems
    assert problem.key_path == "workload[0].arrivals", problem
    return problem.message


@pytest.mark.parametrize("rate", sorted(RATES))
def test_a_rate_that_is_no_rate_is_refused_naming_the_process_and_the_method(returns, rate):
    assert _refused(_text(rate=rate)) == (
        f"{WORDS} {RATES[rate]!r} from mean_rate_per_s(); "
        "expected None or requests a second per source, a finite number at least 0"
    )


@pytest.mark.parametrize("loop", sorted(LOOPS))
def test_a_closed_loop_that_is_malformed_is_refused_naming_the_process_and_the_method(returns, loop):
    assert _refused(_text(loop=loop)) == (
        f"{WORDS} {LOOPS[loop]!r} from closed_loop(); expected None or ClosedLoop(users, think_s): users "
        "per source a whole number at least 1, their mean think time in seconds a finite number at least 0"
    )


def test_both_are_said_in_one_go(returns):
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(_text(rate="negative", loop="nan-think"), source="returns.yaml")
    said = [problem.message for problem in caught.value.problems]
    assert [re.search(r"from (\w+)\(\)", line)[1] for line in said] == ["mean_rate_per_s", "closed_loop"]


@pytest.mark.parametrize(
    ("rate", "loop"), [(r, "none") for r in SOUND_RATES] + [("none", lo) for lo in SOUND_LOOPS]
)
def test_what_the_contract_allows_runs(returns, rate, loop):
    result = offloadsim.run(load_scenario_text(_text(rate, loop)))
    assert list(result.tasks["arrival"]) == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(("rate", "loop"), [("negative", "none"), ("none", "text")])
def test_the_command_says_it_in_one_line_with_exit_2(returns, tmp_path, capsys, verb, rate, loop):
    path = tmp_path / "returns.yaml"
    path.write_text(_text(rate, loop), encoding="utf-8")
    out = ["--out", str(tmp_path / "out")] if verb == "run" else []
    assert main([verb, str(path), *out]) == 2
    err = capsys.readouterr().err
    method = "mean_rate_per_s" if rate != "none" else "closed_loop"
    assert re.fullmatch(
        rf"offloadsim: error: .*returns\.yaml: workload\[0\]\.arrivals: {re.escape(WORDS)} .* from "
        rf"{method}\(\); expected None or [^\n]*\n",
        err,
    ), err
    assert not (tmp_path / "out").exists()
