"""A Scenario built by hand (or changed with ``dataclasses.replace``) whose fields hold what the loader
never makes is refused by ``offloadsim.run`` in one :class:`RunError` naming the field, before anything runs.

Before: a duration of 1e308 s ran (and hung) where the loader refuses anything above 1e30 s; an
``applications`` list ended in an AttributeError, an ``applications`` mapping lacking the workload's
app in a KeyError deep in the engine, a policy's ``params`` as text in dict.update's ValueError,
``dynamics=None`` in a TypeError and ``document=None`` in an AttributeError.
"""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path

import pytest

import offloadsim
from offloadsim import api
from offloadsim.scenario import PolicySpec

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def loaded():
    return api.load(ROOT / "scenarios/quickstart.yaml", ["duration=2 s"])


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        (
            "duration_s",
            1e308,
            r"scenario\.duration_s: expected a positive number of seconds, got float 1e\+308: above 1e\+30",
        ),
        (
            "warmup_s",
            1e308,
            r"scenario\.warmup_s: expected a non-negative number of seconds, got float 1e\+308: above 1e\+30",
        ),
        ("applications", [], r"scenario\.applications: expected a mapping of AppSpec, got list"),
        (
            "applications",
            {},
            r"scenario\.workload\[0\]\.app: no application \"classify\"; the scenario has none",
        ),
        ("policy", PolicySpec("edge", "x"), r"scenario\.policy\.params: expected a mapping, got str 'x'"),  # type: ignore[arg-type]
        ("policy", PolicySpec(3, {}), r"scenario\.policy\.name: expected a policy name, got int 3"),  # type: ignore[arg-type]
        ("dynamics", None, r"scenario\.dynamics: expected a tuple of mappings, got NoneType"),
        ("document", None, r"scenario\.document: expected a mapping, got NoneType"),
        ("name", 3, r"scenario\.name: expected text, got int 3"),
    ],
)
def test_a_built_scenario_s_bad_field_is_one_run_error(loaded, field, value, said):
    scenario = dataclasses.replace(loaded, **{field: value})

    def stuck(*_):
        raise TimeoutError("the run went on")

    before = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(30)
    try:
        with pytest.raises(api.RunError, match=said):
            offloadsim.run(scenario)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"policy_label": 3}, r"^policy_label: expected text, got int 3$"),
        ({"policy_option": None}, r"^policy_option: expected text, got NoneType None$"),
    ],
)
def test_run_s_wording_arguments_are_text(given, said):
    """``policy_label=3`` ended in a TypeError from ``len(3)`` in the warning that names it."""
    path = ROOT / "scenarios/quickstart.yaml"
    with pytest.raises(api.RunError, match=said):
        offloadsim.run(path, policy="neurosurgeon", policy_params={"objective": "energy"}, **given)
