"""Mean latency against the phones' uplink bandwidth for three policies (scenarios/sweep-bandwidth.yaml).

python analysis/bandwidth_sweep.py    # 90 jobs, about a minute on two cores; resumable
"""

from __future__ import annotations

from _common import SCENARIOS, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.experiments import load_sweep, sweep
    from offloadsim.plots import metric_vs_parameter, new_axes

    spec = load_sweep(SCENARIOS / "sweep-bandwidth.yaml")
    if args.quick:
        from dataclasses import replace

        spec = replace(spec, replications=2)
    result = sweep(spec, out=args.results / "sweep-bandwidth", workers=args.workers, progress=True)
    fig, ax = new_axes("one-column")
    metric_vs_parameter(result.metrics, "latency_mean_s", "links[0].bandwidth", ax=ax, log_x=True, log_y=True)
    save(fig, args, "bandwidth_sweep")


if __name__ == "__main__":
    main()
