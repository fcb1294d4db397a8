"""A plug-in processor, link model, kind of work, arrival process or record column: read through its adapter.

``engine/plugin_adapters.py`` wraps each once, where it is built or looked up; the kernel, the view,
the energy meters, the chains and the tables hold the adapter, so no reader sees a value the adapter
did not check (before, the energy meter read a plug-in's busy time unchecked, and a shipped kind a
plug-in processor's speed).  A built-in is never wrapped: nothing is added to a shipped scenario's path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from test_toy_kind import SCENARIO as KIND_SCENARIO
from test_toy_kind import FixedSeconds
from test_toy_link_model import DedicatedCircuits
from tiny_scenarios import one_phone

from offloadsim.engine import simulate, unstarted_run
from offloadsim.engine.fifo_network import FifoNetwork
from offloadsim.engine.network import FlowNetwork
from offloadsim.engine.plugin_adapters import (
    PluginArrivals,
    PluginColumn,
    PluginKind,
    PluginLinkModel,
    PluginProcessor,
)
from offloadsim.engine.plugin_faults import PluginFailed
from offloadsim.engine.processor import Processor
from offloadsim.engine.processor_models import register_processor_model, unregister_processor_model
from offloadsim.engine.work import register_kind, unregister_kind
from offloadsim.engine.work_synthetic import SyntheticWork
from offloadsim.records import schema
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.arrivals import (
    ArrivalProcess,
    ArrivalRun,
    register_arrival_process,
    unregister_arrival_process,
)
from offloadsim.scenario.link_models import register_link_model, unregister_link_model
from offloadsim.scenario.model import PolicySpec
from offloadsim.world import build_world


class NumpyCounts(Processor):
    """Counts in numpy's numbers, as a model computing with arrays would."""

    def busy_core_seconds(self) -> Any:
        return np.float64(super().busy_core_seconds())

    def queued(self) -> Any:
        return np.int64(super().queued())


def _numpy_counts(env: Any, model: Any) -> NumpyCounts:
    spec = model.spec
    return NumpyCounts(env, model.node, spec.name, model.cores, model.speed_flops, spec.queue_limit)


@pytest.fixture
def plugins() -> Iterator[None]:
    register_processor_model("numpy-counts", _numpy_counts)
    register_link_model("circuits", DedicatedCircuits)
    yield
    unregister_processor_model("numpy-counts")
    unregister_link_model("circuits")


def _run(tiny_scenario_text: str, edge_model: str, link_model: str) -> Any:
    edge = "edge: {tier: edge, processor: {speed: 100 GFLOP/s}}"
    assert edge in tiny_scenario_text
    text = tiny_scenario_text.replace(
        edge,
        f"edge: {{tier: edge, processor: {{speed: 100 GFLOP/s, model: {edge_model}}}, "
        "power: {idle: 1 W, busy: 5 W, battery: 1000 J}}",
    )
    world = build_world(load_scenario_text(text + f"network: {{model: {link_model}}}\n", source="<test>"))
    return unstarted_run(world, PolicySpec("edge", {}), seed=1)


def test_every_reader_holds_a_plug_ins_processor_and_link_model_in_their_adapters(
    tiny_scenario_text, plugins
):
    run = _run(tiny_scenario_text, "numpy-counts", "circuits")
    edge = run.resources[("edge", "cpu")]
    assert isinstance(edge, PluginProcessor) and type(edge.plugin) is NumpyCounts
    assert run.processors["edge"] is edge and run.node_processors["edge"] == (edge,)
    assert run.meters["edge"].processors == (edge,)  # the battery's meter reads the busy time through it
    assert run.context.processors["edge"] is edge and run.context.resources[("edge", "cpu")] is edge
    assert isinstance(run.network, PluginLinkModel) and type(run.network.plugin) is DedicatedCircuits
    assert run.context.network is run.network
    assert type(run.resources[("phone", "cpu")]) is Processor  # the phone's built-in fifo: as it is


@pytest.mark.parametrize(("link_model", "built"), [("max-min", FlowNetwork), ("fifo", FifoNetwork)])
def test_built_in_models_are_never_wrapped(tiny_scenario_text, link_model, built):
    run = _run(tiny_scenario_text, "fifo", link_model)
    assert {type(processor) for processor in run.resources.values()} == {Processor}
    assert type(run.network) is built


def test_the_adapter_hands_the_engine_numpys_numbers_as_the_python_types_it_reads(
    tiny_scenario_text, plugins
):
    """The engine compiled by mypyc reads a busy time as a float and a count as an int, in its own frame."""
    run = _run(tiny_scenario_text, "numpy-counts", "circuits")
    edge = run.resources[("edge", "cpu")]
    assert type(edge.busy_core_seconds()) is float and type(edge.queued()) is int
    carried, busy = run.network.bytes_carried_now(), run.network.busy_s
    assert {type(value) for value in [*carried, *busy]} == {float} and len(carried) == len(busy) == 2
    raw = run.run()
    assert raw.nodes["energy_j"][list(raw.nodes["node"]).index("edge")] > 0


class CountedSeconds(FixedSeconds):
    """The toy kind whose makers keep what their kind's notes say (a plug-in's own makers)."""

    def maker(self, app: Any, source: str, rng: Any, apps: Any) -> Any:
        made = FixedSeconds.maker(self, app, source, rng, apps)

        class Counting:
            count = 0
            measured_from = -1.0

            def __call__(self, task_id: int, now: float) -> Any:
                self.count += 1
                return made(task_id, now)

            def measure_from(self, start_s: float) -> None:
                self.measured_from = start_s

        return Counting()

    def notes(self, makers: Any, warmup_s: float) -> list[str]:
        return [f"{type(make).__name__} made {make.count} from {make.measured_from:g} s" for make in makers]


@pytest.fixture
def counted_kind() -> Iterator[CountedSeconds]:
    kind = CountedSeconds()
    register_kind(kind)
    yield kind
    unregister_kind(kind.name)


def test_every_reader_holds_a_plug_in_kind_of_work_in_its_adapter(counted_kind, tmp_path):
    """The kernel, the plan compiler, the view and the context share one adapter per kind, looked up once."""
    (tmp_path / "trace.csv").write_text("time\n1\n1.2\n")
    two_apps = KIND_SCENARIO.replace(
        "  job:\n", "  other:\n    stages: [{work: 1 GFLOP}]\n    kind: fixed-seconds\n  job:\n"
    )
    world = build_world(load_scenario_text(two_apps, source="<test>", base_dir=tmp_path))
    run = unstarted_run(world, PolicySpec("fixed", {"nodes": ["box", "edge"], "cuts": [1]}), seed=1)
    kind = run.kinds["job"]
    assert isinstance(kind, PluginKind) and kind.plugin is counted_kind
    assert run.kinds["other"] is kind and run.context.kinds["job"] is kind
    raw = run.run()
    assert list(raw.tasks["status"]) == ["completed", "completed"]
    # Its maker's requests came through the adapter's check; its notes read its own makers.
    assert "Counting made 2 from 0 s" in raw.notes


def test_built_in_kinds_of_work_are_never_wrapped(tiny_scenario_text):
    run = _run(tiny_scenario_text, "fifo", "max-min")
    assert type(run.kinds["job"]) is SyntheticWork


class FaultySpeed(Processor):
    """Prices as the protocol's plug-ins do, handing the kind itself; its speed is what the test says."""

    def pricer(self, kind: Any, world: Any) -> Any:
        return kind.pricer(world, self)


@pytest.mark.parametrize(
    ("speed", "shown"),
    [
        ("fast", '"fast"'),
        (0.0, "0.0"),
        (10**400, f"{'1' + '0' * 39}... (401 digits)"),
    ],  # over a float's range
)
def test_a_shipped_kind_reads_a_plug_in_processors_speed_through_its_adapter(
    tiny_scenario_text, speed, shown
):
    """The synthetic kind read the plug-in's speed_flops unchecked: "fast" or 0 was exit 1.

    An int too large for a float was an internal OverflowError of the adapter's own check.
    """

    def factory(env: Any, model: Any) -> FaultySpeed:
        spec = model.spec
        return FaultySpeed(env, model.node, spec.name, model.cores, speed, spec.queue_limit)

    register_processor_model("faulty-speed", factory)
    try:
        run = _run(tiny_scenario_text, "faulty-speed", "max-min")
        with pytest.raises(PluginFailed) as caught:
            run.run()
    finally:
        unregister_processor_model("faulty-speed")
    assert str(caught.value) == (
        f'processor model "faulty-speed" ({__name__}.FaultySpeed) of processor "cpu" at "edge": its '
        f"speed_flops was {shown}; expected FLOP/s, a finite number > 0"
    )


@dataclass(frozen=True)
class HandedRuns(ArrivalProcess):
    """Arrivals each second; keeps the run each source handed it (what its chain checks)."""

    kind = "toy-handed-runs"
    runs: list[Any] = field(default_factory=list, compare=False)

    def start(self, run: ArrivalRun) -> None:
        self.runs.append(run)
        run.chain(lambda: np.float64(1.0), run.start)


ARRIVALS = one_phone("handed-runs", "arrivals: toy-handed-runs", "arrivals: periodic, period: 1 s")


def test_every_reader_holds_a_plug_in_arrival_process_in_its_adapter():
    """The chain and the stall guard read the process the run holds: the adapter; a shipped one, bare."""
    register_arrival_process(HandedRuns)
    try:
        world = build_world(load_scenario_text(ARRIVALS, source="<test>"))
        run = unstarted_run(world, PolicySpec("local", {}), seed=1)
        plugin, periodic = run.arrivals
        assert isinstance(plugin, PluginArrivals) and plugin.plugin is world.scenario.workload[0].arrivals
        assert periodic is world.scenario.workload[1].arrivals  # built in: never wrapped
        raw = run.run()
    finally:
        unregister_arrival_process("toy-handed-runs")
    (handed,) = plugin.plugin.runs  # its start was handed the adapter's run, whose chain checks its gaps
    assert type(handed).__module__ == "offloadsim.engine.plugin_adapters" and handed.source == "phone"
    arrivals = list(raw.tasks["arrival"])
    assert len(arrivals) == 6 and {0.0, 1.0, 2.0} <= set(arrivals)  # its numpy gaps, as floats; periodic's


def _rows(columns: Any) -> list[int]:
    """One whole number per row, as a plain list: handed over as float64 by the column's adapter."""
    return [1] * len(columns["task_id"])


def test_the_tables_read_a_plug_in_record_column_through_its_adapter(tiny_scenario_text):
    """Each plug-in column with a derive is wrapped once per run's records; no shipped column is."""
    ones = schema.Column("ones", "float64", "", "one per row", derive=_rows)
    with schema.task_column_added(ones):
        records = simulate(load_scenario_text(tiny_scenario_text, source="<test>")).tasks
        (name, adapter), *others = records.derives.items()
        assert name == "ones" and isinstance(adapter, PluginColumn) and adapter.column is ones and not others
        values = records["ones"]
    assert values.dtype == np.float64 and list(values) == [1.0] * records.rows and records.rows > 0
