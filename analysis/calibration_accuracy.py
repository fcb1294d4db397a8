"""Predicted against measured whole-model latency for the shipped calibrated profile (docs/figures).

python analysis/calibration_accuracy.py              # times 17 models whole with onnxruntime, ~1 min
python analysis/calibration_accuracy.py --quick      # three small models, a few seconds
python analysis/calibration_accuracy.py --csv R.csv  # redraw from a saved report table, timing nothing

The whole-model timings are never used by the per-layer fit; models the
profile was calibrated on are drawn as "train", the others as "held-out".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _common import FIGURES, ROOT

PROFILE = ROOT / "offloadsim" / "profiles" / "data" / "this-cpu-ort-1t.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, default=PROFILE, help="calibrated profile (default: shipped)")
    parser.add_argument("--out", type=Path, default=FIGURES, help="figure directory (default docs/figures)")
    parser.add_argument(
        "--csv", type=Path, help="report table (accuracy.csv) to redraw instead of timing models"
    )
    parser.add_argument("--quick", action="store_true", help="three small models, 3 repeats (smoke test)")
    parser.add_argument("--workers", type=int, help="ignored: timings run one at a time")
    parser.add_argument("--results", type=Path, help="ignored: nothing but the figure is written")
    args = parser.parse_args()

    import pandas as pd

    from offloadsim.calibration import DEFAULT_HOLDOUT, load_profile, resolve_models
    from offloadsim.calibration.report import accuracy_summary, accuracy_table, format_table
    from offloadsim.plots import calibration_accuracy, new_axes, save_figure

    if args.csv is not None:
        table = pd.read_csv(args.csv)
    else:
        profile = load_profile(args.profile)
        names = (
            ["squeezenet1_1@96", "mobilenet_v2@96", "resnet18@96"]
            if args.quick
            else [*profile.provenance.get("models", []), *DEFAULT_HOLDOUT]
        )
        table = accuracy_table(profile, resolve_models(names), repeats=3 if args.quick else 10, progress=True)
    print(format_table(table))
    held = accuracy_summary(table)["held_out"]
    print(f"held-out within ±10%: {held['within']}/{held['models']}")
    fig, ax = new_axes("one-column")
    calibration_accuracy(table, ax=ax)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in save_figure(fig, args.out / "calibration_accuracy"):
        print(path)


if __name__ == "__main__":
    main()
