"""p95 latency and deadline misses per policy, mean and 95 % CI over replications (compare-load).

python analysis/policy_bars.py        # about a minute on two cores
"""

from __future__ import annotations

from _common import compare_load, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.plots import metric_bars, new_axes

    result = compare_load(args)
    fig, (left, right) = new_axes("two-column", ncols=2)
    metric_bars(result.metrics, "latency_p95_s", ax=left, log_y=True)
    metric_bars(result.metrics, "deadline_miss_rate", ax=right)
    save(fig, args, "policy_bars")


if __name__ == "__main__":
    main()
