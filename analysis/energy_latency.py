"""Device energy per task against mean latency per policy, uplink from 10 to 500 Mbit/s (sweep-split.yaml).

python analysis/energy_latency.py     # shares the sweep of split_vs_bandwidth.py (resumable)
"""

from __future__ import annotations

from _common import SCENARIOS, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.experiments import load_sweep, sweep
    from offloadsim.plots import energy_latency, new_axes

    spec = load_sweep(SCENARIOS / "sweep-split.yaml")
    if args.quick:
        from dataclasses import replace

        spec = replace(spec, replications=1)
    result = sweep(spec, out=args.results / "sweep-split", workers=args.workers, progress=True)
    from offloadsim.units import parse_quantity

    key = "links[0].bandwidth"
    metrics = result.metrics
    # Below 10 Mbit/s offloading everything saturates the uplink (unbounded queues): left out.
    stable = metrics[[parse_quantity(v, "bandwidth") >= 10e6 for v in metrics[key]]]
    fig, ax = new_axes("one-column-tall")
    energy_latency(stable, x=key, ax=ax, order=spec.document["policies"])
    save(fig, args, "energy_latency")


if __name__ == "__main__":
    main()
