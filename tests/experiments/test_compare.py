"""compare: common random numbers across policies, paired differences, the written directory."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from offloadsim.analysis.statistics import mean_ci, student_t_ppf
from offloadsim.experiments import ExperimentError, compare, compare_table, read_results
from offloadsim.scenario import ScenarioWarning


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("compare")
    path = folder / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return compare(path, ["local", "edge", "least-loaded"], 3, workers=1, out=folder / "out")


def test_every_policy_sees_identical_arrivals_in_each_replication(result):
    tasks = result.tasks
    for replication in range(3):
        runs = {
            policy: tasks[(tasks.policy == policy) & (tasks.replication == replication)]
            .sort_values("task_id")[["task_id", "source", "arrival", "deadline"]]
            .reset_index(drop=True)
            for policy in result.policies
        }
        reference = runs["local"]
        assert len(reference) > 50
        for policy, frame in runs.items():
            pd.testing.assert_frame_equal(
                frame.astype({"source": str}), reference.astype({"source": str}), obj=policy
            )


def test_replications_differ_from_each_other(result):
    tasks = result.tasks[result.tasks.policy == "local"]
    first = tasks[tasks.replication == 0]["arrival"].to_numpy()[:20]
    second = tasks[tasks.replication == 1]["arrival"].to_numpy()[:20]
    assert not np.array_equal(first, second)


def test_summary_is_tidy_with_paired_differences_to_the_baseline(result):
    summary = result.summary
    assert list(summary.columns) == [
        "policy",
        "metric",
        "n",
        "mean",
        "ci",
        "diff",
        "diff_ci",
        "diff_n",
        "warned",
        "overloaded",
    ]
    assert set(summary.policy) == {"local", "edge", "least-loaded"}
    base = summary[summary.policy == "local"]
    assert base["diff"].isna().all()
    edge = summary[(summary.policy == "edge") & (summary.metric == "latency_mean_s")].iloc[0]
    m = result.metrics
    a = m[m.policy == "edge"].sort_values("replication")["latency_mean_s"].to_numpy()
    b = m[m.policy == "local"].sort_values("replication")["latency_mean_s"].to_numpy()
    assert edge["n"] == 3
    assert edge["diff"] == pytest.approx(np.mean(a - b))
    assert edge["diff_ci"] == pytest.approx(mean_ci(a - b)[1])


def test_paired_difference_on_a_constructed_case():
    # b = a + 0.5 + small noise: pairing removes the large common variation of a.
    a = np.array([1.0, 3.0, 2.0, 6.0, 4.0])
    noise = np.array([0.1, -0.1, 0.0, 0.05, -0.05])
    b = a + 0.5 + noise
    metrics = pd.DataFrame(
        {
            "policy": ["a"] * 5 + ["b"] * 5,
            "replication": [0, 1, 2, 3, 4] * 2,
            "latency_mean_s": np.concatenate([a, b]),
        }
    )
    table = compare_table(metrics, "a")
    row = table[(table.policy == "b")].iloc[0]
    d = b - a
    expected_half = student_t_ppf(0.975, 4) * d.std(ddof=1) / math.sqrt(5)
    assert row["diff"] == pytest.approx(0.5)
    assert row["diff_ci"] == pytest.approx(expected_half)
    assert row["mean"] == pytest.approx(b.mean())
    assert row["diff_ci"] < 0.2 * row["ci"]  # far narrower than the unpaired CI


def test_paired_difference_pairs_by_replication_not_by_row_order():
    metrics = pd.DataFrame(
        {
            "policy": ["a", "a", "a", "b", "b", "b"],
            "replication": [0, 1, 2, 2, 0, 1],
            "latency_mean_s": [1.0, 2.0, 3.0, 3.5, 1.5, 2.5],
        }
    )
    row = compare_table(metrics, "a").query('policy == "b"').iloc[0]
    assert row["diff"] == pytest.approx(0.5)
    assert row["diff_ci"] == pytest.approx(0.0)


def test_written_directory_is_complete_and_readable(result):
    path = result.path
    names = sorted(p.name for p in path.iterdir())
    assert names == sorted(
        [
            "tasks.parquet",
            "metrics.parquet",
            "nodes.parquet",
            "processors.parquet",
            "link_changes.parquet",
            "summary.parquet",
            "summary.csv",
            "groups.csv",
            "apps.csv",
            "summary.txt",
            "scenario.yaml",  # what it ran, overrides applied: it reruns from here
            "manifest.json",
        ]
    )
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["format"] == "offloadsim-compare/1"
    assert manifest["baseline"] == "local" and manifest["replications"] == 3
    assert [p["name"] for p in manifest["policies"]] == ["local", "edge", "least-loaded"]
    assert manifest["job_engine_builds"] == {"python": 9}  # the engine each run's process ran
    back = read_results(path)
    assert back.kind == "compare"
    assert len(back.metrics) == 9
    assert len(back.tasks) == len(result.tasks)
    assert "Δ vs local" in (path / "summary.txt").read_text()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_format_table_shows_every_policy_and_deltas(result):
    text = result.format_table()
    assert "mean latency (ms)" in text and "Δ vs local" in text
    for policy in result.policies:
        assert policy in text


def test_workers_do_not_change_the_numbers(tiny, result):
    again = compare(tiny, ["local", "edge", "least-loaded"], 3, workers=2)
    pd.testing.assert_frame_equal(again.metrics, result.metrics)
    pd.testing.assert_frame_equal(again.summary, result.summary)
    pd.testing.assert_frame_equal(again.tasks, result.tasks)  # the runs' files, and tasks.parquet


def test_jobs_writing_from_the_engines_chunks_make_the_table_their_frames_made(tiny, tmp_path, monkeypatch):
    """Each job writes its file from the engine's chunks (here of 7 rows), never building its frame.

    The written table is the one written before from the jobs' DataFrames (each job's written
    whole, then merged): the same content, Arrow schema and pandas metadata; only the row groups
    differ (one per chunk).
    """
    import pyarrow.parquet as pq

    from offloadsim import api
    from offloadsim.experiments.merge import write_merged
    from offloadsim.experiments.storage import write_job_file

    monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", 7)
    compare(tiny, ["local", "edge"], 2, workers=1, out=tmp_path / "out")
    file = tmp_path / "out" / "tasks.parquet"
    runs = [api.run(tiny, policy=p, replication=r).tasks for p in ("local", "edge") for r in range(2)]
    files = [write_job_file(tmp_path / f"{i}.parquet", run, {}) for i, run in enumerate(runs)]
    rows = write_merged(files, [], tmp_path / "before.parquet")
    assert rows > 40 and pq.ParquetFile(file).num_row_groups >= rows // 7 > len(runs)
    pd.testing.assert_frame_equal(pd.read_parquet(file), pd.read_parquet(tmp_path / "before.parquet"))
    assert pq.read_schema(file).equals(pq.read_schema(tmp_path / "before.parquet"), check_metadata=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # named as Python's argument: it said "e.g. --policies local,edge" to a Python caller
        ({"policies": []}, r"^policies: expected policy names, got none$"),
        ({"policies": ["local", " "]}, r"^policies: expected policy names, got an empty name$"),
        (
            {"policies": ["local", "edge", "local"]},
            r'^policies: "local" is given twice: each policy is compared',
        ),
        ({"policies": ["local"], "baseline": "edge"}, r'^baseline: "edge" is not one of the compared'),
        ({"policies": ["local"], "replications": 0}, "at least 1"),
    ],
)
def test_bad_requests_are_one_line_errors(tiny, kwargs, message):
    arguments = {"replications": 1, **kwargs}
    with pytest.raises(ExperimentError, match=message):
        compare(tiny, workers=1, **arguments)


def test_unknown_policy_fails_before_running(tiny):
    from offloadsim.api import RunError

    with pytest.raises(RunError, match="nope"):
        compare(tiny, ["local", "nope"], 2, workers=1)


def test_existing_output_directory_is_refused_before_running(tiny, tmp_path):
    from offloadsim.records.results import ResultsError

    out = tmp_path / "taken"
    out.mkdir()
    (out / "file").write_text("x")
    with pytest.raises(
        ResultsError, match=r"holds no offloadsim result but file; remove it yourself or choose another out$"
    ):
        compare(tiny, ["local"], 1, workers=1, out=out)  # Python's argument: it said --out


HOSTED = """
name: hosted
seed: 4
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
  cloud: {tier: cloud, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-*, cloud], bandwidth: 50 Mbps, latency: 10 ms}
applications:
  job: {work: 1 GFLOP, input: 10 KB, output: 1 KB, hosts: [phone-*]}
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 2 /s}
policy: local
"""


def test_a_policy_that_cannot_serve_a_task_drops_it_and_the_comparison_goes_on(tmp_path, cli_main, capsys):
    path = tmp_path / "hosted.yaml"
    path.write_text(HOSTED, encoding="utf-8")
    # Said before the runs: the cloud hosts none of it (the comparison still runs).  Without a
    # hosting cloud node, cloud falls back to the source (its default, local) or, told so, drops.
    dropping = "cloud(fallback=drop)"
    with pytest.warns(ScenarioWarning, match='every request of "job" will be dropped'):
        result = compare(path, ["local", dropping], 2, workers=1)
    drop = result.summary[result.summary.metric == "drop_rate"].set_index("policy")["mean"]
    assert drop["local"] == 0.0 and drop[dropping] == 1.0
    cloud = result.tasks[result.tasks.policy == dropping]
    assert len(cloud) > 20 and set(cloud["status"].astype(str)) == {"dropped"}
    reason = "rejected by the policy"
    assert set(cloud["reason"].astype(str)) == {reason}
    lines = result.drop_lines()
    assert lines[0] == f"{dropping}: {len(cloud)} of {len(cloud)} tasks dropped or failed"
    assert lines[1] == f"  {len(cloud)}  {reason}"
    compare_cli = ["compare", str(path), "--policies", f"local,{dropping}", "-n", "1", "--workers", "1", "-q"]
    assert cli_main([*compare_cli, "--out", str(tmp_path / "compare")]) == 0
    assert cli_main(["run", str(path), "--policy", dropping, "--out", str(tmp_path / "run")]) == 0
    said = capsys.readouterr()
    assert "why dropped or failed" in said.out and reason in said.out
    assert "applications.job.hosts has no node of tier cloud" in said.err
    # cloud as it comes runs every request on its phone, which hosts it, and says so
    with pytest.warns(ScenarioWarning, match='every request of "job" runs on its source'):
        fallen = compare(path, ["cloud"], 1, workers=1).tasks
    assert set(fallen["status"].astype(str)) <= {"completed", "in_flight"}  # none dropped
    assert (fallen["placement"].astype(str) == fallen["source"].astype(str)).all()


def test_a_significant_difference_says_better_or_worse_by_the_catalogue_direction():
    from offloadsim.experiments.compare import format_comparison

    rows = [  # policy, metric, mean, ci, diff, diff_ci (SI units)
        ("a", "latency_mean_s", 0.2, 0.01, 0.0, 0.0),
        ("b", "latency_mean_s", 0.1, 0.01, -0.1, 0.01),  # lower latency: better
        ("a", "throughput_per_s", 10.0, 0.1, 0.0, 0.0),
        ("b", "throughput_per_s", 9.0, 0.1, -1.0, 0.1),  # lower throughput: worse
        ("a", "bytes_sent", 5e6, 1e5, 0.0, 0.0),
        ("b", "bytes_sent", 5.1e6, 1e5, 1e5, 2e5),  # the CI of the difference holds 0: no verdict
        ("a", "utilisation_edge", 0.1, 0.01, 0.0, 0.0),
        ("b", "utilisation_edge", 0.5, 0.01, 0.4, 0.01),  # significant, but no better direction
    ]
    summary = pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"])
    text = format_comparison(summary, ["a", "b"], "a", ["latency_mean_s", "throughput_per_s", "bytes_sent"])
    deltas = [line.split()[-1] for line in text.splitlines() if line.startswith("  Δ vs a")]
    assert deltas == ["better", "worse", "0.20", "*"]


def test_a_comparison_says_under_its_table_that_device_energy_is_above_idle_at_todays_width():
    """Its "device energy per task (mJ)" read as the device's whole energy; saying "(mJ above idle)"
    in the heading widened the first column from 27 to 38 characters."""
    from offloadsim.experiments.compare import format_comparison

    rows = [
        ("a", "latency_mean_s", 0.2, 0.01, 0.0, 0.0),
        ("b", "latency_mean_s", 0.1, 0.01, -0.1, 0.01),
        ("a", "device_energy_mean_j", 0.05, 0.001, 0.0, 0.0),
        ("b", "device_energy_mean_j", 0.01, 0.001, -0.04, 0.001),
    ]
    summary = pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"])
    lines = format_comparison(summary, ["a", "b"], "a", title="t").splitlines()
    rule = next(line for line in lines if line.startswith("---"))
    assert rule.split("  ")[0] == "-" * len("device energy per task (mJ)")
    assert any(line.startswith("device energy per task (mJ)  ") for line in lines)
    assert lines[-1] == "device energy per task (mJ): counted above idle"
    without = format_comparison(summary[summary["metric"] == "latency_mean_s"], ["a", "b"], "a")
    assert "above idle" not in without  # said for the row that needs it only


@pytest.mark.parametrize(
    ("completed_b", "latency_verdict"),
    [
        (79.0, "(79 % completed)"),  # b dropped the tasks that would have waited longest: not judged
        (96.0, "better"),  # within 5 points of a's 100 %: judged
    ],
)
def test_a_latency_over_far_fewer_completed_tasks_is_not_judged_better(completed_b, latency_verdict):
    """An edge policy whose one-slot queue turned away 21 % of the tasks (those that would have waited
    longest) read "* better" on every latency row against a policy that completed them all."""
    from offloadsim.experiments.compare import format_comparison

    rows = [  # policy, metric, mean, ci, diff, diff_ci (SI units)
        ("a", "latency_mean_s", 0.2, 0.01, 0.0, 0.0),
        ("b", "latency_mean_s", 0.1, 0.01, -0.1, 0.01),
        ("a", "drop_rate", 0.0, 0.0, 0.0, 0.0),
        ("b", "drop_rate", 1 - completed_b / 100, 0.01, 1 - completed_b / 100, 0.01),
        ("a", "arrived", 100.0, 1.0, 0.0, 0.0),
        ("b", "arrived", 100.0, 1.0, 0.0, 0.0),
        ("a", "completed", 100.0, 1.0, 0.0, 0.0),
        ("b", "completed", completed_b, 1.0, completed_b - 100, 1.0),
    ]
    summary = pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"])
    text = format_comparison(summary, ["a", "b"], "a", ["latency_mean_s", "drop_rate"], title="t")
    latency, drops = (line for line in text.splitlines() if line.startswith("  Δ vs a"))
    assert latency.endswith("* " + latency_verdict)
    assert drops.endswith("* worse")  # the drop rate itself is judged as ever
    explained = "(N % completed): not judged" in text
    assert explained == (latency_verdict != "better")
    if explained:
        assert "5 points or more from a's (100 %)" in text


def test_energy_and_data_of_a_policy_that_served_far_fewer_tasks_are_not_judged_better():
    """compare llm-assistant.yaml --policies local,cloud: cloud dropped every request (the 1B model is
    not hosted there) and read "device energy per task ... * better" than local, which answered them."""
    from offloadsim.experiments.compare import format_comparison

    rows = [  # policy, metric, mean, ci, diff, diff_ci (SI units)
        ("a", "device_energy_mean_j", 40.0, 2.0, 0.0, 0.0),
        ("b", "device_energy_mean_j", 0.0, 0.0, -40.0, 2.0),
        ("a", "bytes_sent", 5e6, 1e5, 0.0, 0.0),
        ("b", "bytes_sent", 1e6, 1e5, -4e6, 1e5),
        ("a", "arrived", 100.0, 1.0, 0.0, 0.0),
        ("b", "arrived", 100.0, 1.0, 0.0, 0.0),
        ("a", "completed", 100.0, 1.0, 0.0, 0.0),
        ("b", "completed", 0.0, 0.0, -100.0, 1.0),
    ]
    summary = pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"])
    text = format_comparison(summary, ["a", "b"], "a", ["device_energy_mean_j", "bytes_sent"], title="t")
    energy, data = (line for line in text.splitlines() if line.startswith("  Δ vs a"))
    assert energy.endswith("* (0 % completed)") and data.endswith("* (0 % completed)")
    assert "(N % completed): not judged" in text and "device energy per task" in text.splitlines()[3]


def test_a_mean_over_fewer_runs_than_the_replications_says_over_how_many():
    """Replications in which no task completed have no latency: the table read "2 policies x 10
    replications" over a mean ± CI of 6 of them, with nothing to say so (summary.csv had n=6)."""
    from offloadsim.experiments.compare import format_comparison

    metrics = pd.DataFrame(
        {
            "policy": ["a"] * 3 + ["b"] * 3,
            "replication": [0, 1, 2] * 2,
            "latency_mean_s": [0.2, float("nan"), 0.3, 0.1, float("nan"), 0.2],
            "throughput_per_s": [1.0, 0.0, 2.0, 1.0, 0.0, 2.0],
        }
    )
    text = format_comparison(compare_table(metrics, "a"), ["a", "b"], "a", replications=3)
    latency, throughput = (
        line for line in text.splitlines() if line.startswith(("mean latency", "throughput"))
    )
    assert latency.split() == [
        "mean",
        "latency",
        "(ms)",
        "250",
        "±",
        "635",
        "(n=2)",
        "150",
        "±",
        "635",
        "(n=2)",
    ]
    assert "n=" not in throughput


def test_a_difference_over_fewer_pairs_than_the_replications_says_over_how_many():
    """A Δ pairs the replications in which both policies have a value: with a's run 1 and b's run 2
    empty, each mean is over 3 runs but the Δ over 2 pairs, which the table did not say."""
    from offloadsim.experiments.compare import format_comparison

    nan = float("nan")
    metrics = pd.DataFrame(
        {
            "policy": ["a"] * 4 + ["b"] * 4,
            "replication": [0, 1, 2, 3] * 2,
            "latency_mean_s": [0.2, nan, 0.3, 0.25, 0.1, 0.15, nan, 0.12],
            "throughput_per_s": [1.0, 2.0, 3.0, 4.0, 1.5, 2.5, 3.5, 4.5],
        }
    )
    summary = compare_table(metrics, "a")
    pairs = summary.set_index(["policy", "metric"])["diff_n"]
    assert pairs["b", "latency_mean_s"] == 2 and pairs["b", "throughput_per_s"] == 4
    text = format_comparison(summary, ["a", "b"], "a", replications=4)
    latency, throughput = (line for line in text.splitlines() if line.startswith("  Δ vs a"))
    assert "(n=2)" in latency
    assert "n=" not in throughput


def test_a_ci_of_rounding_noise_shows_no_false_precision():
    """Runs that all took 100 ms had a CI half-width of 4.8e-17 s: the table printed
    "100.0000 ± 0.0000", four decimals of precision no run had, beside "100 ± 0" in the next row."""
    from offloadsim.analysis.catalogue import METRICS

    latency = METRICS["latency_mean_s"]
    assert latency.format(0.1, 4.786e-17) == latency.format(0.1, 0.0) == "100.0 ± 0"
    assert latency.format(0.1, 0.00051) == "100.00 ± 0.51"  # a real spread keeps its digits


def test_a_real_spread_below_the_last_decimal_does_not_read_as_zero():
    """A CI half-width of 3e-8 J (mean 48.8 mJ: a spread, not rounding noise) printed
    "48.8000 ± 0.0000", which reads as every replication agreeing, beside "48.80 ± 0" that did;
    then "± <0.0001", a bound rather than the half-width: it is shown to two significant digits."""
    from offloadsim.analysis.catalogue import METRICS

    energy = METRICS["device_energy_mean_j"]
    assert energy.format(0.0488, 3e-8) == "48.8000 ± 3.0e-05"
    assert energy.format(-1.2953434, 3e-8, signed=True) == "−1,295.3434 ± 3.0e-05"
    assert energy.format(0.0488005, 7.4e-7) == "48.8005 ± 0.0007"  # shown to its last decimal: as before
    assert energy.format(0.0488, 0.0) == "48.80 ± 0"


def _delta_cells(rows, metric="device_energy_mean_j"):
    """The table and Δ cells of ``format_comparison`` over ``rows`` (policy, mean, ci, diff, diff_ci; SI)."""
    from offloadsim.experiments.compare import format_comparison

    summary = pd.DataFrame(
        [(policy, metric, *numbers) for policy, *numbers in rows],
        columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"],
    )
    policies = [row[0] for row in rows]
    table = format_comparison(summary, policies, policies[0], [metric], title="t", replications=5)
    lines = table.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  Δ vs"))
    return lines, [cell.strip() for cell in lines[at].split("  ") if cell.strip()][1:]


def test_a_delta_too_small_for_its_decimals_shows_its_value():
    """Δ 2.1e-7 J of device energy, the same in every replication, printed "−0.0000 ± 0 * better"
    (a difference too small to show, starred as a finding); one inside a CI of 0.0004 mJ "−0.0000"."""
    lines, cells = _delta_cells(
        [
            ("a", 0.0488, 0.0, math.nan, math.nan),
            ("b", 0.0488 - 2.1e-7, 0.0, -2.1e-7, 0.0),
            ("c", 0.0488, 4e-7, -4.2e-9, 3.9e-7),
        ]
    )
    assert cells == ["−2.1e-04 ± 0 always better", "−4.2e-06 ± 0.0004"]
    assert "(± 0 always: the same Δ in every replication, no spread to test, so no *)" in lines


def test_a_delta_of_zero_spread_is_not_starred_and_rounding_is_no_delta():
    """A CI of exactly 0 (every replication's Δ the same) made the t test star any Δ; and two means
    that differ by floating-point rounding (1e-17 J, the same every time) read as a Δ too."""
    _, cells = _delta_cells(
        [
            ("a", 1.3441412, 0.0, math.nan, math.nan),
            ("b", 0.04912345, 0.0, -1.29501775, 0.0),  # the same saving every time: said, not starred
            ("c", 1.3441412 + 2e-16, 0.0, 2e-16, 0.0),  # rounding: no difference
            ("d", 1.2, 0.01, -0.1441412, 0.02),  # a real spread: the t test, as before
            ("e", 1.3, 0.05, -0.04, 0.05),  # inside its CI: not starred
            ("f", 1.3441412 - 2e-16, math.nan, -2e-16, math.nan),  # rounding over one pair: no CI, still 0
        ]
    )
    assert cells == ["−1,295.02 ± 0 always better", "0.00 ± 0", "−144 ± 20 * better", "−40 ± 50", "0.00"]


def test_a_value_every_replication_gave_keeps_its_digits():
    """Every task of `local` cost 1,344.14 mJ (as `run` says), and compare's cell read "1,344 ± 0",
    edge's "49 ± 0": a CI of exactly 0 sets no precision, so the digits of an exact value were lost."""
    from offloadsim.analysis.catalogue import METRICS
    from offloadsim.experiments.compare import format_comparison

    energy = METRICS["device_energy_mean_j"]
    assert energy.format(1.3441412, 0.0) == "1,344.14 ± 0"  # the run table's two decimals
    assert energy.format(0.04912345, 0.0) == "49.12 ± 0"
    assert METRICS["latency_mean_s"].format(0.0123456, 0.0) == "12.35 ± 0"  # at least 4 significant
    assert energy.format(-1.2953434, 0.0, signed=True) == "−1,295.34 ± 0"
    assert energy.format(0.0, 0.0, signed=True) == "0.00 ± 0"  # a Δ of exactly 0 has no sign
    rows = [  # policy, metric, mean, ci, diff, diff_ci (SI units)
        ("local", "device_energy_mean_j", 1.3441412, 0.0, 0.0, 0.0),
        ("edge", "device_energy_mean_j", 0.04912345, 0.0, -1.29501775, 0.0),
        ("cloud", "device_energy_mean_j", 1.3441412, 0.0, 0.0, 0.0),
    ]
    summary = pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"])
    lines = format_comparison(summary, ["local", "edge", "cloud"], "local").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("device energy per task"))
    assert lines[at].split()[-9:] == ["1,344.14", "±", "0", "49.12", "±", "0", "1,344.14", "±", "0"]
    assert lines[at + 1].split()[-8:] == ["−1,295.02", "±", "0", "always", "better", "0.00", "±", "0"]


def _drops_of_the_whole_table(tasks, policies):
    """drop_lines' counts over all the runs' tasks in memory (reference): policy -> ended, total, reasons."""
    ended = tasks[tasks["status"].astype(str).isin(("dropped", "failed"))]
    drops = {}
    for policy in policies:
        mine = ended[ended["policy"].astype(str) == policy]
        if not mine.empty:
            total = int((tasks["policy"].astype(str) == policy).sum())
            counts = mine["reason"].astype(str).replace("", "unknown").value_counts()
            drops[policy] = (len(mine), total, {str(k): int(v) for k, v in counts.items()})
    return drops


def test_drop_lines_counted_run_by_run_are_those_of_the_whole_table():
    """A comparison keeps per-run counts, not every task: the counts its lines print are the whole table's."""
    from offloadsim.experiments.compare import CompareResult, _RunTasks
    from offloadsim.records.results import tasks_frame

    rng = np.random.default_rng(5)
    runs, parts = _RunTasks(), []
    for policy in ("a", "b", "c"):
        for _ in range(2):
            n = int(rng.integers(0, 40))
            status = rng.choice(["completed", "dropped", "failed"], n, p=[0.5, 0.3, 0.2])
            reason = np.where(status == "completed", "", rng.choice(["", "r1", "r2", "r3", "r4", "r5"], n))
            part = tasks_frame({"policy": [policy] * n, "status": status, "reason": reason})
            parts.append(part)
            runs.count(part)
    whole = tasks_frame({c: pd.concat(parts, ignore_index=True)[c] for c in parts[0].columns})
    expected = _drops_of_the_whole_table(whole, ["a", "b", "c"])
    assert {p: (sum(c.values()), runs.totals[p], dict(c)) for p, c in runs.ended.items()} == expected
    assert len(expected) == 3 and all(len(reasons) > 3 for _, _, reasons in expected.values())
    result = CompareResult("s", ["a", "b", "c"], "a", 2, *(pd.DataFrame(),) * 3, {}, _runs=runs)
    lines = result.drop_lines(top=1)
    assert lines[0] == f"a: {expected['a'][0]} of {expected['a'][1]} tasks dropped or failed"
    assert lines[2].startswith(f"  ... and {len(expected['a'][2]) - 1} more reasons")


@pytest.mark.parametrize("failed_b", [0.042, 0.0])
def test_the_table_says_the_failed_share_where_any_task_failed(failed_b):
    """An edge that crashed every 0.7 s failed 4.2 % of the tasks of both policies, and the table
    said "dropped tasks (%) 0.0 ± 0.0" and nothing of the failures (only the lines under it did)."""
    from offloadsim.experiments.compare import format_comparison

    rows = [  # policy, metric, mean, ci, diff, diff_ci (SI units)
        ("a", "drop_rate", 0.0, 0.0, 0.0, 0.0),
        ("b", "drop_rate", 0.0, 0.0, 0.0, 0.0),
        ("a", "fail_rate", 0.0, 0.0, 0.0, 0.0),
        ("b", "fail_rate", failed_b, 0.001, failed_b, 0.001),
    ]
    summary = pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"])
    text = format_comparison(summary, ["a", "b"], "a")
    failed = [line for line in text.splitlines() if line.startswith("failed tasks (%)")]
    assert any(line.startswith("dropped tasks (%)") for line in text.splitlines())
    # a row of zeros in every comparison of a world that never fails would say nothing
    assert len(failed) == (1 if failed_b else 0)
    if failed_b:
        assert failed[0].split()[-3:] == ["4.20", "±", "0.10"]


def test_seed_and_an_override_of_seed_with_two_values_are_refused(tiny):
    """compare(seed=5, overrides=["seed=4"]) compared with seed 5 and no word."""
    from offloadsim.api import RunError

    with pytest.raises(RunError) as caught:
        compare(tiny, ["local"], 1, workers=1, overrides=["seed=4"], seed=5)
    assert str(caught.value) == 'seed: given twice (seed=5, and 4 set by overrides="seed=4"); give it once'
    assert compare(tiny, ["local"], 1, workers=1, overrides=["seed=4"], seed=4).manifest["seed"] == 4


def test_a_comparison_without_deadlines_says_so_as_run_does():
    """A scenario without deadlines: `run` said "- (no deadlines)", compare's table a bare "-" per
    policy, and an empty Δ row under it."""
    from offloadsim.experiments.compare import format_comparison

    nan = math.nan
    rows = [  # policy, metric, mean, ci, diff, diff_ci (SI units)
        ("a", "latency_mean_s", 0.2, 0.01, 0.0, 0.0),
        ("b", "latency_mean_s", 0.1, 0.01, -0.1, 0.01),
        ("a", "deadline_miss_rate", nan, nan, nan, nan),
        ("b", "deadline_miss_rate", nan, nan, nan, nan),
    ]
    summary = pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"])
    lines = format_comparison(summary, ["a", "b"], "a", ["latency_mean_s", "deadline_miss_rate"]).splitlines()
    assert lines[-1].split("  ")[0] == "deadline misses (%)"
    assert lines[-1].split()[-4:] == ["no", "deadlines", "no", "deadlines"]
    assert len({len(line) for line in lines[:2]}) == 1  # the header and its rule: alignment kept
    assert lines[-2].startswith("  Δ vs a")  # the latency's Δ; none for deadlines that no run had


def test_a_value_of_one_replication_keeps_the_run_tables_digits():
    """With `--replications 1` compare read "1,344" for the 1,344.14 mJ that `run` prints: a value
    without an interval fell back to 2 significant figures. It keeps the run table's decimals and at
    least 4 significant figures, as a value every replication gave does."""
    from offloadsim.analysis.catalogue import METRICS

    energy, latency = METRICS["device_energy_mean_j"], METRICS["latency_mean_s"]
    assert energy.format(1.3441412) == "1,344.14"
    assert energy.format(0.04912345) == "49.12"
    assert latency.format(0.0123456) == "12.35"  # 4 significant figures beyond the run's 1 decimal
    assert latency.format(0.1) == "100.0"
    assert energy.format(-1.2953434, signed=True) == "−1,295.34"
    assert METRICS["throughput_per_s"].format(2.0) == latency.format(0.002) == "2.000"


_BATTERIES = """
name: batteries
duration: 120 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 20 GFLOP/s},
          power: {idle: 0.2 W, busy: 2 W, transmit: 3 W, receive: 1 W, tail: 0.5 s, battery: 30 J}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 5 Mbps, latency: 5 ms}
applications:
  job: {work: 0.5 GFLOP, input: 200 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 2 /s}
"""


def test_the_table_says_the_least_node_availability_where_a_battery_ran_flat(tmp_path):
    """Phones whose batteries ran flat sooner under one policy than the other: the table said only
    that a few tasks failed (and a lower throughput, the dead phones sending nothing), nothing of
    how long the phones lasted under each policy; its metrics held it (``availability``)."""
    from offloadsim.experiments.compare import format_comparison

    scenario = tmp_path / "batteries.yaml"
    scenario.write_text(_BATTERIES)
    result = compare(scenario, ["local", "edge"], 2, workers=1, out=tmp_path / "out")
    up = result.metrics.groupby("policy")["availability"].mean()
    assert up["local"] < 1 and up["edge"] < 1 and abs(up["local"] - up["edge"]) > 0.05
    text = format_comparison(result.summary, ["local", "edge"], "local")
    rows = [line for line in text.splitlines() if line.startswith("least node availability (%)")]
    assert len(rows) == 1
    cells = rows[0].removeprefix("least node availability (%)").split("±")
    assert [float(cells[0]), float(cells[1].split()[-1])] == pytest.approx(
        [up["local"] * 100, up["edge"] * 100], abs=0.1
    )


def test_a_comparison_reads_its_own_tasks_after_a_later_one_takes_its_place(tiny, tmp_path):
    """A later comparison written to the same directory moved this one aside (out.old-1), and
    ``tasks`` read the later one's tasks.parquet as this one's: another policy's records, at no error.
    Deleted, it was pandas' FileNotFoundError, with a traceback."""
    from offloadsim.outdir import ResultsError

    out = tmp_path / "out"
    first = compare(tiny, ["edge"], 1, workers=1, out=out)
    compare(tiny, ["local"], 1, workers=1, out=out)
    assert set(first.tasks["policy"].astype(str)) == {"edge"}
    assert first.path == tmp_path / "out.old-1"
    unread = compare(tiny, ["edge"], 1, workers=1, out=out, overwrite=True)
    compare(tiny, ["local"], 1, workers=1, out=out, overwrite=True)
    with pytest.raises(ResultsError, match="replaced or removed after it was written"):
        unread.tasks  # noqa: B018
    deleted = compare(tiny, ["edge"], 1, workers=1, out=tmp_path / "gone")
    (tmp_path / "gone" / "tasks.parquet").unlink()
    with pytest.raises(ResultsError, match=r"tasks\.parquet: no longer there"):
        deleted.tasks  # noqa: B018


def test_the_share_of_tasks_recovery_ran_again_is_a_metric_with_its_interval(tmp_path):
    """A reliability study compares policies on the tasks recovery retried: compare gave their totals
    in a note only (``edge: 949 tasks in 8 of its 10 runs``), with no interval and no column in
    metrics.parquet.  Each run's share is ``retried / arrived`` from its summary, its row in the
    table only where some run retried a task."""
    from pathlib import Path

    root = Path(__file__).parents[2]
    result = compare(
        root / "scenarios" / "edge-outage.yaml",
        ["edge", "cloud"],
        3,
        workers=1,
        overrides=["duration=60 s"],
        out=tmp_path / "cmp",
    )
    metrics = result.metrics
    assert "retry_rate" in metrics.columns and "retried" in metrics.columns
    tasks = pd.read_parquet(tmp_path / "cmp" / "tasks.parquet")
    measured = tasks[tasks.arrival >= 10.0]  # the warm-up's tasks have no record
    for (policy, rep), group in measured.groupby(["policy", "replication"], observed=True):
        row = metrics[(metrics.policy == policy) & (metrics.replication == rep)].iloc[0]
        retried = int((group.retries > 0).sum())
        assert row.retried == retried and row.retry_rate == pytest.approx(retried / row.arrived)
    edge = metrics[metrics.policy == "edge"]
    assert (edge.retried > 0).any() and (metrics[metrics.policy == "cloud"].retried == 0).all()
    table = result.format_table().splitlines()
    assert len([line for line in table if line.startswith("retried by recovery (%)")]) == 1
