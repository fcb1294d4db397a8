"""A plug-in arrival process that hands the engine a time it cannot use: its error, one line, exit 2.

Before, a gap that was negative hung the run (time ran backwards on the chain's calendar), a NaN
gap ended the source's arrivals silently (a run of one task, exit 0), and a gap or first time that
was not a number (a string, None) was an internal error of offloadsim (exit 1). After that, in the
build compiled by mypyc (.ci/compiled), a gap that was a string or None was an internal error still
(the chain's own float check, in the engine's frame), a first time that was one a TypeError said as
the process's, and a Decimal gap or first time ran (taken through its __float__), where the pure
build refused it. Now both builds say each the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pytest
from tiny_scenarios import one_phone

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.errors import EngineError
from offloadsim.scenario import ScenarioError, load_scenario_text
from offloadsim.scenario.arrivals import (
    ArrivalProcess,
    ArrivalRun,
    register_arrival_process,
    unregister_arrival_process,
)
from offloadsim.scenario.errors import PluginRaised
from offloadsim.scenario.keys import key

# A Decimal is no numbers.Real: refused as the pure build always did (its arithmetic with a float fails).
FAULTS = {"negative": -1.0, "nan": math.nan, "text": "1 s", "none": None, "decimal": Decimal(1)}
# What ``at: allowance`` returns from stall_allowance (the gaps are fine).
ALLOWANCES = {"int64": np.int64(2), "float": 1.5, "text": "2", "none": None}


@dataclass(frozen=True, slots=True)
class Faulty(ArrivalProcess):
    """``arrivals: toy-faulty-gaps, fault: NAME, at: first|gap|allowance``: FAULTS[NAME] there.

    ``at: allowance``: ALLOWANCES[NAME] from stall_allowance.
    """

    kind = "toy-faulty-gaps"

    fault: str = key("fine", doc="Toy: which bad value.")
    at: str = key("gap", doc="Toy: first or gap.")

    def start(self, run: ArrivalRun) -> None:
        bad = FAULTS.get(self.fault, 1.0)
        first = bad if self.at == "first" else np.int64(run.start)  # numpy's numbers are numbers
        run.chain(lambda: bad if self.at == "gap" else np.float64(1.0), first)  # type: ignore[arg-type]

    def stall_allowance(self, source: str) -> int:
        return ALLOWANCES[self.fault] if self.at == "allowance" else 0  # type: ignore[return-value]

    def expected_arrivals(self, sources: int, window_s: float) -> float:
        if self.fault == "count-raises":
            raise ZeroDivisionError("no rate")
        if self.fault in ("count-text", "count-nan"):
            return "lots" if self.fault == "count-text" else math.nan  # type: ignore[return-value]
        return sources * window_s


SCENARIO = one_phone("faulty-gaps", "arrivals: toy-faulty-gaps, fault: FAULT, at: AT", duration="5 s")


@pytest.fixture
def faulty():
    register_arrival_process(Faulty)
    yield
    unregister_arrival_process("toy-faulty-gaps")


def test_good_times_run(faulty):
    tasks = offloadsim.run(load_scenario_text(SCENARIO.replace("FAULT", "fine").replace("AT", "gap"))).tasks
    assert list(tasks["arrival"]) == [0.0, 1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("at", ["gap", "first"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_time_that_is_not_seconds_stops_the_run_naming_the_entry_and_the_process(faulty, fault, at):
    scenario = load_scenario_text(SCENARIO.replace("FAULT", fault).replace("AT", at), source="gaps.yaml")
    with pytest.raises(EngineError) as caught:
        offloadsim.run(scenario)
    what = "a gap" if at == "gap" else "the first arrival time"
    assert str(caught.value) == (
        f"gaps.yaml: workload[0]: arrivals: toy-faulty-gaps ({__name__}.Faulty) gave {what} "
        f"{FAULTS[fault]!r}; expected a number of seconds, at least 0"
    )


@pytest.mark.parametrize("fault", ["int64", "float"])
def test_a_stall_allowance_that_is_a_number_runs_in_either_build(faulty, fault):
    """The pure build adds any number to the stall limit; compiled by mypyc, the engine's own int
    check refused numpy's int64 and a float (an internal error, exit 1)."""
    scenario = load_scenario_text(SCENARIO.replace("FAULT", fault).replace("AT", "allowance"))
    assert list(offloadsim.run(scenario).tasks["arrival"]) == [0.0, 1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("fault", ["text", "none"])
def test_a_stall_allowance_that_is_not_a_number_stops_the_run_naming_the_entry_and_the_process(faulty, fault):
    """Was an internal error in both builds: an int plus a str (pure), the int check (compiled)."""
    scenario = load_scenario_text(
        SCENARIO.replace("FAULT", fault).replace("AT", "allowance"), source="gaps.yaml"
    )
    with pytest.raises(EngineError) as caught:
        offloadsim.run(scenario)
    assert str(caught.value) == (
        f"gaps.yaml: workload[0]: arrivals: toy-faulty-gaps ({__name__}.Faulty) returned "
        f"{ALLOWANCES[fault]!r} from stall_allowance(); expected a number of arrivals"
    )


def test_the_command_says_it_in_one_line_with_exit_2(faulty, tmp_path, capsys):
    path = tmp_path / "gaps.yaml"
    path.write_text(SCENARIO.replace("FAULT", "negative").replace("AT", "gap"))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"offloadsim: error: .*gaps\.yaml: workload\[0\]: arrivals: toy-faulty-gaps .* gave a gap -1\.0; "
        r".*\n",
        err,
    ), err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("count-text", "returned 'lots' from expected_arrivals(); expected a number of arrivals, at least 0"),
        ("count-nan", "returned nan from expected_arrivals(); expected a number of arrivals, at least 0"),
    ],
)
def test_a_count_for_the_memory_estimate_that_is_not_a_number_refuses_the_entry(faulty, fault, said):
    """Before the run, once at the entry's arrivals (not an internal error of the estimate)."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(SCENARIO.replace("FAULT", fault).replace("AT", "gap"), source="gaps.yaml")
    [problem] = caught.value.problems
    assert problem.key_path == "workload[0].arrivals", problem
    assert problem.message.startswith(f"arrivals: toy-faulty-gaps ({__name__}.Faulty) {said}"), (
        problem.message
    )


def test_a_count_that_raises_is_the_plugins_exception_said_once(faulty):
    """As every exception an arrival process raises while a scenario is read: --debug shows it."""
    with pytest.raises(PluginRaised) as caught:
        load_scenario_text(SCENARIO.replace("FAULT", "count-raises").replace("AT", "gap"), source="gaps.yaml")
    [problem] = caught.value.problems
    assert problem.message.startswith(
        f'arrival process "toy-faulty-gaps" ({__name__}.Faulty) raised ZeroDivisionError in '
        "expected_arrivals(): no rate (test_arrivals_plugin_faults.py, "
    ), problem.message


def test_a_trace_of_equal_times_after_a_rounded_one_runs_in_order(tmp_path):
    """The clock reaches 0.102 as 0.036 + (0.102 - 0.036) = 0.10200000000000001, so the trace's gap to
    its next 0.102 was -1.4e-17: refused as time running backwards (and, before that check, an
    arrival one rounding step before the one it followed)."""
    (tmp_path / "t.csv").write_text("time\n0.036\n0.102\n0.102\n")
    trace = "  - {app: job, sources: phone, arrivals: trace, trace: t.csv}\n"
    (tmp_path / "s.yaml").write_text(SCENARIO.split("workload:")[0] + "workload:\n" + trace)
    arrivals = list(offloadsim.run(tmp_path / "s.yaml").tasks["arrival"])
    assert arrivals == sorted(arrivals) and len(arrivals) == 3
    assert arrivals[0] == 0.036 and arrivals[1] == arrivals[2] == pytest.approx(0.102, abs=1e-16)
