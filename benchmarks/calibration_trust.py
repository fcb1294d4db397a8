"""Which held-out models the calibration trust caveat fires on, and how wrong their predictions were.

python benchmarks/calibration_trust.py --out DIR          # 3 fresh calibrations of 4 training sets, the table
python benchmarks/calibration_trust.py --out DIR --runs 1 # one of each (~7 minutes on two loaded cores)
python benchmarks/calibration_trust.py --from DIR         # the table of calibrations already in DIR
python benchmarks/calibration_trust.py --out DIR --runs 1 --training resnet18  # one training set only
python benchmarks/calibration_trust.py --from DIR --refit # ... layout correction refitted by today's rule
python benchmarks/calibration_trust.py --from DIR --units U.json  # ... and each model's units, timed, against

Each training set is calibrated with ``offloadsim calibrate --threads 1 --no-cache --report``
(nothing reused between runs) and its profile's report times the other models whole.  For
every held-out model the table gives the measured error of the prediction over the runs, and
the share of its work the caveat counts as untimed, by op kind alone (the rule before
variants were counted) and by variant (the current rule, ``world/profiles/trust.py``): the
caveat fires above ``MAX_EXTRAPOLATED``; ``layout caveat`` says whether the layout correction is
extrapolated for the model (``layout_extrapolated``).  ``--refit`` refits each profile's layout
correction from the whole-model timings it recorded, by the current rule
(``calibration/layout.py``), and gives the held-out errors that coefficient makes of the same
measurements: a before/after on the same timings.  ``outside sizes %`` is the share of the
model's work (roofline time) in units left to the fit whose FLOPs or bytes lie outside those the
profile timed for the unit's variant (:func:`outside_timed_sizes`): the measure an input-size
caveat would use, which docs/calibration.md shows fires as often on accurate rows as on wrong ones.
``--units`` names profiles that timed every unit of some held-out models themselves (``offloadsim
calibrate --models mobilenet_v2@160``); ``units error %`` is then the profile's prediction
against the sum of those timed units, the part of the error that is the cost model's rather than
the whole model's.  docs/calibration.md quotes the table.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

from offloadsim.calibration.layout import refit_recorded
from offloadsim.calibration.specs import resolve_models
from offloadsim.models.graph import LayerGraph
from offloadsim.world.profiles.calibrated import CalibratedProfile, load_profile
from offloadsim.world.profiles.fusion import layout_transitions, partition, unit_at
from offloadsim.world.profiles.trust import MAX_EXTRAPOLATED, extrapolated, layout_extrapolated, variant

#: Training sets: each alone, and the two small ones together.
TRAINING = ("squeezenet1_1", "mobilenet_v2", "resnet18", "squeezenet1_1,mobilenet_v2")
#: Models timed whole (the training ones left out of each report): the zoo's small CNNs and other sizes.
MODELS = (
    "alexnet",
    "resnet18",
    "resnet50",
    "mobilenet_v2",
    "mobilenet_v2@160",
    "efficientnet_b0",
    "squeezenet1_1",
    "squeezenet1_1@160",
    "resnet18@160",
)


def calibrate(out: Path, runs: int, training: tuple[str, ...] = TRAINING) -> None:
    """``runs`` fresh calibrations of every training set into ``out`` (``TAG-RUN.json`` and its report)."""
    out.mkdir(parents=True, exist_ok=True)
    for run in "ABCDEFGHIJ"[:runs]:
        for models in training:
            tag = f"{models.replace(',', '+')}-{run}"
            held = ",".join(m for m in MODELS if m not in models.split(","))
            command = [sys.executable, "-m", "offloadsim", "calibrate", "--models", models, "--threads", "1"]
            command += ["--no-cache", "--name", tag, "--out", str(out / f"{tag}.json"), "--report"]
            command += ["--holdout", held, "--report-dir", str(out / f"{tag}-report"), "-q"]
            print(f"calibrating {tag} ...", file=sys.stderr, flush=True)
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def refit(profile: CalibratedProfile) -> CalibratedProfile:
    """``profile`` with its layout correction refitted from its recorded whole-model timings (new rule)."""
    coefficient, fit = refit_recorded(profile)
    correction = {**profile.correction, **fit}
    return dataclasses.replace(profile, layout_s_per_byte=coefficient, correction=correction)


def outside_timed_sizes(profile: CalibratedProfile, graph: LayerGraph) -> float:
    """Share of ``graph``'s work in fitted units with FLOPs or bytes outside those timed for their variant."""
    timed: dict[str, list[tuple[int, int]]] = {}
    for timing in profile.measured.values():
        timed.setdefault(variant(timing.unit), []).append((timing.unit.flops, timing.unit.bytes_moved))
    source = profile.predict(graph).source
    total = outside = 0.0
    for positions in partition(graph, profile.fusion):
        unit = unit_at(graph, positions)
        work = max(unit.flops / profile.effective_flops, unit.bytes_moved / profile.memory_bandwidth_Bps)
        total += work
        sizes = timed.get(variant(unit))
        if source[positions[0]] == "measured" or not sizes:  # timed, or untimed variant (the coverage rule's)
            continue
        flops, moved = zip(*sizes, strict=True)
        if not (min(flops) <= unit.flops <= max(flops) and min(moved) <= unit.bytes_moved <= max(moved)):
            outside += work
    return outside / total if total > 0 else 0.0


def units_seconds(units: list[CalibratedProfile], graph: LayerGraph) -> float:
    """The sum of ``graph``'s units as timed by the first of ``units`` that timed every one (NaN if none)."""
    for profile in units:
        if all(source == "measured" for source in profile.predict(graph).source if source != "fused"):
            return float(np.sum(profile.layer_seconds(graph))) - profile.layout_s_per_byte * float(
                np.sum(layout_transitions(graph, profile.fusion))
            )
    return float("nan")


def table(out: Path, refitted: bool = False, units: list[CalibratedProfile] | None = None) -> str:
    """The Markdown table of every training set and held-out model calibrated in ``out``."""
    rows: dict[tuple[str, str], dict[str, list[float]]] = {}
    for report in sorted(out.glob("*-report/accuracy.csv")):
        training = report.parent.name.removesuffix("-report").rpartition("-")[0]
        profile = load_profile(report.parent.with_name(report.parent.name.removesuffix("-report") + ".json"))
        if refitted:
            profile = refit(profile)
        with report.open(encoding="utf-8") as file:
            for line in csv.DictReader(file):
                if line["role"] != "held-out":
                    continue
                (spec,) = resolve_models([line["model"]])
                row = rows.setdefault(
                    (training, line["model"]),
                    {"error": [], "kind": [], "variant": [], "layout": [], "sizes": [], "units": []},
                )
                predicted = float(np.sum(profile.layer_seconds(spec.graph))) * 1e3
                row["error"].append((predicted / float(line["measured_ms"]) - 1) * 100)
                row["sizes"].append(100 * outside_timed_sizes(profile, spec.graph))
                row["units"].append((predicted / (units_seconds(units or [], spec.graph) * 1e3) - 1) * 100)
                row["layout"].append(float(layout_extrapolated(profile, spec.graph) is not None))
                row["kind"].append(100 * extrapolated(profile, spec.graph, variants=False)[0])
                row["variant"].append(100 * extrapolated(profile, spec.graph)[0])
    limit = 100 * MAX_EXTRAPOLATED
    lines = [
        "| trained on | held-out | runs | error % (median) | error % (range) | untimed by kind % "
        "| caveat before | untimed by variant % | caveat now | outside sizes % | units error % "
        "| layout caveat |",
        "|---|---|---:|---:|---|---:|---|---:|---|---:|---:|---|",
    ]
    for (training, model), row in rows.items():
        kind, by_variant = statistics.median(row["kind"]), statistics.median(row["variant"])
        units_error = statistics.median(row["units"])
        units_cell = "-" if math.isnan(units_error) else f"{units_error:+.1f}"
        errors = row["error"]
        lines.append(
            f"| {training.replace('+', ', ')} | {model} | {len(errors)} | {statistics.median(errors):+.1f} "
            f"| {min(errors):+.1f} to {max(errors):+.1f} | {kind:.0f} | {'fires' if kind > limit else '-'} "
            f"| {by_variant:.0f} | {'fires' if by_variant > limit else '-'} "
            f"| {statistics.median(row['sizes']):.0f} | {units_cell} "
            f"| {'fires' if statistics.median(row['layout']) > 0.5 else '-'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="calibrate afresh into this directory, then tabulate")
    where.add_argument("--from", dest="source", type=Path, help="tabulate the calibrations in this directory")
    parser.add_argument(
        "--runs", type=int, default=3, help="fresh calibrations of each training set (default 3)"
    )
    parser.add_argument(
        "--training",
        action="append",
        choices=TRAINING,
        help="calibrate this training set only (repeatable; default all four)",
    )
    parser.add_argument(
        "--refit", action="store_true", help="refit each profile's layout correction by the current rule"
    )
    parser.add_argument(
        "--units",
        action="append",
        type=Path,
        default=[],
        help="a profile that timed every unit of some held-out models (repeatable): adds their units error",
    )
    args = parser.parse_args(argv)
    if args.out is not None:
        calibrate(args.out, args.runs, tuple(args.training or TRAINING))
    units = [load_profile(path) for path in args.units]
    print(table(args.out if args.out is not None else args.source, refitted=args.refit, units=units))
    return 0


if __name__ == "__main__":
    sys.exit(main())
