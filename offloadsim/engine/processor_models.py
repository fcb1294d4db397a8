"""Processor models: how a processor queues, serves and prices the stages it receives, from a registry.

A processor receives *work* (a task's layers ``[start, stop)`` of some kind
of work) and decides its service time from its own profile
(:meth:`ProcessorLike.pricer`); it runs stages under its own discipline
(:meth:`ProcessorLike.submit`).  FIFO multi-core (``fifo``,
:mod:`offloadsim.engine.processor`) is the built-in model; a batching
processor or a GPU beside a node's CPU is one module defining a factory
plus one :func:`register_processor_model` call (or, from another
distribution, one entry under the ``offloadsim.processor_models``
entry-point group naming the factory).  The kernel builds each
processor with the factory its ``ProcessorSpec.model`` names and holds them
by ``(node, processor name)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from offloadsim.engine.errors import EngineError
from offloadsim.engine.plugin_adapters import PluginProcessor
from offloadsim.engine.plugin_faults import plugin_call, refuse_lacking, unbuilt_at
from offloadsim.errors import LookupMessage
from offloadsim.plugins import EntryPointGroup, dotted_name, shipped_module, unclaimed
from offloadsim.scenario.errors import format_path
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    import simpy

    from offloadsim.world import ProcessorModel, World

__all__ = [
    "ENTRY_POINT_GROUP",
    "ProcessorFactory",
    "ProcessorLike",
    "build_processor",
    "get_processor_model",
    "processor_model_names",
    "register_processor_model",
    "unregister_processor_model",
]

#: (task, start, stop) -> seconds: how a processor prices stages of one kind of work.
Price = Callable[[Any, int, int], float]
#: callback(payload, wait_s, service_s) when a stage completes; the kernel also calls it, with the
#: time the stage ran, for one its node's going down cut short, once it has given up the stage's task.
StageDone = Callable[[Any, float, float], None]


class ProcessorLike(Protocol):
    """What the kernel, the policy's view and the energy meters use of a processor.

    A model may also define ``in_service() -> [(callback, payload, wait_s, ran_s)]``, the stages
    in service now and the time each has run: the kernel asks it as the node goes down, before
    :meth:`abort`, and charges what they ran to their tasks (the built-in ``fifo`` has it; without
    it, the energy of a powered node's stages cut short is in its ``energy_j`` and no task's, and
    the run's notes say so once per processor, naming the model, the processor and the node, when
    its node goes down while ``busy``).
    """

    node: str
    name: str
    cores: int
    speed_flops: float
    up: bool
    busy: int  # stages in service now
    completed: int  # stages served
    refused: int  # stages turned away by a full queue
    watch: Callable[[], None] | None  # told when the number of busy stages changes (energy)

    def submit(self, service_s: float, callback: StageDone, payload: Any) -> bool:
        """Take a stage needing ``service_s``; False if refused (queue full, or node down)."""
        ...

    def pricer(self, kind: Any, world: World) -> Price:
        """How long stages of ``kind`` (a :class:`~offloadsim.engine.work.WorkKind`) take here."""
        ...

    def abort(self) -> list[Any]:
        """The node went down: refuse from now on; return the payloads of the stages it dropped.

        The FIFO model frees its cores at once; a model whose stages in
        service still complete may leave them be: the kernel ignores the
        ones whose tasks it failed.
        """
        ...

    def expected_wait_s(self) -> float:
        """Expected queueing delay of a stage submitted now."""
        ...

    def busy_core_seconds(self) -> float:
        """Integral of busy cores over time, from the start of the run to now."""
        ...

    def queued(self) -> int:
        """Stages waiting now."""
        ...


#: Builds one processor of a node from its resolved description in the world.
ProcessorFactory = Callable[["simpy.Environment", "ProcessorModel"], ProcessorLike]

#: The entry-point group other distributions declare processor models in (each entry names a factory).
ENTRY_POINT_GROUP = "offloadsim.processor_models"

_MODELS: dict[str, ProcessorFactory] = {}


def _add_plugin(entry: Any, factory: Any, origin: str) -> None:
    """Register one entry point's factory under the entry's name, unless the name is taken."""
    if unclaimed(_MODELS, entry.name, factory, "processor model"):
        register_processor_model(entry.name, factory)


#: Processor models other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "processor model", _add_plugin)


def register_processor_model(name: str, factory: ProcessorFactory) -> ProcessorFactory:
    """Make ``factory`` the processor model ``name`` (replacing one of that name); returns it."""
    _MODELS[name] = factory
    return factory


def unregister_processor_model(name: str) -> ProcessorFactory | None:
    """Remove the processor model ``name`` (a plug-in's test cleaning up); returns it, or None."""
    return _MODELS.pop(name, None)


def get_processor_model(name: str) -> ProcessorFactory:
    """The factory registered as ``name``; KeyError naming the known ones otherwise."""
    PLUGINS.load()
    factory = _MODELS.get(name)
    if factory is None:
        listed = f"; known: {', '.join(sorted(_MODELS))}"
        raise LookupMessage(PLUGINS.refusal(name, f"unknown processor model {quoted(name)}", listed))
    return factory


def model_key_path(group: str, spec: Any) -> str:
    """Where a scenario names a processor's model: ``nodes.GROUP.processor.model`` (``processors.NAME``)."""
    return format_path(("nodes", group, *spec.path, "model"))


def build_processor(
    env: simpy.Environment, model: ProcessorModel, world: World | None = None
) -> ProcessorLike:
    """The processor ``model`` describes, built by the factory its ``model:`` names.

    A plug-in's factory that raises, or builds an object that lacks a member of
    :class:`ProcessorLike`, is an :class:`EngineError` naming the model, the node and what is
    wrong (the missing members, or the exception and the plug-in's line), not an
    ``AttributeError`` deep in the kernel later.  A shipped model's exception stays what it is.
    A plug-in's processor is handed over in its checking adapter
    (:class:`~offloadsim.engine.plugin_adapters.PluginProcessor`), which every reader then goes
    through; a shipped model's, as it is.

    ``world``: the world ``model`` is of; given, a plug-in that cannot be built is a
    :class:`~offloadsim.world.WorldError` at the key naming its model (:func:`model_key_path`), which
    the run and ``validate`` say with the scenario's file (its exception its ``__cause__``).
    """
    try:
        return _built(env, model)
    except EngineError as error:
        if world is None:
            raise
        at = model_key_path(world.nodes[model.node].group, model.spec)
        raise unbuilt_at(at, error) from error.__cause__


def _built(env: simpy.Environment, model: ProcessorModel) -> ProcessorLike:
    """:func:`build_processor`'s work: EngineError (a plug-in's PluginFailed) for one not built."""
    name = model.spec.model
    try:
        factory = get_processor_model(name)
    except KeyError as error:
        raise EngineError(str(error.args[0])) from None
    if shipped_module(str(getattr(factory, "__module__", ""))):
        return factory(env, model)
    where = (
        f"processor model {quoted(name)} ({dotted_name(factory)}), "
        f"for processor {quoted(model.spec.name)} of {quoted(model.node)},"
    )
    processor = plugin_call(factory, where, env, model)
    refuse_lacking(where, processor, "a processor", _MEMBERS, f"{__name__}.ProcessorLike")
    words = (
        f"processor model {quoted(name)} ({dotted_name(type(processor))}) "
        f"of processor {quoted(model.spec.name)} at {quoted(model.node)}"
    )
    # Its counters are read-only properties, where the protocol declares attributes: nothing but
    # the kernel and the meters set one, up and watch, which it sets on the plug-in.
    return cast("ProcessorLike", PluginProcessor(processor, words, env))


#: What the kernel, the view and the energy meters use of a processor: ProcessorLike's members.
_MEMBERS: tuple[str, ...] = (
    *ProcessorLike.__annotations__,
    *(name for name, value in vars(ProcessorLike).items() if callable(value) and not name.startswith("_")),
)


def processor_model_names() -> tuple[str, ...]:
    """Names of the registered processor models, sorted."""
    PLUGINS.load()
    return tuple(sorted(_MODELS))
