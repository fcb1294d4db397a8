"""The ``settling`` warning: a node loaded enough, for long enough tasks, that the run is too short to settle.

Its facts carry the relaxation time of the slowest queue and the length it asks for; compare and
sweep say the longest of their runs' (:func:`_settling_note`).  A node offered ``CRITICAL_LOAD``
or more gets no length at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from offloadsim.analysis.table_columns import Table, floats, has, rows, strings
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.shared import BUSY, OFFERED_SAID, OPEN_SAID, SETTLE_BUSY, SHOWN, more
from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

__all__ = [
    "KIND",
    "CRITICAL_LOAD",
    "SETTLE_RELAXATIONS",
    "SETTLING_WARNING",
    "critical_said",
    "settle_candidates",
    "settling_warnings",
]

#: The kind's name (``WarningFacts.kind``): a node's queue relaxes over more than a fifth of the run.
SETTLING = "settling"

#: How many relaxation times a run must last not to be warned too short to settle.
SETTLE_RELAXATIONS = 5
#: An offered load per core at or above which no run length is advised: the node is critically loaded.
#: The relaxation time's elasticity to the load, ``sqrt(rho) / (1 - sqrt(rho))``, is about 200 here
#: (a load 0.5 % higher quadruples it), and a 1 % error in the rate or the time a task (a calibrated
#: profile is held to +-10 %) carries the node to capacity, where no length settles: a camera
#: offered 99.988 % was told to run 2,734,233,040 s.
CRITICAL_LOAD = 0.99
#: How the settling warning begins: what a comparison's notes tell it by in a row without facts.
SETTLING_WARNING = "too short to settle"
_NOTE_SHOWN = 3  # nodes named per compare's or sweep's note


def settle_candidates(nodes: Table | None) -> bool:
    """Some node was busy at least half its measured time: the settling warning may name it."""
    if nodes is None or not rows(nodes) or not has(nodes, "utilisation"):
        return False
    return bool((floats(nodes, "utilisation") >= SETTLE_BUSY).any())


def settling_warnings(
    nodes: Table | None,
    duration_s: float,
    whole: Mapping[str, tuple[float, int]],
    offered: Mapping[str, float] | None = None,
    closed: frozenset[str] = frozenset(),
    mixed: Mapping[str, float | None] | None = None,
) -> list[Said]:
    """Nodes loaded enough, for long enough tasks, that the run is too short for a steady mean latency.

    A single Jetson serving an 8B model at 88 % of its time (a request 13 s of decoding) gave a mean
    latency of 41 s over 600 s runs and 70 s over 6,000 s ones (means of 20 and 6 seeds), and no
    warning: its queue neither grew all run nor kept it busy 99 % of the time.  Its queue takes
    about ``tau = S / (c (1 - sqrt(rho))^2)`` to forget that it started empty (the M/M/1 relaxation
    time, ``S`` the mean compute time of the tasks it ran whole, ``whole``'s, ``c`` its cores,
    ``rho`` its load per core): 3,400 s there.  ``rho`` is the node's offered load where
    ``offered`` has it (the compute seconds a second the scenario's arrival rates bring it, at its
    share of the completed tasks and their mean compute time as the run measured them:
    :mod:`~offloadsim.analysis.offered_load`), else its busy share of the measured time, which over
    a short run is noisy where ``tau`` is most sensitive to it (``compare-load``'s phones, offered
    0.81, measured up to 1.00).  A node loaded ``rho >= 0.5`` (below 1 offered, or below 99 % busy,
    the overload warning's) whose measured time is under 5 ``tau`` is named.  No shipped scenario
    warns under its own policy; under the policies its header compares, only ``compare-load``'s
    ``local`` does (phones offered 81 % for 60 s, ``tau`` 51 s).  A node in ``closed`` (every task
    it ran sent by a closed loop) is no open queue and is never named: a 1-user loop, which never
    queues (mean wait 0.0 ms), was told from its 98 % busy share to run 8,289 s.  A node in
    ``mixed`` (open and closed loops both fed it) is judged by the load its open loops alone offer
    it (``open-loop offered``): its busy share counts the closed loops' work, whose users wait
    rather than queue, so the rule read it as an open queue's (a 1-user loop and a trickle of
    Poisson requests, busy 93 %, was told to run thousands of seconds); that load is the open
    queue's own, not counting the closed loops' time on the node.  Where the open loops' load is
    not known (a trace's arrivals, a split task), the rule cannot judge the node and does not name
    it.
    """
    if nodes is None or not rows(nodes) or duration_s <= 0 or not whole or not has(nodes, "utilisation"):
        return []
    names, util, cores = strings(nodes, "node"), floats(nodes, "utilisation"), floats(nodes, "cores")
    offered, mixed = offered or {}, mixed or {}
    unsettled: list[tuple[float, str, str, float, bool]] = []  # (relaxation, described, node, load, offered)
    for i, name in enumerate(names.tolist()):
        total, count = whole.get(str(name), (0.0, 0))
        if not count or str(name) in closed:
            continue
        open_load = mixed.get(str(name))
        if str(name) in mixed and open_load is None:  # open and closed loops, the open load not known
            continue
        service, per_core = total / count, max(cores[i], 1.0)
        known = str(name) in offered or open_load is not None
        load = float(
            (open_load if open_load is not None else offered[str(name)]) / per_core if known else util[i]
        )
        if not (SETTLE_BUSY <= load < (1.0 if known else BUSY)):
            continue
        relaxation = service / (per_core * (1.0 - math.sqrt(load)) ** 2)
        if duration_s < SETTLE_RELAXATIONS * relaxation:
            how = ("open-loop offered" if open_load is not None else "offered") if known else "busy"
            if load >= CRITICAL_LOAD:  # its relaxation time is no guide (CRITICAL_LOAD): said apart
                said, relaxation = f"{name} {load:.2%} {how}, {service:.3g} s a task", math.inf
            else:
                said = f"{name} {load:.0%} {how}, {service:.3g} s a task, relaxation time {relaxation:,.0f} s"
            unsettled.append((relaxation, said, str(name), load, known))
    if not unsettled:
        return []
    unsettled.sort(key=lambda entry: -entry[0])  # stable: the slowest to settle first, as the length asked
    longest, described = unsettled[0][0], [entry[1] for entry in unsettled]
    critical = tuple(name for relaxation, _, name, _, _ in unsettled if math.isinf(relaxation))
    if critical:
        advice = f"{critical_said()}: no practical run length settles; lower the rate or add capacity"
    else:
        advice = (
            f"more than a fifth of the {duration_s:,.0f} s measured: latencies likely read low; "
            f"run {SETTLE_RELAXATIONS * longest:,.0f} s or longer"
        )
    text = (
        f"{SETTLING_WARNING}: {'; '.join(described[:SHOWN])}{more(len(described))} "
        f"({_load_said({known for *_, known in unsettled[:SHOWN]}, relaxation=not critical)}"
        f"{OPEN_SAID if any(entry[2] in mixed for entry in unsettled[:SHOWN]) else ''}), {advice}"
    )
    facts = WarningFacts(
        SETTLING,
        nodes=tuple((name, load) for _, _, name, load, _ in unsettled[:SHOWN]),
        node_count=len(unsettled),
        relaxation_s=math.nan if critical else float(longest),
        length_s=math.nan if critical else float(SETTLE_RELAXATIONS * longest),
        offered_nodes=tuple(name for _, _, name, _, known in unsettled[:SHOWN] if known),
        critical_nodes=critical,
    )
    return [(text, facts)]


def critical_said() -> str:
    """How a node offered ``CRITICAL_LOAD`` or more is said: in a run's warning, a comparison's note."""
    return (
        f"critically loaded (offered {CRITICAL_LOAD:.0%} or more per core: an error of 1 % in the "
        "rate or the time a task is enough to overload it)"
    )


def _load_said(offered: set[bool], *, relaxation: bool = True) -> str:
    """How a settling warning says what the loads it names are, and (``relaxation``) its relaxation time."""
    said = []
    if True in offered:
        said.append(f"offered: {OFFERED_SAID}")
    if False in offered:
        said.append("busy: its share of the measured time")
    if relaxation:
        said.append(f"relaxation time {_RELAXATION}: an order-of-magnitude guide")
    return "; ".join(said)


_RELAXATION = "S / (c (1 - sqrt(load))^2), an M/M/1 queue's started empty (Abate & Whitt 1987)"


def _settling_note(where: str, facts: list[WarningFacts]) -> str:
    """The settling warnings of several runs as one note: the busiest nodes named, the length to run.

    A run's warning names its first few nodes and counts the others, and asks for 5 relaxation
    times of the slowest of all of them: the note's relaxation time is that one, the longest, and
    its length the longest asked.  ``facts`` are those the runs kept: none from job files saved
    before they were, whose note says so rather than a length it does not know.
    """
    lead = f"too short to settle in {where}"
    critical = list(dict.fromkeys(name for found in facts for name in found.critical_nodes))
    if critical:  # no length settles these runs, however long the others ask (CRITICAL_LOAD)
        extra = f" and {len(critical) - _NOTE_SHOWN} more" if len(critical) > _NOTE_SHOWN else ""
        return (
            f"{lead}: {', '.join(critical[:_NOTE_SHOWN])}{extra} {critical_said()}: "
            "no practical run length settles; lower the rate or add capacity"
        )
    facts = [found for found in facts if math.isfinite(found.relaxation_s) and math.isfinite(found.length_s)]
    if not facts:
        return f"{lead}: latencies likely read low (job files of an older offloadsim keep no length to run)"
    busiest: dict[str, float] = {}
    offered: set[str] = set()  # named by their offered load, not their busy share
    for found in facts:
        offered.update(found.offered_nodes)
        for name, share in found.nodes:
            busiest[name] = max(busiest.get(name, 0.0), share)
    counts = {found.node_count for found in facts}  # how many nodes each run's warning was about
    most = max(counts)
    relaxation = max(found.relaxation_s for found in facts)
    length = max(found.length_s for found in facts)
    shown = sorted(busiest, key=lambda name: -busiest[name])[:_NOTE_SHOWN]
    said = [f"{name} {busiest[name]:.0%}" for name in shown]
    if offered & set(shown):  # each says which: an offered load or a busy share
        said = [
            f"{text} {'offered' if name in offered else 'busy'}"
            for text, name in zip(said, shown, strict=True)
        ]
    named = ", ".join(said) + ("" if offered & set(shown) else " busy")
    unsettled = f"{'up to ' if len(counts) > 1 else ''}{most:,} nodes too slow to settle in a run"
    busy = (f"{unsettled}, among them {named}" if most > len(shown) else named) + ", "
    return (
        f"{lead} ({busy if busiest else ''}relaxation time up to {relaxation:,.0f} s): "
        f"latencies likely read low; run {length:,.0f} s or longer"
    )


def _detect(inputs: WarningInputs) -> list[Said]:
    return settling_warnings(
        inputs.nodes, inputs.duration_s, inputs.whole, inputs.offered, inputs.closed_fed, inputs.mixed_fed
    )


def _note(where: str, warned: Sequence[tuple[str, WarningFacts | None]], unbatched: str) -> str:
    return _settling_note(where, [facts for _, facts in warned if facts is not None])


KIND = WarningKind(
    name=SETTLING,
    detect=_detect,
    legend="too short to settle, likely read low",
    opening=SETTLING_WARNING,
    legend_rank=0,
    note=_note,
    group_column="utilisation",
    group_least=SETTLE_BUSY,
)
