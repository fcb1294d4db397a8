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
from test_plugin_faults import UnmadeSeconds, _kind, _link
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


@pytest.mark.parametrize(
    "argv",
    [["validate"], ["run", "--dry-run"], ["compare", "--dry-run", "--policies", "fixed,edge"]],
    ids=["validate", "dry-run", "compare-dry-run"],
)
def test_validate_and_a_dry_run_refuse_a_maker_making_no_task_in_the_runs_line(tmp_path, capsys, argv):
    """Each said ok (exit 0) and the run then refused it: each now makes one trial request.

    ``compare --dry-run`` had no dry run to say it in: it makes the trial request ``run --dry-run`` makes.
    """
    for path in _kind(tmp_path, UntaskedSeconds()):
        out = ["--out", str(tmp_path / "out")] if argv[0] != "validate" else []
        assert main([argv[0], str(path), *argv[1:], *out]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert re.fullmatch("offloadsim: error: " + CASES["maker's task"][1], line), line
        assert not (tmp_path / "out").exists()


class CountedSeconds(FixedSeconds):
    """Counts the makers it hands out and the draws made from their streams."""

    def __init__(self) -> None:
        self.makers: list[str] = []
        self.draws: list[float] = []

    def maker(self, app: Any, source: str, rng: Any, apps: Any) -> Any:
        self.makers.append(source)
        self.draws.append(float(rng.random()))
        return FixedSeconds.maker(self, app, source, rng, apps)


def test_the_trial_request_has_its_own_maker_and_stream_and_the_run_makes_none(tmp_path, capsys):
    """validate asks the kind for one maker, drawing from no stream a run draws from; a run asks as before."""
    kind = CountedSeconds()
    for path in _kind(tmp_path, kind):
        assert main(["validate", str(path)]) == 0
        assert kind.makers == ["box"]
        trial = kind.draws.pop()
        kind.makers.clear()
        ran = offloadsim.run(path).tasks
        assert kind.makers == ["box"] and kind.draws != [trial]  # the run's own maker, its own stream
        assert list(ran["status"]) == ["completed", "completed"]
    capsys.readouterr()


def test_validate_says_a_maker_that_raises_in_one_line_naming_the_kind_and_the_debug_hint(tmp_path, capsys):
    for path in _kind(tmp_path, UnmadeSeconds()):
        assert main(["validate", str(path)]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert re.fullmatch(
            r'offloadsim: error: kind of work "fixed-seconds" \(test_plugin_faults\.UnmadeSeconds\) raised'
            r" ValueError in maker\(\) making a trial request \(validate, --dry-run\): "
            r"no request \(test_plugin_faults\.py, line \d+, in make\); "
            "run again with --debug to see its traceback",
            line,
        ), line
        assert main(["--debug", "validate", str(path)]) == 2
        assert 'raise ValueError("no request")' in capsys.readouterr().err


def test_a_sweep_dry_run_refuses_a_maker_making_no_task_at_its_point(tmp_path, capsys):
    """sweep --dry-run said its jobs were ready and each failed; it makes validate's trial request."""
    for path in _kind(tmp_path, UntaskedSeconds()):
        (tmp_path / "sweep.yaml").write_text(
            f"base: {path.name}\nreplications: 1\ngrid:\n  duration: [10 s, 20 s]\n"
        )
        assert main(["sweep", str(tmp_path / "sweep.yaml"), "--dry-run"]) == 2
        err = capsys.readouterr().err
        assert CASES["maker's task"][1].replace("\\", "")[:40] in err.replace("\\", ""), err
        assert "(point 0" in err, err
