"""Each command reads a scenario's trace once in its own process: the checks and what it builds share it.

``validate`` and ``run --dry-run`` read a ``link-trace`` for the ``servers-down`` check and again
for the world they summarize; the parent of ``compare`` read it for each policy's checks and again
for its notes, the parent of ``sweep`` three times a point (planned by the command, again by
``sweep()``, and for the notes).  A trace of a million rows takes about 0.9 s a reading
(docs/performance.md, "Dynamics read once a run").  ``workers=1`` runs the jobs in this process,
each of which reads its trace once (``api.run``), so those readings are counted apart.
"""

from __future__ import annotations

import pytest
import yaml

from offloadsim.cli import main
from offloadsim.world.dynamics import trace

TRACE = {"kind": "link-trace", "link": ["phone", "edge"], "file": "rate.csv", "loop": True}


@pytest.fixture
def reads(monkeypatch):
    """The files the trace kind reads, one entry a reading."""
    read = []
    real = trace.read_series
    monkeypatch.setattr(trace, "read_series", lambda path, *rest: read.append(path.name) or real(path, *rest))
    return read


@pytest.fixture
def scenario(tmp_path, tiny_scenario_text):
    """The tiny scenario with a trace (its policy, edge: the `servers-down` check reads the dynamics)."""
    (tmp_path / "rate.csv").write_text("time,bandwidth\n0,5000000\n1,2000000\n2,8000000\n", encoding="utf-8")
    path = tmp_path / "uplink.yaml"
    path.write_text(
        yaml.safe_dump(yaml.safe_load(tiny_scenario_text) | {"dynamics": [TRACE]}), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("command", [["validate"], ["validate", "--show"], ["run", "--dry-run"]])
def test_validate_and_a_dry_run_read_the_trace_once(scenario, reads, capsys, command):
    assert main([command[0], str(scenario), *command[1:]]) == 0
    assert "servers-down" not in capsys.readouterr().err  # the check ran, on the one reading
    assert reads == ["rate.csv"]


def test_a_world_that_cannot_be_built_is_refused_by_validate_and_a_dry_run_as_before(scenario, capsys):
    bad = ["--set", "nodes.edge.processor={profile: no-such-gpu}"]
    for command in (["validate"], ["run", "--dry-run"]):
        assert main([command[0], str(scenario), *command[1:], *bad]) == 2
        said = capsys.readouterr()
        assert 'nodes.edge.processor.profile: unknown profile "no-such-gpu"' in said.err, said.err
        assert said.out == ""


def test_the_parent_of_compare_reads_the_trace_once_for_every_policy(scenario, reads, tmp_path, capsys):
    out = tmp_path / "cmp"
    command = ["compare", str(scenario), "--policies", "local,edge,least-loaded", "--replications", "2"]
    assert main([*command, "--workers", "1", "--out", str(out)]) == 0
    assert "runs in" in capsys.readouterr().out  # the notes were looked for, from the parent's reading
    assert len(reads) == 1 + 3 * 2  # the parent once, and each of the 6 runs once


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_parent_of_sweep_reads_the_trace_once_a_point(scenario, reads, tmp_path, capsys, dry_run):
    sweep_file = tmp_path / "sweep.yaml"
    grid = {"workload[0].rate": ["1 /s", "2 /s", "3 /s"]}
    document = {"base": scenario.name, "grid": grid, "replications": 2}
    sweep_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    command = ["sweep", str(sweep_file), "--workers", "1", "--out", str(tmp_path / "swept")]
    assert main([*command, *(["--dry-run"] if dry_run else [])]) == 0
    assert ("dry run" in capsys.readouterr().out) is dry_run
    assert len(reads) == 3 * (1 if dry_run else 1 + 2)  # each point once, and each of its 2 runs once
