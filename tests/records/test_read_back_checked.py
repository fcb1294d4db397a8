"""Tables read back from a results directory are checked against the record schema, not drawn as they are.

A run directory whose processors.parquet or nodes.parquet (or tasks, links) was edited by hand (a
column turned to text, NaN where a number is required, a column dropped, a node's rows removed) was
read by ``read_run``, ``read_results`` and ``offloadsim plot`` as it was: drawn (a missing bar, a
node gone), or, for text where ``plot --kind utilisation`` takes a mean, an internal error (exit 1).
Each is now refused in one line naming the file, the column and what was expected (exit 2; the
Python readers raise the error the command line maps to it).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from offloadsim.cli import main
from offloadsim.experiments import compare
from offloadsim.outdir import ResultsError
from offloadsim.records.checked import values_problem
from offloadsim.records.results import read_run
from offloadsim.records.stored import ExperimentError, read_results

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "quickstart.yaml"
REWRITE = "; not as offloadsim writes it (edited?): rerun the command that made it"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results") / "run"
    argv = ["run", str(SCENARIO), "--set", "duration=1 s", "--set", "warmup=0 s", "--out", str(out), "-q"]
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results") / "compare"
    overrides = ["duration=1 s", "warmup=0 s"]
    compare(SCENARIO, ["local", "edge"], 2, workers=1, overrides=overrides, out=out)
    return out


def _nan_first(column: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = frame[column].astype(float)
        frame.loc[0, column] = np.nan
        return frame

    return edit


def _na_first(column: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A whole-number column left int64 on disk, its first value a null."""

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = frame[column].astype("Int64")
        frame.loc[0, column] = pd.NA
        return frame

    return edit


def _set_first(column: str, value: float) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[0, column] = value
        return frame

    return edit


def _edited(source: Path, tmp_path: Path, table: str, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    copy = tmp_path / "edited"
    shutil.copytree(source, copy)
    file = copy / f"{table}.parquet"
    edit(pd.read_parquet(file)).to_parquet(file, index=False)
    return copy


#: (table, edit, what the line says after the file's name); each drawn or read as it was before.
EDITS = [
    (
        "processors",
        lambda f: f.assign(utilisation=f["utilisation"].astype(str)),
        "column utilisation: expected numbers (float64), got text",
    ),
    (
        "processors",
        _nan_first("utilisation"),
        "column utilisation: expected a number in every row, row 0 (phone-0) has none",
    ),
    ("processors", lambda f: f.drop(columns=["busy_s"]), "no column busy_s, expected numbers (float64)"),
    ("processors", lambda f: f[f["node"] != "edge"], "no row of the computing node edge"),
    (
        "nodes",
        lambda f: f.assign(utilisation=f["utilisation"].astype(str)),
        "column utilisation: expected numbers (float64), got text",
    ),
    (
        "nodes",
        _nan_first("busy_s"),
        "column busy_s: expected a number in every row, row 0 (phone-0) has none",
    ),
    ("nodes", lambda f: f.drop(columns=["tier"]), "no column tier, expected text (category)"),
    ("nodes", lambda f: f[f["node"] != "edge"], "no row of the node edge, whose processors it has"),
    ("nodes", lambda f: f[f["node"] != "ap"], "no row of the node ap, which links.parquet connects"),
    (
        "tasks",
        lambda f: f.assign(latency=f["latency"].astype(str)),
        "column latency: expected numbers (float64), got text",
    ),
    ("tasks", lambda f: f.drop(columns=["status"]), "no column status, expected text (category)"),
    ("tasks", _nan_first("arrival"), "column arrival: expected a number in every row, row 0 has none"),
    (
        "tasks",
        lambda f: f.assign(status=f["status"].astype(str).replace("completed", "done")),
        "column status: expected one of completed, dropped, failed, in_flight, row 0 holds 'done'",
    ),
    (
        "links",
        lambda f: f.assign(capacity=f["capacity"].astype(str)),
        "column capacity: expected numbers (float64), got text",
    ),
    (
        "links",
        _nan_first("bytes"),
        "column bytes: expected a number in every row, row 0 (phone-0 -> ap) has none",
    ),
    # Optional columns, numbers wherever a run writes them: a hand edit was drawn as it was.
    (
        "nodes",
        _nan_first("energy_j"),
        "column energy_j: expected a number in every row, row 0 (phone-0) has none",
    ),
    (
        "nodes",
        _set_first("availability", -0.5),
        "column availability: expected a finite number of at least 0, row 0 (phone-0) holds -0.5",
    ),
    (
        "nodes",
        _set_first("drained_at", np.inf),
        "column drained_at: expected a finite number of at least 0 or NaN, row 0 (phone-0) holds inf",
    ),
    (
        "nodes",
        _set_first("queued_at_end", -3),
        "column queued_at_end: expected a finite number of at least 0, row 0 (phone-0) holds -3",
    ),
    (
        "processors",
        _set_first("busy_s", -1.0),
        "column busy_s: expected a finite number of at least 0, row 0 (phone-0) holds -1",
    ),
    (
        "links",
        _nan_first("mean_capacity"),
        "column mean_capacity: expected a number in every row, row 0 (phone-0 -> ap) has none",
    ),
    (
        "links",
        _set_first("loss_rate", -np.inf),
        "column loss_rate: expected a finite number of at least 0, row 0 (phone-0 -> ap) holds -inf",
    ),
    # A task's numbers: NaN only where the column gives it a meaning (not completed, no deadline, no
    # LLM), never negative or infinite; each was drawn, or summed into a figure, as the edit left it.
    *(
        ("tasks", edit, f"column {said}")
        for edit, said in [
            (_nan_first("compute_time"), "compute_time: expected a number in every row, row 0 has none"),
            (_set_first("wait", -0.25), "wait: expected a finite number of at least 0, row 0 holds -0.25"),
            (
                _set_first("latency", np.inf),
                "latency: expected a finite number of at least 0 or NaN, row 0 holds inf",
            ),
            (
                _set_first("device_energy", -1.0),
                "device_energy: expected a finite number of at least 0, row 0 holds -1",
            ),
            (_set_first("split", -2), "split: expected a finite number of at least 0, row 0 holds -2"),
            (_na_first("retries"), "retries: expected a number in every row, row 0 has none"),
        ]
    ),
]


@pytest.mark.parametrize(("table", "edit", "said"), EDITS)
def test_an_edited_table_of_a_run_is_refused_in_one_line(table, edit, said, run_dir, tmp_path, capsys):
    edited = _edited(run_dir, tmp_path, table, edit)
    which = "nodes" if "no row of the node" in said else "processors" if "no row of" in said else table
    line = f"{edited / f'{which}.parquet'}: {said}{REWRITE}"
    with pytest.raises(ResultsError) as raised:
        read_run(edited)
    assert str(raised.value) == line
    if table == "links" or "links.parquet" in said:  # read_results and plot do not read links.parquet
        return
    with pytest.raises(ExperimentError) as raised:
        read_results(edited)
    assert str(raised.value) == line
    for kind in ("cdf", "utilisation"):
        assert main(["plot", str(edited), "--kind", kind, "--out", str(tmp_path / kind)]) == 2
        assert capsys.readouterr().err == f"offloadsim: error: {line}\n"
        assert not list(tmp_path.glob(f"{kind}.*"))  # no figure drawn


def _without_edge_processors_of_one_run(frame: pd.DataFrame) -> pd.DataFrame:
    gone = (frame["node"] == "edge") & (frame["policy"] == "edge") & (frame["replication"] == 1)
    return frame[~gone]


@pytest.mark.parametrize(
    ("table", "edit", "said"),
    [
        (
            "processors",
            _without_edge_processors_of_one_run,
            "no row of the computing node edge (run policy edge, replication 1)",
        ),
        (
            "nodes",
            lambda f: f.assign(cores=f["cores"].astype(str)),
            "column cores: expected whole numbers (int64), got text",
        ),
        (
            "nodes",
            _nan_first("utilisation"),
            "column utilisation: expected a number in every row, row 0 (phone-0)",
        ),
        (  # the metrics are the catalogue's, not the record schema's: drawn as they came
            "metrics",
            lambda f: f.assign(latency_mean_s=f["latency_mean_s"].astype(str)),
            "column latency_mean_s: expected numbers (a metric), got text",
        ),
    ],
)
def test_an_edited_table_of_a_comparison_is_refused_naming_the_run(
    table, edit, said, compare_dir, tmp_path, capsys
):
    """A comparison's tables hold every run's rows: a computing node's processors removed from one run only
    are found in that run."""
    edited = _edited(compare_dir, tmp_path, table, edit)
    with pytest.raises(ExperimentError, match="^" + re.escape(str(edited / f"{table}.parquet"))) as raised:
        read_results(edited)
    assert said in str(raised.value) and str(raised.value).endswith(REWRITE)
    assert main(["plot", str(edited), "--kind", "utilisation", "--out", str(tmp_path / "fig")]) == 2
    assert capsys.readouterr().err == f"offloadsim: error: {raised.value}\n"


def test_tables_as_written_read_back_unchanged(run_dir, compare_dir):
    """The checks refuse nothing offloadsim writes, and read the tables as they are on disk."""
    run = read_run(run_dir)
    for table in ("tasks", "nodes", "links", "processors"):
        on_disk = pd.read_parquet(run_dir / f"{table}.parquet")
        assert list(getattr(run, table).columns) == list(on_disk.columns)
        assert len(getattr(run, table)) == len(on_disk) > 0
    for directory in (run_dir, compare_dir):
        results = read_results(directory)
        pd.testing.assert_frame_equal(results.nodes, pd.read_parquet(directory / "nodes.parquet"))
        pd.testing.assert_frame_equal(results.tasks, pd.read_parquet(directory / "tasks.parquet"))


def test_what_runs_write_passes_the_value_checks(tmp_path):
    """NaN where a column's doc gives it a meaning (no battery, never flat) is read back, as are the
    flat battery's 0 and its time: the checks of optional columns refuse nothing a run writes."""
    out = tmp_path / "battery"
    flat = "nodes.phone.power={idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, battery: 5 J}"
    argv = [
        "run",
        str(SCENARIO),
        "--set",
        "duration=20 s",
        "--set",
        "warmup=0 s",
        "--set",
        flat,
        "--out",
        str(out),
    ]
    assert main([*argv, "-q"]) == 0
    run = read_run(out)
    nodes = run.nodes.set_index("node")
    assert nodes.loc["phone-0", "battery_left"] == 0 and np.isfinite(nodes.loc["phone-0", "drained_at"])
    assert np.isnan(nodes.loc["edge", "battery_left"]) and np.isnan(nodes.loc["edge", "drained_at"])
    for table in ("tasks", "nodes", "links", "processors"):
        assert values_problem(getattr(run, table), table) is None


def test_dropped_failed_and_unfinished_tasks_read_back(tmp_path):
    """A task's NaN where its column gives it a meaning (never started, not completed) is no edit:
    the edge outage without recovery or fallback drops, fails and leaves tasks in flight."""
    out = tmp_path / "outage"
    overrides = ["policy={name: edge, fallback: drop}", "recovery.retries=0", "recovery.fallback=drop"]
    argv = ["run", str(REPO / "scenarios" / "edge-outage.yaml"), "--out", str(out), "-q"]
    assert main([*argv, *(a for o in overrides for a in ("--set", o))]) == 0
    tasks = read_run(out).tasks
    assert {"completed", "dropped", "failed", "in_flight"} <= set(tasks["status"])
    assert tasks["start"].isna().any() and tasks["finish"].isna().any()
    assert values_problem(tasks, "tasks") is None


def _summary_with(run_dir: Path, tmp_path: Path, value: object) -> Path:
    copy = tmp_path / "edited"
    shutil.copytree(run_dir, copy)
    summary = json.loads((copy / "summary.json").read_text())
    summary["powered_sources"] = value
    (copy / "summary.json").write_text(json.dumps(summary))
    return copy


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("3", 'summary.json: powered_sources: expected a count (-1: not known), got "3"'),
        (-5, "summary.json: powered_sources: expected a count (-1: not known), got -5"),
        (2.5, "summary.json: powered_sources: expected a count (-1: not known), got 2.5"),
        (
            24,
            "{dir}/summary.json: powered_sources: expected a count of the run's task sources "
            "(-1: not known), got 24, more than the run's 23 nodes" + REWRITE,
        ),
    ],
)
def test_a_hand_edited_count_of_powered_sources_in_a_run_s_summary_is_refused(
    value, said, run_dir, tmp_path, capsys
):
    """A string, a negative count or a fraction read as "not known" (2.5 as 2, "3" as 3), and a count
    above the run's nodes as if a run could have it: the energy figures' note then said the wrong thing."""
    edited = _summary_with(run_dir, tmp_path, value)
    said = said.format(dir=edited)
    with pytest.raises(ResultsError) as raised:
        read_run(edited)
    assert str(raised.value).endswith(said) and len(str(raised.value).splitlines()) == 1
    with pytest.raises(ExperimentError) as raised:
        read_results(edited)
    assert str(raised.value).endswith(said)
    assert main(["plot", str(edited), "--kind", "energy", "--out", str(tmp_path / "fig")]) == 2
    assert capsys.readouterr().err == f"offloadsim: error: {raised.value}\n"


@pytest.mark.parametrize("value", [-1, 0, 23])
def test_a_count_of_powered_sources_a_run_can_have_reads_back(value, run_dir, tmp_path):
    """-1 stays "not known" (a summary.json written before the count), and 0 to the run's nodes are counts."""
    edited = _summary_with(run_dir, tmp_path, value)
    assert read_run(edited).summary.powered_sources == value
    assert (read_results(edited).metrics["powered_sources"] == value).all()


def _powered(value: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        if isinstance(value, str):
            return frame.assign(powered_sources=frame["powered_sources"].astype(str))
        frame["powered_sources"] = frame["powered_sources"].astype(type(value))
        frame.loc[1, "powered_sources"] = value
        return frame

    return edit


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("text", "got text"),
        (-3, "row 1 (run policy local, replication 1) holds -3"),
        (2.5, "row 1 (run policy local, replication 1) holds 2.5"),
        (99, "row 1 (run policy local, replication 1) holds 99, more than the run's 23 nodes"),
    ],
)
def test_a_hand_edited_count_of_powered_sources_in_a_comparison_s_metrics_is_refused(
    value, said, compare_dir, tmp_path, capsys
):
    """pd.to_numeric(errors="coerce") read text as "not known"; -3 or 2.5 was "not known" or a count."""
    edited = _edited(compare_dir, tmp_path, "metrics", _powered(value))
    expected = "column powered_sources: expected a count of the run's task sources (-1: not known)"
    line = f"{edited / 'metrics.parquet'}: {expected}, {said}{REWRITE}"
    with pytest.raises(ExperimentError) as raised:
        read_results(edited)
    assert str(raised.value) == line
    assert main(["plot", str(edited), "--kind", "energy", "--out", str(tmp_path / "fig")]) == 2
    assert capsys.readouterr().err == f"offloadsim: error: {line}\n"


def test_a_comparison_s_count_of_powered_sources_not_known_reads_back(compare_dir, tmp_path):
    edited = _edited(compare_dir, tmp_path, "metrics", _powered(-1))
    assert read_results(edited).metrics["powered_sources"].tolist() == [20, -1, 20, 20]
