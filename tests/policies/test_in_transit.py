"""least-loaded's and model-select's ``in_transit``: the work sent to a node but still uploading, counted.

On conftest.py's system a 4-GFLOP task from phone-0 takes 0.4 s on edge-0
(10 GFLOP/s) and 0.2 s on edge-1 (20 GFLOP/s); its 150 KB input reaches
edge-1 in 2 + 3 ms + 150 KB at 20 Mb/s = 65 ms, edge-0 in 63.5 ms.  Totals
with the 4 KB return: edge-1 0.2716 s, edge-0 0.4686 s.
"""

from __future__ import annotations

import pytest

import offloadsim
from offloadsim.policies import Plan, PolicyParamError, make_policy
from offloadsim.policies.committed import Committed, CommittedView

EDGE_1_SERVICE = 4e9 / 2e10  # 0.2 s
EDGE_1_UPLOAD = 2e-3 + 3e-3 + 8 * 150e3 / 20e6  # 65 ms, as the view prices it


@pytest.mark.parametrize("name", ["least-loaded", "model-select"])
def test_a_second_task_sees_the_first_on_its_way_and_goes_elsewhere(make_view, task_factory, name):
    view = make_view()
    policy = make_policy(name, {"tiers": ["edge"], "in_transit": True})
    policy.reset(view)
    assert policy.decide(task_factory(id=0), view) == Plan(("edge-1",))
    # edge-1's queue still shows nothing (view.waits is empty): the first task is uploading.
    # Its 0.2 s now count: 0.4716 s there against edge-0's 0.4686 s.
    assert policy.decide(task_factory("phone-1", id=1), view) == Plan(("edge-0",))


@pytest.mark.parametrize("name", ["least-loaded", "model-select"])
def test_without_in_transit_both_go_to_the_node_that_looks_idle(make_view, task_factory, name):
    view = make_view()
    for params in ({"tiers": ["edge"]}, {"tiers": ["edge"], "in_transit": False}):
        policy = make_policy(name, params)
        policy.reset(view)
        assert policy.decide(task_factory(id=0), view) == Plan(("edge-1",))
        assert policy.decide(task_factory("phone-1", id=1), view) == Plan(("edge-1",))


def test_the_estimate_counts_the_work_in_transit_until_its_input_arrives(make_view, task_factory):
    view = make_view()
    committed = Committed()
    counting = CommittedView(view, committed)
    counting.record(task_factory(id=0), "edge-1")
    assert committed.pending("edge-1", 0.0) == (1, EDGE_1_SERVICE)
    assert counting.expected_wait_s("edge-1") == EDGE_1_SERVICE
    assert counting.expected_wait_s("edge-0") == 0.0  # nothing sent there
    # A second task: both 0.2 s, spread over edge-1's one core, on top of its own queue's 0.1 s.
    counting.record(task_factory("phone-1", id=1), "edge-1")
    view.waits["edge-1"] = 0.1
    assert counting.expected_wait_s("edge-1") == 0.1 + (EDGE_1_SERVICE + EDGE_1_SERVICE) / 1
    view.time = EDGE_1_UPLOAD - 1e-9  # still uploading
    assert committed.pending("edge-1", view.time)[0] == 2
    view.time = EDGE_1_UPLOAD  # arrived as priced: from now on edge-1's own queue counts them
    assert committed.pending("edge-1", view.time) == (0, 0.0)
    assert counting.expected_wait_s("edge-1") == 0.1


def test_work_in_transit_takes_the_free_cores_first(make_view, task_factory):
    view = make_view()
    view.cores = lambda node: 2  # type: ignore[method-assign]
    counting = CommittedView(view, Committed())
    counting.record(task_factory(id=0), "edge-1")
    assert counting.expected_wait_s("edge-1") == 0.0  # one task on its way, two idle cores: no wait
    counting.record(task_factory("phone-1", id=1), "edge-1")
    assert counting.expected_wait_s("edge-1") == (EDGE_1_SERVICE + EDGE_1_SERVICE) / 2


def test_a_task_run_on_its_source_is_not_in_transit(make_view, task_factory):
    view = make_view()
    committed = Committed()
    CommittedView(view, committed).record(task_factory(id=0), "phone-0")
    assert committed.pending("phone-0", 0.0) == (0, 0.0)


def test_a_new_run_forgets_the_work_in_transit(make_view, task_factory):
    view = make_view()
    policy = make_policy("least-loaded", {"tiers": ["edge"], "in_transit": True})
    policy.reset(view)
    assert policy.decide(task_factory(id=0), view) == Plan(("edge-1",))
    policy.reset(view)
    assert policy.decide(task_factory("phone-1", id=1), view) == Plan(("edge-1",))


@pytest.mark.parametrize("name", ["least-loaded", "model-select"])
def test_in_transit_must_be_true_or_false(name):
    with pytest.raises((PolicyParamError, ValueError), match="in_transit"):
        make_policy(name, {"in_transit": "yes"})


def test_every_in_transit_decision_in_a_run_is_what_a_scan_with_the_same_waits_picks():
    """The pruning by lower bounds stays exact when the waits count the work in transit."""
    from offloadsim.policies.balancing import LeastLoadedPolicy, expected_completion_s
    from offloadsim.policies.registry import register_policy, unregister_policy

    checked = []

    class Scanned(LeastLoadedPolicy):
        def decide(self, task, view):
            plan = super().decide(task, view)
            if not isinstance(view, CommittedView):
                return plan  # the call that counts the task sent, around the one below
            nodes = self._candidates(task, view, "least-loaded")
            costs = [expected_completion_s(task, view, node) for node in nodes]
            assert plan.nodes == (nodes[costs.index(min(costs))],), (task.id, nodes, costs)
            checked.append(max(view.expected_wait_s(n) - view._view.expected_wait_s(n) for n in nodes))
            return plan

    unregister_policy("in-transit-scanned")
    register_policy("in-transit-scanned")(Scanned)
    try:
        offloadsim.run(
            "scenarios/compare-load.yaml",
            policy="in-transit-scanned",
            policy_params={"in_transit": True},
            overrides=["duration=10 s"],
        )
    finally:
        unregister_policy("in-transit-scanned")
    assert len(checked) > 300
    assert sum(1 for extra in checked if extra > 0) > 30  # decisions where some wait counted work in transit
