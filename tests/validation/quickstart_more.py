"""More replications of the quickstart: the before/after stream check's closest call (docs/validation.md 5).

The stored samples (``stream_samples.py``) hold replications 0-39; the quickstart's
mean and p95 latency were the two smallest Welch p-values there (0.026, 0.029).  This
runs replications 40-119 under whichever ``offloadsim`` is first on ``PYTHONPATH``
(a checkout of commit 0d33b23 for "before", this tree for "after") and keeps per
replication the mean and p95 latency of completed tasks and the share of completed
tasks that missed their deadline; ``--compare`` prints Welch's p for each::

    PYTHONPATH=/tmp/before python tests/validation/quickstart_more.py /tmp/before.json
    python tests/validation/quickstart_more.py /tmp/after.json
    python tests/validation/quickstart_more.py --compare /tmp/before.json /tmp/after.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from stream_samples import SCENARIOS, replication_statistics

REPLICATIONS = range(40, 120)


def sample() -> dict[str, list[float]]:
    """Per replication of ``REPLICATIONS``: mean and p95 latency (ms), deadline misses among completed (%)."""
    from offloadsim.engine import simulate
    from offloadsim.scenario import load_scenario

    scenario = load_scenario(SCENARIOS / "quickstart.yaml")
    out: dict[str, list[float]] = {"mean latency (ms)": [], "p95 latency (ms)": [], "deadline misses (%)": []}
    for replication in REPLICATIONS:
        tasks = simulate(scenario, replication=replication).tasks
        statistics = replication_statistics(tasks)
        done = (np.asarray(tasks["status"]) == "completed") & ~np.isnan(
            np.asarray(tasks["deadline"], dtype=float)
        )
        met = np.asarray(tasks["deadline_met"], dtype=float)[done]
        out["mean latency (ms)"].append(1e3 * statistics["mean_latency_s"])
        out["p95 latency (ms)"].append(1e3 * statistics["p95_latency_s"])
        out["deadline misses (%)"].append(100 * float(np.mean(met == 0.0)))
    return out


def compare(before: Path, after: Path) -> None:
    """Each statistic's mean before and after, and Welch's p."""
    from scipy import stats

    first, second = (json.loads(path.read_text()) for path in (before, after))
    for name, values in first.items():
        x, y = np.asarray(values), np.asarray(second[name])
        p = stats.ttest_ind(x, y, equal_var=False).pvalue
        print(
            f"{name}: {x.mean():.2f} before, {y.mean():.2f} after ({len(x)} replications each), p = {p:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", help="where to write this tree's sample (JSON)")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
    elif args.out:
        args.out.write_text(json.dumps(sample(), indent=1) + "\n")
    else:
        parser.error("give OUT, or --compare BEFORE AFTER")


if __name__ == "__main__":
    main()
