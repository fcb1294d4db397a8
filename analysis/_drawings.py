"""Whether each committed gallery PNG is what the plotting code draws today from the committed numbers.

The stamp in a PNG says which tables it was drawn from, not how: a change to
the plotting code (a label moved, a colour changed) leaves it as it was.  So
the check redraws each figure from ``docs/figures/data`` into a temporary
folder, running nothing, and compares the pixels with matplotlib's own
:func:`~matplotlib.testing.compare.compare_images`.  The tables keep one row
per job; the figures drawn from records they do not keep (each task, node or
stage: :data:`RECORDS`) are redrawn only when asked (``every``), by re-running
their experiments as the build does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
from _common import EXPERIMENTS, FIGURE_NOTE_KEYS, REBUILD, digest_text, job_table, table_text

#: The largest RMS difference (of 0-255 pixel values, over every pixel and channel) between a committed
#: PNG and its redraw that is no difference: a figure redrawn from its table's 12 significant digits
#: may shade a few anti-aliased edge pixels one level apart (energy_latency: 9 pixels, RMS 0.002; the
#: calibration figure 0.004), where the smallest change to a drawing tried (policy_bars' error bars
#: 15 % thicker) gives 0.5.
TOLERANCE = 0.05
#: Figures drawn from records that data/ does not keep, each with the records: the quick check
#: cannot redraw them; ``every`` re-runs their experiments.  A figure not named here is redrawn
#: from its tables alone (and one that reads records is a problem said by the check).
RECORDS: dict[str, str] = {
    "latency_cdf": "tasks",
    "split_vs_bandwidth": "tasks",
    "utilisation": "nodes",
    "utilisation_time": "tasks",
    "timeline": "tasks and stages",
    "latency_time": "tasks and nodes",
    "unstable_uplink": "tasks",
    "handover_timeline": "tasks",
}


class RecordsNotKept(LookupError):
    """A figure's drawing read records of the runs (tasks, nodes, stages) that data/ does not keep."""


class Stored:
    """An experiment's committed table standing in for its results: ``metrics`` and ``manifest["labels"]``.

    ``manifest["run_warnings"]`` is the runs' warnings the build recorded in ``gallery.json`` (a figure
    says them as ``offloadsim plot`` does), and so are the notes plot says under its figures
    (:data:`~_common.FIGURE_NOTE_KEYS`).  Reading anything else (``tasks``, ``nodes``, ``stages``)
    raises :class:`RecordsNotKept`.
    """

    def __init__(self, name: str, out: Path) -> None:
        experiment = EXPERIMENTS[name]
        keys = experiment.keys()
        self.name = name
        self.metrics = pd.read_csv(
            out / "data" / f"{name}.csv",
            dtype={key: str for key in keys},
            keep_default_na=False,
            na_values=["", "nan"],
        )
        import json

        recorded = out / "data" / "gallery.json"  # none in a folder no build wrote: no warnings kept
        kept = json.loads(recorded.read_text(encoding="utf-8")) if recorded.is_file() else {}
        entry = kept.get("experiments", {}).get(name, {})
        self.manifest = {
            "labels": experiment.labels(),
            "run_warnings": entry.get("run_warnings", []),
            **{key: entry[key] for key in FIGURE_NOTE_KEYS if key in entry},
        }

    def __getattr__(self, what: str) -> Any:
        raise RecordsNotKept(f"{self.name}'s {what}")


def redraw(module: ModuleType, out: Path, data: dict[str, Any] | None = None) -> Any:
    """Figure ``module`` drawn from ``data`` (results by experiment), or from the tables in ``out/data``."""
    if hasattr(module, "redraw"):  # a figure with its own data (calibration, testbed): its own table
        return module.redraw(out)
    if data is None:
        data = {name: Stored(name, out) for name in module.EXPERIMENTS}
    return module.draw({name: data[name] for name in module.EXPERIMENTS})


def difference(committed: Path, drawn: Path) -> str | None:
    """What differs between two PNGs (``"RMS 3.21"``, or their sizes), or None within :data:`TOLERANCE`."""
    from matplotlib.testing.compare import compare_images
    from matplotlib.testing.exceptions import ImageComparisonFailure
    from PIL import Image

    try:
        found = compare_images(str(committed), str(drawn), TOLERANCE, in_decorator=True)
    except ImageComparisonFailure:  # not the same size: no RMS to give
        with Image.open(committed) as old, Image.open(drawn) as new:
            return f"size {old.width}x{old.height} pixels, the redraw's {new.width}x{new.height}"
    return None if found is None else f"RMS {found['rms']:.3g} > {TOLERANCE:g}"


def problems(
    modules: Sequence[ModuleType],
    *,
    out: Path,
    every: bool = False,
    workers: int | None = None,
    refuse: Callable[[str, Any], list[str]] | None = None,
) -> list[str]:
    """One line per figure of ``modules`` whose committed PNG in ``out`` is not what its redraw gives.

    The figures of :data:`RECORDS` are skipped unless ``every``; then their experiments are re-run
    (minutes), and one whose numbers are no longer its table's is said instead of its figures.
    ``refuse`` (``gallery.refusals``) gives what a reviewer would send back of each redraw (a label
    over another, a legend over data): the build refuses such a figure, and the check of the figures
    committed says it too (a figure drawn before a check was added to the build went unchecked).
    """
    from offloadsim.plots import save_figure

    chosen = [m for m in modules if every or m.__name__ not in RECORDS]
    with tempfile.TemporaryDirectory(prefix="gallery-redraw-") as folder:
        runs = _experiments_of(m for m in chosen if m.__name__ in RECORDS)
        data, lines = _rerun(runs, out, Path(folder) / "runs", workers)
        for module in chosen:
            name = module.__name__
            if not set(getattr(module, "EXPERIMENTS", ())) <= set(data) and name in RECORDS:
                continue  # its experiment's numbers changed: said above
            try:
                fig = redraw(module, out, data if name in RECORDS else None)
            except RecordsNotKept as error:
                lines.append(
                    f"{name}: its drawing reads {error}, which docs/figures/data does not keep: name it in "
                    "RECORDS in analysis/_drawings.py"
                )
                continue
            refused = refuse(name, fig) if refuse else []
            if refused:
                lines.append(
                    f"docs/figures/{name}.png: the plotting code draws it with layout problems "
                    f"({'; '.join(refused)}): fix them, then {REBUILD} --only {name}"
                )
            (drawn,) = save_figure(fig, Path(folder) / name, formats=("png",))
            differs = difference(out / f"{name}.png", drawn)
            if differs:
                lines.append(
                    f"docs/figures/{name}.png is not what the plotting code draws today from data/ "
                    f"({differs}): {REBUILD} --only {name}"
                )
    return lines


def _experiments_of(modules: Iterable[ModuleType]) -> list[str]:
    return list(dict.fromkeys(e for module in modules for e in module.EXPERIMENTS))


def _rerun(
    names: list[str], out: Path, results: Path, workers: int | None
) -> tuple[dict[str, Any], list[str]]:
    """The experiments re-run (into ``results``) whose tables are the ones in ``out/data``; a line for each
    that is not."""
    import json

    recorded = (
        json.loads((out / "data" / "gallery.json").read_text(encoding="utf-8"))["experiments"]
        if names
        else {}
    )
    data: dict[str, Any] = {}
    lines: list[str] = []
    for name in names:
        experiment = EXPERIMENTS[name]
        result = experiment.run(results, workers, False)
        digest = digest_text(table_text(job_table(result, experiment)))
        if digest != recorded.get(name, {}).get("data"):
            lines.append(
                f"docs/figures/data/{name}.csv: re-run to redraw its figures, it gives another table "
                f"(digest {digest}): the simulator's numbers changed; rebuild: {REBUILD}"
            )
        else:
            data[name] = result
    return data, lines
