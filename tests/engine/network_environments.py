"""The flow network's tests run on both environments: SimPy's own (timeouts) and the run's (light calls)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import simpy

from offloadsim.engine.environment import RunEnvironment
from offloadsim.engine.network import FlowNetwork

ENVIRONMENTS = {"simpy": simpy.Environment, "run": RunEnvironment}
_KIND = ["simpy"]


@pytest.fixture(autouse=True, scope="module", params=sorted(ENVIRONMENTS))
def environment(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test of a module that imports this fixture runs once on each environment."""
    _KIND[0] = request.param
    yield request.param
    _KIND[0] = "simpy"


def make(capacities_bps: list[float]) -> tuple[simpy.Environment, FlowNetwork]:
    """A fresh environment of the current kind and a flow network on it."""
    env = ENVIRONMENTS[_KIND[0]]()
    return env, FlowNetwork(env, capacities_bps)
