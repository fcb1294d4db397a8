"""Experiments over many runs: compare policies on common random numbers, and resumable parameter sweeps.

>>> from offloadsim.experiments import compare, sweep
>>> result = compare("scenarios/quickstart.yaml", ["local", "edge"], replications=5)  # doctest: +SKIP
>>> print(result.format_table())  # doctest: +SKIP
>>> done = sweep("scenarios/sweep-bandwidth.yaml", out="results/bw")  # doctest: +SKIP
"""

from __future__ import annotations

from offloadsim.analysis.catalogue import METRICS, Metric, metric_info
from offloadsim.analysis.summary import metrics_row
from offloadsim.experiments.compare import (
    COMPARE_FILES,
    CompareResult,
    compare,
    compare_table,
    default_compare_dir,
    format_comparison,
)
from offloadsim.experiments.executors import default_workers
from offloadsim.experiments.jobs import Job, JobResult
from offloadsim.experiments.storage import ExperimentError, Results, read_results
from offloadsim.experiments.sweep import JobsFailedError, sweep
from offloadsim.experiments.sweep_merge import SWEEP_FILES, SweepResult, merge_sweep, summarize_points
from offloadsim.experiments.sweep_spec import (
    SweepSpec,
    default_sweep_dir,
    expand,
    load_sweep,
    plan_sweep,
    sweep_from_data,
)

__all__ = [
    "compare",
    "CompareResult",
    "compare_table",
    "format_comparison",
    "default_compare_dir",
    "COMPARE_FILES",
    "sweep",
    "SweepSpec",
    "SweepResult",
    "load_sweep",
    "sweep_from_data",
    "expand",
    "plan_sweep",
    "merge_sweep",
    "summarize_points",
    "default_sweep_dir",
    "SWEEP_FILES",
    "JobsFailedError",
    "ExperimentError",
    "Results",
    "read_results",
    "METRICS",
    "Metric",
    "metric_info",
    "metrics_row",
    "Job",
    "JobResult",
    "default_workers",
]
