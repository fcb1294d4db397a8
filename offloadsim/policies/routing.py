"""Model selection: serve a request with its own model or one of its alternatives, wherever it finishes first.

An application may list ``alternatives`` (a larger cloud model for an
on-device one, say).  ``model-select`` finds each model's fastest node by
``least-loaded``'s search, serves the request with the fastest pair, and
answers with ``Plan(..., app=...)`` when an alternative wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from offloadsim.policies.balancing import _Pruned, expected_completion_s
from offloadsim.policies.base import Plan, SystemView, TaskView
from offloadsim.policies.committed import CommittedView
from offloadsim.policies.registry import register_policy

__all__ = ["ModelSelectPolicy"]


@register_policy("model-select")
@dataclass(eq=False)
class ModelSelectPolicy(_Pruned):
    """Serve each request with the model and node expected to finish it first.

    Candidates are the request's own application and each of its
    ``alternatives``, on every usable computing node that may host it (an
    application's ``hosts``; optionally only nodes of some ``tiers``).  Each
    is priced as upload + expected wait + compute + return; the smallest
    wins, ties going to the request's own model and then to the node first
    in the view's order.  A node with several processors is priced on each
    (its wait and compute time there), the request running on the cheapest,
    ties going to the processor listed first.  Each model's best node is found by least-loaded's
    bounds, not by pricing every node: the same node, without a route asked
    for every pair of nodes (a thousand devices that can compute would ask
    a million, and the view's route cache would be swept at every decision).

    Parameters
    ----------
    tiers : list[str]
        Only nodes of these tiers, e.g. ``[device, cloud]``; all tiers if omitted.
    in_transit : bool
        Off if omitted.  On: a node's expected wait also counts the requests
        this policy sent there whose input is still uploading, as
        least-loaded's ``in_transit`` does (docs/policies.md).

    Examples
    --------
    >>> ModelSelectPolicy(tiers=["device", "cloud"])
    ModelSelectPolicy(tiers=('device', 'cloud'), in_transit=False)

    """

    # Per model: the positions of the allowed nodes that host it for every source (None: every
    # node), and of those that host their own requests alone (a $source in its hosts); once a run.
    _hosting: dict[str, tuple[frozenset[int] | None, dict[str, int]]] = field(
        default_factory=dict, init=False, repr=False
    )
    _own: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict, init=False, repr=False)

    def reset(self, view: SystemView) -> None:
        """A new run: forget the allowed nodes, each model's hosts and what was kept about each source."""
        super().reset(view)
        self._hosting = {}
        self._own = {}

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The fastest (model, node) pair; drop when no usable node hosts any of the models.

        With ``in_transit``, priced on a view whose waits count the work in
        transit, and the request sent is counted there until its input arrives.
        """
        if self.in_transit and not isinstance(view, CommittedView):
            return self._counted(task, view)
        nodes = self._allowed_nodes(view, "model-select")
        best: tuple[float, str, str, str | None] | None = None
        for app in (task.app, *view.alternatives(task.app)):
            only = self._hosts(view, app, nodes, task.source)
            if only is not None and not only:
                continue
            i = self._least(task, view, app, only)
            if i < 0:
                continue
            processor = self._processor  # the fastest of the node's processors (None: its first)
            cost = expected_completion_s(task, view, nodes[i], app, processor)
            if best is None or cost < best[0]:
                best = (cost, app, nodes[i], processor)
        if best is None:
            return Plan.reject()
        _, app, node, processor = best
        return Plan(
            (node,),
            app=None if app == task.app else app,
            processors=None if processor is None else (processor,),
        )

    def _hosts(
        self, view: SystemView, app: str, nodes: tuple[str, ...], source: str
    ) -> frozenset[int] | None:
        """The positions in ``nodes`` of ``app``'s hosts for a request from ``source`` (None: any node).

        A node that hosts its own requests alone (``$source`` in the scenario's ``hosts``) is
        among them for its own requests only.
        """
        found = self._hosting.get(app)
        if found is None:
            hosts = view.hosts(app)
            own: frozenset[str] = getattr(hosts, "own", frozenset())
            found = self._hosting[app] = (
                None
                if hosts is None
                else frozenset(i for i, n in enumerate(nodes) if n in hosts and n not in own),
                {n: i for i, n in enumerate(nodes) if n in own},
            )
        every, own_position = found
        if not own_position:
            return every
        here = own_position.get(source)
        if here is None or every is None:
            return every
        key = (app, source)
        only = self._own.get(key)
        if only is None:
            only = self._own[key] = every | {here}
        return only
