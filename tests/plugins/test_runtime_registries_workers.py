"""Every registry a script adds to at run time reaches compare's and sweep's worker processes.

A link model, processor model, kind of work, arrival process, kind of dynamics, note provider,
record column and record table registered in the test process (as a script does under its
``if __name__ == "__main__":`` guard) were unknown to the workers: a comparison in workers failed
on the scenario that names them, or silently lacked the column, the table or the note.  Each one
registered here now gives, with workers=2, what it gives with workers=1; one that cannot be
pickled is refused before any worker starts, in one line naming it.
"""

from __future__ import annotations

import json
import textwrap

import pandas as pd
import pytest
from toy_distributions import site_on_path, table_digests

from offloadsim.experiments import ExperimentError, compare, sweep

TOY = '''
"""A script's own plug-ins, one per registry, each a thin twin of a built-in one."""

from offloadsim.engine.network import FlowNetwork
from offloadsim.engine.processor import fifo
from offloadsim.engine.work_synthetic import SyntheticWork
from offloadsim.records.schema import Column
from offloadsim.records.tables import RecordTable
from offloadsim.scenario.arrivals.poisson import Poisson
from offloadsim.world.dynamics.failures import NodeSchedule
from offloadsim.world.notes.registry import Note


def toy_links(env, capacity_bps):
    return FlowNetwork(env, capacity_bps)


def toy_processor(env, model):
    return fifo(env, model)


class ToyWork:
    """The synthetic kind under another name, by delegation: a subclass of the engine's class is
    refused where mypyc compiled it (.ci/compiled: interpreted classes cannot inherit from compiled)."""

    name = "toy-work"
    fixed_cost = False

    def __init__(self) -> None:
        self._synthetic = SyntheticWork()

    def __getattr__(self, attribute):
        if attribute == "_synthetic":
            raise AttributeError(attribute)
        return getattr(self._synthetic, attribute)


class ToyArrivals(Poisson):
    kind = "toy-arrivals"


class ToySchedule(NodeSchedule):
    name = "toy-schedule"


def toy_notes(context):
    return [Note("toy-note", f"toy note: {len(context.nodes)} nodes", {"nodes": len(context.nodes)})]


def toy_double(columns):
    return columns["latency"] * 2.0


class Ticks:
    def __init__(self, run):
        self.columns = {"time": []}
        run.env.process(self._tick(run.env))

    def _tick(self, env):
        while True:
            self.columns["time"].append(float(env.now))
            yield env.timeout(0.5)


DOUBLE = Column("toy_double", "float64", "s", "twice the latency", derive=toy_double)
TICKS = RecordTable("toy_ticks", (Column("time", "float64", "s", "the tick's time"),), collector=Ticks)
'''

#: Each registry: what registers its toy, what forgets it, and how a scenario names it.
TOYS = {
    "link model": (
        lambda toy, r: r.links.register_link_model("toy-links", toy.toy_links),
        lambda r: r.links.unregister_link_model("toy-links"),
        ("duration: 2 s\n", "duration: 2 s\nnetwork: {model: toy-links}\n"),
    ),
    "processor model": (
        lambda toy, r: r.processor_models.register_processor_model("toy-processor", toy.toy_processor),
        lambda r: r.processor_models.unregister_processor_model("toy-processor"),
        ("speed: 10 GFLOP/s}", "speed: 10 GFLOP/s, model: toy-processor}"),
    ),
    "kind of work": (
        lambda toy, r: r.work.register_kind(toy.ToyWork()),
        lambda r: r.work.unregister_kind("toy-work"),
        ("input: 10 KB}", "input: 10 KB, kind: toy-work}"),
    ),
    "arrival process": (
        lambda toy, r: r.arrivals.register_arrival_process(toy.ToyArrivals),
        lambda r: r.arrivals.unregister_arrival_process("toy-arrivals"),
        ("rate: 5 /s}", "rate: 5 /s, arrivals: toy-arrivals}"),
    ),
    "kind of dynamics": (
        lambda toy, r: r.dynamics.register_dynamics(toy.ToySchedule()),
        lambda r: r.dynamics.unregister_dynamics("toy-schedule"),
        (
            "policy: edge\n",
            "policy: edge\ndynamics:\n  - {kind: toy-schedule, node: edge, steps: [{at: 1 s, up: false}]}\n",
        ),
    ),
    "note provider": (
        lambda toy, r: r.notes.register_note("toy-note", toy.toy_notes),
        lambda r: r.notes.unregister_note("toy-note"),
        ("", ""),
    ),
    "record column": (
        lambda toy, r: r.schema.register_task_column(toy.DOUBLE),
        lambda r: r.schema.unregister_task_column("toy_double"),
        ("", ""),
    ),
    "record table": (
        lambda toy, r: r.tables.register_table(toy.TICKS),
        lambda r: r.tables.forget_table("toy_ticks"),
        ("", ""),
    ),
}


def _registries():
    """The registries' modules, by short name."""
    from types import SimpleNamespace

    from offloadsim.engine import processor_models, work
    from offloadsim.records import schema, tables
    from offloadsim.scenario import link_models as links
    from offloadsim.scenario.arrivals import base
    from offloadsim.world.dynamics import registry as dynamics
    from offloadsim.world.notes import registry as notes

    return SimpleNamespace(
        links=links,
        processor_models=processor_models,
        work=work,
        arrivals=base,
        dynamics=dynamics,
        notes=notes,
        schema=schema,
        tables=tables,
    )


@pytest.fixture
def toy_module(tmp_path, monkeypatch):
    """The toy module, importable here and in the workers (nothing registered)."""
    site = site_on_path(tmp_path, monkeypatch)
    (site / "toy_everywhere.py").write_text(textwrap.dedent(TOY), encoding="utf-8")
    import toy_everywhere

    return toy_everywhere


@pytest.fixture
def toys(request, toy_module, tmp_path, tiny_scenario_text):
    """The toys of ``request.param`` (registry names; all by default) registered in this process only."""
    wanted = getattr(request, "param", tuple(TOYS))
    registries = _registries()
    text = tiny_scenario_text
    done = []
    try:
        for what in wanted:
            register, forget, (old, new) = TOYS[what]
            register(toy_module, registries)
            done.append(forget)
            text = text.replace(old, new) if old else text
        (tmp_path / "toys.yaml").write_text(text, encoding="utf-8")
        yield tmp_path / "toys.yaml"
    finally:
        for forget in done:
            forget(registries)


def _said(manifest):
    """The manifest's notes and warnings: what a reader of the results is told."""
    return json.dumps({k: v for k, v in manifest.items() if "note" in k or "warning" in k}, sort_keys=True)


@pytest.mark.parametrize("toys", [(what,) for what in TOYS], indirect=True, ids=list(TOYS))
def test_compare_in_workers_gives_what_it_gives_in_this_process(toys, tmp_path):
    one = compare(toys, ["local", "edge"], replications=2, workers=1, out=tmp_path / "one")
    two = compare(toys, ["local", "edge"], replications=2, workers=2, out=tmp_path / "two")
    pd.testing.assert_frame_equal(two.metrics, one.metrics)
    assert table_digests(tmp_path / "two") == table_digests(tmp_path / "one")
    assert _said(two.manifest) == _said(one.manifest)


def test_the_toys_show_in_what_a_comparison_writes(toys, tmp_path):
    compared = compare(toys, ["local", "edge"], replications=1, workers=2, out=tmp_path / "two")
    assert "toy_double" in pd.read_parquet(tmp_path / "two" / "tasks.parquet").columns
    assert len(pd.read_parquet(tmp_path / "two" / "toy_ticks.parquet")) == 2 * 4  # two runs, ticks 0-1.5 s
    assert "toy note: 2 nodes" in _said(compared.manifest)


def test_sweep_in_workers_gives_what_it_gives_in_this_process(toys, tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"name: toy\nbase: {toys}\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n"
        "policies: [local, edge]\nreplications: 1\n",
        encoding="utf-8",
    )
    one = sweep(spec, workers=1, out=tmp_path / "one", progress=False)
    two = sweep(spec, workers=2, out=tmp_path / "two", progress=False)
    pd.testing.assert_frame_equal(two.metrics, one.metrics)
    merged = [  # the merged tables, not each job's file, which keeps its wall times
        {k: v for k, v in table_digests(tmp_path / out).items() if not k.startswith("points/")}
        for out in ("one", "two")
    ]
    assert merged[1] == merged[0] and "tasks.parquet" in merged[0]
    assert _said(two.manifest) == _said(one.manifest)


def test_a_link_model_that_cannot_reach_the_workers_is_refused_before_any_runs(tiny_scenario, tmp_path):
    from offloadsim.engine.network import FlowNetwork
    from offloadsim.scenario import link_models as links

    def local_links(env, capacity_bps):  # a function inside a function: pickle cannot name it
        return FlowNetwork(env, capacity_bps)

    links.register_link_model("toy-local", local_links)
    try:
        with pytest.raises(ExperimentError) as caught:
            compare(tiny_scenario, ["local", "edge"], replications=2, workers=2, out=tmp_path / "out")
    finally:
        links.unregister_link_model("toy-local")
    said = str(caught.value)
    assert said.startswith("link model 'toy-local' (registered in this process, in ")
    assert "cannot be handed to the worker processes" in said and "workers=1" in said
    assert "\n" not in said
    assert not (tmp_path / "out").exists()


def test_a_worker_puts_carried_columns_and_tables_in_the_parents_order(toy_module):
    # A column or table the script registered before the entry points were read comes before
    # theirs in the parent; a worker reads its entry points first, so the tasks table's columns (and
    # the tables' order) would differ by worker count.  Here "toy_later" stands for the worker's
    # entry point's: it keeps the distribution it came from.
    import pickle
    from dataclasses import replace

    from offloadsim.experiments.carried_kinds import CarriedKinds, register_carried_kinds
    from offloadsim.records import schema, tables

    later_column = replace(toy_module.DOUBLE, name="toy_later")
    later_table = replace(toy_module.TICKS, name="toy_later")
    schema.register_task_column(later_column)
    tables.register_table(later_table)
    tables.keep_origin("toy_later", "distribution toy-later 0.1")
    order = ("toy_double", "toy_later")
    carried = CarriedKinds(
        (
            ("record column", (("toy_double", pickle.dumps(toy_module.DOUBLE)),), order),
            (
                "record table",
                (("toy_ticks", pickle.dumps(replace(toy_module.TICKS, name="toy_double"))),),
                order,
            ),
        )
    )
    try:
        register_carried_kinds(carried)
        assert [c.name for c in schema.task_columns()][-2:] == ["toy_double", "toy_later"]
        assert [t.name for t in tables.record_tables()][-2:] == ["toy_double", "toy_later"]
        assert tables.table_origin("toy_later") == "distribution toy-later 0.1"
    finally:
        for name in ("toy_double", "toy_later"):
            schema.unregister_task_column(name)
            tables.forget_table(name)
