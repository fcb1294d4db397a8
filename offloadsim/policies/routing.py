"""Model selection: serve a request with its own model or one of its alternatives, wherever it finishes first.

An application may list ``alternatives`` (a larger cloud model for an
on-device one, say).  ``model-select`` prices every (model, node) pair the
way ``least-loaded`` prices nodes, and answers with ``Plan(..., app=...)``
when an alternative wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from offloadsim.policies.balancing import _TierRestricted
from offloadsim.policies.base import Plan, SystemView, TaskView
from offloadsim.policies.registry import register_policy

__all__ = ["ModelSelectPolicy", "expected_completion_as_s"]


def expected_completion_as_s(task: TaskView, view: SystemView, node: str, app: str) -> float:
    """Predicted time to serve ``task`` with ``app``'s model, whole, on ``node``, if sent now.

    Upload of what the source holds + expected wait + compute + return of the
    result; the request's input and output sizes do not depend on the model.
    NaN counts as infinite.
    """
    source = task.source
    total = view.expected_wait_s(node) + view.compute_time_s(task, node, app=app)
    if node != source:
        total += view.transfer_time_s(source, node, task.cut_bytes[0])
        total += view.transfer_time_s(node, source, task.cut_bytes[task.layers])
    return math.inf if math.isnan(total) else total


@register_policy("model-select")
@dataclass(eq=False)
class ModelSelectPolicy(_TierRestricted):
    """Serve each request with the model and node expected to finish it first.

    Candidates are the request's own application and each of its
    ``alternatives``, on every usable computing node that may host it (an
    application's ``hosts``; optionally only nodes of some ``tiers``).  Each
    is priced as upload + expected wait + compute + return; the smallest
    wins, ties going to the request's own model and then to the node first
    in the view's order.

    Parameters
    ----------
    tiers : list[str]
        Only nodes of these tiers, e.g. ``[device, cloud]``; all tiers if omitted.

    Examples
    --------
    >>> ModelSelectPolicy(tiers=["device", "cloud"])
    ModelSelectPolicy(tiers=('device', 'cloud'))

    """

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The fastest (model, node) pair; drop when no node is usable."""
        nodes = self._candidates(task, view, "model-select")
        if not nodes:
            return Plan.reject()
        best: tuple[float, str, str] | None = None
        for app in (task.app, *view.alternatives(task.app)):
            hosts = view.hosts(app)
            for node in nodes if hosts is None else [n for n in nodes if n in hosts]:
                cost = expected_completion_as_s(task, view, node, app)
                if best is None or cost < best[0]:
                    best = (cost, app, node)
        if best is None:
            return Plan.reject()  # no usable node hosts any of the models
        _, app, node = best
        return Plan((node,), app=None if app == task.app else app)
