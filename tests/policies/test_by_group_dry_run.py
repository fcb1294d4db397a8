"""``run --dry-run`` decides as a run does: ``by-group``'s inner ``fixed`` plans tabled, faults said alike.

The dry run tables the stations of each group an inner ``fixed`` decides, from that group's
sources, decided through the composite; its trial decisions are a run's, guarded: a plug-in's
fault in one (a policy's, a processor model's pricing) is its one line and exit 2, as in a run,
not an internal error.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet_scenario import FLEET

from offloadsim.cli import main
from offloadsim.engine import EngineError, checked_world
from offloadsim.engine.policy_watch import PolicyTimedOut
from offloadsim.engine.processor import Processor
from offloadsim.engine.processor_models import register_processor_model, unregister_processor_model
from offloadsim.engine.stations import station_plans
from offloadsim.policies import Plan, register_policy
from offloadsim.scenario import PolicySpec, load_scenario

pytestmark = [pytest.mark.usefixtures("fresh_registry"), pytest.mark.timeout(120)]

#: The fleet with a model to table (a synthetic job's stages are costed per request: not tabled).
MODEL_FLEET: dict[str, Any] = {**FLEET, "applications": {"job": {"model": "resnet18"}}}
EDGE = {"name": "fixed", "node": "edge"}


def _write(folder: Path, policy: Any, document: dict[str, Any] = MODEL_FLEET) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump({**document, "policy": policy}, sort_keys=False), encoding="utf-8")
    return path


def _main(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _tables(out: str) -> list[list[str]]:
    """The dry run's fixed plans: each a header and its rows."""
    tables: list[list[str]] = []
    for line in out.splitlines():
        if line.startswith("fixed plan"):
            tables.append([line])
        elif tables and line.startswith("  "):
            tables[-1].append(line)
    return tables


def test_a_dry_run_tables_each_group_an_inner_fixed_decides_from_its_own_sources(tmp_path, capsys):
    alone = _write(tmp_path / "alone", EDGE)
    code, out, _ = _main(capsys, "run", alone, "--dry-run", "--out", tmp_path / "a")
    assert code == 0
    ((alone_header, *alone_rows),) = _tables(out)
    assert alone_header.endswith("for a request from old-phone-0 (first of 4 sources):")
    grouped = _write(
        tmp_path / "grouped",
        {"name": "by-group", "groups": {"new-phone": "local", "old-phone": EDGE}, "default": "edge"},
    )
    code, out, _ = _main(capsys, "run", grouped, "--dry-run", "--out", tmp_path / "g")
    assert code == 0
    ((header, *rows),) = _tables(out)  # the new phones' local and no other group's edge: no table
    assert header == (
        'fixed plan (by-group\'s, of group "old-phone") of job (resnet18, 69 layers) '
        "for a request from old-phone-0 (first of 2 sources):"
    )
    assert rows == alone_rows  # the same plan, compiled alike
    both = _write(tmp_path / "both", {"name": "by-group", "groups": {"old-phone": EDGE}, "default": EDGE})
    code, out, _ = _main(capsys, "run", both, "--dry-run", "--out", tmp_path / "b")
    assert code == 0
    (old_header, *old_rows), (new_header, *new_rows) = _tables(out)
    assert 'of group "old-phone")' in old_header and 'of group "new-phone")' in new_header
    assert "from new-phone-0 (first of 2 sources)" in new_header
    assert old_rows == alone_rows
    assert any("new-phone-0 -> ap -> edge  (links[1], links[2]" in row for row in new_rows), new_rows


def test_a_run_with_no_fixed_plan_tables_none(tmp_path, capsys):
    path = _write(tmp_path, {"name": "by-group", "groups": {"old-phone": "edge"}, "default": "local"})
    code, out, _ = _main(capsys, "run", path, "--dry-run", "--out", tmp_path / "o")
    assert code == 0 and not _tables(out)


class Broken(Processor):
    """Prices nothing: raises as it is asked how it prices an application."""

    def pricer(self, kind: Any, world: Any) -> Any:
        raise RuntimeError("no prices here")


def _broken(env: Any, model: Any) -> Broken:
    spec = model.spec
    return Broken(env, model.node, spec.name, model.cores, model.speed_flops, spec.queue_limit)


def _timeless(line: str) -> str:
    return re.sub(r"at simulated time [0-9.e+-]+ s", "at simulated time T s", line)


@pytest.fixture
def broken_edge():
    register_processor_model("hb39-broken", _broken)
    try:
        yield {
            **MODEL_FLEET,
            "nodes": {
                **MODEL_FLEET["nodes"],
                "edge": {"tier": "edge", "processor": {"speed": "10 GFLOP/s", "model": "hb39-broken"}},
            },
        }
    finally:
        unregister_processor_model("hb39-broken")


def test_a_plug_ins_fault_in_a_dry_runs_trial_decision_is_its_line_and_exit_as_in_a_run(
    tmp_path, capsys, broken_edge
):
    """Was an internal error (exit 1) after the world's lines were printed; now a run's line, alone."""
    path = _write(
        tmp_path, {"name": "by-group", "groups": {"old-phone": EDGE}, "default": "local"}, broken_edge
    )
    ran, _, ran_err = _main(capsys, "run", path, "-q", "--out", tmp_path / "ran")
    dry, dry_out, dry_err = _main(capsys, "run", path, "--dry-run", "--out", tmp_path / "dry")
    assert ran == dry == 2
    (line,) = ran_err.splitlines()
    assert 'processor model "hb39-broken"' in line and "raised RuntimeError in pricer()" in line, line
    assert dry_out == ""  # refused before anything is printed
    (dry_line,) = dry_err.splitlines()
    assert "at simulated time 0 s" in dry_line
    assert _timeless(dry_line) == _timeless(line)


def test_a_plug_in_policys_fault_in_a_trial_decision_is_its_line_as_in_a_run(tmp_path, capsys):
    @register_policy("hb39-raises")
    class Raises:
        def decide(self, task, view):
            raise ValueError("cannot decide")

    path = _write(tmp_path, "hb39-raises")
    ran, _, ran_err = _main(capsys, "run", path, "-q", "--out", tmp_path / "ran")
    assert ran == 2
    world = checked_world(load_scenario(path))
    with pytest.raises(EngineError) as refused:
        station_plans(world, PolicySpec("hb39-raises", {}), 3)
    (line,) = ran_err.splitlines()
    assert 'policy "hb39-raises"' in line and "raised ValueError" in line, line
    said = f"offloadsim: error: {refused.value}; run again with --debug to see its traceback"
    assert _timeless(said) == _timeless(line)


class SlowReset:
    """Sleeps 30 s as it is reset, before any decision: longer than the limit the test gives.

    Bounded, so that a dry run under no limit fails the test rather than hanging it.
    """

    def reset(self, view):
        time.sleep(30)

    def decide(self, task, view):
        return Plan.run_on(task.source)


def test_a_dry_run_is_under_the_policy_timeout_and_says_it_in_the_runs_line(tmp_path, capsys):
    """An inner plug-in that does not return ends the dry run as it ends the run: one line, exit 2."""
    register_policy("hc40-slow-reset")(SlowReset)
    path = _write(
        tmp_path, {"name": "by-group", "groups": {"old-phone": EDGE, "new-phone": "hc40-slow-reset"}}
    )
    limit = ("--policy-timeout", "0.5 s")
    ran, _, ran_err = _main(capsys, "run", path, "-q", "--out", tmp_path / "ran", *limit)
    dry, dry_out, dry_err = _main(capsys, "run", path, "--dry-run", "--out", tmp_path / "dry", *limit)
    assert ran == dry == 2
    assert dry_out == ""  # refused before anything is printed
    (line,) = ran_err.splitlines()
    named = '"hc40-slow-reset" (by-group\'s policy of group "new-phone")'
    assert line.startswith(f"offloadsim: error: policy {named} (test_by_group_dry_run.SlowReset) ")
    assert "did not return from reset() at simulated time 0 s in 0.5 s of wall time" in line, line
    assert dry_err == ran_err


def test_a_trial_decision_that_does_not_return_is_ended_at_the_limit(tmp_path):
    @register_policy("hc40-sleeper")
    class Sleeper:
        def decide(self, task, view):
            time.sleep(30)

    world = checked_world(load_scenario(_write(tmp_path, "hc40-sleeper")))
    with pytest.raises(PolicyTimedOut, match=r'policy "hc40-sleeper" .* did not return from decide\(\)'):
        station_plans(world, PolicySpec("hc40-sleeper", {}), 3, policy_timeout_s=0.5)


def test_compare_and_sweep_dry_runs_are_under_the_policy_timeout_and_say_the_runs_line(tmp_path, capsys):
    """``compare --dry-run`` and ``sweep --dry-run`` end a trial decision's hang as ``run`` ends it.

    Compare's dry run says the line its comparison says; a sweep's at its file and point, as it
    says any point's fault before a run (its real run sums its failed jobs up instead).
    """
    register_policy("hc41-slow-reset")(SlowReset)
    path = _write(
        tmp_path, {"name": "by-group", "groups": {"old-phone": EDGE, "new-phone": "hc41-slow-reset"}}
    )
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text("base: fleet.yaml\ngrid: {duration: [30 s]}\n", encoding="utf-8")
    limit = ("--policy-timeout", "0.5 s")
    ran, _, ran_err = _main(capsys, "run", path, "-q", "--out", tmp_path / "ran", *limit)
    compare = ("compare", path, "--policies", "by-group", "-n", "1", *limit)
    compared, _, compared_err = _main(capsys, *compare, "-q", "--out", tmp_path / "c")
    dry, dry_out, dry_err = _main(capsys, *compare, "--dry-run", "--out", tmp_path / "cd")
    swept, swept_out, swept_err = _main(
        capsys, "sweep", sweep_file, "--dry-run", "--out", tmp_path / "s", *limit
    )
    assert ran == compared == dry == swept == 2
    assert dry_out == swept_out == ""  # refused before anything is printed
    (line,) = ran_err.splitlines()
    assert "hc41-slow-reset" in line and "did not return from reset() at simulated time 0 s in 0.5 s" in line
    assert dry_err == compared_err == ran_err
    said = line.removeprefix("offloadsim: error: ")
    assert swept_err == f"offloadsim: error: {sweep_file}: {said} (point 0: duration=30 s)\n"
    assert not any((tmp_path / name).exists() for name in ("ran", "c", "cd", "s"))
