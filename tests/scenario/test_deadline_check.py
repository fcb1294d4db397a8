"""``unmeetable-deadlines``: a deadline below the least time any placement computes a request in.

``deadline: 0.2 ms`` on ResNet-50 validated silently and every task missed it.  The bound is the
world's (:mod:`offloadsim.world.least_compute`): each layer on the fastest processor allowed to run
it, nothing for transfers; a run never computes a request faster than that.
"""

from __future__ import annotations

import math

import pytest
from scenario_testkit import ROOT, SHIPPED, check_warnings, small_document, write_document

from offloadsim import api
from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.errors import ScenarioWarning
from offloadsim.world.build import build_world
from offloadsim.world.least_compute import least_compute_s


def test_a_deadline_no_placement_meets_is_warned_of_naming_the_app_and_key(capsys):
    quickstart = ROOT / "scenarios" / "quickstart.yaml"
    assert main(["validate", str(quickstart), "--set", "applications.classify.deadline=0.2 ms"]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "[unmeetable-deadlines]" in line]
    assert len(warned) == 1
    assert warned[0].startswith(
        f"offloadsim: warning: {quickstart}: applications.classify.deadline: 200 us is below "
    )
    assert 'a request of "classify" computes in' in warned[0] and "every task misses it" in warned[0]
    assert main(["validate", str(quickstart)]) == 0  # 200 ms: met
    assert "[unmeetable-deadlines]" not in capsys.readouterr().err


def _job(deadline: str, hosts: list[str] | None = None) -> dict:
    document = small_document()
    job = {"stages": [{"service": "50 ms"}], "input": "1 KB", "output": "1 KB", "deadline": deadline}
    document["applications"]["job"] = job if hosts is None else {**job, "hosts": hosts}
    return document


@pytest.mark.parametrize(("deadline", "warned"), [("40 ms", True), ("49.9 ms", True), ("50 ms", False)])
def test_a_synthetic_stage_s_least_service_is_the_bound(tmp_path, deadline, warned):
    path = write_document(tmp_path, _job(deadline))
    assert bool(check_warnings(path, "unmeetable-deadlines")) == warned


def test_every_task_of_a_warned_deadline_misses_it_and_none_computes_below_the_bound(tmp_path):
    path = write_document(tmp_path, _job("45 ms"))
    scenario = load_scenario(path)
    least = least_compute_s(build_world(scenario))["job"]
    assert least == pytest.approx(0.05)
    with pytest.warns(ScenarioWarning, match=r"unmeetable-deadlines"):
        tasks = api.run(path, policy="edge").tasks
    done = tasks[tasks["latency"].notna()]
    assert len(done) > 10
    assert (done["compute_time"] >= least - 1e-12).all() and (done["latency"] > 0.045).all()


def test_the_hosts_allowed_bound_it_and_a_model_is_bounded_by_its_fastest_layers(tmp_path):
    work = small_document()
    work["applications"]["job"]["deadline"] = "1 s"  # 2 GFLOP: 2 s on a 1 GFLOP/s phone, far less on the A100
    work["nodes"]["phone"]["processor"]["speed"] = "1 GFLOP/s"
    assert check_warnings(write_document(tmp_path, work), "unmeetable-deadlines") == []
    work["applications"]["job"]["hosts"] = ["phone-*"]
    assert len(check_warnings(write_document(tmp_path, work), "unmeetable-deadlines")) == 1
    quickstart = load_scenario(ROOT / "scenarios" / "quickstart.yaml")
    world = build_world(quickstart)
    per_node = [float(world.layer_seconds("classify", node).sum()) for node in world.processors]
    assert least_compute_s(world)["classify"] <= min(per_node)
    assert not math.isnan(least_compute_s(world)["classify"])


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_has_an_unmeetable_deadline(path):
    assert check_warnings(path, "unmeetable-deadlines") == []
