"""Simulated against measured on the emulated testbed: the validation campaign's figure (docs/figures).

python analysis/testbed_validation.py      # redraw from the shipped runs (seconds)

The measured side cannot be rerun here: it is a campaign of real split
inference and real TCP over shaped links (``offloadsim testbed campaign``,
hours, root and network namespaces; see docs/testbed.md).  The campaign's
``runs.csv`` (one row per run: measured and max-min predicted medians,
spreads, CPU shares) is shipped as docs/figures/data/testbed_runs.csv, and the
same runs predicted again under the ``fifo`` link model
(``offloadsim testbed campaign --tables-only --link-model fifo``: its
``runs-fifo.csv``) as testbed_runs-fifo.csv.  This script tabulates both with
the campaign's own functions and draws them in one figure: filled markers
max-min, hollow ones fifo.  To show a new campaign, copy its two files there
and run this script.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from _common import FIGURES, digest_text

EXPERIMENTS: tuple[str, ...] = ()  # its data is measured, not simulated: see build() and check()
NAME = "testbed_validation"
RUNS = ("testbed_runs.csv", "testbed_runs-fifo.csv")  # max-min's predictions, then fifo's


def _runs_files(out: Path) -> list[Path]:
    return [out / "data" / name for name in RUNS]


def _digest(files: list[Path]) -> str:
    return digest_text("".join(file.read_text(encoding="utf-8") for file in files))


def tables(runs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The campaign's validation table (split inference) and flows table, from its runs."""
    from offloadsim.testbed.campaign import flows_table, validation_table

    return validation_table(runs), flows_table(runs)


def build(*, out: Path, quick: bool, retime: bool, manifest: dict[str, Any]) -> Any:
    """Draw the figure from the runs in ``out/data`` and record their digest in ``manifest``.

    A folder with neither runs file (a fresh ``--out``) gets the shipped campaign's: the measured
    side cannot be rerun, and a build there drew every other figure only to stop at this one.
    """
    files = _runs_files(out)
    if not any(file.exists() for file in files):
        for file, shipped in zip(files, _runs_files(FIGURES), strict=True):
            if shipped.is_file() and shipped.resolve() != file.resolve():
                file.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shipped, file)
                print(f"{file}: the shipped campaign's runs, copied from {shipped}", file=sys.stderr)
    for file in files:
        if not file.is_file():
            raise SystemExit(f"{file}: no campaign runs to draw; copy a campaign's runs there first")
    fig, table = _draw(files)
    manifest["experiments"][NAME] = {"data": _digest(files), "jobs": len(table)}
    return fig


def redraw(out: Path) -> Any:
    """The figure drawn from the runs in ``out/data`` (recording nothing)."""
    return _draw(_runs_files(out))[0]


def _draw(files: list[Path]) -> tuple[Any, pd.DataFrame]:
    """The figure of these runs files (max-min's, then fifo's) and max-min's validation table."""
    from offloadsim.testbed.figure import Predictions, validation_figure

    runs = [pd.read_csv(file) for file in files]
    (table, flows), (fifo, fifo_flows) = (tables(one) for one in runs)
    fifo_predictions = Predictions("fifo", fifo, fifo_flows)
    return validation_figure(table, flows, alternative=fifo_predictions, note=marks_note(runs[0])), table


def marks_note(runs: pd.DataFrame) -> str:
    """What the figure's marks that its legend does not name are: the spread bars, the links, the band.

    The gallery's rule: a figure says on itself what its marks are.  The legend names markers,
    colours, filled and hollow; the horizontal bars and the lines joining two predictions it does not.
    """
    repeats = int(runs["repetition"].nunique())
    return (
        f"horizontal bars: the range of a configuration's {repeats} repetitions' medians (each on a fresh "
        "testbed); a thin line joins its max-min (filled) and fifo (hollow) predictions of the same runs; "
        "grey band: the error the validation accepts"
    )


def check(*, out: Path, manifest: dict[str, Any]) -> list[str]:
    """Why the testbed figure is out of date, if it is (the stamp is checked by gallery.check)."""
    where = " and ".join(f"docs/figures/data/{name}" for name in RUNS)
    fix = f"python analysis/build_gallery.py --only {NAME}"
    entry = manifest.get("experiments", {}).get(NAME)
    files = _runs_files(out)
    if entry is None or not all(file.is_file() for file in files):
        return [f"{where}: missing; copy a campaign's runs there and run {fix}"]
    if _digest(files) != entry.get("data"):
        return [f"{where}: changed since the figure was drawn; redraw: {fix}"]
    return []


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=[NAME]))
