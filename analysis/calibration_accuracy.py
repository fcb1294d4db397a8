"""Predicted against measured whole-model latency for the shipped calibrated profile (docs/figures).

python analysis/calibration_accuracy.py            # seconds: the profile's own timings, today's predictions
python analysis/calibration_accuracy.py --retime   # time the 21 models on this machine instead (~1 min):
                                                   # on another CPU than the profile's it says so, and the
                                                   # errors are the two CPUs' difference, not the profile's
python analysis/calibration_accuracy.py --quick --out DIR   # three small models timed, a few seconds

The whole-model timings are never used by the per-layer fit; models the
profile was calibrated on are drawn as "train", the others as "held-out".
By default the measured side is the timings the calibration recorded in the
profile itself (its ``report``, taken on the machine it describes), and the
predicted side is what the profile predicts today; so a change in the cost
model shows at once, and nothing depends on how busy this machine is.  The
table drawn is kept in docs/figures/data/calibration_accuracy.csv.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from _common import ROOT, digest_text, write_table

PROFILE = ROOT / "offloadsim" / "world" / "profiles" / "data" / "epyc-ort-1t.json"
EXPERIMENTS: tuple[str, ...] = ()  # its data is measured, not simulated: see build() and check()
NAME = "calibration_accuracy"
QUICK_MODELS = ["squeezenet1_1@96", "mobilenet_v2@96", "resnet18@96"]


def _profile_digest() -> str:
    return digest_text(PROFILE.read_text(encoding="utf-8"))


def _table_file(out: Path) -> Path:
    return out / "data" / f"{NAME}.csv"


def _predicted(measured_ms: dict[str, float]) -> pd.DataFrame:
    """The accuracy table of these measured models with the profile's current predictions (nothing timed)."""
    from offloadsim.calibration import resolve_models
    from offloadsim.calibration.report import accuracy_table
    from offloadsim.world.profiles.calibrated import load_profile

    measured = {model: ms / 1e3 for model, ms in measured_ms.items()}
    return accuracy_table(load_profile(PROFILE), resolve_models(list(measured)), measured=measured)


def _recorded_timings() -> dict[str, float]:
    """The whole-model timings (ms) the calibration recorded in the shipped profile."""
    rows = json.loads(PROFILE.read_text(encoding="utf-8")).get("report", {}).get("rows", [])
    return {str(row["model"]): float(row["measured_ms"]) for row in rows}


def build(*, out: Path, quick: bool, retime: bool, manifest: dict[str, Any]) -> Any:
    """Re-predict (or time) the models; write the table to ``out/data`` and ``manifest``; draw."""
    from offloadsim.calibration import resolve_models
    from offloadsim.calibration.report import (
        accuracy_summary,
        accuracy_table,
        another_machine_line,
        format_table,
    )
    from offloadsim.cli.calibrate import DEFAULT_HOLDOUT
    from offloadsim.host import cpu_model
    from offloadsim.world.profiles.calibrated import load_profile

    file = _table_file(out)
    recorded = _recorded_timings()
    if recorded and not retime and not quick:
        table = _predicted(recorded)
        timed_on = _calibration_session()
    else:
        profile = load_profile(PROFILE)
        names = QUICK_MODELS if quick else [*profile.provenance.get("models", []), *DEFAULT_HOLDOUT]
        table = accuracy_table(profile, resolve_models(names), repeats=3 if quick else 10, progress=True)
        elsewhere = another_machine_line(profile)
        if elsewhere:  # a reviewer read another CPU's +490 % as the profile's error
            print(f"note: {elsewhere}", file=sys.stderr)
        timed_on = f"timed on {cpu_model()} on {datetime.now(UTC):%Y-%m-%d}, by this build"
        if elsewhere:
            timed_on += ", another CPU than the profile's: y compares the two CPUs"
    print(format_table(table), file=sys.stderr)
    held = accuracy_summary(table)["held_out"]
    print(f"held-out within ±10%: {held['within']}/{held['models']}", file=sys.stderr)
    manifest["experiments"][NAME] = {
        "profile": _profile_digest(),
        "data": write_table(table, file),
        "jobs": len(table),
        "quick": quick,
        "timed_on": timed_on,
    }
    return _draw(table, timed_on)


def redraw(out: Path) -> Any:
    """The figure drawn from the table in ``out/data`` (re-predicting nothing, writing nothing)."""
    from gallery import load_manifest

    entry = load_manifest(out).get("experiments", {}).get(NAME, {})
    return _draw(pd.read_csv(_table_file(out)), entry.get("timed_on") or _calibration_session())


def _calibration_session() -> str:
    """Where and when the profile's own whole-model timings were taken: its calibration session."""
    provenance = json.loads(PROFILE.read_text(encoding="utf-8")).get("provenance", {})
    cpu, date = provenance.get("cpu_model", "?"), str(provenance.get("date", "?"))[:10]
    return f"timed on {cpu} on {date}, in the profile's calibration (not re-checkable on another host)"


def _draw(table: pd.DataFrame, timed_on: str) -> Any:
    from offloadsim.calibration.report import cpu_timed, figure_note
    from offloadsim.plots import calibration_accuracy, new_axes, note_under
    from offloadsim.world.profiles.calibrated import load_profile

    profile = load_profile(PROFILE)  # its clock names the x axis: one thread's CPU time, not latency
    fig, ax = new_axes("one-column")
    note_under(fig, f"{figure_note(profile, table)}; x {timed_on}")  # first: the names fit the axes it leaves
    calibration_accuracy(table, ax=ax, clock="cpu" if cpu_timed(profile) else "wall")
    return fig


def check(*, out: Path, manifest: dict[str, Any]) -> list[str]:
    """Why the calibration figure is out of date, if it is (the stamp is checked by gallery.check)."""
    where = f"docs/figures/data/{NAME}.csv"
    fix = f"python analysis/build_gallery.py --only {NAME}"
    entry = manifest.get("experiments", {}).get(NAME)
    file = _table_file(out)
    if entry is None or not file.is_file():
        return [f"{where}: missing; rebuild: {fix}"]
    if entry.get("quick"):
        return [f"{where}: made by a --quick build; rebuild: {fix}"]
    if entry.get("profile") != _profile_digest():
        return [f"{where}: drawn from another version of {PROFILE.name}; redraw: {fix}"]
    stored = pd.read_csv(file)
    fresh = _predicted(
        dict(zip(stored["model"].astype(str), stored["measured_ms"].astype(float), strict=True))
    )
    for model, old, new in zip(stored["model"], stored["predicted_ms"], fresh["predicted_ms"], strict=True):
        if not math.isclose(float(old), float(new), rel_tol=1e-9):
            return [
                f"{where}: the profile now predicts {model} at {new:.4g} ms, not {old:.4g} ms "
                f"(the cost model changed); redraw: {fix}"
            ]
    return []


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=[NAME]))
