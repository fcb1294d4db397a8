"""A kind of dynamics without ``parse`` or ``timeline`` is refused where it is registered.

Before, a kind lacking ``timeline`` registered, ``validate`` said "ok", and the run ended with
"raised AttributeError in timeline() at simulated time 0 s": the plug-in had raised nothing, and
the line blamed a method it never had. A processor model lacking a member was refused as soon as
its factory built one, naming the members missing; a kind of dynamics now is too, when it is
registered: from a script, a ``ValueError``; from an installed distribution, the warning that
skips it, and a scenario naming it refused at ``dynamics[0].kind`` with that reason (exit 2).
"""

from __future__ import annotations

import sys

import pytest
from toy_distributions import install_distribution, site_on_path

from offloadsim.cli import main
from offloadsim.world.dynamics import registry as dynamics
from offloadsim.world.dynamics.registry import dynamics_kind

TOY = """
class NoTimeline:
    name = "toy-no-timeline"

    def parse(self, entry):
        return None
"""


class NoParse:
    """A kind that forgot its parse."""

    name = "toy-no-parse"

    def timeline(self, spec, rng):
        yield from ()


class NoTimeline:
    """A kind that forgot its timeline."""

    name = "toy-no-timeline"

    def parse(self, entry):
        return None


@pytest.mark.parametrize(("kind", "lacking"), [(NoParse(), "parse()"), (NoTimeline(), "timeline()")])
def test_registering_a_kind_without_parse_or_timeline_names_what_it_lacks(kind, lacking):
    named = rf"'{kind.name}' \({__name__}\.{type(kind).__name__}\) has no {lacking}"
    with pytest.raises(ValueError, match=named):
        dynamics.register_dynamics(kind)
    assert dynamics_kind(kind.name) is None


def _forget() -> None:
    dynamics.unregister_dynamics("toy-no-timeline")
    dynamics.PLUGINS.forget()
    sys.modules.pop("toy_no_timeline", None)


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A distribution declaring the kind without a timeline under ``offloadsim.dynamics``."""
    site = site_on_path(tmp_path, monkeypatch, workers=False)
    install_distribution(
        site, "toy_no_timeline", TOY, "[offloadsim.dynamics]\ntoy-no-timeline = toy_no_timeline:NoTimeline\n"
    )
    _forget()
    yield
    _forget()


def test_validate_refuses_a_scenario_naming_an_installed_kind_without_a_timeline(
    installed, tiny_scenario, capsys
):
    text = tiny_scenario.read_text() + "dynamics: [{kind: toy-no-timeline}]\n"
    tiny_scenario.write_text(text)
    assert main(["validate", str(tiny_scenario)]) == 2
    said = capsys.readouterr().err.strip().splitlines()
    warning, error = said  # the skipping warning, then the one line of the refusal
    assert warning.startswith("offloadsim: warning: could not load kind of dynamics plug-in 'toy-no-")
    assert "it is skipped: ValueError" in warning
    assert error.startswith(f"offloadsim: error: {tiny_scenario}: dynamics[0].kind: ")
    assert "has no timeline() method" in error
