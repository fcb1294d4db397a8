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
    raise AttributeError(f"module 'offloadsim' has no attribute {name!r}")
