"""p95 latency and deadline misses per policy, mean and 95 % CI over replications (compare-load).

python analysis/policy_bars.py        # about a minute on two cores
"""

from __future__ import annotations

from _common import SCENARIOS, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.experiments import compare
    from offloadsim.plots import metric_bars, new_axes

    result = compare(
        SCENARIOS / "compare-load.yaml",
        ["local", "edge", "cloud", "least-loaded"],
        replications=2 if args.quick else 5,
        workers=args.workers,
        overrides=["duration=20 s"] if args.quick else (),
        out=args.results / "compare-load",
        overwrite=True,
    )
    fig, (left, right) = new_axes("two-column", ncols=2)
    metric_bars(result.metrics, "latency_p95_s", ax=left, log_y=True)
    metric_bars(result.metrics, "deadline_miss_rate", ax=right)
    save(fig, args, "policy_bars")


if __name__ == "__main__":
    main()
