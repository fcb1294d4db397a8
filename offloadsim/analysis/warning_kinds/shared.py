"""The thresholds and wording several kinds of run warning share.

A node busy 99 % of the measured time never drained its queue (``busy_growing``; a settling warning
names nodes below it), as a link direction that carried as much of its capacity
(``saturated_links``); busy half of it, a node waits about as long as it serves (``settling``; the
``overloaded`` kind's groups, the LLM clause's nodes).  A backlog or queue grows by at least
``GROWTH_TASKS`` to be called growth.  Each warning naming nodes names ``SHOWN`` and counts the rest.
"""

from __future__ import annotations

from offloadsim.analysis.table_columns import Table, floats, has, rows, strings

__all__ = [
    "BUSY",
    "SETTLE_BUSY",
    "GROWTH_TASKS",
    "OFFERED_SAID",
    "OPEN_SAID",
    "SHOWN",
    "more",
    "node_set_the_pace",
    "saturated_links",
]

#: A node busy this share of the measured time never drained its queue.
BUSY = 0.99
#: A node busier than this per core keeps its tasks waiting about as long as it serves them (M/M/1:
#: wait >= service from a load of 0.5), so how its queue started (empty) weighs on its mean latency
#: until the run has lasted several relaxation times (Abate & Whitt 1987, the M/M/1 queue started
#: empty): under 5, a mean reads low by something of the order of a fifth.
SETTLE_BUSY = 0.5
#: A backlog must grow by at least this many tasks (or waiting stages) to be called growth.
GROWTH_TASKS = 10
SHOWN = 3  # nodes named per warning
#: What a node's offered load is (:mod:`~offloadsim.analysis.offered_load`), as the settling and the
#: ``overloaded`` warnings say it: not the profile's nominal load but the rates times what the run
#: measured.  Said as "the scenario's arrival rates times the node's time a task", an M/M/1 queue
#: offered 85 % (exponential service, mean 1 s) read "77% offered" over 120 s, its completed tasks'
#: mean 0.902 s.
OFFERED_SAID = (
    "the scenario's arrival rates times the node's share of their completed tasks and its mean time "
    "a task, both as this run measured them"
)
#: Said after the loads where a node named is fed by open and closed loops both, its load the open
#: loops' alone (``WarningInputs.mixed_fed``): the settling and the ``overloaded`` warnings.
OPEN_SAID = (
    "; open-loop offered: its open loops' rates alone; closed loops feed it too, their share not counted"
)


def more(count: int) -> str:
    """What a warning naming ``SHOWN`` of ``count`` nodes adds: `` and 4 more nodes``."""
    return f" and {count - SHOWN} more nodes" if count > SHOWN else ""


def node_set_the_pace(nodes: Table | None) -> bool:
    """Whether some node was busy all the time (its first processor, per core): then it is the limit."""
    if nodes is None or not rows(nodes) or not has(nodes, "utilisation"):
        return False
    return bool((floats(nodes, "utilisation") >= BUSY).any())


def saturated_links(links: Table | None) -> list[str]:
    """The link directions (``a->b``) that carried nearly their capacity in the measured time, fullest first.

    A pipeline's cut tensor or an upload can be what does not keep up: the tasks pile up on a
    link, where a node's queue and the busy nodes' warning show nothing.
    """
    if links is None or not rows(links) or not has(links, "utilisation"):
        return []
    used = floats(links, "utilisation")
    ends = zip(strings(links, "a"), strings(links, "b"), strict=True)
    named = [(-u, f"{a}->{b}") for (a, b), u in zip(ends, used, strict=True) if u >= BUSY]
    return [name for _, name in sorted(named)]
