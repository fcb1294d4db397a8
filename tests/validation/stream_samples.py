"""Per-replication statistics of every shipped scenario: the samples of the before/after stream check.

Keying random streams by names instead of positions (``offloadsim/engine/streams.py``)
changed every draw but must not change any distribution.  This module runs each
shipped scenario for many independent replications and keeps, per replication, a
few statistics that depend on the arrival process, the task attributes, the policy's
draws and the service noise.  ``streams-before.json`` was written by the simulator
before the change (commit 0d33b23) and ``streams-after.json`` after it;
``test_stream_distributions.py`` compares the two samples.

    python tests/validation/stream_samples.py OUT.json [--replications N]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

#: Statistic -> what it reads off one replication's task records.
STATISTICS = (
    "tasks",  # rows recorded after warm-up: the arrival process
    "completed_fraction",
    "mean_latency_s",  # over completed tasks
    "p95_latency_s",
    "mean_bytes_sent",  # the task attributes and the placements
    "mean_device_energy_j",  # over tasks with a metered source
    "mean_output_tokens",  # LLM requests only
)


def replication_statistics(tasks: dict[str, np.ndarray]) -> dict[str, float]:
    """The statistics of one replication (NaN where one does not apply)."""
    status = np.asarray(tasks["status"])
    done = status == "completed"
    latency = np.asarray(tasks["latency"], dtype=float)[done]
    energy = np.asarray(tasks["device_energy"], dtype=float)
    tokens = np.asarray(tasks["output_tokens"], dtype=float)
    return {
        "tasks": float(len(status)),
        "completed_fraction": float(done.mean()) if len(status) else math.nan,
        "mean_latency_s": float(latency.mean()) if len(latency) else math.nan,
        "p95_latency_s": float(np.percentile(latency, 95)) if len(latency) else math.nan,
        "mean_bytes_sent": float(np.nanmean(np.asarray(tasks["bytes_sent"], dtype=float)[done]))
        if done.any()
        else math.nan,
        "mean_device_energy_j": float(np.nanmean(energy)) if np.isfinite(energy).any() else math.nan,
        "mean_output_tokens": float(np.nanmean(tokens)) if np.isfinite(tokens).any() else math.nan,
    }


#: The samples: each run scenario shipped under its own policy, and the quickstart under ``random``
#: (the policy's own stream).  Sweep files vary these same scenarios.
CASES = {
    **{
        name: (name, None)
        for name in (
            "camera-multitier",
            "compare-load",
            "compare-split",
            "llm-assistant",
            "neurosurgeon",
            "quickstart",
        )
    },
    "quickstart-random": ("quickstart", "random"),
}


def scenario_samples(name: str, replications: int) -> dict[str, list[float]]:
    """Each statistic of case ``name`` over replications ``0 .. replications-1`` under the scenario's seed."""
    from offloadsim.engine import simulate
    from offloadsim.scenario import PolicySpec, load_scenario

    scenario_name, policy = CASES[name]
    scenario = load_scenario(SCENARIOS / f"{scenario_name}.yaml")
    spec = None if policy is None else PolicySpec(policy)
    columns: dict[str, list[float]] = {statistic: [] for statistic in STATISTICS}
    for replication in range(replications):
        raw = simulate(scenario, policy=spec, replication=replication)
        for statistic, value in replication_statistics(raw.tasks).items():
            columns[statistic].append(value)
    return columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--replications", type=int, default=40)
    args = parser.parse_args()
    samples: dict[str, dict[str, list[float]]] = {}
    for name in CASES:  # written after each case, so a long sampling keeps what it has
        samples[name] = scenario_samples(name, args.replications)
        document = {"replications": args.replications, "samples": samples}
        args.out.write_text(json.dumps(document, indent=1, allow_nan=True) + "\n")


if __name__ == "__main__":
    main()
