"""A schedule of many steps is read without work that does not scale with what it says.

A ``node-schedule`` of 500,000 steps took 41 s to ``validate`` (docs/performance.md, "Long
schedules"): each step's time showed its value for a message never raised, the document was
copied deeply for no ``--set``, and the entries were copied twice into the scenario.  These
tests hold each cut: they fail where the work comes back, and the messages stay as they were.
"""

from __future__ import annotations

import pytest
import yaml

from offloadsim import bounded_read
from offloadsim.bounded_read import MAX_DEPTH
from offloadsim.scenario import units
from offloadsim.scenario.loader import load_scenario_data
from offloadsim.scenario.overrides import apply_overrides
from offloadsim.scenario.units import UnitError, parse_quantity
from offloadsim.scenario.yamlio import parse_yaml
from offloadsim.world.dynamics.base import SpecReader

SCENARIO = """\
name: long
duration: 30 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  job: {work: 2 GFLOP, input: 150 KB, output: 4 KB}
workload:
  - {app: job, sources: phone, rate: 1 /s}
policy: edge
dynamics:
  - kind: node-schedule
    node: edge
    steps:
      - {at: 1 s, up: false}
      - {at: 2 s, up: true}
"""


def test_a_quantity_read_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Showing the value is for a message: an accepted value is never shown (it was, every step)."""

    def shown(value: object, limit: int = 60) -> str:
        raise AssertionError(f"{value!r} shown, but accepted")

    monkeypatch.setattr(units, "describe", shown)
    assert parse_quantity("20 Mbps", "bandwidth") == 20e6
    assert parse_quantity(3, "time") == 3.0


#: Every way :func:`parse_quantity` refuses a value, with its message as it was before the cut.
REFUSED = [
    (True, "time", 'expected a time like "5 ms", got true'),
    (None, "time", 'expected a time like "5 ms", got nothing (null)'),
    ("fast", "time", 'expected a time like "5 ms", got "fast"'),
    ("5", "time", 'expected a time like "5 ms" (a number with a unit), got "5"'),
    ("5 s", "number", 'expected a number like 3.5 (a plain number, no unit), got "5 s"'),
    (
        "5 Mbps",
        "time",
        'expected a time like "5 ms", got "5 Mbps": unknown unit "Mbps" (a bandwidth unit); '
        "known: ns, nsec, us, usec, µs, ms, msec, s, sec, min, h, d, day, days",
    ),
    (
        "1e-400 s",
        "time",
        'expected a time like "5 ms", got "1e-400 s": below 1e-30 s, the smallest time but 0 '
        "offloadsim computes with (past it, what is computed from it overflows)",
    ),
    (float("nan"), "time", 'expected a time like "5 ms", got nan (not finite)'),
    ("1e400 s", "time", 'expected a time like "5 ms", got "1e400 s" (not finite)'),
    (
        10**400,
        "time",
        'expected a time like "5 ms", got 1' + "0" * 39 + "... (401 digits) (too large a number)",
    ),
    (2.5, "tokens", "expected a whole token count like 256, got 2.5"),
]


@pytest.mark.parametrize(("value", "kind", "message"), REFUSED)
def test_a_refused_quantity_says_what_it_said(value: object, kind: str, message: str) -> None:
    """Each refusal still names what was expected and shows the value, as before the cut."""
    with pytest.raises(UnitError) as refused:
        parse_quantity(value, kind)
    assert str(refused.value) == message


def test_no_set_copies_the_top_level_only() -> None:
    """Without an assignment nothing below the top level changes, so nothing there is copied."""
    document = {"name": "x", "dynamics": [{"kind": "node-schedule", "steps": [{"at": 1}]}]}
    same = apply_overrides(document, [])
    assert same == document and same is not document
    assert same["dynamics"] is document["dynamics"]
    changed = apply_overrides(document, ["dynamics[0].steps[0].at=2"])
    assert changed["dynamics"][0]["steps"][0]["at"] == 2
    assert document["dynamics"][0]["steps"][0]["at"] == 1  # the caller's document is not changed


def test_the_scenario_holds_each_entry_once() -> None:
    """``Scenario.dynamics`` are the entries of ``Scenario.document``, not a second copy of each."""
    scenario = load_scenario_data(yaml.safe_load(SCENARIO))
    assert scenario.dynamics == tuple(scenario.document["dynamics"])
    assert all(a is b for a, b in zip(scenario.dynamics, scenario.document["dynamics"], strict=True))
    assert scenario.dynamics[0]["steps"][1] == {"at": "2 s", "up": True}


def test_a_step_is_named_by_its_index() -> None:
    """Each step's reader names its own key path (the list's path is joined once for all)."""
    reader = SpecReader({"steps": [{"at": 1}, {"at": 2}], "odd key": [{}]}, "dynamics[3]", None)
    assert [step.path for step in reader.mappings("steps")] == [
        "dynamics[3].steps[0]",
        "dynamics[3].steps[1]",
    ]
    assert [step.path for step in reader.mappings("odd key")] == ['dynamics[3]["odd key"][0]']


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "line 3, column 1", 'duplicate key "a" (first given at line 1)'),
        (
            "steps:\n  - {at: 1 s, up: true, at: 2 s}\n",
            "line 2, column 25",
            'duplicate key "at" (first given at line 2)',
        ),
        ("1: x\n1: y\n", "line 2, column 1", "duplicate key 1 (first given at line 1)"),
    ],
)
def test_a_key_given_twice_is_still_refused(text: str, where: str, message: str) -> None:
    """A mapping that lost a key to a repeat is looked through and refused at the repeat."""
    data, problems = parse_yaml(text, "s.yaml")
    assert data is None
    assert [(p.key_path, p.message) for p in problems] == [(where, message)]


def test_a_merge_key_may_be_overridden() -> None:
    """``<<`` merges, then a key of the mapping's own wins, as before."""
    data, problems = parse_yaml("x: &x {a: 1, b: 2}\ny: {<<: *x, a: 3}\n", "s.yaml")
    assert problems == []
    assert data == {"x": {"a": 1, "b": 2}, "y": {"a": 3, "b": 2}}


def _nested(depth: int) -> list[object]:
    deep: list[object] = []
    for _ in range(depth - 1):
        deep = [deep]
    return deep


#: A bound on values small enough for a test to reach (the walk reads the module's).
VALUES = 1000
TOO_MANY = f"holds more than {VALUES:,} values once YAML aliases are expanded"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([0] * (VALUES - 1), None),  # the list and its values: VALUES in all
        ([0] * VALUES, TOO_MANY),
        ({str(i): i for i in range(VALUES // 2 - 1)}, None),
        ({str(i): i for i in range(VALUES // 2)}, TOO_MANY),
        ([[0] * 98] * 10, None),  # 10 lists of 98 and the outer one: 991
        ([[0] * 99] * 10, TOO_MANY),  # 1,001: every list's values count, each time it is held
        (_nested(MAX_DEPTH), None),
        (_nested(MAX_DEPTH + 1), f"is nested more than {MAX_DEPTH} levels deep"),
        ({"steps": [{"at": "1 s", "up": True}] * 10}, None),
    ],
)
def test_the_size_bounds_hold_at_their_edges(
    data: object, problem: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting a container's plain values at once refuses exactly what the walk value by value did."""
    monkeypatch.setattr(bounded_read, "MAX_VALUES", VALUES)
    assert bounded_read.size_problem(data) == problem
