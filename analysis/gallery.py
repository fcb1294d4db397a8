"""The gallery: which figure comes from which experiment, how to rebuild it all, and whether it is current.

A figure is current when the numbers it was drawn from are the numbers the
simulator gives today, and it is what the plotting code draws from them.
The build writes, per experiment, a table of every job's metrics
(``docs/figures/data/<experiment>.csv``) and a digest of the scenario
documents it ran (``docs/figures/data/gallery.json``), and stamps each PNG
(and PDF) with a digest of the tables it was drawn from.
:func:`check` then finds:

* a scenario or sweep file changed since the build (the digest of the
  documents differs, or the jobs are not the same);
* the simulator's numbers changed (jobs re-run now give other metrics
  than the table: a sample of jobs by default, all of them with ``full``);
* a figure not redrawn from the current table (its stamp differs);
* a figure that the plotting code now draws otherwise from the same tables
  (its PNG and a redraw differ: :mod:`_drawings`);
* the calibration figure's table made with another profile, or its
  predictions no longer the profile's;
* the testbed figure's shipped campaign runs changed since it was drawn.
"""

from __future__ import annotations

import importlib
import json
import math
import pickle
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from _common import (
    EXPERIMENTS,
    FIGURE_NOTE_KEYS,
    FIGURES,
    REBUILD,
    RESULTS,
    ROOT,
    digest_text,
    identity_columns,
    inputs_digest,
    job_table,
    row_of_job,
    table_text,
    write_table,
)
from _drawings import problems as drawing_problems

#: Every figure of docs/gallery.md: the script in analysis/ that draws it, in gallery order.
FIGURE_NAMES = (
    "latency_cdf",
    "policy_bars",
    "bandwidth_sweep",
    "split_vs_bandwidth",
    "energy_latency",
    "utilisation",
    "utilisation_time",
    "timeline",
    "edge_outage",
    "latency_time",
    "unstable_uplink",
    "handover_timeline",
    "calibration_accuracy",
    "testbed_validation",
)
#: Figures not held to :func:`offloadsim.plots.checks.legend_over_data` (a legend over no line or
#: marker), each with the reason; every other figure is.  None: a figure whose legend must sit on
#: its data has no such legend yet.
LEGEND_EXEMPT: dict[str, str] = {}
STAMP = "offloadsim-data"
SAMPLE_JOBS = 6  # jobs re-run per experiment by the quick check (replication 0, spread over the points)


def figure_module(name: str) -> ModuleType:
    """The script of figure ``name`` (it defines ``EXPERIMENTS`` and ``draw``)."""
    if name not in FIGURE_NAMES:
        raise SystemExit(f"unknown figure {name!r}; the gallery has {', '.join(FIGURE_NAMES)}")
    return importlib.import_module(name)


def data_dir(out: Path) -> Path:
    return out / "data"


def load_manifest(out: Path) -> dict[str, Any]:
    file = data_dir(out) / "gallery.json"
    if not file.is_file():
        return {"experiments": {}}
    data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    return data


def figure_stamp(manifest: dict[str, Any], experiments: Iterable[str]) -> str:
    """The digest a figure drawn from these experiments' tables carries."""
    tables = manifest.get("experiments", {})
    return digest_text(",".join(f"{e}:{tables.get(e, {}).get('data', '?')}" for e in experiments))


# --------------------------------------------------------------------------- building


def build(
    names: Sequence[str] | None = None,
    *,
    out: Path = FIGURES,
    results: Path = RESULTS,
    workers: int | None = None,
    quick: bool = False,
    retime: bool = False,
    redraw: bool = False,
) -> list[Path]:
    """Run the experiments behind ``names`` (default: every figure) from scratch and draw the figures.

    Writes each experiment's table and the gallery manifest under
    ``out/data`` and each figure as ``out/<name>.pdf`` and ``.png``.  A
    figure with a layout problem (colliding labels, text outside its axes)
    is an error.  ``redraw`` draws from the records the last build kept in
    ``results`` instead of running (for work on the figures themselves;
    refused when those records are not the ones behind ``out/data``).
    Returns the files written.
    """
    from offloadsim.plots import save_figure

    chosen = [figure_module(n) for n in (names or FIGURE_NAMES)]
    needed = list(dict.fromkeys(e for module in chosen for e in getattr(module, "EXPERIMENTS", ())))
    # A rebuilt experiment may have new numbers: every figure drawn from it is redrawn too.
    chosen = [
        figure_module(n)
        for n in FIGURE_NAMES
        if figure_module(n) in chosen or set(getattr(figure_module(n), "EXPERIMENTS", ())) & set(needed)
    ]
    manifest = load_manifest(out)
    manifest.setdefault("experiments", {})
    data: dict[str, Any] = {}
    written: list[Path] = []
    for name in needed:
        experiment = EXPERIMENTS[name]
        print(f"== {name}", file=sys.stderr)
        kept = results / f"{name}.pickle"
        if redraw:
            data[name] = _kept(kept, name, out, manifest["experiments"].get(name, {}), experiment)
            continue
        data[name] = experiment.run(results, workers, quick)
        kept.parent.mkdir(parents=True, exist_ok=True)
        with kept.open("wb") as file:
            pickle.dump(data[name], file)
        table = job_table(data[name], experiment)
        path = data_dir(out) / f"{name}.csv"
        manifest["experiments"][name] = {
            "inputs": inputs_digest(experiment, quick),
            "data": write_table(table, path),
            "jobs": len(table),
            "quick": quick,
            # The runs' warnings (too short to settle, ...): a figure redrawn from the table says them too.
            "run_warnings": list(getattr(data[name], "manifest", {}).get("run_warnings") or ()),
            # And the notes plot says under its figures (a plain speed:, an A100's efficiency): the same.
            **{
                key: value
                for key in FIGURE_NOTE_KEYS
                if (value := getattr(data[name], "manifest", {}).get(key))
            },
        }
        written.append(path)
    for module in chosen:
        name = module.__name__
        if hasattr(module, "build"):  # a figure with its own data (the calibration figure)
            fig = module.build(out=out, quick=quick, retime=retime, manifest=manifest)
            stamp = manifest["experiments"][name]["data"]
        else:
            fig = module.draw({e: data[e] for e in module.EXPERIMENTS})
            stamp = figure_stamp(manifest, module.EXPERIMENTS)
        problems = refusals(name, fig)
        if problems:
            raise SystemExit(f"{name}: the figure has layout problems:\n  " + "\n  ".join(problems))
        written += save_figure(fig, out / name, metadata={STAMP: stamp})
    path = data_dir(out) / "gallery.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(path)
    return written


def refusals(name: str, fig: Any) -> list[str]:
    """Why the build refuses gallery figure ``name``: its layout problems and a legend over its data."""
    from offloadsim.plots.checks import figure_problems, legend_over_data

    problems = figure_problems(fig)
    if name not in LEGEND_EXEMPT:
        problems += legend_over_data(fig)
    return problems


def _kept(path: Path, name: str, out: Path, recorded: dict[str, Any], experiment: Any) -> Any:
    """The records a build kept, when they are the ones behind the table ``out``'s manifest records.

    Refused (one line, exit 2) when no records were kept, when ``out`` records no table of the
    experiment (a fresh ``--out`` folder: its gallery.json, not docs/figures', is what is read), or
    when the records give another table than the one it records.
    """
    manifest = data_dir(out) / "gallery.json"
    if not path.is_file():
        _refuse(f"--redraw: no records kept at {path}; build without --redraw first")
    if not recorded.get("data"):
        _refuse(
            f"--redraw: {manifest} records no table of {name} to check the records kept at {path} "
            f"against ({'it has no entry for it' if manifest.is_file() else 'there is no such file'}); "
            f"copy the data/ folder of the build that kept them (docs/figures/data) to {data_dir(out)} "
            "first, or build without --redraw"
        )
    with path.open("rb") as file:
        results = pickle.load(file)  # our own cache, written by build() above
    table = job_table(results, experiment)
    digest = digest_text(table_text(table))
    if digest != recorded.get("data"):
        _refuse(
            f"--redraw: the records kept at {path} give a table of {name} (digest {digest}) other than "
            f"the one {manifest} records ({recorded.get('data')}): they are from another build; build "
            "without --redraw, or give --results of the build that wrote that data/ folder"
        )
    return results


def _refuse(message: str) -> NoReturn:
    """Say what was refused on one line and exit 2 (the command was asked something it cannot do)."""
    print(message, file=sys.stderr)
    raise SystemExit(2)


# --------------------------------------------------------------------------- checking


def check(
    *,
    out: Path = FIGURES,
    full: bool = False,
    workers: int | None = None,
    experiments: Sequence[str] | None = None,
    every_figure: bool = False,
) -> list[str]:
    """Every way the gallery in ``out`` is out of date, one line each (an empty list when current).

    Re-runs a sample of each experiment's jobs (:data:`SAMPLE_JOBS`, in a
    few seconds), or every job with ``full``.  ``experiments`` limits the
    check to those experiments and the figures drawn from them.  Each figure
    found current is redrawn from its tables and compared with its PNG
    (:mod:`_drawings`); with ``every_figure`` those drawn from records the
    tables do not keep too, re-running their experiments.
    """
    manifest = load_manifest(out)
    recorded = manifest.get("experiments", {})
    problems: list[str] = []
    stale: set[str] = set()
    drawn: list[ModuleType] = []  # figures current by their stamp: is their PNG what the code draws?
    for name, experiment in EXPERIMENTS.items():
        if experiments is not None and name not in experiments:
            continue
        found = _check_experiment(name, experiment, recorded.get(name), out, full, workers)
        if found:
            stale.add(name)
            problems += found
    for name in FIGURE_NAMES:
        module = figure_module(name)
        if experiments is not None and not set(getattr(module, "EXPERIMENTS", ()) or (name,)) & set(
            experiments
        ):
            continue
        own: list[str] = []
        if hasattr(module, "check"):
            own = module.check(out=out, manifest=manifest)
            expected = recorded.get(name, {}).get("data")
        else:
            if stale & set(module.EXPERIMENTS):
                continue  # already reported: rebuilding the experiment redraws the figure
            expected = figure_stamp(manifest, module.EXPERIMENTS)
        stamp = png_stamp(out / f"{name}.png")
        if stamp != expected:
            own.append(
                f"docs/figures/{name}.png was not drawn from the current data/ tables "
                f"(stamp {stamp}, expected {expected}): {REBUILD} --only {name}"
            )
        problems += own
        if not own:
            drawn.append(module)
    if experiments is None:
        problems += strays(out)
    return problems + drawing_problems(drawn, out=out, every=every_figure, workers=workers, refuse=refusals)


def strays(out: Path) -> list[str]:
    """A line for each file in ``out`` that is no gallery figure (a comparison's diff image, say)."""
    kept = {f"{name}.{suffix}" for name in FIGURE_NAMES for suffix in ("png", "pdf")}
    return [
        f"docs/figures/{path.name}: not a gallery figure (none of FIGURE_NAMES as PNG or PDF): remove it"
        for path in sorted(out.iterdir())
        if path.is_file() and path.name not in kept
    ]


def png_stamp(path: Path) -> str | None:
    """The data digest a gallery PNG was stamped with, or None."""
    if not path.is_file():
        return None
    from PIL import Image

    with Image.open(path) as image:
        text = getattr(image, "text", {}) or {}
        return text.get(STAMP)


def _check_experiment(
    name: str, experiment: Any, recorded: dict[str, Any] | None, out: Path, full: bool, workers: int | None
) -> list[str]:
    where = f"docs/figures/data/{name}.csv"
    fix = f"rebuild: {REBUILD}"
    path = data_dir(out) / f"{name}.csv"
    if recorded is None or not path.is_file():
        return [f"{where}: missing; {fix}"]
    if recorded.get("quick"):
        return [f"{where}: made by a --quick build; {fix}"]
    text = path.read_text(encoding="utf-8")
    if digest_text(text) != recorded.get("data"):
        return [f"{where}: edited after the build (its digest differs from gallery.json); {fix}"]
    if inputs_digest(experiment) != recorded.get("inputs"):
        files = ", ".join(str(f.relative_to(ROOT)) for f in experiment.files)
        return [f"{where}: the scenarios changed since it was made ({files}); {fix}"]
    ids = identity_columns(experiment)
    table = pd.read_csv(path, dtype={c: str for c in ids}, keep_default_na=False, na_values=["", "nan"])
    stored = {_key(row, ids): row for row in table.to_dict("records")}
    plan = experiment.plan(False)
    if {_key(identity, ids) for identity, _ in plan} != set(stored):
        return [f"{where}: its jobs are not the experiment's jobs any more; {fix}"]
    chosen = plan if full else _sample(plan)
    problems = []
    for identity, fresh in _run(chosen, full, workers):
        row = stored[_key(identity, ids)]
        for column, value in fresh.items():
            if column in ids or column not in row:
                continue
            if not _same(value, row[column]):
                shown = ", ".join(f"{k}={identity[k]}" for k in ids)
                problems.append(
                    f"{where}: {column} of the job ({shown}) is {value:.6g} now, {row[column]:.6g} in the "
                    f"table: the simulator's numbers changed; {fix}"
                )
                break
        if len(problems) >= 3:
            break
    return problems


def _key(row: dict[str, Any], ids: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(row[c]) for c in ids)


def _sample(plan: list[tuple[dict[str, Any], Any]]) -> list[tuple[dict[str, Any], Any]]:
    """Up to :data:`SAMPLE_JOBS` jobs of replication 0, spread evenly over the experiment's points."""
    first = [item for item in plan if item[0]["replication"] == 0]
    if len(first) <= SAMPLE_JOBS:
        return first
    picks = np.unique(np.linspace(0, len(first) - 1, SAMPLE_JOBS).round().astype(int))
    return [first[i] for i in picks]


def _run(
    chosen: list[tuple[dict[str, Any], Any]], parallel: bool, workers: int | None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Run the jobs and return each one's table row (in a process pool when ``parallel``)."""
    from offloadsim.experiments.executors import execute
    from offloadsim.experiments.jobs import run_job

    if not parallel:
        return [(identity, row_of_job(identity, run_job(job))) for identity, job in chosen]
    identities = {job.key: identity for identity, job in chosen}
    rows: dict[str, dict[str, Any]] = {}

    def keep(job: Any, result: Any) -> None:
        rows[job.key] = row_of_job(identities[job.key], result)

    failures = execute([job for _, job in chosen], keep, workers=workers, progress=True, description="check")
    if failures:
        raise failures[0].error
    return [(identity, rows[job.key]) for identity, job in chosen]


def _same(fresh: Any, stored: Any) -> bool:
    a = math.nan if fresh is None else float(fresh)
    b = math.nan if stored is None or stored == "" else float(stored)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
