"""A grouped, warned run places its warnings from its records a chunk at a time, as the task table did.

Which source groups each warning concerns (its facts' ``groups``) was worked out from a DataFrame
of all the run's tasks (:func:`~offloadsim.analysis.warning_groups.warned_groups`); the result now
tallies them chunk by chunk (:mod:`offloadsim.analysis.group_tally`) and builds no such table.
The groups are the table's, on runs whose warnings name nodes, count more nodes than they name,
name a server the groups offload to, or are the backlog, which tests each group's own tasks; and
on a result read back from a directory written before the facts carried groups.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import offloadsim
from offloadsim.analysis import warning_registry
from offloadsim.analysis.group_tally import run_placer
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_groups import warned_groups
from offloadsim.analysis.warning_kinds.backlog import BACKLOG
from offloadsim.records import results
from offloadsim.records.results import read_run, tasks_frame

FLEET = """
name: two
duration: 8 s
warmup: 0 s
nodes:
  slow: {{count: {slow}, tier: device, processor: {{profile: cortex-a76}}}}
  fast: {{count: 2, tier: device, processor: {{speed: 1 TFLOP/s}}}}
  edge: {{tier: edge, processor: {{speed: {edge}}}}}
links:
  - {{between: [slow-*, edge], bandwidth: 50 Mbps, latency: 5 ms}}
  - {{between: [fast-*, edge], bandwidth: 50 Mbps, latency: 5 ms}}
applications:
  classify: {{model: resnet50}}
workload:
  - {{app: classify, sources: fast-*, rate: 3 /s}}
  - {{app: classify, sources: slow-*, rate: {rate}}}
policy: {policy}
"""

#: name -> (the scenario's values, the kinds of warning it must give, the groups one of them concerns)
RUNS = {
    # the slow phones busy all run, named: their group alone
    "named": (dict(slow=3, rate="3 /s", edge="5 TFLOP/s", policy="local"), {"busy_growing"}, {"slow"}),
    # eight of them overloaded, more than a warning names: those it counts are placed too
    "counted": (dict(slow=8, rate="6 /s", edge="5 TFLOP/s", policy="local"), {"backlog"}, {"slow"}),
    # every phone's tasks on one slow edge server: every group that offloaded there
    "offloaded": (dict(slow=2, rate="3 /s", edge="20 GFLOP/s", policy="edge"), set(), {"slow", "fast"}),
}


def _scenario(tmp_path, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(FLEET.format(**RUNS[name][0]), encoding="utf-8")
    return path


def _unplaced(facts):
    return [replace(one, groups=None) for one in facts]


def _table_groups(facts, tasks, nodes, result):
    end = result.manifest["end_s"]
    return [warned_groups(one, tasks, nodes, result.summary.duration_s, end) for one in facts]


@pytest.mark.parametrize("name", list(RUNS))
def test_the_chunked_placement_is_the_task_tables(name, tmp_path, monkeypatch):
    monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", 7)  # many chunks, spilled
    result = offloadsim.run(_scenario(tmp_path, name))
    _, kinds, concerned = RUNS[name]
    facts = _unplaced(result.summary.warning_facts)
    assert kinds <= {one.kind for one in facts} and result.records is not None
    table = _table_groups(facts, tasks_frame(result.records), result.nodes, result)
    place = run_placer(
        result.records,
        result._nodes,
        result.summary.duration_s,
        result.manifest["end_s"],
        facts,
        lambda: pytest.fail("the records were built into a DataFrame"),
    )
    assert [place(one) for one in facts] == table
    assert concerned in table  # a warning concerning some groups, not every one: a real placement
    # What the result carries is the same, in order.
    assert [one.groups for one in result.summary.warning_facts] == [
        None if found is None else tuple(sorted(found)) for found in table
    ]


def test_a_grouped_warned_run_builds_no_table_of_its_tasks(tmp_path, monkeypatch):
    def refused(*_):
        raise AssertionError("a DataFrame of all the run's tasks was built")

    monkeypatch.setattr(results, "tasks_frame", refused)
    result = offloadsim.run(_scenario(tmp_path, "counted"))
    assert result.summary.source_groups and any(one.groups for one in result.summary.warning_facts)


@pytest.mark.parametrize("name", ["named", "counted"])
def test_a_result_written_before_the_facts_carried_groups_is_placed_as_its_table_says(name, tmp_path):
    out = tmp_path / "run"
    written = offloadsim.run(_scenario(tmp_path, name), out=out)
    marked = written.format_table()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for one in summary["warning_facts"]:
        one.pop("groups", None)  # as a directory of an offloadsim before them
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    result = read_run(out)
    facts = result.summary.warning_facts
    assert all(one.groups is None for one in facts)
    table = _table_groups(facts, result.tasks, result.nodes, result)
    place = run_placer(
        result.tasks, result.nodes, result.summary.duration_s, result.manifest["end_s"], facts, lambda: None
    )
    assert [place(one) for one in facts] == table
    assert result.format_table() == marked  # its overloaded groups marked as the fresh result's


def test_a_kind_with_its_own_test_and_no_tally_is_placed_from_the_table(tmp_path):
    result = offloadsim.run(_scenario(tmp_path, "named"))
    backlog = warning_registry.kind_named(BACKLOG)
    assert backlog is not None and result.records is not None
    records = result.records
    toy = replace(backlog, name="toy_backlog", own_tally=None)  # as a plug-in's kind may be
    warning_registry.register(toy)
    try:
        built = []

        def frame():
            built.append(True)
            return tasks_frame(records)

        facts = [WarningFacts("toy_backlog")]
        end = result.manifest["end_s"]
        place = run_placer(records, result._nodes, result.summary.duration_s, end, facts, frame)
        assert built == [True]
        assert place(facts[0]) == {"slow"}  # its own test, on each group's rows of the table
    finally:
        warning_registry.unregister("toy_backlog")
