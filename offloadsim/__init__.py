"""offloadsim answers where each piece of an inference should run, and what that costs.

It is a discrete-event simulator of edge/cloud offloading for AI inference.

>>> import offloadsim
>>> result = offloadsim.run("scenarios/quickstart.yaml", policy="edge")  # doctest: +SKIP
>>> result.tasks.latency.mean()  # doctest: +SKIP

The command line is ``offloadsim`` (``python -m offloadsim``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from offloadsim._version import __version__

__all__ = ["RunResult", "__version__", "run"]

if TYPE_CHECKING:
    from offloadsim.api import run
    from offloadsim.records.results import RunResult


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `offloadsim --help` does not load pandas.
    if name == "run":
        from offloadsim.api import run

        return run
    if name == "RunResult":
        from offloadsim.records.results import RunResult

        return RunResult
    home = _ELSEWHERE.get(name)
    if home is not None:  # offloadsim.compare, as offloadsim.run is: say where it lives
        raise AttributeError(
            f"module 'offloadsim' has no attribute {name!r}; it is {home}.{name} (from {home} import {name})"
        )
    raise AttributeError(f"module 'offloadsim' has no attribute {name!r}")


#: What a notebook reaches for beside ``offloadsim.run``, and the module that has it.
_ELSEWHERE = {
    "compare": "offloadsim.experiments",
    "sweep": "offloadsim.experiments",
    "read_results": "offloadsim.records.stored",
    "read_run": "offloadsim.records.results",
    "load": "offloadsim.api",
    "load_scenario": "offloadsim.scenario",
    "load_scenario_text": "offloadsim.scenario",
    "load_scenario_data": "offloadsim.scenario",
    "sweep_from_data": "offloadsim.experiments",
    "register_policy": "offloadsim.policies",
    "Plan": "offloadsim.policies",
    "get_model": "offloadsim.models",
    "load_onnx": "offloadsim.models",
    "get_profile": "offloadsim.world.profiles",
}


def __dir__() -> list[str]:
    """What the package offers at its top (a notebook's completion listed ``Any`` and ``TYPE_CHECKING``)."""
    return sorted(__all__)
