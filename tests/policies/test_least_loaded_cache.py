"""least-loaded in a running engine: exact by default, and its opt-in decision cache (``load_bucket``).

The cache's effect on a real run (the share of decisions unlike the exact
policy's, the latency it costs) is measured by ``benchmarks/policy_cache.py``
and reported in docs/performance.md; these tests pin down the key: a
decision is reused only for the same source, application and usable
candidates, while every bucketed quantity stays in its bucket.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.policies import balancing, make_policy
from offloadsim.policies.balancing import LeastLoadedPolicy, expected_completion_s
from offloadsim.policies.registry import PolicyParamError, register_policy, unregister_policy

REPO = Path(__file__).resolve().parents[2]
CITY = REPO / "benchmarks" / "scenarios" / "city.yaml"


class Counting:
    """A view counting ``compute_time_s`` calls: a key asks one, an exact decision one per candidate."""

    def __init__(self, view):
        self._view = view
        self.priced = 0  # compute_time_s calls
        self.topology_version = 0

    def compute_time_s(self, *args, **kwargs):
        self.priced += 1
        return self._view.compute_time_s(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._view, name)

    def __setattr__(self, name, value):
        if name in ("waits", "down"):  # the system's state: set on the wrapped view
            setattr(self._view, name, value)
        else:
            super().__setattr__(name, value)


@pytest.mark.parametrize(
    ("scenario", "duration", "params"),
    [
        (CITY, "1 s", {"tiers": ["edge", "cloud"]}),
        (REPO / "scenarios" / "compare-load.yaml", "30 s", {}),
        (REPO / "scenarios" / "edge-outage.yaml", "60 s", {}),
    ],
    ids=["city", "compare-load", "edge-outage"],
)
def test_every_decision_in_a_run_is_what_a_scan_of_every_candidate_picks(scenario, duration, params):
    """The pruning by lower bounds (floors and route detours) skips no winner, on the engine's own view.

    Each decision is checked against the first candidate with the least
    :func:`expected_completion_s`, in the state it was made in.
    """
    checked = []

    class Scanned(LeastLoadedPolicy):
        def decide(self, task, view):
            plan = super().decide(task, view)
            nodes = self._candidates(task, view, "least-loaded")
            if nodes:
                costs = [expected_completion_s(task, view, node) for node in nodes]
                assert plan.nodes == (nodes[costs.index(min(costs))],), (task.id, nodes, costs)
                checked.append(len(nodes))
            return plan

    unregister_policy("least-loaded-scanned")
    register_policy("least-loaded-scanned")(Scanned)
    try:
        offloadsim.run(
            scenario, policy="least-loaded-scanned", policy_params=params, overrides=[f"duration={duration}"]
        )
    finally:
        unregister_policy("least-loaded-scanned")
    assert len(checked) > 500 and max(checked) > 2


@pytest.mark.parametrize("tiers", [None, ["edge", "cloud"], ["device", "edge"]])
@pytest.mark.parametrize("bounded", [False, True], ids=["kept", "forgotten"])
def test_one_policy_over_many_changing_states_picks_what_a_scan_picks(
    make_view, task_factory, tiers, bounded, monkeypatch
):
    """Pricing the source's last choice first, and detours kept between decisions, change no choice.

    ``forgotten``: the memory bounds so tight that what is kept about a
    source (detours, floors per sizes) is dropped at almost every decision.
    """
    if bounded:
        monkeypatch.setattr(balancing, "_MAX_HELD", 7)
        monkeypatch.setattr(balancing, "_SIZES", 1)
    rng = np.random.default_rng(12)
    policy = make_policy("least-loaded", {} if tiers is None else {"tiers": tiers})
    view = make_view()
    policy.reset(view)
    for i in range(400):
        view.waits = {n: float(rng.choice([0.0, 0.0, 0.01, 0.1, 0.5, 3.0])) for n in view.nodes()}
        view.down = {"edge-1"} if i % 7 == 3 else set()
        task = task_factory(
            str(rng.choice(["phone-0", "phone-1"])),
            id=i,
            input_bytes=float(rng.choice([0.0, 1e3, 150e3, 5e6])),
            output_bytes=float(rng.choice([4e3, 4e3, 2e6])),
            flops=[float(rng.choice([1e7, 1e9, 4e9]))] * 4,
        )
        usable = [
            n
            for n in view.nodes()
            if (tiers is None or view.tier(n) in tiers)
            and n not in view.down
            and view.reachable(task.source, n)
        ]
        costs = [expected_completion_s(task, view, n) for n in usable]
        assert _decide(policy, view, task) == usable[costs.index(min(costs))], (i, view.waits)


def _decide(policy, view, task):
    return policy.decide(task, view).nodes[0]


class Asked:
    """A view recording every node a decision asks about (up, reachable, wait, compute, transfers)."""

    def __init__(self, view):
        self._view = view
        self.asked: set[str] = set()

    def is_up(self, node):
        self.asked.add(node)
        return self._view.is_up(node)

    def reachable(self, a, b):
        self.asked.add(b)
        return self._view.reachable(a, b)

    def expected_wait_s(self, node):
        self.asked.add(node)
        return self._view.expected_wait_s(node)

    def compute_time_s(self, task, node, *args, **kwargs):
        self.asked.add(node)
        return self._view.compute_time_s(task, node, *args, **kwargs)

    def transfer_time_s(self, a, b, size_bytes):
        self.asked.update((a, b))
        return self._view.transfer_time_s(a, b, size_bytes)

    def route_latency_s(self, a, b):
        self.asked.update((a, b))
        return self._view.route_latency_s(a, b)

    def __getattr__(self, name):
        return getattr(self._view, name)


def test_once_the_detours_are_known_a_decision_asks_nothing_of_nodes_that_cannot_win(make_view, task_factory):
    """Visited by detour, the first node whose transfers and detour alone lose ends the search.

    phone-0's routes: edge-0 1 ms longer there and back than its link, edge-1
    4 ms, cloud-0 41 ms.  A small task goes to edge-0; once every detour is
    known, a decision prices edge-0 alone and asks nothing of the others.
    ``island`` (no links) is never reached, so it has no detour and nothing
    rules it out before asking whether it is usable: the first decision asks,
    and the answer is kept while the view's ``up_version`` stands.
    """
    policy = make_policy("least-loaded", {"tiers": ["edge", "cloud"]})
    system = make_view()
    view = Asked(system)
    policy.reset(view)
    task = task_factory("phone-0", flops=[1e6] * 4)
    assert _decide(policy, view, task) == "edge-0"
    assert {"edge-0", "edge-1", "cloud-0"} <= view.asked  # the first decision finds the detours
    view.asked.clear()
    assert _decide(policy, view, task) == "edge-0"
    assert view.asked == {"phone-0", "edge-0"}
    system.waits = {"edge-0": 0.0035}  # edge-0 now loses to edge-1 by 0.7 ms: edge-1 is priced, cloud-0 not
    view.asked.clear()
    assert _decide(policy, view, task) == "edge-1"
    assert view.asked == {"phone-0", "edge-0", "edge-1"}
    system.down = {"cloud-0"}  # something went down (up_version moved): usable is asked again, island too
    view.asked.clear()
    assert _decide(policy, view, task) == "edge-1"
    assert "island" in view.asked


def test_off_by_default_and_every_decision_exact(make_view, task_factory):
    policy = make_policy("least-loaded", {})
    assert policy.load_bucket is None
    view = Counting(make_view())
    policy.reset(view)
    for _ in range(3):
        _decide(policy, view, task_factory())
    assert view.priced >= 3 * 5  # each decision prices its five candidates afresh


def test_a_decision_is_reused_while_the_waits_stay_in_their_buckets(make_view, task_factory):
    policy = make_policy("least-loaded", {"load_bucket": 0.1})
    view = Counting(make_view())
    policy.reset(view)
    assert _decide(policy, view, task_factory()) == "cloud-0"
    priced = view.priced
    view.waits = {"cloud-0": 0.09}  # same bucket [0, 0.1): reused without pricing, though stale
    assert _decide(policy, view, task_factory()) == "cloud-0"
    assert view.priced == priced + 1  # the key's one service time
    view.waits = {"cloud-0": 10.0}  # another bucket: decided afresh
    assert _decide(policy, view, task_factory()) == "edge-1"
    assert view.priced > priced


def test_the_key_holds_the_source_the_app_the_task_size_and_the_candidates(make_view, task_factory):
    policy = make_policy("least-loaded", {"load_bucket": 0.1})
    view = Counting(make_view())
    policy.reset(view)
    _decide(policy, view, task_factory("phone-0"))
    for task in (
        task_factory("phone-1"),  # another source
        task_factory("phone-0", app="other"),  # another application
        task_factory("phone-0", flops=[4e9] * 4),  # a larger task: another service-time bucket
        task_factory("phone-0", input_bytes=100e6),  # a larger input: another upload-floor bucket
    ):
        priced = view.priced
        _decide(policy, view, task)
        assert view.priced > priced, task
    # A candidate going down changes the candidates: the cached cloud-0 is not reused.
    view.down = {"cloud-0"}
    assert _decide(policy, view, task_factory("phone-0")) == "edge-1"


def test_a_topology_change_or_a_new_run_starts_afresh(make_view, task_factory):
    policy = make_policy("least-loaded", {"load_bucket": 0.1})
    view = Counting(make_view())
    policy.reset(view)
    _decide(policy, view, task_factory())
    for change in ("topology", "reset"):
        priced = view.priced
        if change == "topology":
            view.topology_version += 1
        else:
            policy.reset(view)
        _decide(policy, view, task_factory())
        assert view.priced > priced, change


def test_a_zero_width_cache_would_be_exact_so_a_tiny_width_matches_the_exact_policy(make_view, task_factory):
    """With a width far below every difference of waits, the cached choice is the exact one."""
    exact = make_policy("least-loaded", {})
    cached = make_policy("least-loaded", {"load_bucket": 1e-9})
    view = make_view()
    exact.reset(view)
    cached.reset(view)
    for i, wait in enumerate([0.0, 0.3, 2.0, 0.05, 10.0, 0.0, 0.7]):
        view.waits = {"cloud-0": wait, "edge-1": 0.35 * (i % 3)}
        task = task_factory(id=i)
        assert _decide(cached, view, task) == _decide(exact, view, task)


@pytest.mark.parametrize("value", [0, -0.005, math.inf, math.nan])
def test_a_bad_width_is_refused_naming_the_parameter(value):
    with pytest.raises(PolicyParamError, match=r"load_bucket must be a positive number of seconds") as info:
        make_policy("least-loaded", {"load_bucket": value})
    assert info.value.param == "load_bucket"


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", "load_bucket must be a positive number of seconds"), ("5ms", "must be float | None")],
)
def test_the_cli_refuses_a_bad_width_with_one_line_and_exit_2(verb, value, expected, tmp_path, capsys):
    out = tmp_path / "out"
    argv = [verb, str(CITY), "--set", "policy.name=least-loaded", "--set", f"policy.load_bucket={value}"]
    code = main([*argv, "--out", str(out)] if verb == "run" else argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("offloadsim: error: ") and "policy.load_bucket" in lines[0], err
    assert expected in lines[0], err
    assert not out.exists()
