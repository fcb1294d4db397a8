"""The experiments behind the gallery's figures: what each runs, the table of numbers it leaves, its inputs.

Every figure in docs/gallery.md is drawn from one or more of these
experiments.  Each experiment is run from scratch (a sweep never reuses job
files left by an older simulator), and leaves, besides the figures, a small
table in ``docs/figures/data/<experiment>.csv``: one row per job, its
identity (policy, swept values, replication) and its metrics.  That table
is what the currency check (:mod:`gallery`) compares with fresh runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402  (after the path is set, like everything from offloadsim)

SCENARIOS = ROOT / "scenarios"
FIGURES = ROOT / "docs" / "figures"
RESULTS = ROOT / "results" / "analysis"
REBUILD = "python analysis/build_gallery.py"  # the command that rebuilds the gallery, said by its checks
COMPARE_LOAD_POLICIES = ["local", "edge", "cloud", "least-loaded"]
EDGE_OUTAGE_POLICIES = ["edge", "least-loaded", "cloud"]
#: The recovery variants of edge-outage.yaml: as shipped, and with aborted tasks failing.
EDGE_OUTAGE_VARIANTS = {
    "retry, then another": [],
    "none": ["recovery.retries=0", "recovery.fallback=drop"],
}


def options(description: str) -> argparse.Namespace:
    """The options every figure script takes (they are build_gallery.py's, for one figure)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--out", type=Path, default=FIGURES, help="figure directory (default docs/figures)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the runs are kept")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (smoke test)")
    return parser.parse_args()


# --------------------------------------------------------------------------- experiments


@dataclass
class Experiment:
    """One experiment of the gallery: how to plan its jobs (cheaply) and how to run all of it.

    ``plan(quick)`` returns ``[(identity, job)]`` without running anything;
    ``run(results_dir, workers, quick)`` returns an
    :class:`offloadsim.experiments.Results` with every job's records;
    ``labels()`` the axis labels its results' manifest gives its swept keys
    (a sweep's ``labels``), read from its files without running anything.
    """

    name: str
    plan: Callable[[bool], list[tuple[dict[str, Any], Any]]]
    run: Callable[[Path, int | None, bool], Any]
    keys: Callable[[], list[str]]
    files: Sequence[Path] = field(default_factory=tuple)
    labels: Callable[[], dict[str, str]] = dict


def _compare_load_scenario(quick: bool) -> Any:
    from offloadsim.api import load

    return load(SCENARIOS / "compare-load.yaml", ["duration=20 s"] if quick else [])


def _plan_compare(
    scenario: Any, policies: Sequence[str], replications: int
) -> list[tuple[dict[str, Any], Any]]:
    """The jobs ``compare`` runs (replication r of each policy), each with its identity."""
    from offloadsim.experiments.compare import compare_jobs

    return [
        ({"policy": job.policy, "replication": job.replication}, job)
        for job in compare_jobs(scenario, policies, replications)
    ]


def _results_of_compare(result: Any) -> Any:
    from offloadsim.experiments import Results

    return Results(
        "compare",
        Path(),
        result.tasks,
        result.metrics,
        result.nodes,
        result.manifest,
        link_changes=result.link_changes,  # when each link changed: latency-time draws it
    )


def _run_compare_load(results: Path, workers: int | None, quick: bool) -> Any:
    from offloadsim.experiments import compare

    result = compare(
        _compare_load_scenario(quick), COMPARE_LOAD_POLICIES, replications=2 if quick else 5, workers=workers
    )
    return _results_of_compare(result)


def _plan_least_loaded(quick: bool) -> list[tuple[dict[str, Any], Any]]:
    return _plan_compare(_compare_load_scenario(quick), ["least-loaded"], 1)


def _run_least_loaded(results: Path, workers: int | None, quick: bool) -> Any:
    """One run of least-loaded on the busy edge, with every stage recorded (for the timeline)."""
    from offloadsim.analysis.summary import metrics_row
    from offloadsim.api import run
    from offloadsim.experiments import Results

    result = run(_compare_load_scenario(quick), policy="least-loaded", stages=True)
    metrics = pd.DataFrame([{"policy": "least-loaded", "replication": 0, **metrics_row(result.summary)}])
    nodes = result.nodes.assign(policy="least-loaded", replication=0)
    return Results("run", Path(), result.tasks, metrics, nodes, result.manifest, stages=result.stages)


def one_run_title(result: Any) -> str:
    """``one run of least-loaded (replication 0)``: over a figure of a single run's records.

    Read alone, its curve or its tasks could be taken for a mean over the replications that the
    gallery's other figures average.
    """
    manifest = result.manifest
    return f"one run of {manifest['policy']['name']} (replication {manifest['replication']})"


def edge_outage_scenario(variant: str, quick: bool) -> Any:
    from offloadsim.api import load

    short = ["duration=60 s"] if quick else []
    return load(SCENARIOS / "edge-outage.yaml", [*EDGE_OUTAGE_VARIANTS[variant], *short])


def _plan_edge_outage(quick: bool) -> list[tuple[dict[str, Any], Any]]:
    return [
        ({"recovery": variant, **identity}, job)
        for variant in EDGE_OUTAGE_VARIANTS
        for identity, job in _plan_compare(
            edge_outage_scenario(variant, quick), EDGE_OUTAGE_POLICIES, 2 if quick else 5
        )
    ]


def _run_edge_outage(results: Path, workers: int | None, quick: bool) -> Any:
    """compare's jobs for each recovery variant, as one table with a ``recovery`` column."""
    from offloadsim.experiments import Results, compare

    parts = []
    for variant in EDGE_OUTAGE_VARIANTS:
        scenario = edge_outage_scenario(variant, quick)
        result = compare(scenario, EDGE_OUTAGE_POLICIES, replications=2 if quick else 5, workers=workers)
        parts.append(
            [
                frame.assign(recovery=variant, point=variant)
                for frame in (result.tasks, result.metrics, result.nodes)
            ]
        )
        manifest = result.manifest
    tasks, metrics, nodes = (pd.concat(frames, ignore_index=True) for frames in zip(*parts, strict=True))
    return Results("compare", Path(), tasks, metrics, nodes, manifest)


#: The latency-time figure's run: edge-outage.yaml shortened to one minute, whose replication 0 has
#: one outage of the edge (23.6 s to 34.3 s), under the static policy and the load-aware one.
OUTAGE_RUN_POLICIES = ["edge", "least-loaded"]


def _outage_run_scenario(quick: bool) -> Any:
    from offloadsim.api import load

    return load(SCENARIOS / "edge-outage.yaml", ["duration=30 s" if quick else "duration=60 s"])


def _run_outage_run(results: Path, workers: int | None, quick: bool) -> Any:
    """One replication of each policy on the same arrivals and the same outage (common random numbers)."""
    from offloadsim.experiments import compare

    result = compare(_outage_run_scenario(quick), OUTAGE_RUN_POLICIES, replications=1, workers=workers)
    return _results_of_compare(result)


def _sweep_spec(file: str, quick: bool) -> Any:
    from dataclasses import replace

    from offloadsim.experiments import load_sweep

    spec = load_sweep(SCENARIOS / file)
    return replace(spec, replications=1) if quick else spec


def _plan_sweep(file: str) -> Callable[[bool], list[tuple[dict[str, Any], Any]]]:
    def plan(quick: bool) -> list[tuple[dict[str, Any], Any]]:
        from offloadsim.experiments import plan_sweep

        out = []
        for job in plan_sweep(_sweep_spec(file, quick)):
            point = {key: str(value) for key, value in job.point if key != "policy.name"}
            policy = dict(job.point).get("policy.name", job.scenario.policy.name)
            out.append(({**point, "policy": policy, "replication": job.replication}, job))
        return out

    return plan


def _run_sweep(file: str) -> Callable[[Path, int | None, bool], Any]:
    def run(results: Path, workers: int | None, quick: bool) -> Any:
        from offloadsim.experiments import read_results, sweep

        spec = _sweep_spec(file, quick)
        out = results / spec.name
        if out.exists():  # never reuse job files: an older simulator may have written them
            shutil.rmtree(out)
        sweep(spec, out=out, workers=workers, progress=True)
        return read_results(out)

    return run


def _sweep_keys(file: str) -> Callable[[], list[str]]:
    def keys() -> list[str]:
        return [k for k in _sweep_spec(file, False).swept if k != "policy.name"]

    return keys


def _sweep_labels(file: str) -> Callable[[], dict[str, str]]:
    def labels() -> dict[str, str]:
        spec = _sweep_spec(file, False)
        return {key: spec.label(key) for key in spec.swept}

    return labels


UNSTABLE_UPLINK_POLICIES = ["fixed", "neurosurgeon"]


def _unstable_uplink_scenario(quick: bool) -> Any:
    from offloadsim.api import load

    return load(SCENARIOS / "unstable-uplink.yaml", ["duration=120 s"] if quick else [])


def _run_unstable_uplink(results: Path, workers: int | None, quick: bool) -> Any:
    """The static and the adaptive policy on the same arrivals under the LTE trace."""
    from offloadsim.experiments import compare

    result = compare(
        _unstable_uplink_scenario(quick),
        UNSTABLE_UPLINK_POLICIES,
        replications=2 if quick else 5,
        workers=workers,
    )
    return _results_of_compare(result)


EXPERIMENTS: dict[str, Experiment] = {
    "compare-load": Experiment(
        "compare-load",
        lambda quick: _plan_compare(_compare_load_scenario(quick), COMPARE_LOAD_POLICIES, 2 if quick else 5),
        _run_compare_load,
        list,
        (SCENARIOS / "compare-load.yaml",),
    ),
    "least-loaded-run": Experiment(
        "least-loaded-run", _plan_least_loaded, _run_least_loaded, list, (SCENARIOS / "compare-load.yaml",)
    ),
    "edge-outage": Experiment(
        "edge-outage",
        _plan_edge_outage,
        _run_edge_outage,
        lambda: ["recovery"],
        (SCENARIOS / "edge-outage.yaml",),
    ),
    "edge-outage-run": Experiment(
        "edge-outage-run",
        lambda quick: _plan_compare(_outage_run_scenario(quick), OUTAGE_RUN_POLICIES, 1),
        _run_outage_run,
        list,
        (SCENARIOS / "edge-outage.yaml",),
    ),
    "sweep-bandwidth": Experiment(
        "sweep-bandwidth",
        _plan_sweep("sweep-bandwidth.yaml"),
        _run_sweep("sweep-bandwidth.yaml"),
        _sweep_keys("sweep-bandwidth.yaml"),
        (SCENARIOS / "sweep-bandwidth.yaml", SCENARIOS / "quickstart.yaml"),
        _sweep_labels("sweep-bandwidth.yaml"),
    ),
    "unstable-uplink": Experiment(
        "unstable-uplink",
        lambda quick: _plan_compare(
            _unstable_uplink_scenario(quick), UNSTABLE_UPLINK_POLICIES, 2 if quick else 5
        ),
        _run_unstable_uplink,
        list,
        (SCENARIOS / "unstable-uplink.yaml", SCENARIOS / "traces" / "lte-uplink.csv"),
    ),
    "sweep-commute": Experiment(
        "sweep-commute",
        _plan_sweep("sweep-commute.yaml"),
        _run_sweep("sweep-commute.yaml"),
        _sweep_keys("sweep-commute.yaml"),
        (SCENARIOS / "sweep-commute.yaml", SCENARIOS / "commute.yaml"),
        _sweep_labels("sweep-commute.yaml"),
    ),
    "sweep-split": Experiment(
        "sweep-split",
        _plan_sweep("sweep-split.yaml"),
        _run_sweep("sweep-split.yaml"),
        _sweep_keys("sweep-split.yaml"),
        (SCENARIOS / "sweep-split.yaml", SCENARIOS / "compare-split.yaml"),
        _sweep_labels("sweep-split.yaml"),
    ),
}


# --------------------------------------------------------------------------- the table behind a figure


def key_texts(column: pd.Series) -> pd.Series:
    """A key column's cells as text, a null as ``null`` (how the tables and ``--where`` write it).

    ``astype(str)`` left a real null (a policy parameter another entry's policy has not) a NaN,
    which ``groupby`` drops: a point keyed by it was never left out as unsteady, nor counted.
    """
    return column.astype(str).where(column.notna().to_numpy(), "null").astype(object)


def identity_columns(experiment: Experiment) -> list[str]:
    """The columns that name a job in the experiment's table: swept keys, policy, replication."""
    return [*experiment.keys(), "policy", "replication"]


def job_table(results: Any, experiment: Experiment) -> pd.DataFrame:
    """One row per job: its identity, its metrics (SI units) and the mean split of its completed tasks."""
    from offloadsim.analysis.catalogue import metric_columns

    metrics = results.metrics
    ids = identity_columns(experiment)
    table = metrics[ids + metric_columns(metrics)].copy()
    for key in experiment.keys():  # noqa: SIM118 - keys() is the experiment's swept keys, not a dict's
        table[key] = key_texts(table[key])
    tasks = results.tasks
    done = tasks[tasks["status"].astype(str).to_numpy() == "completed"]
    job = [c for c in ("point", "policy", "replication") if c in done.columns and c in metrics.columns]
    split = done.groupby(job, observed=True)["split"].mean().rename("split_mean").reset_index()
    table["split_mean"] = metrics[job].merge(split, on=job, how="left")["split_mean"].to_numpy()
    return table.reset_index(drop=True)


def row_of_job(identity: dict[str, Any], result: Any) -> dict[str, Any]:
    """The table row of one job run by :func:`offloadsim.experiments.jobs.run_job`."""
    tasks = result.tasks
    done = tasks[tasks["status"].astype(str).to_numpy() == "completed"]
    split = float(done["split"].mean()) if len(done) else math.nan
    return {**identity, **result.metrics, "split_mean": split}


def table_text(table: pd.DataFrame) -> str:
    """The table as CSV with 12 significant digits: enough to notice any change, few enough to read."""
    return table.to_csv(index=False, float_format="%.12g", lineterminator="\n")


def write_table(table: pd.DataFrame, path: Path) -> str:
    """Write the table as CSV (:func:`table_text`) and return its digest."""
    text = table_text(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return digest_text(text)


def digest_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def inputs_digest(experiment: Experiment, quick: bool = False) -> str:
    """A digest of every scenario document the experiment runs (base, set and swept values applied)."""
    documents = [
        {"identity": identity, "document": job.scenario.document, "seed": job.scenario.seed}
        for identity, job in experiment.plan(quick)
    ]
    return digest_text(json.dumps(documents, sort_keys=True, default=str))


# --------------------------------------------------------------------------- the gallery's rules

#: A sweep point is in a gallery figure only if every replication completed this share of its tasks.
STEADY_SHARE = 0.95


@dataclass
class Steady:
    """The sweep points a gallery figure may draw, and the ones it leaves out (to be said on it)."""

    metrics: pd.DataFrame
    left_out: list[tuple[Any, ...]]
    keys: list[str]

    def tasks(self, tasks: pd.DataFrame) -> pd.DataFrame:
        """The task records of the kept points only."""
        if not self.left_out:
            return tasks
        index = pd.MultiIndex.from_frame(tasks[self.keys].apply(key_texts))
        return tasks[~index.isin(self.left_out)]

    def note(self, series: str, x: str, why: str = "its queue still growing") -> str:
        """Two lines for the figure naming the points left out: per ``series`` value, its ``x`` values.

        Quantities are written in the x axis' units (``edge at 1, 2, 5 Mbit/s``). ``why``: what the
        shortfall is, in that figure's runs (a stable queue in a short run leaves tasks in flight).
        """
        if not self.left_out:
            return ""
        from offloadsim.plots.axes import plain_number
        from offloadsim.plots.series import x_positions

        where = {key: i for i, key in enumerate(self.keys)}
        grouped: dict[str, list[str]] = {}
        for point in self.left_out:
            grouped.setdefault(point[where[series]], []).append(point[where[x]])
        parts = []
        for name, values in grouped.items():
            positions, label, numeric, _ = x_positions(values, x, None)
            unit = label[label.rfind("(") + 1 : -1] if numeric and label.endswith(")") else ""
            shown = [plain_number(p) for p in sorted(positions)] if unit else values
            parts.append(f"{name} at {', '.join(shown)}{' ' + unit if unit else ''}")
        share = f"{STEADY_SHARE * 100:.0f} %"
        return f"not drawn: a run completed under {share} of its tasks ({why}):\n" + "; ".join(parts)

    def interval_note(self, what: str) -> str:
        """``"error bars: 95 % CI of the mean (Student t) over 5 replications"``: the kept points' runs."""
        return interval_note(self.metrics, self.keys, what)


def interval_note(records: pd.DataFrame, keys: Sequence[str], what: str, values: Sequence[str] = ()) -> str:
    """What a gallery figure's intervals are, said under it: ``"bands: 95 % CI ... over 5 replications"``.

    Written by :func:`offloadsim.plots.interval_text`, as ``offloadsim plot`` says it, with the
    fewest and most runs (``replication``) of a combination of ``keys`` (a range when they
    differ), counting only the runs with every one of ``values`` (a run with no latency is in no mean).
    """
    from offloadsim.plots import interval_text

    if values:
        records = records[records[list(values)].notna().all(axis=1)]
    runs = records[[*keys, "replication"]].apply(key_texts).drop_duplicates()
    if not len(runs):
        return ""
    counts = runs.groupby(list(keys), sort=False).size()
    return interval_text(what, int(counts.min()), int(counts.max()))


def warned_note(results: Any, frame: pd.DataFrame, keys: Sequence[str]) -> str:
    """The runs' warnings the drawn rows gave (too short to settle, ...), as ``offloadsim plot`` says them.

    Results with no manifest (a stand-in of records alone) kept no warnings: nothing to say.
    """
    from offloadsim.plots.warned_runs import warned_runs_note

    return warned_runs_note(getattr(results, "manifest", None) or {}, frame, keys, lambda key: key)


#: The manifest keys of the notes a figure of the runs says (``offloadsim plot``'s precision notes);
#: the gallery's runs are fresh, so never of results from before them (``precision_notes``).
FIGURE_NOTE_KEYS = ("figure_notes", "figure_merges")


def figure_notes_note(results: Any, *, energy: bool = False) -> str:
    """The notes ``offloadsim plot`` says under every figure of these runs: a plain ``speed:``, ....

    The gallery's policy_bars said nothing of compare-load's unsourced edge speed nor of its A100
    7.2x faster than MLPerf at batch one, where ``offloadsim plot DIR --kind bars`` on the same runs
    said both: drawn here through the path that plot's
    :func:`~offloadsim.plots.figure_notes.precision_note` takes
    (:func:`~offloadsim.world.notes.kept.said_under_figure`), of every run (the gallery draws them
    all). ``energy``: the notes about energy too (a figure of energy).
    """
    from offloadsim.world.notes.kept import said_under_figure

    manifest = getattr(results, "manifest", None) or {}
    return "\n".join(said_under_figure(manifest, None, energy=energy))


def note_under(fig: Any, *parts: str) -> None:
    """The non-empty ``parts``, one a line, under ``fig``'s axes, as ``offloadsim plot`` writes its notes
    (a line wider than the figure wrapped to its width)."""
    from offloadsim.plots import note_under as under

    note = "\n".join(part for part in parts if part)
    if note:
        under(fig, note)


def steady_runs(metrics: pd.DataFrame, keys: Sequence[str], share: float = STEADY_SHARE) -> Steady:
    """The sweep points (combinations of ``keys``) whose every replication completed ``share`` of its tasks.

    A run whose queue grows for as long as it lasts (an uplink that cannot
    carry the load) has no steady state: the mean over the tasks that
    happened to finish in time is biased low and depends on the run's
    length.  Such a point is left out whole, never pooled with the rest,
    and :meth:`Steady.note` says so on the figure.
    """
    keys = list(keys)
    done = metrics["completed"].to_numpy(dtype=float)
    arrived = metrics["arrived"].to_numpy(dtype=float)
    ok = pd.Series((arrived > 0) & (done >= share * arrived), index=metrics.index)
    point = [key_texts(metrics[k]) for k in keys]
    every = ok.groupby(point, sort=False).transform("all").astype(bool)
    left = metrics.loc[~every, keys].apply(key_texts).drop_duplicates()
    return Steady(metrics[every.to_numpy()], [tuple(row) for row in left.itertuples(index=False)], keys)
