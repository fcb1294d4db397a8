"""A plug-in kind of timed change with a bug in it: the kind's error, in one line, exit 2.

Before, an exception in a plug-in kind's ``parse`` or ``timeline`` ended ``offloadsim run`` as
"internal error: ZeroDivisionError: ..." (exit 1, "a bug" of offloadsim), naming neither the kind
nor its file; a change that failed (a node the scenario lacks) did the same; a timeline out
of time order, or with a NaN or negative time, ran with the change applied at once, silently;
and one that never advanced its time hung the run. A change setting a negative capacity hung it
too, a NaN one left its flows in flight for ever, a negative latency was an internal error of the
route search, and a NaN latency or a loss above 1 ran silently.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.errors import EngineError
from offloadsim.scenario import ScenarioError
from offloadsim.world.dynamics import (
    LINKS_ONLY,
    NodeChanges,
    NodeStep,
    SetCapacity,
    SetLatency,
    SetLinkUp,
    SetLoss,
    SetNodeUp,
    register_dynamics,
    unregister_dynamics,
)
from offloadsim.world.dynamics.registry import dynamics_kind


class Toy:
    """``{kind: toy-faulty, fault: NAME}``: a kind whose timeline makes the mistake named."""

    name = "toy-faulty"

    def parse(self, entry):
        entry.keys(required=("fault",))
        fault = entry.entry["fault"]
        if fault == "parse":
            return 1 / 0
        return fault

    def timeline(self, spec, rng):
        if spec == "raises":
            yield 0.5, SetCapacity(0, 1e6)
            raise IndexError("no step 3")
        if spec == "stuck":  # a step that forgets to advance its clock
            while True:
                yield 0.5, SetCapacity(0, 1e6)
        items = {
            "backwards": [(1.0, SetCapacity(0, 1e6)), (0.5, SetCapacity(0, 2e6))],
            "nan": [(math.nan, SetCapacity(0, 1e6))],
            "negative": [(-1.0, SetCapacity(0, 1e6))],
            "not-a-change": [(0.5, "bandwidth=1 Mbps")],
            "not-a-pair": [0.5],
            "no-such-node": [(0.5, SetNodeUp("edge-9", False))],
            "negative-rate": [(0.5, SetCapacity(0, -5e6))],  # hung the run
            "nan-rate": [(0.5, SetCapacity(0, math.nan))],  # left its flows in flight for ever
            "endless-rate": [(0.5, SetCapacity(0, math.inf))],
            "negative-latency": [(0.5, SetLatency(0, -0.01))],  # an internal error in the route search
            "nan-latency": [(0.5, SetLatency(0, math.nan))],
            "loss-above-1": [(0.5, SetLoss(0, 2.0))],
            "negative-link": [(0.5, SetLinkUp(-1, False))],  # took the last link down: a wrong run, exit 0
            "up-a-string": [(0.5, SetNodeUp("edge", "no"))],  # "no" is true: the edge stayed up, exit 0
            "whole-floats": [(0.5, SetLinkUp(0.0, np.False_)), (1.0, SetLinkUp(np.int64(0), True))],
            "plain-ints": [(0.5, SetLinkUp(0, False)), (1.0, SetLinkUp(0, True))],
            "fine": [(0.5, SetCapacity(0, 1e6)), (np.int64(1), SetCapacity(0, 2e6))],  # numpy's numbers too
        }
        yield from items.get(spec, ())


class Declares(Toy):
    """``{kind: toy-declares, fault: NAME}``: a kind whose ``changes`` or ``node_changes`` is wrong."""

    name = "toy-declares"

    def changes(self, spec, end_s):
        counts = {"changes-nan": math.nan, "changes-negative": -1.0, "changes-numpy": np.int64(3)}
        return "period" if spec == "changes" else ("fault", counts.get(spec, 1))

    def timeline(self, spec, rng):
        if spec == "timeline-none":  # forgot its return
            return None
        if spec == "timeline-list":  # a list, not an iterator
            return [(0.5, SetCapacity(0, 1e6)), (1.0, SetCapacity(0, 2e7))]
        return super().timeline(spec, rng)

    def node_changes(self, spec):
        if spec == "node-changes-raises":
            raise TypeError("NodeChanges() takes no node")
        steps = {
            "node-step-at-a-string": NodeStep("5 s", "edge", False, "fault"),  # an internal error (exit 1)
            "node-step-at-nan": NodeStep(math.nan, "edge", False, "fault"),  # skipped, silently
            "node-step-up-a-string": NodeStep(1.0, "edge", "down", "fault"),
        }
        if spec in steps:
            return NodeChanges(steps=(steps[spec],))
        return [] if spec == "node-changes-list" else LINKS_ONLY


@pytest.fixture
def toy():
    register_dynamics(Toy())
    register_dynamics(Declares())
    yield
    unregister_dynamics("toy-faulty")
    unregister_dynamics("toy-declares")


def _run(tiny_scenario, fault):
    return offloadsim.run(tiny_scenario, overrides=[f"dynamics=[{{kind: toy-faulty, fault: {fault}}}]"])


KIND = rf'dynamics\[0\]: kind of dynamics "toy-faulty" \({__name__}\.Toy\)'


def test_an_exception_in_parse_refuses_the_entry_naming_the_kind_and_its_line(tiny_scenario, toy):
    with pytest.raises(EngineError) as caught:  # the world's refusal, from Python
        _run(tiny_scenario, "parse")
    assert re.match(
        rf"{re.escape(str(tiny_scenario))}: {KIND} raised ZeroDivisionError in parse\(\): division by zero "
        rf"\(test_dynamics_plugin_faults\.py, line \d+, in parse\)",
        str(caught.value),
    ), str(caught.value)


def test_an_exception_in_the_timeline_names_the_kind_its_line_and_the_time(tiny_scenario, toy):
    """At the scenario's file, as the refusal of its parse is, and naming the override that gave it."""
    with pytest.raises(EngineError) as caught:
        _run(tiny_scenario, "raises")
    assert type(caught.value).__name__ == "DynamicsFailed"
    assert re.fullmatch(
        rf"{re.escape(str(tiny_scenario))}: {KIND} raised IndexError in timeline\(\) at simulated time "
        rf"0\.5 s: no step 3 \(test_dynamics_plugin_faults\.py, line \d+, in timeline\) "
        rf'\(set by overrides="dynamics=\[{{kind: toy-faulty, fault: raises}}\]"\)',
        str(caught.value),
    ), str(caught.value)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (
            "backwards",
            "its timeline yielded the time 0.5; expected a number of seconds, no earlier than the 1 s",
        ),
        ("nan", "its timeline yielded the time nan; expected a number of seconds, at least 0"),
        ("negative", "its timeline yielded the time -1.0; expected a number of seconds, at least 0"),
        ("not-a-change", "its timeline yielded 'bandwidth=1 Mbps' at 0.5 s; expected a change with apply"),
        ("not-a-pair", "its timeline yielded 0.5; expected (time in s, change)"),
        ("stuck", "changes in a row at 0.5 s: simulated time stopped advancing, so the run could never end"),
        ("no-such-node", "its change SetNodeUp(node='edge-9', up=False) at 0.5 s failed: KeyError: 'edge-9'"),
        (
            "negative-rate",
            "its change SetCapacity(channel=0, bps=-5000000.0) at 0.5 s failed: ValueError: capacity "
            "-5000000.0 bit/s; expected a number of bit/s, at least 0 and finite",
        ),
        ("nan-rate", "SetCapacity(channel=0, bps=nan) at 0.5 s failed: ValueError: capacity nan bit/s;"),
        ("endless-rate", "SetCapacity(channel=0, bps=inf) at 0.5 s failed: ValueError: capacity inf bit/s;"),
        (
            "negative-latency",
            "its change SetLatency(link=0, seconds=-0.01) at 0.5 s failed: ValueError: latency -0.01 s; "
            "expected a number of seconds, at least 0 and finite",
        ),
        ("nan-latency", "SetLatency(link=0, seconds=nan) at 0.5 s failed: ValueError: latency nan s;"),
        (
            "loss-above-1",
            "its change SetLoss(channel=0, probability=2.0) at 0.5 s failed: ValueError: "
            "loss probability 2.0; expected a number from 0 to 1",
        ),
        (
            "negative-link",
            "its timeline yielded SetLinkUp(link=-1, up=False) at 0.5 s, whose link is -1; "
            "expected a whole number >= 0",
        ),
        (
            "up-a-string",
            "its timeline yielded SetNodeUp(node='edge', up='no') at 0.5 s, whose up is \"no\"; "
            "expected True or False",
        ),
    ],
)
def test_a_timeline_item_the_engine_cannot_apply_as_meant_stops_the_run_naming_the_kind(
    tiny_scenario, toy, fault, expected
):
    """Not applied at once (out of order, NaN), nor an internal error (a change that fails), nor a hang."""
    with pytest.raises(EngineError) as caught:
        _run(tiny_scenario, fault)
    assert type(caught.value).__name__ == "DynamicsFailed"
    at_file = rf"{re.escape(str(tiny_scenario))}: {KIND}"  # at the scenario's file, as validate says
    assert re.match(at_file, str(caught.value)) and expected in str(caught.value), str(caught.value)


def test_a_sound_plugin_timeline_runs_as_before(tiny_scenario, toy):
    result = _run(tiny_scenario, "fine")
    assert result.summary.completed > 0


def test_a_change_given_whole_floats_and_numpy_values_runs_as_with_plain_ones(tiny_scenario, toy):
    """``SetLinkUp(0.0, np.False_)``: its adapter hands the topology an int and a bool.

    The link index 0.0 was an internal error of the topology's list, said as the change failing.
    """
    given = _run(tiny_scenario, "whole-floats")
    plain = _run(tiny_scenario, "plain-ints")
    unchanged = _run(tiny_scenario, "none")
    assert given.tasks.equals(plain.tasks)
    # the link was down from 0.5 s to 1 s: the requests then ran on the phone, slower
    assert given.summary.latency_mean_s == plain.summary.latency_mean_s > unchanged.summary.latency_mean_s


def test_each_plugin_kind_is_wrapped_once_where_the_registry_hands_it_out_and_no_built_in_is(toy):
    """One adapter, checking what the plug-in hands over wherever it is read; a built-in is itself."""
    from offloadsim.world.dynamics.plugin_kind import PluginDynamicsKind

    wrapped = dynamics_kind("toy-faulty")
    assert isinstance(wrapped, PluginDynamicsKind) and type(wrapped.plugin) is Toy
    assert dynamics_kind("toy-faulty") is wrapped
    assert type(dynamics_kind("link-schedule")).__name__ == "LinkSchedule"


@pytest.mark.parametrize("fault", ["parse", "raises", "backwards"])
def test_the_command_line_says_it_in_one_line_exit_2_and_writes_nothing(
    tiny_scenario, toy, tmp_path, capsys, fault
):
    out = tmp_path / "out"
    argv = [
        "run",
        str(tiny_scenario),
        "--set",
        f"dynamics=[{{kind: toy-faulty, fault: {fault}}}]",
        "--out",
        str(out),
    ]
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("offloadsim: error: ") and 'kind of dynamics "toy-faulty"' in line, line
    assert "internal error" not in line
    # a traceback to see only where the plug-in raised one (parse's was refused without the hint)
    assert line.endswith("; run again with --debug to see its traceback") == (fault in ("parse", "raises"))
    assert not out.exists()


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(
    ("kind", "fault", "raised"),
    [
        ("toy-faulty", "parse", "return 1 / 0"),
        ("toy-declares", "node-changes-raises", 'raise TypeError("NodeChanges() takes no node")'),
        ("toy-declares", "changes", None),
    ],
)
def test_debug_shows_the_traceback_of_what_a_kind_raised_before_the_run(
    tiny_scenario, toy, tmp_path, capsys, verb, kind, fault, raised
):
    """Refused in one line with the kind's line but no hint, and --debug showed no more than that."""
    argv = [verb, str(tiny_scenario), "--set", f"dynamics=[{{kind: {kind}, fault: {fault}}}]"]
    argv += ["--out", str(tmp_path / "out")] if verb == "run" else []
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("; run again with --debug to see its traceback") == (raised is not None), line
    assert main(["--debug", *argv]) == 2
    err = capsys.readouterr().err
    assert ("Traceback" in err) == (raised is not None)
    assert raised is None or raised in err
    assert err.splitlines()[-1] == line.removesuffix("; run again with --debug to see its traceback")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("fault", "error", "expected"),
    [
        (
            "changes",
            EngineError,
            "changes() returned 'period'; expected (the entry's key that sets how often",
        ),
        (
            "node-changes-raises",
            ScenarioError,
            "raised TypeError in node_changes(): NodeChanges() takes no node",
        ),
        ("node-changes-list", ScenarioError, "node_changes() returned []; expected a NodeChanges"),
        (
            "node-step-at-a-string",
            ScenarioError,
            'node_changes() returned a NodeChanges whose steps[0].at is "5 s"; expected a time in seconds, '
            "a number >= 0",
        ),
        (
            "node-step-at-nan",
            ScenarioError,
            "node_changes() returned a NodeChanges whose steps[0].at is nan; expected a time in seconds",
        ),
        (
            "node-step-up-a-string",
            ScenarioError,
            'node_changes() returned a NodeChanges whose steps[0].up is "down"; expected True or False',
        ),
        (
            "changes-nan",
            EngineError,
            "changes() returned ('fault', nan); expected (the entry's key that sets how often it changes, "
            "about how many changes: a number >= 0)",
        ),
        ("changes-negative", EngineError, "changes() returned ('fault', -1.0); expected (the entry's key"),
    ],
)
def test_what_a_kind_declares_before_the_run_is_checked_as_its_own(
    tiny_scenario, toy, fault, error, expected
):
    """``node_changes`` raising was an internal error (exit 1), a wrong ``changes`` one about unpacking."""
    with pytest.raises(error) as caught:
        offloadsim.run(tiny_scenario, overrides=[f"dynamics=[{{kind: toy-declares, fault: {fault}}}]"])
    message = str(caught.value)
    assert f'dynamics[0]: kind of dynamics "toy-declares" ({__name__}.Declares)' in message, message
    assert expected in message, message


def test_a_timeline_that_is_no_iterable_is_the_kinds_and_a_list_of_items_stands(tiny_scenario, toy):
    """Both were "raised TypeError in timeline(): ... is not an iterator", naming offloadsim's line."""
    with pytest.raises(EngineError) as caught:
        offloadsim.run(tiny_scenario, overrides=["dynamics=[{kind: toy-declares, fault: timeline-none}]"])
    kind = f'kind of dynamics "toy-declares" ({__name__}.Declares)'
    assert str(caught.value).startswith(
        f"{tiny_scenario}: dynamics[0]: {kind}: its timeline() returned nothing (null); "
        "expected an iterator of (time in s, change)"
    ), str(caught.value)
    listed = offloadsim.run(
        tiny_scenario, overrides=["dynamics=[{kind: toy-declares, fault: timeline-list}]"]
    )
    assert listed.summary.completed > 0


def test_what_a_kind_declares_in_numpy_numbers_stands(tiny_scenario, toy):
    """``changes`` counting in numpy's int was refused as no number (exit 2, a sound plug-in)."""
    result = offloadsim.run(
        tiny_scenario, overrides=["dynamics=[{kind: toy-declares, fault: changes-numpy}]"]
    )
    assert result.summary.completed > 0


@pytest.mark.parametrize(
    ("verb", "fault", "expected"),
    [
        ("validate", "node-step-at-a-string", 'whose steps[0].at is "5 s"'),  # was exit 1, a traceback
        ("run", "up-a-string", 'whose up is "no"; expected True or False'),  # was exit 0, the edge left up
    ],
)
def test_the_command_line_says_a_value_a_kind_may_not_give_in_one_line_exit_2(
    tiny_scenario, toy, tmp_path, capsys, verb, fault, expected
):
    argv = [verb, str(tiny_scenario), "--set", f"dynamics=[{{kind: toy-declares, fault: {fault}}}]"]
    argv += ["--out", str(tmp_path / "out")] if verb == "run" else []
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    kind = f'kind of dynamics "toy-declares" ({__name__}.Declares)'
    assert line.startswith(f"offloadsim: error: {tiny_scenario}: dynamics[0]: {kind}: "), line
    assert expected in line and "debug" not in line, line
    assert not (tmp_path / "out").exists()


def test_a_sweep_dry_run_says_parse_raising_at_its_point_with_the_debug_hint(
    tiny_scenario, toy, tmp_path, capsys
):
    """``--dry-run`` said the kind's line at the point but without the hint: --debug showed nothing more.

    (A sweep that runs says it as a failed job, its traceback in ``failures.log``.)
    """
    text = tiny_scenario.read_text() + "dynamics: [{kind: toy-faulty, fault: fine}]\n"
    tiny_scenario.write_text(text)
    sweep = tmp_path / "sw.yaml"
    sweep.write_text(f"base: {tiny_scenario.name}\ngrid:\n  dynamics[0].fault: [parse]\n")
    argv = ["sweep", str(sweep), "--dry-run"]
    assert main(argv) == 2
    (said,) = capsys.readouterr().err.splitlines()
    assert said.startswith(  # at the grid key that gave the value, as a built-in kind's refusal is
        f'offloadsim: error: {sweep}: grid["dynamics[0].fault"]: {tiny_scenario}: dynamics[0]: '
        'kind of dynamics "toy-faulty" ('
    ), said
    assert said.endswith(
        "raised ZeroDivisionError in parse(): division by zero "
        f"(test_dynamics_plugin_faults.py, line {Toy.parse.__code__.co_firstlineno + 4}, in parse) "
        "(point 0: dynamics[0].fault=parse); run again with --debug to see its traceback"
    ), said
    assert main(["--debug", *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "return 1 / 0" in err
    assert err.splitlines()[-1] == said.removesuffix("; run again with --debug to see its traceback")


class Counted:
    """``{kind: toy-counted, says: KEY, count: N}``: a kind whose ``changes`` names the key ``says``.

    Its entries take ``says``, ``count``, ``every`` and ``burst: {size, gap}`` (all but ``says``
    optional); ``changes`` returns ``(says, count)``, a key of its entries or not.
    """

    name = "toy-counted"

    def parse(self, entry):
        entry.keys(required=("says",), optional=("count", "every", "burst"))
        if entry.has("burst"):
            entry.mapping("burst").keys(required=("size",), optional=("gap",))
        return entry.entry["says"], float(entry.entry.get("count", 1))

    def timeline(self, spec, rng):
        return iter(())

    def changes(self, spec, end_s):
        return spec

    def node_changes(self, spec):
        return LINKS_ONLY


@pytest.fixture
def counted():
    register_dynamics(Counted())
    yield
    unregister_dynamics("toy-counted")


def _validate(tiny_scenario, capsys, entry):
    status = main(["validate", str(tiny_scenario), "--set", f"dynamics=[{{kind: toy-counted, {entry}}}]"])
    return status, capsys.readouterr().err.splitlines()


def test_the_key_changes_names_is_checked_against_the_keys_the_kind_declared(tiny_scenario, counted, capsys):
    """A key no entry has is the kind's mistake; any key its parse declared is fine, given or not.

    It was unchecked: it named, in the too-many-changes refusal only, a key the user never wrote.
    """
    fine = {
        "says: every": "every",  # left at its default: still a key of the entry
        "says: says": "says",
        "says: burst.gap, burst: {size: 1}": "burst.gap",  # below a mapping read with entry.mapping
    }
    for entry, key in fine.items():
        assert _validate(tiny_scenario, capsys, entry) == (0, [])
        status, err = _validate(tiny_scenario, capsys, f"{entry}, count: 1e9")
        assert status == 2
        (line,) = err
        assert f"dynamics[0].{key}: changes the world about 1e+09 times" in line, line
    mistaken = {
        "says: evrey": ("evrey", "says, count, every, burst"),
        "says: burst.gpa, burst: {size: 1}": ("burst.gpa", "burst.size, burst.gap"),
    }
    for entry, (said, expected) in mistaken.items():
        for count in ("1", "1e9"):
            status, err = _validate(tiny_scenario, capsys, f"{entry}, count: {count}")
            assert status == 2
            (line,) = err
            assert line.startswith(
                f'offloadsim: error: {tiny_scenario}: dynamics[0]: kind of dynamics "toy-counted" '
                f'({__name__}.Counted): changes() returned the key "{said}", which is no key of its entries; '
                f"expected one of {expected} (its parse's entry.keys) (set by --set "
            ), line


@pytest.mark.parametrize(
    ("verb", "fault"),
    [
        ("validate", "parse"),  # the world's read of the entry (its parse raised)
        ("validate", "changes"),  # its changes() handed over what it may not
        ("validate", "node-changes-list"),  # the servers-down check's node_changes()
        ("run", "node-changes-raises"),
        ("run", "raises"),  # its timeline raised in the run
        ("run", "no-such-node"),  # a change it yielded failed when applied
        ("run", "stuck"),  # its timeline stopped simulated time
    ],
)
def test_a_kinds_fault_names_the_set_of_a_key_of_its_entry_as_a_built_in_refusal_does(
    tiny_scenario, toy, tmp_path, capsys, verb, fault
):
    """The entry in the file, its ``fault`` given by ``--set dynamics[0].fault=...``: the line names it.

    A ``--set`` of the whole list was named; one of a key of the entry was not (but where the
    kind's line happened to quote the key), though a built-in kind's refusal of that key names it.
    """
    tiny_scenario.write_text(tiny_scenario.read_text() + "dynamics: [{kind: toy-declares, fault: fine}]\n")
    given = f"dynamics[0].fault={fault}"
    argv = [verb, str(tiny_scenario), "--set", given, "--set", "duration=3 s"]
    argv += ["--out", str(tmp_path / "out")] if verb == "run" else []
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    kind = f'kind of dynamics "toy-declares" ({__name__}.Declares)'
    assert line.startswith(f"offloadsim: error: {tiny_scenario}: dynamics[0]: {kind}"), line
    assert f'(set by --set "{given}")' in line and "duration" not in line, line  # only the one it read
    assert not (tmp_path / "out").exists()


def test_a_kinds_fault_names_no_set_where_none_gave_a_key_of_its_entry(tiny_scenario, toy, capsys):
    tiny_scenario.write_text(tiny_scenario.read_text() + "dynamics: [{kind: toy-declares, fault: changes}]\n")
    assert main(["validate", str(tiny_scenario), "--set", "duration=3 s", "--set", "policy=local"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "changes() returned 'period'" in line and "set by" not in line, line
