"""The world a run happens in: topology, processors with resolved speeds, applications as layer chains.

Built once from a :class:`~offloadsim.scenario.model.Scenario`; the engine
reads it and never the YAML.  Every application becomes a chain of layers
with per-layer work and the bytes crossing each cut, whether it is a zoo
model (fixed numbers) or synthetic work (drawn per task).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.errors import LookupMessage
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.errors import KeyPathError, format_path
from offloadsim.scenario.model import AppSpec, NodeSpec, ProcessorSpec, Scenario
from offloadsim.scenario.units import format_quantity, format_rate
from offloadsim.suggest import quoted
from offloadsim.world.links import link_model
from offloadsim.world.placed import Under, may_run, placements, policy_objects, runs_under, sources_of
from offloadsim.world.stated_note import plain_speed_note, power_note
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
    link_model: str = "max-min"  # how transfers share links (offloadsim.world.links)
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
        """What the run should say about how it costs work, one line each.

        Precisions a profile states no peak for (a model's precision falls
        back to another peak, see :mod:`offloadsim.models.precision`), and
        calibrated profiles: one measured on another CPU than this machine's,
        and one that cannot be trusted for a model it costs here (see
        :mod:`offloadsim.world.profiles.trust`); and figures a built-in profile takes from its data
        sheet that a reader would take for measured: an LLM's decode tokens/s (the memory
        bandwidth's ceiling) and a precision's speed-up (the ratio of two peaks).
        """
        return self._notes(here=True)

    def notes_under(self, *policies: Any) -> tuple[str, ...]:
        """:attr:`notes` of a run of any of ``policies`` (policy objects or PolicySpecs), not the scenario's.

        A note that holds only where a policy may place layers (the GPU efficiency line) reads the
        policies a run or a comparison runs: ``run --policy local`` keeps every layer on the phones.
        """
        return self._notes(here=True, policies=policies)

    def notes_under_each(self, policies: Mapping[str, Any]) -> tuple[str, ...]:
        """:attr:`notes` of runs of each of ``policies`` (label -> policy), for a comparison of them.

        A note that holds under only some of them says which (`` (under cloud only)``): ``compare
        local,edge,cloud`` of the quickstart costs layers on its A100 under ``cloud`` alone.
        """
        under: dict[str, list[str]] = {}
        for label, policy in policies.items():
            for note in self._notes(here=True, policies=(policy,), placed=False):
                under.setdefault(note, []).append(label)
        each = (
            tuple(under)
            if len(policies) < 2
            else tuple(
                note if len(labels) == len(policies) else f"{note} (under {_listed(labels)} only)"
                for note, labels in under.items()
            )
        )
        # one line naming the hardware each policy may use, not one line per policy
        return each + tuple(self._placed_notes(self._under(dict(policies)), here=True))

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
        self, here: bool, policies: tuple[Any, ...] | None = None, placed: bool = True
    ) -> tuple[str, ...]:
        """:attr:`notes`; ``here``: with the lines on this machine's CPU and the GPU efficiency line.

        ``policies``: the policy objects of the runs noted (None: the scenario's own policy);
        ``placed``: with the lines naming the hardware they may place on (:meth:`_placed_notes`).
        """
        lines: dict[str, None] = dict.fromkeys(self._profile_notes(here))
        for app in self.apps.values():
            if not app.precision:
                continue
            hosts = app.spec.hosts
            for proc in self._every_processor():
                if hosts is not None and proc.node not in hosts:
                    continue
                note = precision_speed(proc, app.precision)[1]
                if note is not None and _calibrated(proc) and app.graph is not None:
                    note = _fit_alone_note(proc, app.graph, app.precision)
                if note is not None:
                    where = format_path(("applications", app.name))
                    lines[f"{where} ({app.precision_label}) on {proc.profile}: {note}"] = None
        lines.update(dict.fromkeys(self._passed_over_notes()))
        lines.update(dict.fromkeys(self._inert_key_notes()))
        lines.update(dict.fromkeys(self._unbounded_decode_notes()))
        lines.update(dict.fromkeys(self._decode_ceiling_notes()))
        if here:  # what a run's times rest on; a check of the file (validate) has no times to qualify
            lines.update(dict.fromkeys(self._gpu_efficiency_notes(policies)))
        lines.update(dict.fromkeys(self._nearest_tie_notes(policies)))
        if placed:
            under = self._under({"": policies} if policies else None)
            lines.update(dict.fromkeys(self._placed_notes(under, here)))
        if here:  # what a run's device energy rests on
            lines.update(dict.fromkeys(power_note(self.nodes.values())))
        return tuple(lines)

    def _under(self, policies: Mapping[str, Any] | None) -> Under:
        """Where runs of ``policies`` (label -> policies; None: the scenario's own) may place layers."""
        return runs_under(self.scenario, policies, self.topology.reachable)

    def _placed_notes(self, under: Under, here: bool) -> list[str]:
        """The lines naming the hardware the runs may place layers on (``under``): precision, plain speeds.

        ``here``: with the plain speeds' line, which qualifies a run's times (not ``validate``'s).
        """
        groups = {name: node.group for name, node in self.nodes.items()}
        speeds = plain_speed_note(self.apps.values(), self._every_processor(), groups, under) if here else []
        return self._accuracy_notes(under) + speeds

    def _every_processor(self) -> list[ProcessorModel]:
        """Every processor of every node, a node's first one first (a GPU beside a CPU included)."""
        return [proc for node in self.processors for proc in self.processors_of(node)]

    def _passed_over_notes(self) -> list[str]:
        """A profile name whose lookup passed over a file: a shipped profile shadowed, or a file not read.

        Both follow the documented lookup order, and both were silent (docs/profiles.md).
        """
        named = {
            proc.spec.profile: getattr(proc.costs, "path", None) or None
            for proc in self._every_processor()
            if proc.spec.profile
        }
        if not named:
            return []
        from functools import partial

        from offloadsim.world.profiles.builtin import kept_while_planning
        from offloadsim.world.profiles.search import passed_over, profile_search_path

        dirs = profile_search_path(self.scenario.base_dir or None)
        found = (  # at every point of a sweep's planning, the same files: looked for once
            kept_while_planning(
                ("passed-over", name, str(read), *map(str, dirs)), (), partial(passed_over, name, read, dirs)
            )
            for name, read in named.items()
        )
        return [line for line in found if line is not None]

    def _inert_key_notes(self) -> list[str]:
        """Keys the scenario sets that this version does not act on: a run would not show it otherwise.

        A link's ``loss`` is recorded, not simulated; a ``compression`` codec no narrower than the
        model's precision compresses nothing; ``noise`` on a processor whose profile measured no
        run-to-run spread (a derived profile, a plain speed) draws nothing.
        """
        lines = []
        lossy = sorted({link.index for link in self.scenario.links if link.loss > 0.0})
        if lossy:
            keys = ", ".join(f"links[{i}].loss" for i in lossy)
            lines.append(
                f"{keys}: packet loss is recorded (the links table's loss_rate), not simulated: "
                "it does not slow transfers"
            )
        for app in self.apps.values():
            codec = app.spec.compression
            if codec != "none" and app.graph is not None and app.llm is None:
                from offloadsim.models.precision import BYTES

                if BYTES[codec] >= BYTES[app.precision]:
                    key = format_path(("applications", app.name, "compression"))
                    lines.append(
                        f"{key}: {codec} is no narrower than the model's "
                        f"{app.precision} activations, so nothing is compressed (and nothing is spent on it)"
                    )
        for proc in self._every_processor():
            if proc.spec.noise and not _calibrated(proc):
                node = self.nodes[proc.node]
                what = f"profile {quoted(proc.profile)}" if proc.profile else "a plain speed"
                key = format_path(("nodes", node.group, *proc.spec.path, "noise"))
                lines.append(
                    f"{key}: {what} measured no run-to-run spread, so every "
                    "stage takes its predicted time (noise needs a calibrated profile)"
                )
        return list(dict.fromkeys(lines))

    def _accuracy_notes(self, under: Under) -> list[str]:
        """One line for the applications run in another precision than their model's, or compressed.

        :func:`~offloadsim.world.precision_note.precision_note` (a sweep's manifest keeps it too).
        """
        from offloadsim.world.precision_note import precision_note

        groups = {name: node.group for name, node in self.nodes.items()}
        return precision_note(self.apps.values(), self._every_processor(), under, groups)

    def _unbounded_decode_notes(self) -> list[str]:
        """Plain speeds without ``memory_bandwidth`` that may run an LLM: its decode costs FLOPs alone.

        A decode step reads every weight and the KV cache for one token, so it is bound by memory
        bandwidth, not FLOPs; a processor given only a ``speed`` has no such bound, and its time per
        output token comes out far below any real one, without a word otherwise.
        """
        llms = [app for app in self.apps.values() if app.llm is not None]
        lines = []
        for proc in self._every_processor():
            if proc.costs is not None or proc.memory_Bps > 0.0:
                continue  # a profile (its memory bandwidth), or a bandwidth given
            served = [app.name for app in llms if app.spec.hosts is None or proc.node in app.spec.hosts]
            if served:
                node = self.nodes[proc.node]
                where = "processor" if len(node.processors) == 1 else f"processors.{proc.spec.name}"
                apps = ", ".join(f"applications.{name}" for name in served)
                lines.append(
                    f"nodes.{node.group}.{where}: a plain speed with no memory_bandwidth prices the LLM "
                    f"decode of {apps} by FLOPs alone, with no memory bound, so its time per output token "
                    "is too short: give memory_bandwidth"
                )
        return list(dict.fromkeys(lines))

    def decode_ceilings(self) -> tuple[float, ...]:
        """The tokens/s ceilings of the LLM decodes that run memory-bound on a built-in profile, each once.

        The run's tables print a mean decode rate at one of them as the bound it is
        (:mod:`offloadsim.analysis.decode_ceiling`), not to five digits.
        """
        return tuple(sorted({rate for _, _, rate in self._decode_ceilings()}))

    def _decode_ceilings(self) -> list[tuple[Any, Any, float]]:
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

    def _decode_ceiling_notes(self) -> list[str]:
        """One line for the LLMs whose decode runs memory-bound on a built-in profile: a ceiling.

        A decode step reads every weight, so on a derived profile it runs at the data sheet's (or
        the assumed) memory bandwidth, used in full: tokens/s is weights ÷ bandwidth, a ceiling
        that one request's measured decoding falls well short of (docs/profiles.md#llm-decoding-a-
        bandwidth-ceiling). A run reported 824 tok/s for Llama-3.2-1B on an A100 without a word.
        """
        said: dict[str, list[str]] = {}
        for app, proc, rate in self._decode_ceilings():
            where = f"{format_path(('applications', app.name))} ({app.llm.config.name})"
            ceiling = (
                f"{rate:,.0f} tok/s on {proc.profile}"
                if rate >= 100
                else f"{rate:.3g} tok/s on {proc.profile}"
            )
            said.setdefault(where, [])
            if ceiling not in said[where]:
                said[where].append(ceiling)
        if not said:
            return []
        each = "; ".join(f"{where} at most {', '.join(ceilings)}" for where, ceilings in said.items())
        return [
            f"LLM decode runs at the profile's full memory bandwidth, so its tokens/s is a "
            f"ceiling, not a measured rate ({each}): one request's measured decoding is slower "
            "(docs/profiles.md#llm-decoding-a-bandwidth-ceiling)"
        ]

    def _gpu_efficiency_notes(self, policies: tuple[Any, ...] | None = None) -> list[str]:
        """One line for the layer graphs a built-in GPU profile may cost: at an assumed efficiency.

        Every built-in GPU profile runs a layer at one assumed share of its data-sheet peak
        (:data:`~offloadsim.world.profiles.builtin.GPU_EFFICIENCY`); at a batch of one, published
        ResNet-50 latencies put the A100 7 times slower than that (docs/profiles.md#batch-one-
        against-published-latencies), and a run on the quickstart's cloud said nothing of it.
        An LLM's prefill runs at it too, and its time to first token with it (a new user's A100
        TTFT said nothing of it).  Said only where the GPU may run an application's layers: a node
        its ``hosts`` allow, that one of its sources reaches, and, under ``policies`` that keep
        every task on its source (``local``), a source itself (None: the scenario's own policy).
        The one published point is int8 ResNet-50: a model or precision it is not is said unchecked.
        """
        derived = [proc for proc in self._every_processor() if getattr(proc.costs, "kind", None) == "derived"]
        if not derived:
            return []  # nothing to say, and no need to import the profiles' code (start-up)
        from offloadsim.world.profiles.builtin import GPU_EFFICIENCY

        gpus = [proc for proc in derived if proc.costs.efficiency == GPU_EFFICIENCY]  # not a CPU's
        if not gpus:
            return []
        placed = placements(self.scenario.policy if policies is None else policies)
        entries: list[tuple[str, str, str, str]] = []  # (application, model, precision, GPU profile)
        for app in self.apps.values():
            if app.llm is not None:  # its prefill (TTFT); its decode has its own note, a ceiling
                model = f"{app.llm.config.name} prefill"
            elif app.graph is not None:
                model = app.graph.name
            else:
                continue  # a plain work has no layers
            where = format_path(("applications", app.name))
            sources = sources_of(self.scenario, app.name)
            for proc in gpus:
                if self._may_run(app, proc.node, sources, placed):
                    entries.append((where, model, app.precision, proc.costs.name))
        return [_gpu_note(entries)] if entries else []

    def _nearest_tie_notes(self, policies: tuple[Any, ...] | None = None) -> list[str]:
        """Under ``edge`` (``cloud``), sources with several equally near nodes of its tier: all go to one.

        Ties go to the first node (docs/policies.md), so two edge servers as near as each other
        are one server and a spare: said, with the policy that spreads them.
        """
        from offloadsim.policies.basic import NearestTierPolicy

        made = policy_objects(self.scenario.policy if policies is None else policies) or []
        lines = []
        sources = list(dict.fromkeys(src for entry in self.scenario.workload for src in entry.sources))
        for tier in dict.fromkeys(p.tier for p in made if isinstance(p, NearestTierPolicy)):
            candidates = tuple(node for node in self.processors if self.nodes[node].tier == tier)
            if len(candidates) < 2:
                continue
            nearest = _equally_nearest(self.topology.graph, candidates)
            chosen = self.topology.nearest(tier, candidates)
            ties: dict[tuple[str, tuple[str, ...]], list[str]] = {}
            for src in sources:
                if src not in chosen:
                    continue
                node = chosen[src][0]
                same = tuple(c for c in nearest.get(src, ()) if c != node)
                if same:
                    ties.setdefault((node, same), []).append(src)
            for (node, same), tied in ties.items():
                latency = format_quantity(self.topology.route(tied[0], node).latency_s, "time")
                idle, one = self._nodes_text(list(same)), len(same) == 1
                verb, gets = ("is", "gets") if one else ("are", "get")
                lines.append(
                    f"policy {tier} sends every task of {self._nodes_text(tied)} to {node}: {idle} {verb} "
                    f"as near ({latency}) and ties go to the first node, so {idle} {gets} none of them; "
                    f"least-loaded (tiers: [{tier}]) spreads them"
                )
        return lines

    def _nodes_text(self, names: list[str], most: int = 3) -> str:
        """``phone-*`` for every node of a counted group, else the names (the first ``most``, and a count)."""
        groups: dict[str, list[str]] = {}
        for name in names:
            groups.setdefault(self.nodes[name].group, []).append(name)
        said: list[str] = []
        for group, members in groups.items():
            size = sum(node.group == group for node in self.nodes.values())
            said += [f"{group}-*"] if size > 1 and len(members) == size else members
        if len(said) > most:
            return f"{', '.join(said[:most])} and {len(said) - most} more"
        return _listed(said)

    def _may_run(self, app: AppTemplate, node: str, sources: set[str], placed: list[Any] | None) -> bool:
        """:func:`~offloadsim.world.placed.may_run` on this world's topology."""
        return may_run(app.spec.hosts, node, self.nodes[node].tier, sources, placed, self.topology.reachable)

    def _profile_notes(self, here: bool = True) -> list[str]:
        """Trust of the calibrated profiles this world costs with; ``here``: their CPU against ours too."""
        every = self._every_processor()
        if not any(_calibrated(proc) for proc in every):
            return []  # nothing to say, and no need to import the calibrated profiles' code
        from functools import partial

        from offloadsim.host import cpu_model
        from offloadsim.world.profiles.another_cpu import another_cpu_note
        from offloadsim.world.profiles.builtin import kept_while_planning
        from offloadsim.world.profiles.trust import caveats

        graphs: dict[int, dict[str, Any]] = {}
        profiles: dict[int, Any] = {}
        for proc in every:
            if not _calibrated(proc):
                continue
            profiles[id(proc.costs)] = proc.costs
            hosted = graphs.setdefault(id(proc.costs), {})
            for app in self.apps.values():
                hosts = app.spec.hosts
                if app.graph is not None and (hosts is None or proc.node in hosts):
                    hosted[f"{format_path(('applications', app.name))} ({app.graph.name})"] = app.graph
        lines = []
        # The machine's CPU, and a profile's against it, read once in a sweep's planning.
        this_cpu = kept_while_planning(("cpu-model",), (), cpu_model) if here else None
        for key, profile in profiles.items():
            note = None
            if this_cpu is not None:
                against = partial(another_cpu_note, profile, this_cpu)
                note = kept_while_planning(("another-cpu", this_cpu), (profile,), against)
            if note:
                lines.append(note)
            hosted = graphs[key]  # the same profile and graphs at each point of a sweep's planning
            about = ("caveats", *hosted)  # the labels its lines name the graphs by
            made = partial(caveats, profile, hosted)
            lines += kept_while_planning(about, (profile, *hosted.values()), made)
        return lines + self._calibrated_llm_notes(every)

    def _calibrated_llm_notes(self, every: list[ProcessorModel]) -> list[str]:
        """LLMs a calibrated profile costs: by the roofline of its two sustained rates, not its timed kernels.

        The trust checks judge a layer graph against the units the profile timed; an LLM has no
        layer graph there, and its prefill and decode run at the profile's one sustained FLOP/s and
        memory bandwidth, however few of its operations (attention, RMSNorm, SwiGLU) were timed.
        Without this line a run on a CNN-calibrated profile said nothing of it.
        """
        lines = []
        for proc in every:
            if not _calibrated(proc):
                continue
            for app in self.apps.values():
                hosts = app.spec.hosts
                if app.llm is None or (hosts is not None and proc.node not in hosts):
                    continue
                where = format_path(("applications", app.name))
                lines.append(
                    f"{where} ({app.llm.config.name}) on {proc.profile}: a calibrated profile costs an LLM's "
                    f"prefill and decode at its sustained {format_quantity(proc.speed_flops, 'speed')} and "
                    f"{proc.memory_Bps / 1e9:.4g} GB/s (a roofline), not by the kernels it timed"
                )
        return lines

    def layer_seconds(self, app: str, node: str, processor: str | None = None) -> np.ndarray:
        """Per-layer service times of model ``app`` on a processor of ``node`` (None: its first), cached.

        From the processor's profile (derived roofline or calibrated fit) when
        it names one, else FLOPs ÷ speed (bounded by memory bandwidth if given).
        """
        proc = self.processor(node, processor)
        # Nodes with the same profile (or the same plain speed) share one array.
        key = (
            (app, id(proc.costs))
            if proc.costs is not None
            else (app, proc.speed_flops, proc.spec.memory_bandwidth_Bps)
        )
        cached = self._layer_seconds.get(key)
        if cached is None:
            graph = self.apps[app].graph
            if graph is None:
                raise LookupMessage(f"application {app!r} has no layer graph")
            if proc.costs is not None:
                cached = np.array(proc.costs.layer_seconds(graph), dtype=np.float64)
            else:
                from offloadsim.world.profiles.builtin import roofline_layer_seconds  # models only

                cached = roofline_layer_seconds(graph, proc.speed_flops, proc.spec.memory_bandwidth_Bps)
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
        or of each where they are named (label -> policy: :meth:`notes_under_each`, a comparison's).
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
        if isinstance(policies, Mapping):
            notes = self.notes_under_each(policies)
        else:
            notes = self.notes if policies is None else self.notes_under(*policies)
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
            return f"~{text}" if _calibrated(proc) else text

        if len(processors) == 1:
            return rate(processors[0])
        each = (f"{p.spec.name} {rate(p)}" for p in processors)
        return f"({', '.join(each)})"


#: The precision and model of the one published batch-one point (:mod:`~offloadsim.world.profiles.published`).
_CHECKED = ("int8", "resnet50")


class GpuNote(str):
    """The GPU efficiency line, keeping what it is of, so that several worlds' lines merge into one.

    ``entries``: (application, model, precision, GPU profile).  A sweep over precision built one
    world a point, each saying the line of its own precision: two long lines, alike but for it.
    """

    entries: tuple[tuple[str, str, str, str], ...]


def _gpu_note(entries: list[tuple[str, str, str, str]]) -> GpuNote:
    """The one line on layer graphs costed on built-in GPU profiles at an assumed efficiency."""
    from offloadsim.world.profiles.builtin import GPU_EFFICIENCY
    from offloadsim.world.profiles.published import SECTION, batch_one_ratio

    said: dict[tuple[str, str], tuple[dict[str, None], dict[str, None]]] = {}  # precisions, profiles
    for where, model, precision, profile in entries:
        precisions, on = said.setdefault((where, model), ({}, {}))
        precisions[precision] = on[profile] = None
    each = "; ".join(
        f"{where} ({model}, {' and '.join(precisions)}) on {', '.join(on)}"
        for (where, model), (precisions, on) in said.items()
    )
    ratios = {name: batch_one_ratio(name) for *_, name in entries}
    times = ", ".join(f"{ratio:.2g}x on {name}" for name, ratio in ratios.items() if ratio is not None)
    unpublished = ", ".join(name for name, ratio in ratios.items() if ratio is None)
    published = [
        f"one published point checks it, int8 ResNet-50 at batch one, slower than simulated: {times}"
    ] * bool(times)
    published += [f"no published batch-one time checks {unpublished}"] * bool(unpublished)
    unchecked = list(dict.fromkeys(x for _, model, precision, _ in entries for x in (precision, model)))
    unchecked = [x for x in unchecked if x not in _CHECKED]
    if unchecked:
        published.append(f"{' and '.join(unchecked)} {'is' if len(unchecked) == 1 else 'are'} not checked")
    note = GpuNote(
        f"{each}: a built-in GPU profile runs each layer at an assumed {GPU_EFFICIENCY:.2f} of its "
        f"data-sheet peak, not a rate measured at a batch of one; {'; '.join(published)} ({SECTION})"
    )
    note.entries = tuple(entries)
    return note


def merged_notes(notes: Iterable[str]) -> dict[str, list[str]]:
    """``notes`` with the GPU efficiency lines of several worlds as one (at the first's place).

    Each line said maps to the notes it stands for (a note to itself): a sweep's dry run says
    which points a merged line is of from them.
    """
    notes = list(dict.fromkeys(notes))
    gpu = [note for note in notes if isinstance(note, GpuNote)]
    merged: dict[str, list[str]] = {}
    for note in notes:
        if not isinstance(note, GpuNote) or len(gpu) < 2:
            merged[note] = [note]
        elif note is gpu[0]:
            merged[_gpu_note([entry for each in gpu for entry in each.entries])] = list[str](gpu)
    return merged


def _equally_nearest(graph: Any, candidates: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """For every node, the candidates nearest it by route weight, all of them where several tie.

    One search from every candidate at once (as :meth:`Topology.nearest`), keeping each node's
    tied candidates: a node's predecessors on its shortest routes are nearer (every link weighs
    more than 0), so its set is whole when it is taken from the heap.
    """
    import heapq

    best: dict[str, float] = {}
    sets: dict[str, tuple[str, ...]] = {}  # shared, not copied: a thousand phones behind one access point
    heap = [(0.0, i, c) for i, c in enumerate(candidates)]
    for _, _, c in heap:
        best[c], sets[c] = 0.0, (c,)
    heapq.heapify(heap)
    done: set[str] = set()
    count = len(heap)
    while heap:
        dist, _, node = heapq.heappop(heap)
        if node in done or dist > best[node]:
            continue
        done.add(node)
        found = sets[node]
        for neighbour, attrs in graph[node].items():
            if neighbour in done:
                continue
            new = dist + attrs["weight"]
            old = best.get(neighbour, math.inf)
            if new < old and not math.isclose(new, old, rel_tol=1e-9):
                best[neighbour], sets[neighbour] = new, found
                count += 1
                heapq.heappush(heap, (new, count, neighbour))
            elif math.isclose(new, old, rel_tol=1e-9) and sets[neighbour] is not found:
                sets[neighbour] = tuple(dict.fromkeys((*sets[neighbour], *found)))
    return sets


def _listed(labels: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: the policies a note holds under."""
    return f"{', '.join(labels[:-1])} and {labels[-1]}" if len(labels) > 1 else labels[0]


def _calibrated(proc: ProcessorModel) -> bool:
    """Whether ``proc`` costs layers by a calibrated profile's fit, not at one rate."""
    return getattr(proc.costs, "kind", None) == "calibrated"


def _fit_alone_note(proc: ProcessorModel, graph: LayerGraph, precision: str) -> str:
    """What a calibrated profile does with a layer graph in another precision than fp32: its fit alone.

    ``calibrate`` times fp32 kernels, so no timed unit stands for an int8 layer: each is priced by
    the profile's fit, from its FLOPs and its (fewer) bytes moved (docs/calibration.md, "How far a
    profile can be trusted").  The note said "costed at its measured rate" while ResNet-50's time on
    ``xeon-ort-1t`` fell 5.5 % in int8; it says how far the fit moved it from fp32.
    """
    from offloadsim.models.precision import with_precision

    own = float(proc.costs.layer_seconds(graph).sum())
    fp32 = float(proc.costs.layer_seconds(with_precision(graph, "fp32")).sum())
    change = own / fp32 - 1.0 if fp32 > 0.0 else 0.0
    moved = (
        f"{abs(change) * 100:.1f} % {'less' if change < 0 else 'more'} time than in fp32"
        if change
        else "as in fp32"
    )
    return (
        f"calibrate times fp32 kernels only, so each {precision} layer is costed from the profile's fit "
        f"alone (its FLOPs and its {precision} bytes moved), not at a measured {precision} rate: "
        f"{moved} (docs/calibration.md#how-far-a-profile-can-be-trusted)"
    )


def _rate_label(proc: ProcessorModel) -> str:
    """``15.68 GFLOP/s``; a calibrated profile's ``~124.8 GFLOP/s sustained, calibrated``.

    A calibrated profile's rate is the average of its timed units (docs/calibration.md, "The
    sustained rate"): no layer need run at it, and ResNet-50 runs faster. A new user read the dry
    run's bare ``edge (124.8 GFLOP/s x4)`` as the rate every layer runs at.
    """
    speed = format_quantity(proc.speed_flops, "speed")
    return f"~{speed} sustained, calibrated," if _calibrated(proc) else speed


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


def precision_speed(proc: ProcessorModel, precision: str) -> tuple[float, str | None]:
    """Sustained FLOP/s of ``proc`` for work in ``precision``, and a note when it is not that precision's.

    A derived profile gives the peak it states for the precision (or the
    closest one it states, along the fallback rule) times its efficiency.
    A calibrated profile was timed in fp32 and serves every precision at its
    measured rate; a plain ``speed`` serves every precision.
    """
    if proc.costs is None:
        return proc.speed_flops, None
    peak_for = getattr(proc.costs, "peak_for", None)
    if peak_for is None:
        note = None
        if precision != "fp32":
            note = f"a calibrated profile timed in fp32; {precision} work is costed at its measured rate"
        return proc.speed_flops, note
    used, peak = peak_for(precision)
    note = None
    if used != precision:
        from offloadsim.models.precision import fallback_chain

        chain = fallback_chain(precision)
        rule = " -> ".join(chain[: chain.index(used) + 1])
        note = f"states no {precision} peak; its {used} peak stands in ({rule})"
    return peak * proc.costs.efficiency, note


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
            raise WorldError(format_path(("nodes", node.group, *spec.path, "profile")), message) from None
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
    """Resolve a scenario into a :class:`World` (raises :class:`WorldError` on a bad name)."""
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
        raise WorldError("network.model", error.args[0]) from None
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


def precision_notes(scenario: Scenario, policies: Mapping[str, Any] | None = None) -> list[str]:
    """:class:`World`'s notes on where its numbers come from, worked out without building the topology.

    What a sweep or comparison keeps in its manifest (``precision_notes``) for the figures to say:
    the world of each of its points is built in its jobs' processes, not the command's.  The note
    on another precision or a codec, the one on plain ``speed:`` processors, and the one on the
    ``power:`` values (:data:`~offloadsim.world.stated_note.POWER_DOC` ends it: said under energy
    figures).  No application is built where none sets a precision or a codec (most scenarios).
    ``policies``: those compared (label -> policy; None: the scenario's own), which say the
    hardware they may place on (without a topology, a node they allow is taken to be reached).
    """
    from offloadsim.models.precision import parse_precision
    from offloadsim.world.precision_note import precision_note

    specs = scenario.applications.values()
    precise = any(spec.compression != "none" or parse_precision(spec.model_params) for spec in specs)
    plain = any(spec.speed_flops is not None for node in scenario.nodes for spec in node.processors)
    notes = power_note(scenario.nodes)
    if not precise and not plain:
        return notes
    profiles: dict[str, Any] = {}
    processors = [
        _processor(node, spec, scenario.base_dir, profiles)
        for node in scenario.nodes
        for spec in node.processors
        if precise or spec.speed_flops is not None
    ]
    groups = {node.name: node.group for node in scenario.nodes}
    under = runs_under(scenario, policies)
    # where it may run is all the plain speeds' line asks of an application: no model built for it
    apps = [_app(spec) if precise else AppTemplate(spec, 0, None, None, ()) for spec in specs]
    said = precision_note(apps, processors, under, groups) if precise else []
    return said + plain_speed_note(apps, processors, groups, under) + notes
