"""What a plug-in kind of dynamics declares of its entries (``rate_keys``, ...): read, and checked.

Before, a plug-in's declarations were not read: one setting the rate a ``random-walk`` entry sets
ran with the two rates taking turns (the conflict the built-in kinds are refused for), and a
malformed one was never looked at.  Now they are read as a built-in's, once checked: a mistake
in one (not a dict, a channel no link has, a node the scenario lacks, a key its entries do not
have, a flag that is not True or False, an exception) is the plug-in's, in one line naming it
and the entry, exit 2.  A plug-in that declares none runs as before, unchecked.
"""

from __future__ import annotations

import re

import pytest

from offloadsim.cli import main
from offloadsim.world.dynamics import register_dynamics, unregister_dynamics

WALK = "{kind: random-walk, link: [phone, edge], every: 1 s, step: 5 Mbps, min: 5 Mbps, max: 20 Mbps}"


class Says:
    """``{kind: toy-says, link: [A, B], fault: NAME}``: a kind whose declarations are those named."""

    name = "toy-says"

    def parse(self, entry):
        entry.keys(required=("link",), optional=("fault",))
        entry.links("link")
        return entry.entry.get("fault", "fine")

    def timeline(self, spec, rng):
        return iter(())

    def rate_keys(self, spec):
        if spec == "rate-raises":
            raise ValueError("no link yet")
        return {
            "rate-not-a-dict": [0],
            "rate-negative": {-1: "link"},
            "rate-a-string": {"0": "link"},
            "rate-no-channel": {2: "link"},
            "rate-no-key": {0: "lnk"},
            "rate-empty-key": {0: ""},
        }.get(spec, {0: "link"})

    def moved_devices(self, spec):
        return {"move-unknown": {"phon": "link"}, "move-server": {"edge": "link"}}.get(spec, {})


class Flags(Says):
    """A kind whose ``owns_rates`` is no bool."""

    name = "toy-flags"
    owns_rates = "yes"


class Silent:
    """A kind that declares nothing: not checked against the other entries, as before."""

    name = "toy-silent"

    def parse(self, entry):
        entry.keys(required=("link",))
        return None

    def timeline(self, spec, rng):
        return iter(())


@pytest.fixture
def kinds():
    for kind in (Says(), Flags(), Silent()):
        register_dynamics(kind)
    yield
    for name in ("toy-says", "toy-flags", "toy-silent"):
        unregister_dynamics(name)


def _validate(tiny_scenario, capsys, *entries):
    status = main(["validate", str(tiny_scenario), "--set", f"dynamics=[{', '.join(entries)}]"])
    return status, capsys.readouterr().err.splitlines()


def _kind(name="toy-says", cls="Says"):
    return f'kind of dynamics "{name}" ({__name__}.{cls})'


def test_a_plugin_declaring_the_rate_a_random_walk_sets_is_refused_naming_both(tiny_scenario, kinds, capsys):
    """It ran: the walk's steps and the plug-in's changes took turns setting phone→edge's rate."""
    status, err = _validate(tiny_scenario, capsys, WALK, "{kind: toy-says, link: [phone, edge]}")
    assert status == 2
    (line,) = err
    assert line.startswith(
        f"offloadsim: error: {tiny_scenario}: dynamics[1].link: sets the rate of phone→edge, which "
        "dynamics[0].link (random-walk) also sets: each change would hold until the other's next"
    ), line


def test_a_plugin_declaring_nothing_is_not_checked_and_runs_as_before(tiny_scenario, kinds, capsys):
    assert _validate(tiny_scenario, capsys, WALK, "{kind: toy-silent, link: [phone, edge]}") == (0, [])
    assert _validate(tiny_scenario, capsys, "{kind: toy-says, link: [phone, edge]}") == (0, [])


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (
            "rate-not-a-dict",
            "rate_keys() returned a list; expected a dict of directed channels (whole numbers >= 0: "
            "2 * link for A→B, 2 * link + 1 for B→A) to the key of the entry that sets each",
        ),
        ("rate-negative", "rate_keys() returned a mapping holding -1: 'link'; expected a dict of"),
        ("rate-a-string", "rate_keys() returned a mapping holding '0': 'link'; expected a dict of"),
        ("rate-empty-key", "rate_keys() returned a mapping holding 0: ''; expected a dict of"),
        (
            "rate-no-channel",
            "rate_keys() returned the channel 2, which no link has (channels 0 to 1: 2 per link)",
        ),
        (
            "rate-no-key",
            'rate_keys() returned the key "lnk", which is no key of its entries; expected one of link, fault '
            "(its parse's entry.keys)",
        ),
        (
            "move-unknown",
            'moved_devices() returned "phon", which is no node of the scenario (did you mean "phone"?)',
        ),
        (
            "move-server",
            'moved_devices() returned "edge", which is not a device (tier edge); only devices move',
        ),
    ],
)
def test_a_malformed_declaration_is_the_plugins_fault_in_one_line(tiny_scenario, kinds, capsys, fault, said):
    status, err = _validate(tiny_scenario, capsys, f"{{kind: toy-says, link: [phone, edge], fault: {fault}}}")
    assert status == 2
    (line,) = err
    assert line.startswith(f"offloadsim: error: {tiny_scenario}: dynamics[0]: {_kind()}: {said}"), line


def test_a_declaration_that_raises_is_the_plugins_with_its_line(tiny_scenario, kinds, capsys):
    status, err = _validate(
        tiny_scenario, capsys, "{kind: toy-says, link: [phone, edge], fault: rate-raises}"
    )
    assert status == 2
    (line,) = err
    assert re.match(
        rf"offloadsim: error: {re.escape(str(tiny_scenario))}: dynamics\[0\]: {re.escape(_kind())} raised "
        r"ValueError in rate_keys\(\): no link yet "
        r"\(test_dynamics_plugin_declarations\.py, line \d+, in rate_keys\)",
        line,
    ), line


def test_a_flag_that_is_not_true_or_false_is_the_plugins(tiny_scenario, kinds, capsys):
    status, err = _validate(tiny_scenario, capsys, "{kind: toy-flags, link: [phone, edge]}")
    assert status == 2
    (line,) = err
    assert line.startswith(
        f"offloadsim: error: {tiny_scenario}: dynamics[0]: {_kind('toy-flags', 'Flags')}: its owns_rates is "
        '"yes"; expected True or False'
    ), line
