"""What the kernel hands its helpers: the clock, the world, the resources, the network and the ledger.

The kinds of work, plan compilation, the policy's view and the arrival
chains receive a :class:`RunContext`, never the simulation itself, so no
engine module but the one that builds a run imports the kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from offloadsim.engine.llm_load import LLMLoad

if TYPE_CHECKING:
    import simpy

    from offloadsim.engine.energy import NodeMeter, Radio
    from offloadsim.engine.ledger import Ledger
    from offloadsim.engine.network import LinkModel
    from offloadsim.engine.processor_models import ProcessorLike as Processor
    from offloadsim.engine.tasks import Task
    from offloadsim.engine.work import Price, WorkKind
    from offloadsim.policies.deciders import Decider
    from offloadsim.world import World
    from offloadsim.world.topology import Topology

__all__ = ["RunContext"]


# eq=False: compared by identity, as a bundle of callables and live parts is; the value __eq__ and
# __hash__ dataclass would write were never called and cost start-up to make (issue 12 e).
@dataclass(frozen=True, slots=True, eq=False)
class RunContext:
    """One run's shared parts, read by the helpers of the kernel."""

    env: simpy.Environment
    world: World
    processors: Mapping[str, Processor]  # each computing node's first (default) processor
    network: LinkModel
    meters: Mapping[str, NodeMeter]  # each powered node's energy meter
    ledger: Ledger
    seed: int
    replication: int
    end_s: float
    policy_name: str
    kinds: Mapping[str, WorkKind]  # each application's kind of work
    resources: Mapping[tuple[str, str], Processor]  # every processor by (node, processor name)
    spawn: Callable[[Task], Task | None]  # run a new task as if it had arrived now (a group's member)
    node_down: Callable[[str, str], None]  # (node, reason): abort its stages, fail the tasks needing it
    topology: Topology  # the run's topology (routes as they are now: it may change during the run)
    fail_task: Callable[[Task, str], None]  # (task, reason): aborted: retried per recovery, else failed
    drained_at: Mapping[str, float]  # each node whose battery ran flat -> when (the kernel's, kept live)
    # Who decides the run's tasks, as a fault's line names it (its of_source(source)): the run's
    # policy, quoted, or a composite's inner one with its group (policies/deciders.py).
    decider: Decider
    # The LLM requests in progress on each processor and the decode steps they still owe it (a policy's
    # view adds them to a processor's expected wait): one per run, as this context is.
    llm_load: LLMLoad = field(default_factory=LLMLoad)
    # Each node -> the LLM output tokens it generated as a plan's last segment, warm-up included (the
    # kernel subtracts the count at the warm-up's end): the nodes table's ``tokens_generated``.
    tokens_generated: dict[str, int] = field(default_factory=dict)
    # The (node, processor) pairs that ran an LLM decode step: the run's decode ceilings are theirs.
    decoded_on: set[tuple[str, str]] = field(default_factory=set)
    # The (node, processor) pairs that ran an LLM prefill compute-bound at a built-in profile's assumed
    # efficiency (``World.prefill_at_efficiency``): a time to first token there rests on it, no bound.
    prefilled_at_efficiency: set[tuple[str, str]] = field(default_factory=set)

    def pricer(self, app: str, processor: Processor) -> Price:
        """What stages of ``app``'s requests cost on ``processor``, as the processor prices them."""
        # A plug-in's prices come checked from its adapter (engine/plugin_adapters.py): a plug-in
        # processor's in its words, a plug-in kind's on a shipped processor in the kind's.
        return processor.pricer(self.kinds[app], self.world)

    def radios(self, source: str, a: str, b: str) -> tuple[Radio, ...]:
        """The meters of the powered ends of a transfer ``a`` → ``b`` of a task from ``source``.

        Each is ``(meter, sending, charge_the_task)``: the task is charged at
        its own source device only.
        """
        ends = []
        for node, sending in ((a, True), (b, False)):
            meter = self.meters.get(node)
            if meter is not None:
                ends.append((meter, sending, node == source))
        return tuple(ends)
