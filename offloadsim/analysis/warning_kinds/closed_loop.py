"""The ``closed_loop`` warning: a closed loop's users spent nearly all their time waiting for answers.

A closed loop's user sends its next request only once its last one is answered and it has thought:
each user completes one request per latency plus think time, so the loop's task throughput is its
users over that cycle (the interactive response-time law), whatever the nodes could do beside it.
A loop of long requests (an LLM's answers of a hundred tokens, each some seconds) read 0.1 tasks/s
with no word of why, as if it were what the nodes could serve (one user on a 3-Jetson pipeline:
0.092 tasks/s, each Jetson a third busy, where more users keep the first one busy throughout).
Where a loop's users waited at least :data:`WAITING` of their cycle (its mean latency over latency
plus mean think time) and no node was busy all the time, nor any link direction carried its
capacity (:data:`~offloadsim.analysis.warning_kinds.shared.BUSY`: a node or link that did sets the
pace itself, and the throughput is its capacity; 16 to 64 users of ViT-B/16 sent to a cloud over a
1 Gbit/s uplink all read 207 tasks/s, the uplink full, where the warning had said more users raise
it), the run says its throughput is the users' pace, with the numbers to check it.
"""

from __future__ import annotations

import math

import numpy as np

from offloadsim.analysis.metric_registry import task_chunks
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.shared import node_set_the_pace, saturated_links
from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

__all__ = ["CLOSED_LOOP", "KIND", "WAITING", "loops_said", "nothing_full", "served"]

#: The kind's name (``WarningFacts.kind``): a closed loop whose users were all waiting.
CLOSED_LOOP = "closed_loop"
#: A loop whose users spent this share of their cycle waiting for answers is said to be paced by them.
WAITING = 0.9


def served(tasks: object) -> dict[tuple[str, str], tuple[int, float]]:
    """(source, app) -> its completed tasks and their summed latency, over the records' chunks."""
    found: dict[tuple[str, str], tuple[int, float]] = {}
    for chunk in task_chunks(tasks, ("source", "app", "status", "latency")):
        status, states = chunk.codes("status")
        if "completed" not in states:
            continue
        done = status == states.index("completed")
        source, sources = chunk.codes("source")
        app, apps = chunk.codes("app")
        pair = source[done].astype(np.int64) * len(apps) + app[done]  # one bincount, not a mask a pair
        latency = np.nan_to_num(chunk.floats("latency")[done], nan=0.0)
        counts = np.bincount(pair, minlength=len(sources) * len(apps))
        totals = np.bincount(pair, weights=latency, minlength=len(sources) * len(apps))
        for code in np.flatnonzero(counts).tolist():
            key = (sources[code // len(apps)], apps[code % len(apps)])
            count, total = found.get(key, (0, 0.0))
            found[key] = (count + int(counts[code]), total + float(totals[code]))
    return found


def nothing_full(inputs: WarningInputs) -> bool:
    """Whether the run has closed loops, measured time, and no node busy nor link full all of it.

    Where one was, its capacity is the loops' throughput, whatever their users do.
    """
    return (
        bool(inputs.loops)
        and inputs.duration_s > 0
        and not node_set_the_pace(inputs.nodes)
        and not saturated_links(inputs.links)
    )


def loops_said(
    opening: str, said: list[str], why: str, kind: str, numbers: list[tuple[str, float]]
) -> list[Said]:
    """The one warning naming the loops ``said`` (none where empty): the opening, each loop, then why."""
    if not said:
        return []
    text = f"{opening}: " + "; ".join(said) + f". {why}"
    return [(text, WarningFacts(kind, numbers=tuple(numbers)))]


def _detect(inputs: WarningInputs) -> list[Said]:
    """One warning naming the loops whose users waited at least :data:`WAITING` of their cycle."""
    if not nothing_full(inputs):
        return []
    said, numbers = [], []
    for (source, app), (count, total) in sorted(served(inputs.tasks).items()):
        users, think = inputs.loops.get((source, app), (0, math.nan))
        if not users or not count:
            continue
        latency = total / count
        cycle = latency + think
        if not cycle > 0 or latency / cycle < WAITING:
            continue
        rate = count / inputs.duration_s
        who = f"{users:,} user{'s' if users > 1 else ''}"
        said.append(
            f"{app} from {source} ({who} waiting {latency / cycle:.0%} of the time, mean latency "
            f"{latency:.3g} s: {rate:.3g} tasks/s, about {users:,} ÷ {cycle:.3g} s)"
        )
        numbers.append((f"{source}/{app}", rate))
    why = (
        "Each user sends again only once answered, so the task throughput is users ÷ (latency + "
        "think), their pace: no node was busy all the time and no link carried its capacity, so it is "
        "not what the nodes and links could serve; more users raise it"
    )
    return loops_said("closed loop paced by its users", said, why, CLOSED_LOOP, numbers)


KIND = WarningKind(
    name=CLOSED_LOOP,
    detect=_detect,
    legend="a closed loop whose users were all waiting: its throughput is their pace",
    opening="closed loop paced by its users",
    legend_rank=5,
    length_dependent=False,
    loops_explained_by=("lockstep",),  # bunched users: more of them need not raise the throughput
)
