"""Predicted against measured: the simulator's records in the testbed's terms, and one summary row per run.

The simulator runs the scenario the testbed wrote (:mod:`offloadsim.testbed.scenario`)
with per-stage records on. Each task's stages are named as the testbed names
a request's parts: ``device_compute``, ``upload``, ``edge_compute``,
``download`` (and the waits before the two compute steps). A summary row
gives medians and spreads of both, and the error of the predicted median
latency relative to the measured one. :func:`repredict` simulates a kept
run's scenario again under another link model, without running the testbed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from offloadsim.records.results import RunResult

__all__ = [
    "PARTS",
    "flows_summary",
    "inference_summary",
    "kept_json",
    "kept_refused",
    "predicted_flows",
    "predicted_requests",
    "repredict",
    "run_link_model",
    "simulate",
]

#: The link model of a kept run whose summary does not name one (runs from before it was recorded).
DEFAULT_LINK_MODEL = "max-min"

#: The parts of a request's latency compared one by one.
PARTS = ("device_compute", "upload", "edge_compute", "download")


def kept_refused(file: Path, problem: str) -> Exception:
    """The ``TestbedError`` refusing a kept run's ``file``, one line: the file, ``problem``, what to do."""
    from offloadsim.testbed.errors import TestbedError

    return TestbedError(f"{file}: {problem}; {_again(file)}")


def _again(file: Path) -> str:
    """What to do about a kept run's ``file`` that cannot be read: run it again."""
    return f"remove {file.parent} and run the campaign again to repeat the run"


def kept_json(file: Path) -> dict[str, Any]:
    """A kept run's ``summary.json`` or ``manifest.json``: a JSON object, else a ``TestbedError`` naming it.

    A campaign reads a kept run's summary instead of running it again (``--tables-only`` reads
    nothing else); one emptied, cut short, made a folder or edited into another document was an
    internal error (exit 1: a ``JSONDecodeError`` naming no file).  Read as a results directory's
    JSON is (:func:`~offloadsim.records.checked.read_json`), with the campaign's remedy.
    """
    from offloadsim.records.checked import read_json
    from offloadsim.testbed.errors import TestbedError

    what = "the run's summary" if file.name == "summary.json" else f"the run's {file.stem}"
    return read_json(file, TestbedError, what, _again(file))


#: The columns of a kept run's ``measured.csv`` that its summary is computed from, by the run's
#: kind; each holds numbers, a flows run's ``device`` aside.
_MEASURED_COLUMNS = {
    "flows": ("device", "round", "fct", "rate_bps"),
    "inference": ("latency", *PARTS, "device_cpu", "edge_cpu"),
}


def _kept_measured(file: Path, kind: object) -> pd.DataFrame:
    """A kept run's ``measured.csv``, or :func:`kept_refused` naming what the summary cannot read of it.

    Emptied, it was pandas' ``EmptyDataError``; without a column, a ``KeyError`` (exit 1).
    """
    import pandas as pd

    from offloadsim.suggest import quoted

    try:
        measured = pd.read_csv(file)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise kept_refused(file, f"cannot be read as CSV ({error}): cut short or edited") from None
    needed = _MEASURED_COLUMNS["flows" if kind == "flows" else "inference"]
    for column in needed:
        if column not in measured.columns:
            problem = f"no {quoted(column)} column (the testbed writes {', '.join(needed)})"
        elif column != "device" and not pd.api.types.is_numeric_dtype(measured[column]):
            problem = f"column {quoted(column)} holds values that are not numbers"
        else:
            continue
        raise kept_refused(file, problem)
    return measured


def simulate(scenario: Path, out: Path) -> RunResult:
    """Run the simulator on ``scenario`` (with per-stage records), writing its run directory ``out``."""
    from offloadsim import api

    return api.run(scenario, stages=True, out=out)


def run_link_model(row: Mapping[str, Any]) -> str:
    """The link model a kept run's summary row was predicted with."""
    return str(row.get("link_model") or DEFAULT_LINK_MODEL)


def repredict(run_dir: Path, link_model: str) -> dict[str, Any]:
    """A kept run's summary row, its predictions simulated again under ``link_model``.

    Reads the run's ``summary.json``, ``manifest.json`` (its kind),
    ``measured.csv`` and its saved scenario (``scenario.yaml`` with
    ``arrivals.csv`` and ``profiles/`` beside it), simulates that scenario
    with ``network.model`` set to ``link_model`` in memory and compares it
    with the same measurements. Nothing is written: the run's own
    ``summary.json`` and ``simulated/`` stay as the run left them.
    """
    from offloadsim import api
    from offloadsim.testbed.errors import TestbedError

    for name in ("summary.json", "manifest.json", "measured.csv", "scenario.yaml"):
        if not (run_dir / name).is_file():
            raise TestbedError(f"{run_dir}: cannot predict this run again: it has no {name}")
    row = kept_json(run_dir / "summary.json")
    kind = kept_json(run_dir / "manifest.json").get("kind")
    measured = _kept_measured(run_dir / "measured.csv", kind)
    result = api.run(run_dir / "scenario.yaml", overrides=[f"network.model={link_model}"], stages=True)
    if kind == "flows":
        again = flows_summary({}, measured, predicted_flows(result))
    else:
        again = inference_summary({}, measured, predicted_requests(result))
    row.update(again, link_model=link_model)
    return row


def _stage_parts(result: RunResult) -> pd.DataFrame:
    """Each completed task's stages as columns: start, end and submitted per part (seconds)."""
    tasks = result.tasks
    tasks = tasks[tasks["status"] == "completed"][["task_id", "source", "arrival", "latency"]]
    stages = result.stages
    if stages is None:
        raise ValueError("the simulation was run without stage records")
    merged = stages.merge(tasks[["task_id", "source"]], on="task_id")
    source, where, kind = (
        merged["source"].astype(str),
        merged["where"].astype(str),
        merged["kind"].astype(str),
    )
    compute, transfer = kind == "compute", kind == "transfer"
    part = np.select(
        [
            compute & (where == source),
            compute & (where == "edge"),
            transfer & (where == source + ">edge"),
            transfer & (where == "edge>" + source),
        ],
        ["device", "edge", "upload", "download"],
        default="other",
    )
    merged = merged.assign(
        part=part, duration=merged["end"] - merged["start"], wait=merged["start"] - merged["submitted"]
    )
    wide = merged.pivot_table(index="task_id", columns="part", values=["duration", "wait"], aggfunc="sum")
    wide.columns = [f"{part}_{value}" for value, part in wide.columns]
    return tasks.set_index("task_id").join(wide).reset_index()


def predicted_requests(result: RunResult) -> pd.DataFrame:
    """One row per completed simulated request, in the columns :func:`~.measure.requests_frame` uses."""
    import pandas as pd

    wide = _stage_parts(result)

    def col(name: str, fill: float) -> Any:
        return wide[name].fillna(fill) if name in wide else pd.Series(fill, index=wide.index)

    nan = float("nan")
    frame = pd.DataFrame(
        {
            "device": wide["source"].astype(str),
            "arrival": wide["arrival"],
            "latency": wide["latency"],
            "device_wait": col("device_wait", 0.0),
            "device_compute": col("device_duration", 0.0),
            "upload": col("upload_duration", nan),
            "edge_wait": col("edge_wait", nan),
            "edge_compute": col("edge_duration", nan),
            "download": col("download_duration", nan),
        }
    )
    return frame.sort_values(["device", "arrival"], kind="stable").reset_index(drop=True)


def predicted_flows(result: RunResult) -> pd.DataFrame:
    """One row per simulated flow: device, round (its order among the device's flows), start, fct."""
    import pandas as pd

    wide = _stage_parts(result)
    frame = pd.DataFrame(
        {
            "device": wide["source"].astype(str),
            "start": wide["arrival"],
            "fct": wide.get("upload_duration", np.nan),
        }
    ).sort_values(["device", "start"], kind="stable")
    frame["round"] = frame.groupby("device").cumcount()
    return frame.sort_values(["round", "device"], kind="stable").reset_index(drop=True)


def _q(values: Any, q: float) -> float:
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    return float(np.quantile(array, q)) if array.size else float("nan")


def _error_pct(predicted: float, measured: float) -> float:
    return 100.0 * (predicted - measured) / measured if measured > 0 else float("nan")


def _ms(value: float) -> float:
    return round(value * 1e3, 4) if np.isfinite(value) else float("nan")


def inference_summary(
    config: Mapping[str, Any], measured: pd.DataFrame, predicted: pd.DataFrame
) -> dict[str, Any]:
    """One row: the configuration, measured and predicted latency (median, p10, p90), error, parts, CPU.

    ``measured_iqr_pct`` is the measured interquartile range over the
    median; ``measured_*_cpu_ms`` the median thread CPU time of a compute
    step and ``*_cpu_share`` the median ratio of CPU time to wall time (near
    1 on a quiet machine, lower when the worker waited for a CPU).
    """
    row = dict(config)
    m, p = measured["latency"], predicted["latency"]
    median = _q(m, 0.5)
    row.update(
        requests=len(m),
        simulated_requests=len(p),
        measured_median_ms=_ms(median),
        measured_p10_ms=_ms(_q(m, 0.1)),
        measured_p90_ms=_ms(_q(m, 0.9)),
        measured_iqr_pct=round(100 * (_q(m, 0.75) - _q(m, 0.25)) / median, 2) if median > 0 else float("nan"),
        predicted_median_ms=_ms(_q(p, 0.5)),
        predicted_p90_ms=_ms(_q(p, 0.9)),
        error_pct=round(_error_pct(_q(p, 0.5), median), 2),
        p90_error_pct=round(_error_pct(_q(p, 0.9), _q(m, 0.9)), 2),
    )
    for part in PARTS:
        row[f"measured_{part}_ms"] = _ms(_q(measured[part], 0.5))
        row[f"predicted_{part}_ms"] = _ms(_q(predicted[part], 0.5))
    for side in ("device", "edge"):
        row[f"measured_{side}_cpu_ms"] = _ms(_q(measured[f"{side}_cpu"], 0.5))
        wall, cpu = measured[f"{side}_compute"].to_numpy(float), measured[f"{side}_cpu"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            row[f"{side}_cpu_share"] = round(_q(np.where(wall > 1e-4, cpu / wall, np.nan), 0.5), 3)
    return row


def flows_summary(
    config: Mapping[str, Any], measured: pd.DataFrame, predicted: pd.DataFrame
) -> dict[str, Any]:
    """One row: flow completion times measured and predicted (median, p90), their error, per-flow agreement.

    Flows are paired by device and round. ``within_15_pct`` is the share of
    flows whose predicted time is within ±15 % of the measured one;
    ``jain_fairness`` the median over rounds of Jain's index of the
    measured rates (1 = equal shares).
    """
    row = dict(config)
    pairs = measured.merge(predicted, on=["device", "round"], suffixes=("", "_predicted"))
    errors = 100 * (pairs["fct_predicted"] - pairs["fct"]) / pairs["fct"]
    rates = measured.groupby("round")["rate_bps"]
    jain = (rates.sum() ** 2) / (rates.count() * rates.apply(lambda r: float((r**2).sum())))
    median = _q(measured["fct"], 0.5)
    row.update(
        flows=len(measured),
        measured_median_fct_ms=_ms(median),
        measured_p90_fct_ms=_ms(_q(measured["fct"], 0.9)),
        measured_iqr_pct=round(100 * (_q(measured["fct"], 0.75) - _q(measured["fct"], 0.25)) / median, 2),
        predicted_median_fct_ms=_ms(_q(predicted["fct"], 0.5)),
        predicted_p90_fct_ms=_ms(_q(predicted["fct"], 0.9)),
        error_pct=round(_error_pct(_q(predicted["fct"], 0.5), median), 2),
        median_abs_flow_error_pct=round(_q(errors.abs(), 0.5), 2),
        within_15_pct=round(float((errors.abs() <= 15).mean()), 3) if len(errors) else float("nan"),
        jain_fairness=round(_q(jain, 0.5), 4),
    )
    return row
