"""A kind of work's request that is no Task, or a ``fixed_cost`` that is no bool, is the plug-in's one line.

Before, a maker making a dict was an internal error (exit 1) where the kernel first read a field of
it, in both builds; ``fixed_cost = "yes"`` ran as True in the pure build and crashed the one compiled
by mypyc.  Now each is refused in pure Python (``engine/plugin_adapters.py``), before anything is written.
A link model whose ``bytes_carried_now()`` is a tuple runs in both builds (the compiled one refused it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_plugin_faults import _kind, _link
from test_toy_kind import FixedSeconds
from test_toy_link_model import DedicatedCircuits

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.plugin_faults import PluginFailed


class UntaskedSeconds(FixedSeconds):
    """Its maker makes a dict, not a Task."""

    def maker(self, app: Any, source: str, rng: Any, apps: Any) -> Any:
        return lambda task_id, now: {"id": task_id}


class VagueSeconds(FixedSeconds):
    """Says its cost is fixed in a word."""

    fixed_cost = "yes"  # type: ignore[assignment]


class TupledCircuits(DedicatedCircuits):
    """Counts its bytes in a tuple."""

    def bytes_carried_now(self) -> Any:
        return tuple(DedicatedCircuits.bytes_carried_now(self))


KIND = rf'kind of work "fixed-seconds" \({__name__}\.'
CASES: dict[str, tuple[Callable[[Path], Iterator[Path]], str]] = {
    "maker's task": (
        lambda tmp: _kind(tmp, UntaskedSeconds()),
        KIND + r"UntaskedSeconds\): its maker made a mapping; expected an offloadsim\.engine\.tasks\.Task",
    ),
    "fixed_cost": (
        lambda tmp: _kind(tmp, VagueSeconds()),
        KIND + r'VagueSeconds\): its fixed_cost is "yes"; expected True or False',
    ),
}


@pytest.fixture(params=list(CASES))
def case(request, tmp_path) -> Iterator[tuple[Path, str]]:
    """A scenario naming a plug-in that returns a value of the wrong type, and the line it is said in."""
    setup, said = CASES[request.param]
    yield from ((path, said) for path in setup(tmp_path))


def test_the_run_raises_plugin_failed_naming_the_plugin_and_what_it_gave(case):
    path, said = case
    with pytest.raises(PluginFailed) as caught:
        offloadsim.run(path)
    assert re.fullmatch(said, str(caught.value)), str(caught.value)


def test_the_command_line_says_it_in_one_line_exit_2_and_writes_nothing(case, capsys):
    path, said = case
    out = path.parent / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(f"offloadsim: error: {said}", line), line
    assert not out.exists()


def _ran(folder: Path, factory: Any) -> Any:
    folder.mkdir()
    (raw,) = [offloadsim.run(path) for path in _link(folder, factory)]  # the generator unregisters
    return raw


def test_a_link_model_counting_its_bytes_in_a_tuple_runs_as_with_a_list(tmp_path):
    """The pure build always ran it; the build compiled by mypyc failed (list object expected, exit 1)."""
    tupled, listed = _ran(tmp_path / "t", TupledCircuits), _ran(tmp_path / "l", DedicatedCircuits)
    assert list(tupled.links["bytes"]) == list(listed.links["bytes"])
    assert tupled.links["bytes"].sum() > 0


def test_validate_refuses_a_fixed_cost_that_is_no_bool_as_the_run_does(tmp_path, capsys):
    """validate said ok and the run then refused it: a scenario validate passes should run."""
    for path in _kind(tmp_path, VagueSeconds()):
        assert main(["validate", str(path)]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert re.fullmatch(f"offloadsim: error: {CASES['fixed_cost'][1]}", line), line
