"""A Scenario changed in Python (``dataclasses.replace``) is checked as the loader checks a file.

``bandwidth_bps=-5`` ran to a latency of NaN with no task completed, ``latency_s=-1`` ended in
networkx's ``Contradictory paths found``, ``bandwidth_bps="10 Mbps"`` in a TypeError, a link to
a node that does not exist ran as if it were not there: only the top-level fields were checked.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

import offloadsim
from offloadsim import api
from offloadsim.experiments import compare
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.built_check import built_problems
from offloadsim.scenario.distributions import Dist


def _links(scenario, **change):
    return dataclasses.replace(
        scenario, links=tuple(dataclasses.replace(link, **change) for link in scenario.links)
    )


def _first(scenario, field, **change):
    specs = getattr(scenario, field)
    return dataclasses.replace(scenario, **{field: (dataclasses.replace(specs[0], **change), *specs[1:])})


@pytest.fixture
def tiny(tiny_scenario_text):
    return load_scenario_text(tiny_scenario_text, "tiny.yaml")


CASES = [
    (
        lambda s: _links(s, bandwidth_bps=-5),
        'links[0].bandwidth_bps: expected a positive bandwidth like "20 Mbps", got -5',
    ),
    (lambda s: _links(s, bandwidth_bps=0), "links[0].bandwidth_bps: expected a positive bandwidth"),
    (
        lambda s: _links(s, reverse_bandwidth_bps=-1),
        "links[0].reverse_bandwidth_bps: expected a positive bandwidth",
    ),
    (lambda s: _links(s, latency_s=-1), "links[0].latency_s: expected a non-negative time"),
    (lambda s: _links(s, latency_s=float("nan")), 'links[0].latency_s: expected a time like "5 ms", got nan'),
    (
        lambda s: _links(s, bandwidth_bps="10 Mbps"),
        'links[0].bandwidth_bps: expected a number, got the string "10 Mbps"',
    ),
    (lambda s: _links(s, loss=2.0), "links[0].loss: expected a value at most 1"),
    (lambda s: _links(s, b="nosuch"), 'links[0].b: no node "nosuch"'),
    (lambda s: _links(s, b="phone"), 'links[0].b: links "phone" to itself'),
    (
        lambda s: _first(s, "nodes", tier="bogus"),
        "nodes[0].tier: expected one of device, edge, cloud, network",
    ),
    (
        lambda s: _first(s, "nodes", processor=dataclasses.replace(s.nodes[0].processor, cores=0)),
        "nodes[0].processor.cores: expected a value at least 1, got 0",
    ),
    (
        lambda s: _first(s, "nodes", processor=dataclasses.replace(s.nodes[0].processor, speed_flops=-1.0)),
        "nodes[0].processor.speed_flops: expected a positive speed",
    ),
    (lambda s: _first(s, "workload", app="nosuch"), 'workload[0].app: no application "nosuch"'),
    (lambda s: _first(s, "workload", sources=("nosuch",)), 'workload[0].sources: no node "nosuch"'),
    (
        lambda s: _first(
            s, "workload", arrivals=dataclasses.replace(s.workload[0].arrivals, rate_per_s=-1.0)
        ),
        "workload[0].arrivals.rate_per_s: expected a positive rate",
    ),
    (
        lambda s: dataclasses.replace(
            s, applications={"job": dataclasses.replace(s.applications["job"], deadline_s=-1.0)}
        ),
        "applications.job.deadline_s: expected a positive time",
    ),
    (
        lambda s: dataclasses.replace(
            s, applications={"job": dataclasses.replace(s.applications["job"], input=10e3)}
        ),
        "applications.job.input: expected a distribution",
    ),
    (
        lambda s: dataclasses.replace(
            s,
            applications={
                "job": dataclasses.replace(
                    s.applications["job"],
                    stages=(dataclasses.replace(s.applications["job"].stages[0], work=Dist.fixed(-1.0)),),
                )
            },
        ),
        "applications.job.stages[0].work: expected a non-negative work",
    ),
]


@pytest.mark.parametrize(("change", "said"), CASES)
def test_a_changed_spec_is_refused_naming_its_field(tiny, change, said):
    changed = change(tiny)
    expected = "scenario." + re.escape(said)
    with pytest.raises(api.RunError, match=expected):
        offloadsim.run(changed)
    with pytest.raises(api.RunError, match=expected):
        compare(changed, ["local", "edge"], 1, workers=1)


def test_the_check_is_the_loaders_own_words(tiny, tiny_scenario_text):
    """The same value in a file and in a spec is refused in the same words (one check, not a copy)."""
    from offloadsim.scenario import ScenarioError

    with pytest.raises(ScenarioError) as error:
        load_scenario_text(tiny_scenario_text.replace("latency: 3 ms", "latency: -1"), "tiny.yaml")
    (file_problem,) = error.value.problems
    (spec_problem,) = built_problems(_links(tiny, latency_s=-1))
    assert spec_problem.message == file_problem.message
    assert (file_problem.key_path, spec_problem.key_path) == ("links[0].latency", "links[0].latency_s")


def test_a_power_below_idle_is_refused_as_in_a_file(tiny):
    power = offloadsim.scenario.PowerSpec(idle_w=1.0, busy_w=0.5)
    (problem,) = built_problems(_first(tiny, "nodes", power=power))
    assert problem.key_path == "nodes[0].power.busy_w" and "below idle (1 W)" in problem.message


def test_what_the_loader_makes_passes_and_a_valid_change_runs(tiny):
    assert built_problems(tiny) == []
    faster = _links(tiny, bandwidth_bps=5e6, reverse_bandwidth_bps=5e6)
    assert built_problems(faster) == []
    assert offloadsim.run(faster).summary.completed > 0


def test_a_bandwidth_replaced_one_way_is_warned_of(tiny):
    """``bandwidth_bps`` replaced alone left ``reverse_bandwidth_bps`` at the file's old rate, unsaid."""
    from offloadsim.scenario import ScenarioWarning

    one_way = _links(tiny, bandwidth_bps=5e6)
    with pytest.warns(
        ScenarioWarning, match=r"scenario\.links\[0\]: bandwidth_bps 5e\+06 and reverse_bandwidth_bps 2e\+07"
    ):
        offloadsim.run(one_way)
    both = _links(tiny, bandwidth_bps=5e6, reverse_bandwidth_bps=5e6)
    assert [w for w in _warnings_of(both) if "reverse_bandwidth_bps" in w] == []


def _warnings_of(scenario):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        offloadsim.run(scenario)
    return [str(w.message) for w in caught]
