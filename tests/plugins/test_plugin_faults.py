"""A link model, arrival process, kind of work or record column that raises is its plug-in's bug.

Before, each of these ended ``offloadsim run`` as "internal error: ValueError: ..." (exit 1, "a
bug"), naming neither the plug-in nor its line.  Now it is one line naming the plug-in (its
registered name and its code's dotted name), the method offloadsim called, the simulated time,
the exception and the plug-in's line: exit 2, the traceback with ``--debug``, no run directory.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_toy_arrivals import SCENARIO as BURSTS
from test_toy_arrivals import Burst
from test_toy_kind import SCENARIO as KIND
from test_toy_kind import FixedSeconds
from test_toy_link_model import SCENARIO as LINKS
from test_toy_link_model import DedicatedCircuits

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.plugin_faults import PluginFailed
from offloadsim.engine.work import register_kind, unregister_kind
from offloadsim.errors import shown_path
from offloadsim.records import schema
from offloadsim.scenario.arrivals.base import register_arrival_process, unregister_arrival_process
from offloadsim.scenario.link_models import register_link_model, unregister_link_model

HERE = Path(__file__).name


def _line_of(text: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line and "_line_of" not in line)


class BusyCircuits(DedicatedCircuits):
    """Has no circuit for any transfer."""

    def start(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("no circuit free")


def no_capacity(env: Any, capacity_bps: Any) -> Any:
    raise ValueError("no capacity")


@dataclasses.dataclass(frozen=True, slots=True)
class BrokenBurst(Burst):
    """Its gap between arrivals fails when the first is due (a function its start handed the run)."""

    kind = "burst"

    def start(self, run: Any) -> None:
        def gap() -> float:
            raise ValueError("no gap")

        run.chain(gap, run.start)


class UnpricedSeconds(FixedSeconds):
    """Cannot price its stages."""

    def pricer(self, world: Any, processor: Any) -> Any:
        raise ValueError("no price")


class UnmadeSeconds(FixedSeconds):
    """Its maker's function fails to make a request."""

    def maker(self, app: Any, source: str, rng: Any, apps: Any) -> Any:
        def make(task_id: int, now: float) -> Any:
            raise ValueError("no request")

        return make


def no_slack(columns: Any) -> Any:
    raise ValueError("no slack")


def _link(tmp_path: Path, factory: Any) -> Iterator[Path]:
    register_link_model("bad-links", factory)
    (tmp_path / "trace.csv").write_text("time,source\n1.0,phone-0\n1.0,phone-1\n")
    (tmp_path / "s.yaml").write_text(LINKS + "network: {model: bad-links}\n")
    yield tmp_path / "s.yaml"
    unregister_link_model("bad-links")


def _burst(tmp_path: Path) -> Iterator[Path]:
    register_arrival_process(BrokenBurst)
    (tmp_path / "s.yaml").write_text(BURSTS)
    yield tmp_path / "s.yaml"
    unregister_arrival_process("burst")


def _kind(tmp_path: Path, kind: FixedSeconds) -> Iterator[Path]:
    register_kind(kind)
    (tmp_path / "trace.csv").write_text("time\n1\n1.2\n")
    (tmp_path / "s.yaml").write_text(KIND)
    yield tmp_path / "s.yaml"
    unregister_kind(kind.name)


def _column(tmp_path: Path) -> Iterator[Path]:
    with schema.task_column_added(schema.Column("slack", "float64", "s", "none", derive=no_slack)):
        (tmp_path / "s.yaml").write_text(LINKS.replace("trace, trace: trace.csv", "periodic, period: 1 s"))
        yield tmp_path / "s.yaml"


CASES: dict[str, tuple[Callable[[Path], Iterator[Path]], str | Callable[[Path], str]]] = {
    "link model's method": (
        lambda tmp: _link(tmp, BusyCircuits),
        rf'link model "bad-links" \({__name__}\.BusyCircuits\) raised ValueError in start\(\) at simulated '
        rf"time 1 s: no circuit free \({HERE}, line {_line_of('no circuit free')}, in start\)",
    ),
    "link model's factory": (  # said at the key naming it, after the scenario's file
        lambda tmp: _link(tmp, no_capacity),
        lambda path: (
            rf"{re.escape(shown_path(path))}: network\.model: "
            rf'link model "bad-links" \({__name__}\.no_capacity\) raised ValueError while it was built: '
            rf"no capacity \({HERE}, line {_line_of('no capacity')}, in no_capacity\)"
        ),
    ),
    "arrival process": (
        _burst,
        rf'arrival process "burst" \({__name__}\.BrokenBurst\) of workload\[0\] raised ValueError '
        rf"in start\(\) at simulated time 1 s: no gap \({HERE}, line {_line_of('no gap')}, in gap\)",
    ),
    "kind of work's pricer": (
        lambda tmp: _kind(tmp, UnpricedSeconds()),
        rf'kind of work "fixed-seconds" \({__name__}\.UnpricedSeconds\) raised ValueError in pricer\(\) '
        rf"at simulated time 1 s: no price \({HERE}, line {_line_of('no price')}, in pricer\)",
    ),
    "kind of work's maker": (
        lambda tmp: _kind(tmp, UnmadeSeconds()),
        rf'kind of work "fixed-seconds" \({__name__}\.UnmadeSeconds\) raised ValueError in maker\(\) '
        rf"at simulated time 1 s: no request \({HERE}, line {_line_of('no request')}, in make\)",
    ),
    "record column": (
        _column,
        rf'record column "slack" \({__name__}\.no_slack\) raised ValueError while it derived its values: '
        rf"no slack \({HERE}, line {_line_of('no slack')}, in no_slack\)",
    ),
}


@pytest.fixture(params=list(CASES))
def case(request, tmp_path) -> Iterator[tuple[Path, str]]:
    """A scenario naming a plug-in that raises, registered for the test, and the line it is said in."""
    setup, said = CASES[request.param]
    yield from ((path, said(path) if callable(said) else said) for path in setup(tmp_path))


def test_the_run_raises_plugin_failed_naming_it_chained_to_its_exception(case):
    path, said = case
    with pytest.raises(PluginFailed) as caught:
        len(offloadsim.run(path).tasks)  # a column is derived when the records are read
    assert re.fullmatch(said, str(caught.value)), str(caught.value)
    assert isinstance(caught.value.__cause__, ValueError)


def test_the_command_line_says_it_in_one_line_exit_2_and_the_traceback_with_debug(case, capsys):
    path, said = case
    out = path.parent / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(f"offloadsim: error: {said}; run again with --debug to see its traceback", line), line
    assert not out.exists()
    assert main(["--debug", "run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f'{HERE}", line ' in err and "ValueError: " in err
    assert re.fullmatch(f"offloadsim: error: {said}", err.splitlines()[-1])
    assert not out.exists()


@dataclasses.dataclass(frozen=True, slots=True)
class MiscountedBurst(Burst):
    """Cannot count its arrivals (asked while the scenario is read) or say when it sends none (checked)."""

    kind = "burst"

    def expected_arrivals(self, sources: int, window_s: float) -> float:
        if self.size == 4:
            raise ValueError("no count")
        return Burst.expected_arrivals(self, sources, window_s)

    def none_between(self, start_s: float, stop_s: float, t0: float, t1: float) -> Any:
        if self.size == 3:
            raise ValueError("no window")
        return None

    def __post_init__(self) -> None:
        if self.size == 5:
            raise ValueError("bad size")

    def input_files(self) -> dict[str, str]:
        if self.size == 6:
            raise ValueError("no files")
        return {}


@pytest.fixture
def miscounted(tmp_path) -> Iterator[Path]:
    register_arrival_process(MiscountedBurst)
    (tmp_path / "s.yaml").write_text(BURSTS)
    yield tmp_path / "s.yaml"
    unregister_arrival_process("burst")


@pytest.mark.parametrize(
    ("size", "said"),
    [
        (
            4,
            rf"expected_arrivals\(\): no count \({HERE}, line {_line_of('no count')}, in expected_arrivals\)",
        ),
        (5, rf"__init__\(\): bad size \({HERE}, line {_line_of('bad size')}, in __post_init__\)"),
        (3, rf"none_between\(\): no window \({HERE}, line {_line_of('no window')}, in none_between\)"),
    ],
)
@pytest.mark.parametrize("verb", ["validate", "run"])
def test_an_arrival_process_that_raises_while_the_scenario_is_read_or_checked(
    miscounted, capsys, size, said, verb
):
    """Its constructor and expected_arrivals run as the scenario loads, none_between in a shipped check."""
    argv = [verb, str(miscounted), "--set", f"workload[0].size={size}"]
    argv += ["--out", str(miscounted.parent / "out")] if verb == "run" else []
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(
        rf'offloadsim: error: {re.escape(str(miscounted))}: arrival process "burst" '
        rf"\({__name__}\.MiscountedBurst\) raised ValueError in {said}; "
        "run again with --debug to see its traceback",
        line,
    ), line
    assert main(["--debug", *argv]) == 2
    assert f'{HERE}", line ' in capsys.readouterr().err
    assert not (miscounted.parent / "out").exists()


def test_a_sweep_says_an_arrival_process_that_raised_at_its_point_with_the_debug_hint(miscounted, capsys):
    """Each point's line at its sweep key; the hint, and --debug's traceback, are the last one's."""
    sweep = miscounted.parent / "sweep.yaml"
    sweep.write_text("base: s.yaml\ngrid:\n  workload[0].size: [3, 4]\n")
    argv = ["sweep", str(sweep), "--out", str(miscounted.parent / "out")]
    assert main(argv) == 2
    first, last = capsys.readouterr().err.splitlines()
    assert "raised ValueError in none_between(): no window" in first
    assert first.endswith("(point 0: workload[0].size=3)"), first
    assert "raised ValueError in expected_arrivals(): no count" in last
    assert last.endswith("(point 1: workload[0].size=4); run again with --debug to see its traceback"), last
    assert main(["--debug", *argv]) == 2
    err = capsys.readouterr().err
    assert 'raise ValueError("no count")' in err and 'raise ValueError("no window")' not in err
    assert not (miscounted.parent / "out").exists()


def test_an_arrival_process_whose_input_files_raises_is_said_at_its_workload_entry(miscounted, capsys):
    """Its files are hashed for the manifest before the run: that was an internal error too."""
    argv = ["run", str(miscounted), "--set", "workload[0].size=6", "--out", str(miscounted.parent / "out")]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f'offloadsim: error: {miscounted}: workload[0]: arrival process "burst" ({__name__}.MiscountedBurst) '
        f"raised ValueError in input_files(): no files ({HERE}, line {_line_of('no files')}, in input_files)"
        "; run again with --debug to see its traceback"
    )
    assert main(["--debug", *argv]) == 2
    assert 'raise ValueError("no files")' in capsys.readouterr().err
    assert not (miscounted.parent / "out").exists()
