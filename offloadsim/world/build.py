"""The world a run happens in: topology, processors with resolved speeds, applications as layer chains.

Built once from a :class:`~offloadsim.scenario.model.Scenario`; the engine
reads it and never the YAML.  Every application becomes a chain of layers
with per-layer work and the bytes crossing each cut, whether it is a zoo
model (fixed numbers) or synthetic work (drawn per task).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.errors import LookupMessage
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.errors import KeyPathError, format_path
from offloadsim.scenario.link_models import KEY_PATH as LINK_MODEL_KEY
from offloadsim.scenario.link_models import link_model
from offloadsim.scenario.model import AppSpec, NodeSpec, ProcessorSpec, Scenario
from offloadsim.scenario.units import format_quantity, format_rate
from offloadsim.suggest import listed, quoted
from offloadsim.world.notes import shipped as _shipped  # noqa: F401  (registers the shipped note providers)
from offloadsim.world.notes.registry import (
    NoteContext,
    NoteLine,
    NoteProvider,
    note_providers,
    provider_notes,
)
from offloadsim.world.notes.registry import merged as merged_notes
from offloadsim.world.placed import Under, policy_names, runs_under
from offloadsim.world.precision_speed import calibrated, precision_speed
from offloadsim.world.topology import Topology

if TYPE_CHECKING:
    from offloadsim.models.graph import LayerGraph
    from offloadsim.models.llm_cost import LLMCost
    from offloadsim.models.zoo.llm import LLMConfig
    from offloadsim.world.dynamics import Dynamics

__all__ = [
    "WorldError",
    "ProcessorModel",
    "AppTemplate",
    "World",
    "application_layers",
    "build_world",
    "merged_notes",
    "precision_notes",
    "precision_speed",
]


class WorldError(KeyPathError):
    """The scenario names something the world cannot be built from: ``key_path`` and one-line ``message``."""


# eq=False (ProcessorModel, AppTemplate, World): parts of one run's world, compared by identity
# (nothing compares two); the value __eq__ and __hash__ dataclass would write cost start-up (issue 12 e).
@dataclass(frozen=True, slots=True, eq=False)
class ProcessorModel:
    """A node's processor with its speed resolved (from ``speed`` or a profile)."""

    node: str
    spec: ProcessorSpec
    speed_flops: float
    profile: str | None
    memory_Bps: float = 0.0  # 0: unknown, stages are costed by FLOPs alone
    costs: Any = None  # the resolved profile (derived or calibrated); None for a plain speed

    @property
    def cores(self) -> int:
        """Parallel servers."""
        return self.spec.cores


@dataclass(frozen=True, slots=True, eq=False)
class AppTemplate:
    """An application as a layer chain.

    For a model, ``flops`` and ``cut_bytes`` are fixed; ``input``/``output``
    (when the scenario gives them) replace the first and last cut sizes,
    since what the device holds (a JPEG) may differ from the model's input
    tensor.  For synthetic work, the per-layer draws are in ``stages``.
    """

    spec: AppSpec
    layers: int
    flops: tuple[float, ...] | None
    cut_bytes: tuple[float, ...] | None
    layer_names: tuple[str, ...]
    graph: LayerGraph | None = None
    llm: LLMCost | None = None
    kind: str = "model"  # its kind of work, a name in the engine's registry (offloadsim.engine.work)

    @property
    def name(self) -> str:
        """The application's scenario name."""
        return self.spec.name

    @property
    def precision(self) -> str:
        """The model's precision (``bf16``, ``fp32``, ...); empty for synthetic work."""
        if self.llm is not None:
            return self.llm.config.precision
        if self.graph is not None:
            from offloadsim.models.precision import graph_precision

            return graph_precision(self.graph)
        return ""

    @property
    def weights(self) -> str:
        """The precision the model's weights are stored in: :attr:`precision` but for int4 LLMs (W4A16)."""
        return self.llm.config.weights if self.llm is not None else self.precision

    @property
    def precision_label(self) -> str:
        """``bf16``, or ``bf16 with int4 weights`` where the weights are quantised alone (W4A16)."""
        weights = self.weights
        return self.precision if weights == self.precision else f"{self.precision} with {weights} weights"


@dataclass(frozen=True, eq=False)  # see ProcessorModel
class World:
    """Everything the engine needs, resolved: nodes, topology, processors, applications."""

    scenario: Scenario
    nodes: dict[str, NodeSpec]
    topology: Topology
    processors: dict[str, ProcessorModel]  # each computing node's first (default) processor
    apps: dict[str, AppTemplate]
    dynamics: tuple[Dynamics, ...] = ()  # timed changes during a run (offloadsim.world.dynamics)
    link_model: str = "max-min"  # how transfers share links (offloadsim.scenario.link_models)
    # Every processor of a node by name, where a node has more than its first (a GPU beside a CPU).
    more_processors: dict[str, tuple[ProcessorModel, ...]] = field(default_factory=dict)
    _layer_seconds: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict, repr=False)
    _speeds: dict[tuple[str, str, str | None], float] = field(default_factory=dict, repr=False)

    def processors_of(self, node: str) -> tuple[ProcessorModel, ...]:
        """Every processor of ``node``, its first (default) one first; () if it cannot compute."""
        first = self.processors.get(node)
        if first is None:
            return ()
        return (first, *self.more_processors.get(node, ()))

    def processor(self, node: str, name: str | None = None) -> ProcessorModel:
        """Processor ``name`` of ``node`` (None: its first); KeyError if it has none so named."""
        first = self.processors[node]
        if name is None or name == first.spec.name:
            return first
        for proc in self.more_processors.get(node, ()):
            if proc.spec.name == name:
                return proc
        raise LookupMessage(f"node {node!r} has no processor {name!r}")

    def app_speed(self, app: str, node: str, processor: str | None = None) -> float:
        """Sustained FLOP/s of a processor of ``node`` (None: its first) for ``app``, in its precision.

        A profile's peak for the precision (a GPU's bf16 tensor rate for a
        bf16 LLM) times its efficiency; a plain ``speed`` serves every
        precision; synthetic work runs at the processor's speed.
        """
        key = (app, node, processor)
        speed = self._speeds.get(key)
        if speed is None:
            precision = self.apps[app].precision
            proc = self.processor(node, processor)
            speed = precision_speed(proc, precision)[0] if precision else proc.speed_flops
            self._speeds[key] = speed
        return speed

    @property
    def layer_counts(self) -> dict[str, int]:
        """Each application's layer count: the chain the engine runs, which a policy's cuts count."""
        return {name: app.layers for name, app in self.apps.items()}

    @property
    def notes(self) -> tuple[str, ...]:
        """What the run should say about where the numbers it rests on come from, one line each.

        Every registered note provider's (:mod:`offloadsim.world.notes`; the shipped ones in
        :mod:`offloadsim.world.notes.shipped`), in registration order: calibrated profiles (one
        measured on another CPU than this machine's, one not to be trusted for a model it costs
        here), precisions a profile states no peak for, figures a built-in profile takes from its
        data sheet that a reader would take for measured (an LLM's decode tokens/s, a GPU's
        efficiency, a precision's speed-up), plain ``speed:`` and ``power:`` values, keys not
        acted on.  Each is a :class:`~offloadsim.world.notes.registry.NoteLine` keeping its note.
        """
        return self._notes(here=True)

    def notes_under(
        self, *policies: Any, computed: Collection[tuple[str, ...]] | None = None, ahead: bool = False
    ) -> tuple[str, ...]:
        """:attr:`notes` of a run of any of ``policies`` (policy objects or PolicySpecs), not the scenario's.

        A note that holds only where a policy may place layers (the GPU efficiency line) reads the
        policies a run or a comparison runs: ``run --policy local`` keeps every layer on the phones.
        ``computed``: the ``(node, processor)`` pairs the run computed on, once it has run: a note on
        a processor it never computed on is not said (:func:`~offloadsim.world.placed.runs_under`).
        ``ahead``: said before the run (a dry run): a note says where it would be allowed to compute.
        """
        return self._notes(here=True, policies=policies or None, computed=computed, ahead=ahead)

    def notes_under_each(
        self,
        policies: Mapping[str, Any],
        computed: Mapping[str, Collection[tuple[str, ...]]] | None = None,
        ahead: bool = False,
    ) -> tuple[str, ...]:
        """:attr:`notes` of runs of each of ``policies`` (label -> policy), for a comparison of them.

        A note that holds under only some of them says which (`` (under cloud only)``): ``compare
        local,edge,cloud`` of the quickstart costs layers on its A100 under ``cloud`` alone.
        ``computed``: by label, the ``(node, processor)`` pairs its runs computed on, once they
        have run (:meth:`notes_under`): the quickstart's ``neurosurgeon`` may use the A100, and
        put no task there.  ``ahead``: said before the runs (:meth:`notes_under`).
        """
        computed = computed or {}
        under: dict[str, list[str]] = {}
        for label, policy in policies.items():
            ran = computed.get(label)
            for note in self._notes(here=True, policies=(policy,), placed=False, computed=ran, ahead=ahead):
                under.setdefault(note, []).append(label)
        each = (
            tuple(under)
            if len(policies) < 2
            else tuple(
                note if len(labels) == len(policies) else _under_only(note, labels)
                for note, labels in under.items()
            )
        )
        # one line naming the hardware each policy may use, not one line per policy
        context = self._context(
            True, tuple(policies.values()), lambda: self._under(dict(policies), computed), ahead
        )
        return each + self._said(context, ("placed",))

    def scenario_notes_under(self, *policies: Any) -> tuple[str, ...]:
        """:meth:`notes_under` but the ones about this machine: what ``validate`` says of a scenario file.

        Whether a calibrated profile measured this machine's CPU depends on where the scenario
        is checked, not on the file: a run says it (its numbers simulate that CPU); a check of the
        file says the rest, a profile not to be trusted for a model the file costs with it included.
        ``policies``: the policy ``validate --policy`` checks (none: the scenario's own), whose notes
        (``edge`` sending every task to the first of two equally near servers) a run of it prints.
        """
        return self._notes(here=False, policies=policies or None)

    def _notes(
        self,
        here: bool,
        policies: tuple[Any, ...] | None = None,
        placed: bool = True,
        computed: Collection[tuple[str, ...]] | None = None,
        ahead: bool = False,
    ) -> tuple[str, ...]:
        """:attr:`notes`: every registered provider's (:mod:`offloadsim.world.notes`), in its order.

        ``here``: with the lines on this machine's CPU and those a run's times and energy rest on;
        ``policies``: the policy objects of the runs noted (None: the scenario's own policy);
        ``placed``: with the lines naming the hardware they may place on (providers of scope
        ``placed``), which a comparison says once for all its policies; ``computed``: the
        ``(node, processor)`` pairs the runs computed on (None: not run yet); ``ahead``: said before
        the runs (a dry run), of where they would be allowed to compute.
        """
        ran = None if computed is None else {"": computed}
        context = self._context(
            here, policies, lambda: self._under({"": policies} if policies else None, ran), ahead
        )
        return self._said(context, ("run", "placed") if placed else ("run",))

    def _context(
        self, here: bool, policies: tuple[Any, ...] | None, under: Callable[[], Under], ahead: bool = False
    ) -> NoteContext:
        """The providers' context for runs of ``policies``; ``under`` made only where a provider asks."""
        made: list[Under] = []

        def lazily(app: Any, proc: Any) -> tuple[str, ...] | None:
            if not made:
                made.append(under())
            return made[0](app, proc)

        apps, processors = tuple(self.apps.values()), tuple(self._every_processor())
        return NoteContext(self.scenario, here, policies, lazily, apps, processors, self.nodes, self, ahead)

    @staticmethod
    def _said(context: NoteContext, scopes: tuple[str, ...]) -> tuple[str, ...]:
        """The notes of the providers of ``scopes``, in registration order, each line once."""
        return tuple(_provided(context, lambda provider: provider.scope in scopes))

    def _under(
        self,
        policies: Mapping[str, Any] | None,
        computed: Mapping[str, Collection[tuple[str, ...]]] | None = None,
    ) -> Under:
        """Where runs of ``policies`` (label -> policies; None: the scenario's own) may place layers.

        Or, for the labels ``computed`` names, where they did (:func:`~offloadsim.world.placed.runs_under`).
        """
        return runs_under(self.scenario, policies, self.topology.reachable, computed)

    def _every_processor(self) -> list[ProcessorModel]:
        """Every processor of every node, a node's first one first (a GPU beside a CPU included)."""
        return [proc for node in self.processors for proc in self.processors_of(node)]

    def decode_ceilings(self, decoded: Collection[tuple[str, str]] | None = None) -> tuple[float, ...]:
        """The tokens/s ceilings of the LLM decodes that run memory-bound on a built-in profile, each once.

        ``decoded``: only those of these (node, processor name) pairs, where a run's decode steps ran
        (None: every one).  A run's time per output token and decode rate rest on the bound where it
        has one: its tables print them as bounds (:mod:`offloadsim.analysis.decode_ceiling`).
        """
        return tuple(sorted({rate for _, rate in self._ceiling_decodes(decoded)}))

    def ceiling_decoders(
        self, decoded: Collection[tuple[str, str]] | None = None
    ) -> tuple[tuple[str, str], ...]:
        """The (node, processor name) pairs of :meth:`decode_ceilings`, each once: whose saturation bounds.

        A run one of these kept busy all its measured time generated output tokens at that
        processor's capacity at its ceiling, the most it could: its output token throughput is then
        an upper bound (:func:`~offloadsim.analysis.decode_ceiling.decode_saturated`).
        """
        return tuple(sorted({pair for pair, _ in self._ceiling_decodes(decoded)}))

    def _ceiling_decodes(
        self, decoded: Collection[tuple[str, str]] | None
    ) -> list[tuple[tuple[str, str], float]]:
        """((node, processor name), tokens/s) of :meth:`memory_bound_decodes`, of ``decoded`` (None: all)."""
        found = [((proc.node, proc.spec.name), rate) for _, proc, rate in self.memory_bound_decodes()]
        return [(pair, rate) for pair, rate in found if decoded is None or pair in decoded]

    def prefill_at_efficiency(
        self, app: str, node: str, processor: str, start: int, stop: int, prompt: int
    ) -> bool:
        """Whether ``app``'s prefill of ``prompt`` tokens, blocks ``[start, stop)``, there is compute-bound.

        On a built-in profile its time then rests on the efficiency the profile assumes (0.35 of a
        CPU's peak, 0.40 of a GPU's), a guess either way, not on the memory bandwidth a decode's
        ceiling does.

        A short prompt on a fast processor reads its weights for longer than it computes: that prefill
        is bandwidth-bound, as short as the data sheet's bandwidth allows, and False here.
        """
        proc = self.processor(node, processor)
        cost = self.apps[app].llm
        if cost is None or getattr(proc.costs, "kind", None) != "derived":
            return False  # a calibrated profile measured its times; a plain speed is the user's
        speed = self.app_speed(app, node, processor)
        compute_s = cost.prefill_s(speed, 0.0, start, stop, prompt)
        return compute_s >= cost.prefill_s(speed, proc.memory_Bps, start, stop, prompt)

    def memory_bound_decodes(self) -> list[tuple[Any, Any, float]]:
        """(application, processor, tokens/s of its fastest decode step) where it is memory-bound.

        Derived profiles only, with no memory bandwidth given: a calibrated profile has its own
        note, and a bandwidth the user gave is theirs.
        """
        found: list[tuple[Any, Any, float]] = []
        for app in self.apps.values():
            if app.llm is None:
                continue
            hosts = app.spec.hosts
            for proc in self._every_processor():
                if getattr(proc.costs, "kind", None) != "derived" or proc.spec.memory_bandwidth_Bps:
                    continue
                if hosts is not None and proc.node not in hosts:
                    continue
                cost, speed = app.llm, self.app_speed(app.name, proc.node, proc.spec.name)
                step_s = cost.decode_s(speed, proc.memory_Bps, 0, cost.layers, 0)  # its fastest step
                if step_s <= cost.decode_s(speed, 0.0, 0, cost.layers, 0):
                    continue  # compute-bound: the efficiency applies, as to any layer
                found.append((app, proc, 1.0 / step_s))
        return found

    def layer_seconds(self, app: str, node: str, processor: str | None = None) -> np.ndarray:
        """Per-layer service times of model ``app`` on a processor of ``node`` (None: its first), cached.

        From the processor's profile (derived roofline or calibrated fit) when
        it names one, else FLOPs ÷ speed (bounded by memory bandwidth if given).
        """
        proc = self.processor(node, processor)
        # Nodes with the same profile (or the same plain speed) share one array.
        fusion = proc.spec.fusion
        key = (
            (app, id(proc.costs), fusion)
            if proc.costs is not None
            else (app, proc.speed_flops, proc.spec.memory_bandwidth_Bps, fusion)
        )
        cached = self._layer_seconds.get(key)
        if cached is None:
            graph = self.apps[app].graph
            if graph is None:
                raise LookupMessage(f"application {app!r} has no layer graph")
            from offloadsim.world.profiles.fusion import FUSION_RULES  # models only

            rules = FUSION_RULES[fusion] if fusion != "none" else None  # a calibrated profile's: refused
            if proc.costs is not None:
                seconds = proc.costs.layer_seconds(graph, rules) if rules else proc.costs.layer_seconds(graph)
                cached = np.array(seconds, dtype=np.float64)
            else:
                from offloadsim.world.profiles.builtin import roofline_layer_seconds  # models only

                cached = roofline_layer_seconds(
                    graph, proc.speed_flops, proc.spec.memory_bandwidth_Bps, rules
                )
            cached.setflags(write=False)
            self._layer_seconds[key] = cached
        return cached

    def layer_spread(self, app: str, node: str, processor: str | None = None) -> np.ndarray:
        """Per-layer relative run-to-run spread (IQR / median) of model ``app`` on a processor of ``node``.

        Zero where the profile measured none (derived profiles, plain speeds).
        """
        graph = self.apps[app].graph
        if graph is None:
            raise LookupMessage(f"application {app!r} has no layer graph")
        costs = self.processor(node, processor).costs
        spread = getattr(costs, "layer_spread", None)
        if spread is None:
            return np.zeros(len(graph))
        return np.asarray(spread(graph), dtype=np.float64)

    def summary(self, policies: Sequence[Any] | Mapping[str, Any] | None = None) -> str:
        """Topology summary plus the processors and applications, for ``--dry-run``.

        Its notes are those of a run of ``policies`` (:meth:`notes_under`; None: the scenario's own),
        or of each where they are named (label -> policy: :meth:`notes_under_each`, a comparison's),
        said ahead of any run: a note on where a run computes says where it would be allowed to.
        """
        lines = [self.topology.summary(_link_labels(self.scenario.document))]
        by_group: dict[tuple[str, str], int] = {}
        for node, proc in self.processors.items():
            every = self.processors_of(node)
            # a node's processors beside its first are named: shipped policies but fixed run on the first
            desc = ", ".join(
                (f"{p.spec.name} " if len(every) > 1 else "") + f"{_rate_label(p)} x{p.cores}" for p in every
            )
            key = (self.nodes[proc.node].group, desc)
            by_group[key] = by_group.get(key, 0) + 1
        lines.append(
            "processors: "
            + ", ".join(f"{g} ({desc})" + (f" x{n}" if n > 1 else "") for (g, desc), n in by_group.items())
        )
        lines.append(
            "applications: "
            + ", ".join(
                f"{app.name} ({app.spec.model or app.spec.onnx or 'synthetic'}, {app.layers} layer(s)"
                f"{self._rates_in_precision(app.name)})"
                for app in self.apps.values()
            )
        )
        if changes := _dynamics_line(self.scenario.dynamics):
            lines.append(changes)
        # said before any run: where a run would be allowed to compute, not where it did
        if isinstance(policies, Mapping):
            notes = self.notes_under_each(policies, ahead=True)
        else:
            notes = self.notes_under(*(policies or ()), ahead=True)
        lines.extend(f"note: {note}" for note in notes)
        return "\n".join(lines)

    def _rates_in_precision(self, app: str) -> str:
        """``; in bf16 at phone 15.68 GFLOP/s, edge 17 TFLOP/s``: what a model runs at on each group.

        The processors line gives a profile's fp32 rate; a model in another precision runs at that
        precision's peak times the efficiency (8x the fp32 rate for bf16 on a jetson-orin), which a
        hand check needs. Empty for synthetic work, which runs at the processors' speed.
        """
        precision = self.apps[app].precision_label
        if not precision:
            return ""
        first: dict[str, str] = {}  # group -> its first node
        for proc in self.processors.values():
            first.setdefault(self.nodes[proc.node].group, proc.node)
        rates = ", ".join(f"{group} {self._node_rates(app, node)}" for group, node in first.items())
        return f"; in {precision} at {rates}"

    def _node_rates(self, app: str, node: str) -> str:
        """``15.68 GFLOP/s``, or each processor's by name (``(cpu 15.68 GFLOP/s, npu 4 TFLOP/s)``).

        Integer precisions count operations (``52 TOP/s``). Only the first was given: a node whose
        NPU or GPU a ``fixed`` plan uses read at its CPU's rate.
        """
        processors = self.processors_of(node)
        precision = self.apps[app].precision

        def rate(proc: ProcessorModel) -> str:  # a calibrated profile's: its average, "~"
            text = format_rate(self.app_speed(app, node, proc.spec.name), precision)
            return f"~{text}" if calibrated(proc) else text

        if len(processors) == 1:
            return rate(processors[0])
        each = (f"{p.spec.name} {rate(p)}" for p in processors)
        return f"({', '.join(each)})"


def _dynamics_line(entries: Sequence[Mapping[str, Any]], limit: int = 10) -> str:
    """``dynamics: dynamics[0] link-trace of phone <-> server (...)``: what changes the world in the run.

    The links and processors above are as the scenario writes them; a dry run of a link under a
    trace read as a fixed rate, with no word that a trace drives it from 0 s.  Empty with no entry.

    >>> line = _dynamics_line([{"kind": "link-trace", "link": ["phone", "ap"]}, {"kind": "failures"}])
    >>> line.split(" (")[0]
    'dynamics: dynamics[0] link-trace of phone <-> ap, dynamics[1] failures'
    >>> _dynamics_line([])
    ''
    """
    if not entries:
        return ""
    said = []
    for index, entry in enumerate(entries[:limit]):
        link, node = entry.get("link"), entry.get("node")
        of = (
            f" of links[{link}]"
            if isinstance(link, int) and not isinstance(link, bool)
            else f" of {link[0]} <-> {link[1]}"
            if isinstance(link, list | tuple) and len(link) == 2
            else f" of {node}"
            if isinstance(node, str)
            else ""
        )
        said.append(f"dynamics[{index}] {entry.get('kind')}{of}")
    if len(entries) > limit:
        said.append(f"... and {len(entries) - limit} more")
    return f"dynamics: {', '.join(said)} (the links and nodes above as written; these change them in the run)"


def _rate_label(proc: ProcessorModel) -> str:
    """``15.68 GFLOP/s``; a calibrated profile's ``~124.8 GFLOP/s sustained, calibrated``.

    A calibrated profile's rate is the average of its timed units (docs/calibration.md, "The
    sustained rate"): no layer need run at it, and ResNet-50 runs faster. A new user read the dry
    run's bare ``edge (124.8 GFLOP/s x4)`` as the rate every layer runs at.
    """
    speed = format_quantity(proc.speed_flops, "speed")
    return f"~{speed} sustained, calibrated," if calibrated(proc) else speed


def _link_labels(document: dict[str, Any]) -> dict[int, str]:
    """``{i: "phone-* <-> ap"}``: each link entry as the scenario wrote it."""
    entries = document.get("links")
    if not isinstance(entries, list):
        return {}
    return {
        i: " <-> ".join(map(str, entry["between"]))
        for i, entry in enumerate(entries)
        if isinstance(entry, dict) and isinstance(entry.get("between"), list)
    }


def _processor(
    node: NodeSpec, spec: ProcessorSpec, base_dir: str, profiles: dict[str, Any]
) -> ProcessorModel:
    """A processor of the node; ``profiles`` caches resolved profiles by name across nodes.

    A profile name is looked up from the scenario's directory ``base_dir`` ("" for none) on the search path.
    """
    if spec.speed_flops is not None:
        return ProcessorModel(node.name, spec, spec.speed_flops, None, spec.memory_bandwidth_Bps or 0.0)
    assert spec.profile is not None
    profile = profiles.get(spec.profile)
    if profile is None:
        # Imported here: a world of plain speeds needs no profile (start-up, issue 12 e).
        from offloadsim.world.profiles import BUILTIN_PROFILES, get_profile, profile_search_path

        try:
            # A derived profile's name answers first: no search path to make (a sweep's dry run made
            # one per point and processor).
            derived = isinstance(spec.profile, str) and spec.profile in BUILTIN_PROFILES
            dirs = None if derived else profile_search_path(base_dir or None)
            profile = profiles[spec.profile] = get_profile(spec.profile, dirs)
        except (KeyError, ValueError) as error:
            message = error.args[0] if error.args else str(error)
            key_path = format_path(("nodes", node.group, *spec.path, "profile"))
            if getattr(error, "not_found", False):  # a result's rerun: where the result read it
                from offloadsim.scenario.inputs_folder import rerun_said

                message += rerun_said(str(spec.profile), key_path)
            raise WorldError(key_path, message) from None
    own_fusion = getattr(profile, "fusion", None)
    if spec.fusion != "none" and own_fusion is not None:
        raise WorldError(
            format_path(("nodes", node.group, *spec.path, "fusion")),
            f"profile {quoted(profile.name)} is calibrated: it fuses as it was timed "
            f"({own_fusion.name}); fusion applies to a derived profile or a plain speed (remove it)",
        )
    memory = spec.memory_bandwidth_Bps or profile.memory_bandwidth_Bps
    return ProcessorModel(node.name, spec, profile.effective_flops, profile.name, memory, profile)


def _size_override(dist: Dist, model_value: float) -> float | None:
    """None when the app's size is drawn per task; else the fixed size (0 means 'use the model's')."""
    if dist.kind != "deterministic":
        return None
    return dist.params[0] if dist.params[0] > 0 else model_value


#: The kinds of work the world infers from what an application names (the engine's built-in kinds).
INFERRED_KINDS = ("model", "llm", "synthetic")


def _app(spec: AppSpec) -> AppTemplate:
    """The application's template, of the kind it states or the kind inferred from its work."""
    app = _template(spec)
    if spec.kind is None or spec.kind == app.kind:
        return app
    if spec.kind in INFERRED_KINDS:
        what = {"model": "a model", "llm": "a decoder-only LLM", "synthetic": "synthetic work"}[app.kind]
        raise WorldError(
            format_path(("applications", spec.name, "kind")),
            f"{quoted(spec.kind)} does not fit this application, which is {what} "
            f'(kind {quoted(app.kind)}); leave "kind" out to have it inferred',
        )
    return replace(app, kind=spec.kind)


def _template(spec: AppSpec) -> AppTemplate:
    if spec.synthetic:
        layers = max(1, len(spec.stages))
        return AppTemplate(
            spec, layers, None, None, tuple(f"stage{i}" for i in range(layers)), kind="synthetic"
        )
    llm = _llm_config(spec)
    if llm is not None:
        from offloadsim.models.llm_cost import LLMCost

        cost = LLMCost.of(llm)
        return AppTemplate(
            spec, cost.layers, None, None, tuple(f"block{i}" for i in range(cost.layers)), None, cost, "llm"
        )
    if spec.onnx is not None:
        from offloadsim.models.onnx_io import import_failure, load_onnx

        try:
            graph = load_onnx(spec.onnx)
        except Exception as error:  # the file is the user's: failing to import it is bad input, not a bug
            raise WorldError(
                format_path(("applications", spec.name, "onnx")), import_failure(spec.onnx, error)
            ) from None
        from offloadsim.models.precision import parse_precision, with_precision

        chosen = parse_precision(spec.model_params, packed=False)  # checked when the scenario was read
        if chosen is not None:  # the file's float32 weights and activations, stored and computed so
            graph = with_precision(graph, chosen[0])
    else:
        from offloadsim.models import get_model

        assert spec.model is not None  # synthetic apps returned above
        try:
            graph = get_model(spec.model, **spec.model_params)
        except KeyError as error:
            raise WorldError(format_path(("applications", spec.name, "model")), error.args[0]) from None
        except (TypeError, ValueError) as error:
            raise _params_error(spec, error) from None
    from offloadsim.models import as_chain

    chain = as_chain(graph)
    cut_bytes = [float(b) for b in chain.cut_bytes]
    first = _size_override(spec.input, cut_bytes[0])
    last = _size_override(spec.output, cut_bytes[-1])
    if first is not None:
        cut_bytes[0] = first
    if last is not None:
        cut_bytes[-1] = last
    return AppTemplate(
        spec,
        len(chain.flops),
        tuple(float(f) for f in chain.flops),
        tuple(cut_bytes),
        tuple(chain.names),
        graph,
    )


def _params_error(spec: AppSpec, error: Exception) -> WorldError:
    """A model its ``params`` cannot build (an image too small for its windows), named at the parameter.

    Where one parameter shapes the model (precision aside), the refusal names it and its value
    (:func:`~offloadsim.models.registry.unbuildable`):
    ``params.image_size: model "alexnet" cannot be built with image_size 32: window 3 ...``.
    """
    from offloadsim.models.registry import unbuildable

    shaping = [key for key in spec.model_params if key not in ("precision", "dtype_bytes")]
    path = (
        ("applications", spec.name, "params", *shaping[:1])
        if len(shaping) == 1
        else ("applications", spec.name, "params")
    )
    return WorldError(format_path(path), unbuildable(spec.model or "", spec.model_params, error))


def _llm_config(spec: AppSpec) -> LLMConfig | None:
    """The LLM configuration when ``spec`` names a decoder-only model from the zoo."""
    if spec.model is None:
        return None
    from offloadsim.models.registry import canonical_name
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    try:
        name = canonical_name(spec.model)
    except KeyError as error:
        raise WorldError(format_path(("applications", spec.name, "model")), error.args[0]) from None
    config = LLM_CONFIGS.get(name)
    if config is None:
        return None
    from offloadsim.models.precision import PrecisionError, parse_precision

    try:
        chosen = parse_precision(spec.model_params)
    except PrecisionError as error:
        raise WorldError(format_path(("applications", spec.name, "params", error.key)), str(error)) from None
    return config if chosen is None else config.with_precision(chosen[0])


def application_layers(scenario: Scenario) -> dict[str, int]:
    """The layer count of each application the workload sends: the chain the engine runs.

    What a policy's cuts count (an LLM's transformer blocks, a model's chain, synthetic stages),
    without building the rest of the world; raises :class:`WorldError` as :func:`build_world` would.
    """
    sent = dict.fromkeys(entry.app for entry in scenario.workload)
    return {name: _app(scenario.applications[name]).layers for name in sent if name in scenario.applications}


def build_world(scenario: Scenario) -> World:
    """Resolve a scenario into a :class:`World` (raises :class:`WorldError` on a bad name).

    A result's scenario rerun from its folder (``scenario.rerun``): a file or profile the world
    does not find says what the result's manifest says of it.
    """
    if scenario.rerun is None:
        return _build_world(scenario)
    from offloadsim.scenario.inputs_folder import reading_result

    with reading_result(scenario.rerun):
        return _build_world(scenario)


def _build_world(scenario: Scenario) -> World:
    """:func:`build_world`'s world."""
    nodes = {node.name: node for node in scenario.nodes}
    topology = Topology(scenario.nodes, scenario.links)
    processors = {}
    more_processors = {}
    profiles: dict[str, Any] = {}
    for node in scenario.nodes:
        built = [_processor(node, spec, scenario.base_dir, profiles) for spec in node.processors]
        if built:
            processors[node.name] = built[0]
        if len(built) > 1:
            more_processors[node.name] = tuple(built[1:])
    apps = {name: _app(spec) for name, spec in scenario.applications.items()}
    try:
        link_model(scenario.link_model)
    except KeyError as error:
        raise WorldError(LINK_MODEL_KEY, error.args[0]) from None
    dynamics: tuple[Dynamics, ...] = ()
    if scenario.dynamics:
        # Imported for a world that changes only (its seven change records are start-up otherwise).
        from offloadsim.world.dynamics import DynamicsError, parse_dynamics

        try:
            dynamics = parse_dynamics(scenario.dynamics, scenario)
        except DynamicsError as error:  # with a plug-in kind's exception, for --debug to show
            raise WorldError(error.key_path, error.message, error.also) from error.__cause__
    return World(scenario, nodes, topology, processors, apps, dynamics, scenario.link_model, more_processors)


def raw_inputs(scenario: Scenario, names: Iterable[str] | None = None) -> dict[str, float]:
    """The bytes a task of each application uploads where its ``input`` is a fixed ``0 B``: its model's own.

    ``input: 0 B`` (or none) means the tensor the network reads, 602,112 B for a 224 px float32
    image: a sweep's figure read ``input upload = 0 kB`` where 602 kB went up.  Only a layer-graph
    model has one (an LLM sends its prompt's tokens, synthetic work none); ``names``: the
    applications to look at (default: all).  Each model is built as :func:`build_world` would.
    """
    found = {}
    for name, spec in scenario.applications.items():
        if names is not None and name not in names:
            continue
        if spec.input.kind != "deterministic" or spec.input.params[0] > 0:
            continue
        try:
            cut_bytes = _app(spec).cut_bytes
        except WorldError:  # the run said why it cannot be built
            continue
        if cut_bytes:
            found[name] = float(cut_bytes[0])
    return found


def _under_only(note: str, labels: list[str]) -> str:
    """``note (under cloud only)``: a note of a comparison that holds under some policies, its kind kept.

    Its facts keep those policies (``under``) and what a figure of one of them alone says (``each``:
    the note itself), so that a figure filtered to other policies leaves it out, and one of ``cloud``
    alone does not say "(under cloud only)" (:func:`~offloadsim.world.notes.kept.said_under_figure`).
    """
    text = f"{note} (under {listed(labels)} only)"
    kept = getattr(note, "note", None)
    if kept is None:
        return text
    facts = {**kept.facts, "under": list(labels), "each": dict.fromkeys(labels, str(note))}
    return NoteLine.of(replace(kept, text=text, facts=facts))


def precision_notes(
    scenario: Scenario,
    policies: Mapping[str, Any] | None = None,
    computed: Mapping[str, Collection[tuple[str, ...]]] | None = None,
) -> list[NoteLine]:
    """:class:`World`'s notes on where its numbers come from, worked out without building the topology.

    What a sweep or comparison keeps in its manifest (``precision_notes``) for the figures to say:
    the world of each of its points is built in its jobs' processes, not the command's.  The notes
    of every provider registered with ``needs_world=False`` (:mod:`offloadsim.world.notes`): the
    note on another precision or a codec, the one on plain ``speed:`` processors, and the one on
    the ``power:`` values, each a :class:`~offloadsim.world.notes.registry.NoteLine` keeping its
    facts.  No application is built where none sets a precision or a codec (most scenarios).
    ``policies``: those compared (label -> policy; None: the scenario's own), which say the
    hardware they may place on (without a topology, a node they allow is taken to be reached);
    ``computed``: by label, where those that have run computed (:func:`~offloadsim.world.placed.runs_under`),
    so that a note is said of the runs that computed where it speaks of, as their tables say it.
    """
    from offloadsim.models.precision import parse_precision

    specs = scenario.applications.values()
    precise = any(spec.compression != "none" or parse_precision(spec.model_params) for spec in specs)
    profiles: dict[str, Any] = {}
    processors = [
        _processor(node, spec, scenario.base_dir, profiles)
        for node in scenario.nodes
        for spec in node.processors
        if precise or spec.speed_flops is not None
    ]
    # where it may run is all the plain speeds' line asks of an application: no model built for it
    apps = [_app(spec) if precise else AppTemplate(spec, 0, None, None, ()) for spec in specs]
    context = NoteContext(
        scenario,
        True,
        None if policies is None else tuple(policies.values()),
        runs_under(scenario, policies, computed=computed),
        apps,
        processors,
        {node.name: node for node in scenario.nodes},
    )
    return _provided(context, lambda provider: not provider.needs_world)


def _provided(context: NoteContext, wanted: Callable[[NoteProvider], bool]) -> list[NoteLine]:
    """The notes of the ``wanted`` providers about the runs noted, in registration order, each line once.

    A provider registered for some policies (``policies``) is called only where the runs noted are
    of one of them, a composite's inner ones included: a run of others imports nothing it reads.
    """
    names: frozenset[str] | None = None
    lines: dict[str, NoteLine] = {}
    for provider in note_providers():
        if not wanted(provider):
            continue
        if provider.policies is not None and names is None:
            names = policy_names(context.scenario.policy if context.policies is None else context.policies)
        if names is None or provider.concerns(names):
            for note in provider_notes(provider, context):
                lines.setdefault(note.text, note.line())
    return list(lines.values())
