"""The testbed validation campaign: simulated against measured over models, splits, links and load.

Runs every configuration of the grid on the emulated testbed (needs root; see
docs/testbed.md), each repetition on a fresh testbed, and writes

* ``<results>/runs.csv``        one row per run (every repetition),
* ``<results>/validation.csv``  one row per split-inference configuration: predicted, measured, error, spread,
* ``<results>/flows.csv``       one row per concurrent-flows configuration,
* ``<out>/testbed_validation.{pdf,png}``  the predicted-vs-measured figure.

Finished runs are kept under ``<results>/<config>/rep<r>/`` and skipped when
the script runs again, so an interrupted campaign resumes.

    python analysis/testbed_validation.py --tiny            # a minute or two: proves it works end to end
    python analysis/testbed_validation.py --repetitions 5   # the full campaign: hours, on a quiet machine
    python analysis/testbed_validation.py --tables-only     # redraw tables and figure from finished runs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _common import FIGURES, RESULTS, ROOT

from offloadsim.testbed import campaign


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--results", type=Path, default=RESULTS / "testbed-validation", help="where runs are kept"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="figure directory (default docs/figures; with --tiny, the results)",
    )
    parser.add_argument(
        "--repetitions", type=int, default=3, help="fresh runs of each configuration (default 3)"
    )
    parser.add_argument("--requests", type=int, default=20, help="requests per run (default 20)")
    parser.add_argument("--models", default=",".join(campaign.MODELS), help="comma-separated zoo models")
    parser.add_argument(
        "--splits", default=",".join(campaign.SPLITS), help="local, middle, offload or layer counts"
    )
    parser.add_argument(
        "--links", default=",".join(link.name for link in campaign.LINKS), help="link classes: 3G, LTE, Wi-Fi"
    )
    parser.add_argument(
        "--patterns", default="closed,poisson", help="closed (one at a time), poisson (50 %% load)"
    )
    parser.add_argument("--no-flows", action="store_true", help="skip the concurrent-flows experiments")
    parser.add_argument("--pin", action="store_true", help="pin the edge and each device to a CPU")
    parser.add_argument(
        "--cache", type=Path, default=None, help="exported ONNX parts (default ~/.cache/offloadsim/testbed)"
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="one small model, two splits, the Wi-Fi link, 4 requests, 1 repetition, one flows run",
    )
    parser.add_argument("--tables-only", action="store_true", help="read finished runs; run nothing")
    return parser.parse_args()


def plan(args: argparse.Namespace) -> list[campaign.Planned]:
    links = {link.name.lower(): link for link in campaign.LINKS}
    if args.tiny:
        chosen = [links["wi-fi"]]
        planned = campaign.inference_grid(
            ["mobilenet_v2"], ["middle", "offload"], chosen, ["closed", "poisson"], requests=4
        )
        if not args.no_flows:
            planned += campaign.flows_grid([2], chosen, size_bytes=200e3, staggers=[0.25], rounds=2)
        return planned
    try:
        chosen = [links[name.strip().lower()] for name in args.links.split(",")]
    except KeyError as exc:
        sys.exit(
            f"unknown link class {exc.args[0]!r}; known: {', '.join(link.name for link in campaign.LINKS)}"
        )
    from offloadsim.testbed import InferenceConfig

    planned = campaign.inference_grid(
        args.models.split(","),
        args.splits.split(","),
        chosen,
        args.patterns.split(","),
        requests=args.requests,
        base=InferenceConfig(pin=args.pin),
    )
    if not args.no_flows:
        planned += campaign.flows_grid(links=[link for link in chosen if link.name != "3G"] or chosen)
    return planned


def main() -> None:
    args = options()
    repetitions = 1 if args.tiny else args.repetitions
    if args.tiny and args.results == RESULTS / "testbed-validation":
        args.results = RESULTS / "testbed-validation-tiny"
    out = args.out if args.out is not None else (args.results if args.tiny else FIGURES)
    planned = plan(args)
    if args.tables_only:
        planned_done = [
            p
            for p in planned
            if all((args.results / p.id / f"rep{r}" / "summary.json").exists() for r in range(repetitions))
        ]
        print(f"{len(planned_done)} of {len(planned)} configurations have all {repetitions} repetitions")
        planned = planned_done
    runs = campaign.run_campaign(planned, args.results, repetitions, cache_dir=args.cache)
    args.results.mkdir(parents=True, exist_ok=True)
    runs.to_csv(args.results / "runs.csv", index=False)
    table = campaign.validation_table(runs)
    flows = campaign.flows_table(runs)
    table.to_csv(args.results / "validation.csv", index=False)
    flows.to_csv(args.results / "flows.csv", index=False)
    with_cols = [
        "model",
        "split",
        "link",
        "pattern",
        "predicted_ms",
        "measured_ms",
        "error_pct",
        "spread_pct",
    ]
    print(table[with_cols].to_string(index=False) if len(table) else "no split-inference runs")
    if len(flows):
        print(
            flows[
                ["devices", "link", "stagger_ms", "predicted_fct_ms", "measured_fct_ms", "error_pct"]
            ].to_string(index=False)
        )
    from offloadsim.plots import save_figure
    from offloadsim.testbed.figure import validation_figure

    for path in save_figure(validation_figure(table, flows), out / "testbed_validation"):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
