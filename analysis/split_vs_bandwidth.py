"""Neurosurgeon's chosen split point and the latency it buys, against uplink bandwidth (sweep-split.yaml).

python analysis/split_vs_bandwidth.py # 108 short jobs, under a minute on two cores; resumable
"""

from __future__ import annotations

from _common import SCENARIOS, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.experiments import load_sweep, sweep
    from offloadsim.plots import house_style, metric_vs_parameter, new_axes, split_vs_parameter

    spec = load_sweep(SCENARIOS / "sweep-split.yaml")
    if args.quick:
        from dataclasses import replace

        spec = replace(spec, replications=1)
    result = sweep(spec, out=args.results / "sweep-split", workers=args.workers, progress=True)
    key = "links[0].bandwidth"
    fig, (left, right) = new_axes("two-column", ncols=2)
    order = spec.document["policies"]  # the same colour for a policy in both panels
    split_vs_parameter(result.tasks, key, ax=left, log_x=True, order=order)
    metric_vs_parameter(result.metrics, "latency_mean_s", key, ax=right, log_x=True, log_y=True, order=order)
    with house_style():  # text added after drawing takes the house style too
        left.set_title("(a) AlexNet layers run on the Raspberry Pi")
        right.set_title("(b) mean latency; edge alone saturates below 20 Mbit/s")
    save(fig, args, "split_vs_bandwidth")


if __name__ == "__main__":
    main()
