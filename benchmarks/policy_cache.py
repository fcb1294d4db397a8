"""What least-loaded's decision cache (``load_bucket``) changes: decisions, latency, policy calls.

Runs benchmark (b)'s city under ``least-loaded`` over edges and cloud, for
each seed once exact and once with the cache at each width, and reports:

* the share of cached decisions that differ from the exact choice **in the
  same state** (each decision of the cached run is also made exactly, without
  acting on it: comparing two runs would count every decision after their
  first difference, since their states part there);
* the share of decisions served from the cache;
* the paired difference (cached - exact, same seed: common random numbers)
  of the mean and the 95th percentile of completed tasks' latency, with a
  t confidence interval over the seeds.

    python benchmarks/policy_cache.py [--tasks 100000] [--seeds 1,2,3,4,5] [--widths 0.001,0.005]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

CITY = HERE / "scenarios" / "city.yaml"
CITY_RATE_PER_S = 2_000.0  # 1,000 devices x 2 /s
SHADOW = "least-loaded-shadowed"


@dataclass
class Tally:
    """Decisions of one cached run: how many, how many from the cache, how many unlike the exact one."""

    decisions: int = 0
    hits: int = 0
    differ: int = 0


def _register_shadow(tally: Tally) -> None:
    """Register ``least-loaded-shadowed``: least-loaded with its cache, counting into ``tally``."""
    from offloadsim.policies import Plan
    from offloadsim.policies.balancing import LeastLoadedPolicy
    from offloadsim.policies.registry import register_policy, unregister_policy

    class Shadowed(LeastLoadedPolicy):
        """least-loaded with ``load_bucket``, each decision also made exactly (not acted on)."""

        def decide(self, task: Any, view: Any) -> Plan:
            before = self._decisions
            known = len(before)
            plan = super().decide(task, view)
            if plan.drop:
                return plan
            tally.decisions += 1
            tally.hits += self._decisions is before and len(before) == known
            exact = self._allowed_nodes(view, "least-loaded")[self._least(task, view)]
            tally.differ += exact != plan.nodes[0]
            return plan

    unregister_policy(SHADOW)
    register_policy(SHADOW)(Shadowed)


def _latencies(tasks: int, seed: int, policy: str, params: dict[str, Any]) -> Any:
    """Completed tasks' latencies (numpy) of one run of the city."""
    import numpy as np

    from offloadsim.api import run

    with tempfile.TemporaryDirectory(prefix="offloadsim-cache-") as tmp:
        result = run(
            CITY,
            overrides=[f"duration={tasks / CITY_RATE_PER_S!r} s"],
            policy=policy,
            policy_params={"tiers": ["edge", "cloud"], **params},
            seed=seed,
            out=Path(tmp) / "run",
        )
        frame = result.tasks
    return np.asarray(frame.loc[frame["status"] == "completed", "latency"], dtype=float)


def _t_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and 95 % t confidence interval of ``values``."""
    from scipy import stats

    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def measure(tasks: int, seeds: Sequence[int], widths: Sequence[float]) -> list[dict[str, Any]]:
    """One row per width: decision shares and paired latency differences (ms) with their intervals."""
    import numpy as np

    exact = {seed: _latencies(tasks, seed, "least-loaded", {}) for seed in seeds}
    rows = []
    for width in widths:
        tally = Tally()
        _register_shadow(tally)
        d_mean, d_p95 = [], []
        for seed in seeds:
            cached = _latencies(tasks, seed, SHADOW, {"load_bucket": width})
            d_mean.append(1e3 * (cached.mean() - exact[seed].mean()))
            d_p95.append(1e3 * (np.percentile(cached, 95) - np.percentile(exact[seed], 95)))
        rows.append(
            {
                "width_s": width,
                "decisions": tally.decisions,
                "hit_share": tally.hits / tally.decisions,
                "differ": tally.differ,
                "exact_mean_ms": 1e3 * statistics.fmean(float(exact[s].mean()) for s in seeds),
                "exact_p95_ms": 1e3 * statistics.fmean(float(np.percentile(exact[s], 95)) for s in seeds),
                "d_mean_ms": _t_interval(d_mean),
                "d_p95_ms": _t_interval(d_p95),
            }
        )
    return rows


def markdown(rows: list[dict[str, Any]], seeds: int) -> str:
    """The rows as a Markdown table."""
    lines = [
        f"| load_bucket | decisions | from the cache | unlike the exact choice | "
        f"mean latency, cached - exact (ms, 95 % CI over {seeds} seeds) | p95, cached - exact (ms) |",
        "|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        cells = []
        for key in ("d_mean_ms", "d_p95_ms"):
            mean, low, high = r[key]
            cells.append(f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]")
        lines.append(
            f"| {r['width_s']:g} s | {r['decisions']:,} | {r['hit_share']:.1%} | "
            f"{r['differ']:,} ({r['differ'] / r['decisions']:.2%}) | {cells[0]} | {cells[1]} |"
        )
    exact_mean = statistics.fmean(r["exact_mean_ms"] for r in rows)
    exact_p95 = statistics.fmean(r["exact_p95_ms"] for r in rows)
    lines.append(
        f"\nexact policy: mean latency {exact_mean:.2f} ms, p95 {exact_p95:.2f} ms (means over seeds)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000, help="tasks per run (about; default 100,000)")
    parser.add_argument("--seeds", default="1,2,3,4,5", help="comma-separated seeds (default 1,2,3,4,5)")
    parser.add_argument("--widths", default="0.001,0.005,0.02", help="load_bucket widths, seconds")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    widths = [float(w) for w in args.widths.split(",") if w.strip()]
    if not seeds or not widths or args.tasks < 1:
        parser.error("give at least one seed, one width and a positive --tasks")
    rows = measure(args.tasks, seeds, widths)
    print(f"city under least-loaded [edge, cloud], about {args.tasks:,} tasks per run, seeds {seeds}\n")
    print(markdown(rows, len(seeds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
