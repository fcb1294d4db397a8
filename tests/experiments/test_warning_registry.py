"""The warning-kind registry: a new kind of run warning is one module and one registration.

A kind was spread over seven modules (its constant, the summary's detector and text, the groups'
test, compare's and sweep's note, the figures' legend, which kinds say a run's length matters, the
openings of older rows).  Here a toy kind, declared in a test-only module
(``toy_warning_kind.py``) and registered by this test alone, reaches ``summary.json``, compare's
notes and ``warnings`` column, ``groups.csv``'s ``warned`` and a figure's note, with no other
module edited.  The shipped kinds' order and wording are checked by the tests of each consumer.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import toy_warning_kind as toy
from experiment_data import SLOW_FAST

import offloadsim
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_groups import warned_groups
from offloadsim.analysis.warning_list import SHIPPED, registered_kinds, warning_kind
from offloadsim.analysis.warning_registry import WarningKind, register, unregister
from offloadsim.experiments import compare, read_results
from offloadsim.plots import plot_results


@pytest.fixture
def warm():
    register(toy.WARM)
    try:
        yield toy.WARM
    finally:
        unregister(toy.NAME)


@pytest.fixture
def fleet(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(SLOW_FAST, encoding="utf-8")  # the toy names two slow phones, counts three
    return path


def test_a_kind_registered_in_a_test_reaches_summary_json_compare_groups_and_the_figure(
    warm, fleet, tmp_path
):
    run = offloadsim.run(fleet, out=tmp_path / "run")
    document = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    (index,) = [i for i, facts in enumerate(document["warning_facts"]) if facts["kind"] == toy.NAME]
    assert document["warnings"][index].startswith("toy warm nodes: slow-")
    facts = WarningFacts.from_dict(document["warning_facts"][index], "summary.json")
    assert facts.node_count == 5 and len(facts.nodes) == 2 and dict(facts.numbers) == {"least": toy.LEAST}
    assert facts == run.summary.warning_facts[index]
    assert document["warning_facts"][-1]["kind"] == toy.NAME  # registered last: said last
    # It names two slow phones and counts three more: its registered column places those (an
    # unregistered kind's counted nodes could not be placed: every group).
    tasks, nodes = (pd.read_parquet(tmp_path / "run" / f"{t}.parquet") for t in ("tasks", "nodes"))
    assert warned_groups(facts, tasks, nodes, 20.0, 20.0) == {"slow"}

    out = tmp_path / "cmp"
    result = compare(fleet, ["local", "edge"], 2, workers=1, out=out)
    assert "toy: warm nodes in 2 of 2 runs of policy=local (up to 5 a run)" in result.notes
    warned = result.metrics.set_index(["policy", "replication"])["warnings"]
    assert all(toy.NAME in warned["local", r].split(", ") for r in (0, 1))
    assert all(toy.NAME not in warned["edge", r] for r in (0, 1))  # the edge 2 % busy: not warm
    groups = pd.read_csv(out / "groups.csv")
    local = groups[(groups.policy == "local") & (groups.metric == "latency_mean_s")].set_index("group")
    # The slow phones' other warnings (busy all run, ...) concern them too; the fast phones are
    # concerned by none: the toy's three counted phones were placed by its own column, not "every group".
    assert local.loc["slow", "warned"] == 2 and local.loc["fast", "warned"] == 0

    fig = plot_results(read_results(out), "bars", metric="latency_mean_s", facet="source_group")
    note = fig._supxlabel.get_text() if fig._supxlabel else ""
    plt.close(fig)
    (line,) = [x for x in note.splitlines() if x.startswith(toy.LEGEND)]
    assert line == f"{toy.LEGEND}: local, slow (2 of 2 runs)"


def test_an_older_row_without_facts_is_told_by_its_registered_opening(warm):
    assert warning_kind("toy warm nodes: slow-0 99%", None) == toy.NAME
    assert warning_kind("busy all run while their queue grew: phone (99.7% busy)", None) == "busy_growing"
    assert warning_kind("something new: x", None) == "something new"  # no kind's: up to its colon


def test_the_shipped_kinds_are_registered_in_the_summarys_order_and_a_name_is_taken_once():
    names = [kind.name for kind in registered_kinds()]
    assert names[: len(SHIPPED)] == [
        "backlog",
        "busy_growing",
        "queue_full",
        "settling",
        "overloaded",
        "closed_loop",
        "lockstep",
        "stalled_link",
    ]
    with pytest.raises(ValueError, match="'settling' is registered already"):
        register(SHIPPED[3])
    with pytest.raises(ValueError, match="must be a word"):
        WarningKind(name="two words", detect=lambda inputs: [], legend="x")


def test_the_warnings_column_in_the_docs_names_every_shipped_kind_and_which_mark_overload():
    """docs/experiments.md's metrics.parquet row lists the kinds: it had fallen four kinds behind."""
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "experiments.md").read_text()
    row = next(
        line for line in text.splitlines() if line.startswith("| `metrics.parquet` | one row per policy")
    )
    listed, _, marks = row.partition("then `overloaded`:")
    assert [kind.name for kind in SHIPPED if f"`{kind.name}`" not in listed] == []
    marking = marks.partition(";")[0]
    assert {kind.name for kind in SHIPPED if f"`{kind.name}`" in marking} == {
        k.name for k in SHIPPED if k.overload
    }


def test_a_kind_whose_loops_explained_by_closes_a_circle_is_refused_and_left_unregistered():
    """A plug-in's two kinds each explaining the other's loops: no order reads either first (was exit 1)."""

    def kind(name: str, explained_by: str) -> WarningKind:
        return WarningKind(name=name, detect=lambda _: [], legend="x", loops_explained_by=(explained_by,))

    register(kind("toy_first", "toy_second"))
    try:
        circle = r"'toy_second'.*closes a circle \(toy_\w+ -> toy_\w+ -> toy_\w+"
        with pytest.raises(ValueError, match=circle):
            register(kind("toy_second", "toy_first"))
        assert "toy_second" not in [each.name for each in registered_kinds()]
    finally:
        unregister("toy_first")
