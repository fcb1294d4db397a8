"""The validation campaign: a grid of testbed experiments, each repeated on a fresh testbed, and its tables.

The grid crosses models, split points, access links and load
(:func:`inference_grid`), plus concurrent-flow experiments
(:func:`flows_grid`). :func:`run_campaign` runs every configuration once per
repetition — repetition 0 of everything, then repetition 1, ... — each time
on a new testbed (new namespaces, new processes), so the spread between
repetitions shows how repeatable a whole run is, on a machine whose state
drifts. Finished runs are kept and skipped on a re-run, so an interrupted
campaign resumes. :func:`validation_table` and :func:`flows_table` give one
row per configuration: predicted, measured (median over repetitions of each
run's median), error, and the spread. With a link model other than the one a
kept run was predicted with, the run's saved scenario is simulated again
under it (:func:`~offloadsim.testbed.compare.repredict`): measurements are
kept, predictions can be redone.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offloadsim.testbed.experiment import (
    FlowsConfig,
    InferenceConfig,
    resolved_cut,
    run_flows,
    run_inference,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LINKS",
    "MODELS",
    "SPLITS",
    "Link",
    "Planned",
    "check_kept",
    "dropped_configurations",
    "flows_grid",
    "flows_table",
    "inference_grid",
    "figure_note",
    "finished",
    "profile_notes",
    "run_campaign",
    "table_suffix",
    "tiny_plan",
    "validation_table",
    "write_tables",
    "comparison_figures",
]


@dataclass(frozen=True, slots=True)
class Link:
    """An access-link class: its name, uplink rate (bit/s) and where the rate comes from."""

    name: str
    rate_bps: float
    source: str


_NEUROSURGEON = (
    "the 3G/LTE/Wi-Fi uplink triple of the DNN-partitioning literature; 5.85 Mbps is the average US 4G "
    "uplink (OpenSignal, State of Mobile Networks: USA, Aug. 2017, as cited by Hu et al., DADS, INFOCOM 2019)"
)
#: The three link classes of the campaign (the rates scenarios/neurosurgeon.yaml also uses).
LINKS = (
    Link("3G", 1.1e6, _NEUROSURGEON),
    Link("LTE", 5.85e6, _NEUROSURGEON),
    Link("Wi-Fi", 18.88e6, _NEUROSURGEON),
)
MODELS = ("alexnet", "resnet18", "mobilenet_v2")
SPLITS = ("local", "middle", "offload")


@dataclass(frozen=True, slots=True)
class Planned:
    """One configuration of the campaign: its id (a directory name), link class and experiment."""

    id: str
    link: str
    config: InferenceConfig | FlowsConfig


def inference_grid(
    models: Sequence[str] = MODELS,
    splits: Sequence[str] = SPLITS,
    links: Sequence[Link] = LINKS,
    patterns: Sequence[str] = ("closed", "poisson"),
    *,
    requests: int = 20,
    load: float = 0.5,
    base: InferenceConfig | None = None,
) -> list[Planned]:
    """Models x splits x links x patterns; ``local`` once per model and pattern (no link is used)."""
    base = base or InferenceConfig()
    planned = []
    for model in models:
        for pattern in patterns:
            for split in splits:
                for link in links[:1] if split == "local" else links:
                    where = "none" if split == "local" else link.name
                    config = replace(
                        base,
                        model=model,
                        split=split,
                        rate_bps=link.rate_bps,
                        pattern=pattern,
                        load=load,
                        requests=requests,
                    )
                    slug = f"{model}-{split}-{where}-{pattern}".replace("@", "-").replace("/", "-")
                    planned.append(Planned(slug, where, config))
    return planned


def flows_grid(
    devices: Sequence[int] = (2, 4),
    links: Sequence[Link] = LINKS[1:],
    size_bytes: float = 500e3,
    staggers: Sequence[float] = (0.0, 0.25),
    *,
    rounds: int = 10,
) -> list[Planned]:
    """Devices x links x stagger; a stagger is a fraction of one flow's time alone on the link."""
    planned = []
    for link in links:
        alone = size_bytes * 8 / link.rate_bps
        for n in devices:
            for stagger in staggers:
                config = FlowsConfig(
                    devices=n,
                    size_bytes=size_bytes,
                    rate_bps=link.rate_bps,
                    rounds=rounds,
                    stagger_s=stagger * alone,
                )
                planned.append(
                    Planned(f"flows-{n}x{size_bytes:.0f}B-{link.name}-stagger{stagger:g}", link.name, config)
                )
    return planned


def check_plan(planned: Sequence[Planned]) -> None:
    """Refuse the first configuration of ``planned`` a run would refuse (TestbedError), before any runs.

    A model, split or pattern that a run refuses was said only when the campaign came to it, after
    the hours of runs planned before it (``--models resnet18,resnet19``); a configuration's model
    and split are resolved once, as :func:`~offloadsim.testbed.experiment.run_inference` resolves them.
    """
    resolved: set[tuple[str, str]] = set()
    for plan in planned:
        config = plan.config
        if isinstance(config, InferenceConfig) and (config.model, config.split) not in resolved:
            resolved_cut(config)
            resolved.add((config.model, config.split))
        else:
            config.check()


def run_campaign(
    planned: Sequence[Planned],
    results: Path,
    repetitions: int,
    *,
    cache_dir: Path | None = None,
    log: Callable[[str], None] = print,
    link_model: str = "max-min",
    reuse_checked: bool = True,
) -> pd.DataFrame:
    """Run every configuration ``repetitions`` times (each on a fresh testbed); one row per run.

    Runs already in ``results`` (``<id>/rep<r>/summary.json``) are read, not
    repeated, once :func:`check_kept` found each made as planned (profile,
    requests, pinning, ...): ``reuse_checked=False`` takes them as they are
    (``--tables-only``). Repetition ``r`` uses seed ``r`` (its own Poisson
    arrivals). Every row is predicted with ``link_model``: new runs simulate
    with it, and a kept run predicted with another has its saved scenario
    simulated again (its own files are left as they are).
    """
    import pandas as pd

    from offloadsim.testbed.compare import kept_json, repredict, run_link_model

    if reuse_checked:
        check_kept(planned, results, repetitions)
    rows = []
    total = len(planned) * repetitions
    done = 0
    for rep in range(repetitions):
        for plan in planned:
            done += 1
            out = results / plan.id / f"rep{rep}"
            summary = out / "summary.json"
            if not summary.exists():
                log(f"[{done}/{total}] {plan.id} repetition {rep}")
                config = replace(plan.config, seed=rep, link_model=link_model)
                if isinstance(config, InferenceConfig):
                    run_inference(config, out, cache_dir=cache_dir, overwrite=True)
                else:
                    run_flows(config, out, overwrite=True)
            row = kept_json(summary)
            if run_link_model(row) != link_model:
                row = repredict(out, link_model)
            row = _table_row(row, summary, isinstance(plan.config, InferenceConfig))
            row.update(_provenance(out, row, isinstance(plan.config, InferenceConfig)))
            row.update(id=plan.id, link=plan.link, repetition=rep)
            rows.append(row)
    return pd.DataFrame(rows)


#: A configuration's fields that do not decide what a run measured: a kept run predicted with another
#: link model is predicted again under the one asked; the time limit only bounds the run.
_NOT_DECIDING = frozenset({"link_model", "time_limit_s"})


def _kept_config(run: Path) -> dict[str, Any] | None:
    """The configuration a kept run's ``manifest.json`` records (None where it records none)."""
    from offloadsim.testbed.compare import kept_json

    manifest = run / "manifest.json"
    config = kept_json(manifest).get("config") if manifest.is_file() else None
    return config if isinstance(config, dict) else None


def _differences(kept: dict[str, Any], wanted: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(field, kept value, wanted value)`` for each field deciding a run that the two set apart."""
    return [
        (key, kept[key], value)
        for key, value in wanted.items()
        if key not in _NOT_DECIDING and key in kept and kept[key] != value
    ]


def check_kept(planned: Sequence[Planned], results: Path, repetitions: int) -> None:
    """Refuse, in one line, a kept run made otherwise than the campaign plans it (before anything runs).

    A kept run is found by its configuration's id (model, split, link, pattern), which does not
    name its profile, requests, pinning or load: ``campaign --profile my-cpu`` over the runs of
    ``campaign --tiny`` (``epyc-ort-1t``) read them as its own and printed their predictions
    without a word. The run's ``manifest.json`` records the configuration it ran.
    """
    from offloadsim.suggest import quoted
    from offloadsim.testbed.errors import TestbedError

    def shown(value: Any) -> str:
        if isinstance(value, str):
            return quoted(value)
        return f"{value:g}" if isinstance(value, float) else str(value)

    for rep in range(repetitions):
        for plan in planned:
            run = results / plan.id / f"rep{rep}"
            if not (run / "summary.json").exists():
                continue
            kept = _kept_config(run)
            if kept is None:
                continue
            wanted = dataclasses.asdict(replace(plan.config, seed=rep))
            differences = _differences(kept, wanted)
            if differences:
                said = ", ".join(f"{key} {shown(a)} (this campaign: {shown(b)})" for key, a, b in differences)
                raise TestbedError(
                    f"{run} was run with {said}; nothing was run or written: give this campaign another "
                    f"--results directory, or remove {run} to run it again"
                )


def dropped_configurations(results: Path, tables: Sequence[tuple[str, pd.DataFrame]]) -> list[str]:
    """Configuration ids that ``results``' tables (``(file name, new table)``) list and the new ones do not.

    A campaign tabulates the grid it was given, so one narrower than the last (``--patterns
    closed --no-flows`` after ``--tiny``) rewrote ``validation.csv`` and ``flows.csv`` without
    the other rows, and said nothing of it.
    """
    import pandas as pd

    dropped: list[str] = []
    for name, table in tables:
        path = results / name
        try:
            old = pd.read_csv(path, usecols=["id"]) if path.is_file() else None
        except (ValueError, pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
            continue  # not a table this campaign can read: nothing to compare
        if old is None:
            continue
        kept = set(table["id"]) if "id" in table else set()
        dropped += [str(i) for i in dict.fromkeys(old["id"]) if i not in kept]
    return dropped


def _provenance(run: Path, row: dict[str, Any], inference: bool) -> dict[str, Any]:
    """What made a kept run, for its tables and figure: profile, the another-CPU note, the host's load.

    A run's summary holds its profile and note from this version on; for an older run they come
    from its ``manifest.json`` (the configuration and the machine it ran on), as its load does.
    """
    from offloadsim.testbed.compare import kept_json

    manifest = kept_json(run / "manifest.json") if (run / "manifest.json").is_file() else {}
    config, machine = manifest.get("config"), manifest.get("machine")
    config = config if isinstance(config, dict) else {}
    machine = machine if isinstance(machine, dict) else {}
    load = machine.get("load_average")
    first = load[0] if isinstance(load, list) and load else None
    found: dict[str, Any] = {"load_average": first if isinstance(first, int | float) else None}
    if not inference:
        return found  # flows run no model: no profile
    profile = row.get("profile") or config.get("profile")
    found["profile"] = profile if isinstance(profile, str) else None
    if "profile_note" in row:
        found["profile_note"] = row["profile_note"]
    elif found["profile"] and machine:
        found["profile_note"] = _kept_profile_note(run, found["profile"], machine)
    return found


def _kept_profile_note(run: Path, name: str, machine: dict[str, Any]) -> str | None:
    """The another-CPU note of a kept run made with profile ``name`` on ``machine`` (None: profile not found).

    The run keeps its profile in ``profiles/NAME.json``; one whose copy is gone is looked up by name.
    """
    from offloadsim.testbed.errors import TestbedError
    from offloadsim.testbed.experiment import calibrated_profile
    from offloadsim.testbed.profile_note import profile_note

    kept = run / "profiles" / f"{name}.json"
    try:
        profile = calibrated_profile(str(kept) if kept.is_file() else name)
    except TestbedError:
        return None
    return profile_note(profile, machine)


def profile_notes(runs: pd.DataFrame) -> list[str]:
    """The another-CPU notes of ``runs``' profiles (each once): their predicted compute is another CPU's."""
    if "profile_note" not in runs:
        return []
    return [str(note) for note in dict.fromkeys(runs["profile_note"].dropna()) if note]


def figure_note(runs: pd.DataFrame) -> str:
    """What the validation figure rests on: profile(s), repetitions, CPU shares and the host's load.

    The figure alone said none of it: predictions from the shipped profile of another CPU, a single
    repetition, and workers given a third of the CPU all looked like a tested result.
    """
    import numpy as np

    first = []
    if "profile" in runs:
        names = [str(name) for name in dict.fromkeys(runs["profile"].dropna())]
        if names:
            first.append(f"compute predicted with profile {', '.join(names)}")
    counts: list[int] = []
    if len(runs) and "id" in runs:
        groups = runs.groupby("id")
        per = groups["repetition"].nunique() if "repetition" in runs else groups.size()
        counts = sorted({int(n) for n in per})
    if counts:
        said = f"{counts[0]}–{counts[-1]}" if len(counts) > 1 else str(counts[0])
        bars = " (bars: the range of their medians)" if counts[-1] > 1 else " (no spread to draw)"
        first.append(f"{said} repetition{'' if counts == [1] else 's'} per configuration{bars}")
    lines = ["; ".join(first)] if first else []
    lines += profile_notes(runs)
    shares = []
    for side in ("device", "edge"):
        column = f"{side}_cpu_share"
        values = runs[column].to_numpy(float) if column in runs else np.array([])
        values = values[np.isfinite(values)]
        if values.size:
            shares.append(f"{side} {np.median(values):.2f}")
    measured = []
    if shares:
        busy = any(float(share.split()[1]) < 0.9 for share in shares)
        low = " (below 0.9: other work took the CPU; compute timings are noisy)" if busy else ""
        measured.append(f"CPU time / wall time of compute, median over runs: {', '.join(shares)}{low}")
    if "load_average" in runs:
        loads = runs["load_average"].to_numpy(float)
        loads = loads[np.isfinite(loads)]
        if loads.size:
            span = f"{loads.min():.2f}" + (f"–{loads.max():.2f}" if loads.max() > loads.min() else "")
            measured.append(f"host load average (1 min) at the runs' start {span}")
    lines += ["; ".join(measured)] if measured else []
    return "\n".join(lines)


#: What the tables read of a kept run's summary row, for a split-inference run and a flows run: the
#: key that marks the kind first. Each is a number, the words of :data:`_WORDS` aside; a number the
#: tables take a median of may be null (a run with no such measurement), ``k`` and ``devices`` not.
_TABLE_KEYS = {
    True: ("pattern", "model", "split", "k", "rate_mbps", "measured_median_ms", "predicted_median_ms",
           "measured_iqr_pct", "device_cpu_share", "edge_cpu_share"),
    False: ("flows", "devices", "size_bytes", "rate_mbps", "stagger_ms", "measured_median_fct_ms",
            "predicted_median_fct_ms", "within_15_pct", "jain_fairness"),
}  # fmt: skip
_WORDS = frozenset({"pattern", "model", "split"})


def _table_row(row: dict[str, Any], summary: Path, inference: bool) -> dict[str, Any]:
    """``row``, read from ``summary``, if the tables can read it; else a ``TestbedError`` naming the key.

    A kept run's summary edited, or written by another version, was a ``KeyError`` or a
    ``TypeError`` of pandas (exit 1) once the campaign tabulated it, or, without the key that
    marks its kind, left out of the tables without a word.
    """
    from offloadsim.shapes import describe
    from offloadsim.testbed.compare import kept_refused

    for key in _TABLE_KEYS[inference]:
        value = row.get(key)
        nullable = key not in ("k", "devices")
        if key in _WORDS:
            expected, fits = "text", isinstance(value, str)
        else:
            expected = "a number or null" if nullable else "a number"
            number = isinstance(value, int | float) and not isinstance(value, bool)
            fits = number or (value is None and nullable)
        if not fits:
            got = "it is missing" if key not in row else f"got {describe(value)}"
            kind = "a split-inference" if inference else "a concurrent-flows"
            problem = f"{key}: expected {expected} (as the testbed writes {kind} run's), {got}"
            raise kept_refused(summary, problem)
    return row


def _spread(values: Iterable[float]) -> tuple[float, float, float]:
    import numpy as np

    array = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if not array.size:
        return (math.nan, math.nan, math.nan)
    return float(np.median(array)), float(array.min()), float(array.max())


def _per_configuration(
    runs: pd.DataFrame, kind: str, measured: str, predicted: str, identity: Sequence[str], unit: str
) -> list[dict[str, Any]]:
    """Rows of ``runs`` of one kind (those with a ``kind`` column), grouped by configuration id.

    Each row keeps the ``identity`` columns of the configuration's first run,
    then the median over repetitions of ``predicted`` and ``measured``, the
    error of the first against the second, and the measured range.
    """
    import numpy as np

    rows: list[dict[str, Any]] = []
    if kind not in runs:
        return rows
    for plan_id, group in runs[runs[kind].notna()].groupby("id", sort=False):
        first = group.iloc[0]
        meas, low, high = _spread(group[measured])
        repeated = int(np.isfinite(group[measured].to_numpy(float)).sum())
        pred = _spread(group[predicted])[0]
        error = round(100 * (pred - meas) / meas, 2) if meas > 0 else math.nan
        rows.append(
            {
                "id": plan_id,
                **{key: first[key] for key in identity},
                "repetitions": len(group),
                f"predicted_{unit}": round(pred, 3),
                f"measured_{unit}": round(meas, 3),
                "error_pct": error,
                "measured_min_ms": round(low, 3),
                "measured_max_ms": round(high, 3),
                # One repetition has no spread between repetitions: undefined (null), not 0.
                "spread_pct": round(100 * (high - low) / meas, 2) if meas > 0 and repeated > 1 else math.nan,
                "_group": group,
            }
        )
    return rows


def _median_of(group: pd.DataFrame, column: str, digits: int) -> float:
    return round(_spread(group[column])[0], digits)


def validation_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per split-inference configuration: predicted and measured median latency, error, spread.

    ``measured_ms`` is the median over repetitions of each run's median
    latency, ``measured_min_ms``/``measured_max_ms`` their range (the spread
    between fresh runs of the whole testbed), ``within_run_iqr_pct`` the
    median over repetitions of the within-run IQR over median.
    """
    import pandas as pd

    identity = ("model", "split", "k", "link", "rate_mbps", "pattern")
    rows = _per_configuration(runs, "pattern", "measured_median_ms", "predicted_median_ms", identity, "ms")
    for row in rows:
        group = row.pop("_group")
        row["k"] = int(row["k"])
        row["within_run_iqr_pct"] = _median_of(group, "measured_iqr_pct", 2)
        row["device_cpu_share"] = _median_of(group, "device_cpu_share", 3)
        row["edge_cpu_share"] = _median_of(group, "edge_cpu_share", 3)
        profiles = group["profile"].dropna().unique() if "profile" in group else []
        row["profile"] = ", ".join(map(str, profiles)) or None  # the profile the prediction is costed with
    return pd.DataFrame(rows)


def flows_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per concurrent-flows configuration: predicted and measured median FCT, error, spread."""
    import pandas as pd

    identity = ("devices", "size_bytes", "link", "rate_mbps", "stagger_ms")
    rows = _per_configuration(
        runs, "flows", "measured_median_fct_ms", "predicted_median_fct_ms", identity, "fct_ms"
    )
    for row in rows:
        group = row.pop("_group")
        row["devices"] = int(row["devices"])
        row["within_15_pct"] = _median_of(group, "within_15_pct", 3)
        row["jain_fairness"] = _median_of(group, "jain_fairness", 4)
    return pd.DataFrame(rows)


def tiny_plan(profile: str = "epyc-ort-1t") -> list[Planned]:
    """A campaign in a minute or two: MobileNetV2, two splits, the Wi-Fi link, 4 requests, one flows run.

    ``profile`` costs the split-inference runs: the quick check of a machine wants its own
    calibrated profile, not only the shipped one of another CPU.
    """
    wifi = [link for link in LINKS if link.name == "Wi-Fi"]
    base = InferenceConfig(profile=profile)
    planned = inference_grid(
        ["mobilenet_v2"], ["middle", "offload"], wifi, ["closed", "poisson"], requests=4, base=base
    )
    return planned + flows_grid([2], wifi, size_bytes=200e3, staggers=[0.25], rounds=2)


def finished(planned: Sequence[Planned], results: Path, repetitions: int) -> list[Planned]:
    """The configurations whose every repetition has a summary in ``results``."""
    return [
        p
        for p in planned
        if all((results / p.id / f"rep{r}" / "summary.json").exists() for r in range(repetitions))
    ]


def table_suffix(link_model: str) -> str:
    """What the tables' names carry for ``link_model``'s predictions: nothing for max-min, else ``-NAME``."""
    return "" if link_model == "max-min" else f"-{link_model}"


def write_tables(
    runs: pd.DataFrame, results: Path, figure_dir: Path, *, link_model: str = "max-min"
) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """``runs.csv``, ``validation.csv`` and ``flows.csv`` in ``results``; the figures in ``figure_dir``.

    Predictions with another link model than max-min go to files named for
    it (``validation-fifo.csv``, ...), beside the max-min ones, and so does
    their figure.  Where both max-min tables and another model's are in
    ``results``, ``testbed_validation-vs-NAME`` draws them in one figure
    (max-min filled, ``NAME`` hollow); see :func:`comparison_figures`.
    """
    from offloadsim.plots import save_figure
    from offloadsim.testbed.figure import validation_figure

    suffix = table_suffix(link_model)
    results.mkdir(parents=True, exist_ok=True)
    runs.to_csv(results / f"runs{suffix}.csv", index=False)
    table, flows = validation_table(runs), flows_table(runs)
    table.to_csv(results / f"validation{suffix}.csv", index=False)
    flows.to_csv(results / f"flows{suffix}.csv", index=False)
    figure = validation_figure(table, flows, link_model=link_model, note=figure_note(runs))
    figures = save_figure(figure, figure_dir / f"testbed_validation{suffix}")
    return table, flows, figures + comparison_figures(results, figure_dir)


def comparison_figures(results: Path, figure_dir: Path) -> list[Path]:
    """``testbed_validation-vs-NAME.{pdf,png}`` for each ``validation-NAME.csv`` beside a ``validation.csv``.

    Max-min's predictions are the filled markers, ``NAME``'s the hollow
    ones, so the two link models are compared on the same measurements.
    """
    import pandas as pd

    from offloadsim.plots import save_figure
    from offloadsim.testbed.figure import Predictions, validation_figure

    def read(path: Path) -> pd.DataFrame | None:
        try:
            return pd.read_csv(path) if path.exists() else None
        except pd.errors.EmptyDataError:  # an empty table is written without a header
            return None

    def tables(suffix: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        table = read(results / f"validation{suffix}.csv")
        return (pd.DataFrame(columns=["pattern", "split", "model"]) if table is None else table), read(
            results / f"flows{suffix}.csv"
        )

    if not (results / "validation.csv").exists():
        return []
    table, flows = tables("")
    runs = read(results / "runs.csv")
    note = figure_note(runs) if runs is not None else ""
    written: list[Path] = []
    for other in sorted(results.glob("validation-*.csv")):
        name = other.stem.removeprefix("validation-")
        alternative = Predictions(name, *tables(f"-{name}"))
        figure = validation_figure(table, flows, alternative=alternative, note=note)
        written += save_figure(figure, figure_dir / f"testbed_validation-vs-{name}")
    return written
