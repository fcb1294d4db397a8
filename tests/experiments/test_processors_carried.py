"""compare and sweep carry each run's processors table, own notes and recovery counts, as a run says them.

The scenario of tests/engine/test_processors_table.py (a phone's NPU busy 15 % and an edge
GPU's two cores 7.5 %, computed by hand, where the nodes table's first processors, both CPUs,
were idle): compare and sweep wrote the nodes table only, and printed none of the runs' notes,
so a comparison read both nodes idle.  The shipped edge-outage scenario retries tasks
(``recovery:``), which a run counts under its table and compare and sweep did not.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from figure_checks import check_readable
from processors_scenario import EXPECTED, assert_expected, write_scenario

from offloadsim.cli import main
from offloadsim.experiments.storage import read_job_file, write_job_file
from offloadsim.records.schema import PROCESSOR_COLUMNS
from offloadsim.records.stored import read_results

ROOT = Path(__file__).resolve().parents[2]
#: The line compare and sweep print of the processors after each node's first, for one configuration.
SHARES = "phone npu 15.0 %, edge gpu 7.5 %"


def _processor_line(out: str) -> str:
    (line,) = [line for line in out.splitlines() if "other processors computed too" in line]
    return line


def _compare(directory: Path, workers: int, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    out = directory / f"compare-{workers}"
    args = ["compare", str(directory / "npu-and-gpu.yaml"), "--policies", "fixed,local", "-n", "2"]
    assert main([*args, "--workers", str(workers), "--out", str(out)]) == 0
    return out, capsys.readouterr().out


def _compared_twice(directory: Path, table: str, capsys: pytest.CaptureFixture[str]):
    """A compare with one worker and with two: the first's directory, its ``table`` (the second's the
    same) and what it printed."""
    write_scenario(directory)
    one, printed = _compare(directory, 1, capsys)
    two, _ = _compare(directory, 2, capsys)
    frame = pd.read_parquet(one / table)
    pd.testing.assert_frame_equal(frame, pd.read_parquet(two / table))
    return one, frame, printed


def test_compare_writes_every_processor_of_every_run_the_same_with_one_or_two_workers(tmp_path, capsys):
    one, table, printed = _compared_twice(tmp_path, "processors.parquet", capsys)
    assert list(table.columns) == ["policy", "replication", *PROCESSOR_COLUMNS]
    for replication in (0, 1):  # the fixed policy's runs: the hand-computed table, each replication
        fixed = table[(table["policy"] == "fixed") & (table["replication"] == replication)]
        assert_expected(fixed.reset_index(drop=True))
    local = table[table["policy"] == "local"]  # local computes on the phone's first processor only
    assert set(local.loc[local["utilisation"] > 0, "processor"]) == {"cpu"}
    assert f"policy=fixed: {SHARES} (processors.parquet" in _processor_line(printed)
    assert "policy=local" not in _processor_line(printed)
    pd.testing.assert_frame_equal(read_results(one).processors, table)


def test_compare_keeps_each_runs_own_notes_in_its_manifest(tmp_path, capsys):
    write_scenario(tmp_path)
    out, _ = _compare(tmp_path, 1, capsys)
    manifest = read_results(out).manifest
    fixed = [row for row in manifest["run_notes"] if row["policy"] == "fixed"]
    assert [row["replication"] for row in fixed] == [0, 1]
    assert all(f"other processors computed too: {SHARES}" in row["note"] for row in fixed)
    assert manifest["retried"] == []  # no recovery: no run retried a task


def _sweep(directory: Path, name: str, workers: int, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(
        ["sweep", str(directory / "sweep.yaml"), "--workers", str(workers), "--out", str(directory / name)]
    )
    assert code == 0
    return capsys.readouterr().out


def _sweep_file(directory: Path) -> None:
    write_scenario(directory)
    (directory / "sweep.yaml").write_text(
        "base: npu-and-gpu.yaml\ngrid:\n  links[0].bandwidth: [100 Mbps, 1 Gbps]\nreplications: 2\n"
    )


def test_sweep_writes_every_processor_of_every_job_the_same_with_one_or_two_workers_and_resumed(
    tmp_path, capsys
):
    _sweep_file(tmp_path)
    printed = _sweep(tmp_path, "one", 1, capsys)
    _sweep(tmp_path, "two", 2, capsys)
    table = pd.read_parquet(tmp_path / "one" / "processors.parquet")
    pd.testing.assert_frame_equal(table, pd.read_parquet(tmp_path / "two" / "processors.parquet"))
    assert list(table.columns) == ["links[0].bandwidth", "point", "policy", "replication", *PROCESSOR_COLUMNS]
    assert len(table) == 2 * 2 * len(EXPECTED)
    for (_, _), run in table.groupby(["point", "replication"]):
        assert_expected(run.reset_index(drop=True))
    line = _processor_line(printed)
    assert f"links[0].bandwidth=100 Mbps, policy=fixed: {SHARES}" in line
    assert f"links[0].bandwidth=1 Gbps, policy=fixed: {SHARES}" in line
    # Resumed: every job reused from its file, the table and the line kept.
    again = _sweep(tmp_path, "one", 1, capsys)
    assert "4 jobs: 0 run, 4 reused" in again
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "processors.parquet"), table)
    assert _processor_line(again) == line
    notes = read_results(tmp_path / "one").manifest["run_notes"]
    assert [(row["point"], row["replication"]) for row in notes] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_a_resumed_sweep_says_which_reused_jobs_kept_no_processors_table(tmp_path, capsys):
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    (file, *_) = sorted((tmp_path / "one" / "points").glob("*.parquet"))
    tasks, meta = read_job_file(file)
    for key in ("processors", "notes", "retried", "recovered"):  # as an older offloadsim wrote it
        del meta[key]
    file.unlink()
    write_job_file(file, tasks, meta)
    printed = _sweep(tmp_path, "one", 1, capsys)
    assert "1 reused runs were simulated by an older offloadsim" in printed
    table = pd.read_parquet(tmp_path / "one" / "processors.parquet")
    assert len(table) == 3 * len(EXPECTED)  # the three jobs that kept theirs


RETRIED = re.compile(r"note: retried by recovery \(tasks recovery ran again, of any outcome\): (?P<parts>.*)")


def _retried(out: str, configs: list[str] | None = None) -> dict[str, tuple[int, int, int]]:
    """Each configuration's (tasks, runs, completed) in the printed line.

    ``configs``: every configuration's label (``k=v, k2=v2``), for the parts that say theirs for a
    group: ``each K and K2: ...`` (all of them) or ``k=v (each K2): ...`` (all with ``k=v``).
    """
    (match,) = [m for m in map(RETRIED.match, out.splitlines()) if m]
    found = {}
    for part in match["parts"].split("; "):
        label, _, said = part.rpartition(": ")
        counts = re.fullmatch(r"(\d+) tasks? in (\d+) of its \d+ runs, (\d+) of them completed", said)
        assert counts, part
        group = re.fullmatch(r"(?:(?P<fixed>.*) \()?each (?P<varied>[^()]*)\)?", label)
        if group and configs is not None:
            fixed = set((group["fixed"] or "").split(", ")) - {""}
            labels = [config for config in configs if fixed <= set(config.split(", "))]
        else:
            labels = [label]
        for each in labels:
            assert each not in found, f"{each} said twice"
            found[each] = (int(counts[1]), int(counts[2]), int(counts[3]))
    return found


def _retried_in(tasks: pd.DataFrame, by: list[str], label: str) -> dict[str, tuple[int, int, int]]:
    retried = tasks[tasks["retries"] > 0]
    found = {}
    for key, group in retried.groupby(by, observed=True):
        runs = group.groupby([*by, "replication"], observed=True).ngroups
        done = int((group["status"] == "completed").sum())
        found[label.format(*(key if isinstance(key, tuple) else (key,)))] = (len(group), runs, done)
    return found


def test_compare_and_sweep_say_the_runs_recovery_counts_from_their_records(tmp_path, capsys):
    scenario = tmp_path / "edge-outage.yaml"
    shutil.copy(ROOT / "scenarios" / "edge-outage.yaml", scenario)
    out = tmp_path / "compare"
    args = ["compare", str(scenario), "--policies", "edge,least-loaded", "-n", "2", "--set", "duration=60 s"]
    assert main([*args, "--workers", "1", "--out", str(out)]) == 0
    said = _retried(capsys.readouterr().out)
    tasks = pd.read_parquet(out / "tasks.parquet")
    assert said == _retried_in(tasks, ["policy"], "policy={}") and said
    (tmp_path / "sweep.yaml").write_text(
        "base: edge-outage.yaml\nset: {duration: 60 s}\npolicies: [edge, least-loaded]\nreplications: 2\n"
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--out", str(tmp_path / "s")]) == 0
    swept = _retried(capsys.readouterr().out)
    assert swept == {f"policy.name={k.removeprefix('policy=')}": v for k, v in said.items()}


def test_a_sweep_says_recovery_counts_that_repeat_at_every_point_once(tmp_path, capsys):
    """A sweep over a link that recovery does not depend on said the same counts at each point:
    1,500 characters for 12 points. Each policy's counts are now said once for every bandwidth,
    and each point's counts, read back from the line, are still those of its records."""
    shutil.copy(ROOT / "scenarios" / "edge-outage.yaml", tmp_path / "edge-outage.yaml")
    (tmp_path / "sweep.yaml").write_text(
        "base: edge-outage.yaml\nset: {duration: 60 s}\npolicies: [edge, least-loaded]\nreplications: 2\n"
        "grid:\n  links[2].bandwidth: [50 Mbps, 100 Mbps, 200 Mbps]\n"
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    tasks = pd.read_parquet(tmp_path / "s" / "tasks.parquet")
    by = ["links[2].bandwidth", "policy.name"]
    configs = [
        f"links[2].bandwidth={bandwidth}, policy.name={policy}"
        for bandwidth, policy in tasks[by].drop_duplicates().itertuples(index=False)
    ]
    expected = _retried_in(tasks, by, "links[2].bandwidth={}, policy.name={}")
    assert _retried(out, configs) == expected and len(expected) == 6  # every point's counts
    (line,) = [line for line in out.splitlines() if RETRIED.match(line)]
    assert line.count("of them completed") == 2, line  # one a policy, not one a point
    assert "policy.name=edge (each links[2].bandwidth): " in line


def _bars(fig) -> dict[str, float]:
    """The one panel's bars: each tick label and its bar's height (%)."""
    (ax,) = [ax for ax in fig.axes if ax.get_visible() and ax.patches]
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    heights = [patch.get_height() for patch in ax.patches]
    assert len(heights) == len(ticks), "one series: a bar per tick"
    return dict(zip(ticks, heights, strict=True))


#: Each processor's bar, node/processor, for the fixed policy (computed by hand: see EXPECTED).
BARS = {"phone/cpu": 0.0, "phone/npu": 15.0, "edge/cpu": 0.0, "edge/gpu": 7.5}


def test_the_utilisation_figure_draws_every_processor_of_a_run_a_compare_and_a_sweep(tmp_path, capsys):
    """It drew the nodes table, each node's first processor: two idle CPUs, where the NPU and GPU computed."""
    from offloadsim import plots

    _sweep_file(tmp_path)
    assert main(["run", str(tmp_path / "npu-and-gpu.yaml"), "--out", str(tmp_path / "run"), "-q"]) == 0
    compared, _ = _compare(tmp_path, 1, capsys)
    _sweep(tmp_path, "sweep", 1, capsys)
    figures = [
        plots.plot_results(read_results(tmp_path / "run"), "utilisation"),
        plots.plot_results(read_results(compared), "utilisation", where={"policy": "fixed"}),
        plots.plot_results(
            read_results(tmp_path / "sweep"), "utilisation", where={"links[0].bandwidth": "1 Gbps"}
        ),
    ]
    for fig in figures:
        assert _bars(fig) == pytest.approx(BARS, rel=1e-12, abs=1e-12)
        assert [ax.get_xlabel() for ax in fig.axes if ax.patches] == ["node/processor"]
        check_readable(fig)


def test_a_tier_bar_of_processors_says_it_is_the_mean_of_processors_not_nodes(tmp_path):
    """Per processor, a tier's bar pools its processors: its tick counted them as nodes."""
    from offloadsim import plots

    frame = pd.DataFrame(
        {
            "node": ["edge/cpu", "edge/gpu", "phone/cpu", "phone/npu"],
            "tier": ["edge", "edge", "device", "device"],
            "cores": [4, 2, 1, 1],
            "utilisation": [0.0, 0.075, 0.0, 0.15],
        }
    )
    ax = plots.node_utilisation(frame, level="tier", unit="processor")
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    assert ticks == ["edge\nmean of 2 processors", "device\nmean of 2 processors"]
    assert ax.get_xlabel() == "tier (dots: one per processor, its mean over replications)"


def test_the_utilisation_figure_of_single_processor_nodes_is_drawn_from_the_nodes_table_as_before(tmp_path):
    """Where every node has one processor the figure is the nodes table's, byte for byte."""
    import dataclasses
    import io

    from experiment_data import TINY

    from offloadsim import plots
    from offloadsim.experiments import compare

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    compare(tmp_path / "tiny.yaml", ["local", "edge"], 2, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    assert results.processors is not None and len(results.processors) > 0
    drawn = []
    for given in (results, dataclasses.replace(results, processors=None)):
        buffer = io.BytesIO()
        plots.plot_results(given, "utilisation").savefig(buffer, format="png", metadata={"Software": None})
        drawn.append(buffer.getvalue())
    assert drawn[0] == drawn[1]


def _resumed(directory: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """The sweep into ``directory/one`` run again: what it printed and what it warned."""
    argv = ["sweep", str(directory / "sweep.yaml"), "--workers", "1", "--out", str(directory / "one")]
    assert main(argv) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("processors", "not a table", "processors: expected a table"),
        ("processors", {"node": ["phone"], "utilisation": [0.1, 0.2]}, "processors: expected a table"),
        ("notes", "one note", "notes: expected a list"),
        ("retried", "many", "retried: expected a count"),
        ("nodes", [1, 2], "nodes: expected a table"),
        ("context_cuts", [{"app": "chat"}], "context_cuts: expected counts"),
    ],
)
def test_a_resumed_sweep_runs_again_a_job_whose_metadata_is_malformed(key, value, why, tmp_path, capsys):
    """A job file edited by hand: an internal error (TypeError, KeyError) once; now its job runs again."""
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    table = pd.read_parquet(tmp_path / "one" / "processors.parquet")
    (file, *_) = sorted((tmp_path / "one" / "points").glob("*.parquet"))
    tasks, meta = read_job_file(file)
    meta[key] = value
    file.unlink()
    write_job_file(file, tasks, meta)
    printed, err = _resumed(tmp_path, capsys)
    assert "4 jobs: 1 run, 3 reused" in printed
    (line,) = [line for line in err.splitlines() if "not reusable" in line]
    assert line == f"offloadsim: warning: {file}: not reusable ({why}" + line.split(why, 1)[1], line
    assert line.endswith("; running its job again")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "processors.parquet"), table)
    assert read_job_file(file)[1][key] != value  # the new file replaced it


def test_a_resumed_sweep_runs_again_a_job_whose_file_was_cut_short(tmp_path, capsys):
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    (file, *_) = sorted((tmp_path / "one" / "points").glob("*.parquet"))
    file.write_bytes(file.read_bytes()[:-100])
    err = _resumed_running_one_again(tmp_path, capsys)
    assert f"offloadsim: warning: {file}: not reusable (unreadable: " in err


#: Each run's per-processor utilisations in metrics.parquet, by hand (see EXPECTED): under ``fixed``
#: the NPU 15 % and the GPU 7.5 % where utilisation_device and utilisation_edge (the CPUs) read 0.
FIXED_METRICS = {
    "utilisation_device": 0.0,
    "utilisation_edge": 0.0,
    "utilisation_device_cpu": 0.0,
    "utilisation_device_npu": 0.15,
    "utilisation_edge_cpu": 0.0,
    "utilisation_edge_gpu": 0.075,
}


def _utilisations(metrics: pd.DataFrame) -> list[dict[str, float]]:
    return metrics[[c for c in metrics.columns if c.startswith("utilisation_")]].to_dict("records")


def test_compare_metrics_give_each_processors_utilisation_the_same_with_one_or_two_workers(tmp_path, capsys):
    """metrics.parquet and the printed table said utilisation_<tier> alone, the idle CPUs: 0 % for fixed."""
    _, metrics, printed = _compared_twice(tmp_path, "metrics.parquet", capsys)
    fixed = metrics[metrics["policy"] == "fixed"]
    assert [c for c in metrics.columns if c.startswith("utilisation_")] == list(FIXED_METRICS)
    for row in _utilisations(fixed):
        assert row == pytest.approx(FIXED_METRICS, rel=1e-12, abs=1e-15)
    rows = {" ".join(line.split()[:4]): line.split() for line in printed.splitlines()}
    assert rows["device npu utilisation (%)"][4:7] == ["15.00", "±", "0"]  # fixed's mean, then local's
    assert rows["edge gpu utilisation (%)"][4:7] == ["7.500", "±", "0"]


def test_sweep_metrics_give_each_processors_utilisation_with_one_or_two_workers_and_resumed(tmp_path, capsys):
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    _sweep(tmp_path, "two", 2, capsys)
    metrics = pd.read_parquet(tmp_path / "one" / "metrics.parquet")
    pd.testing.assert_frame_equal(metrics, pd.read_parquet(tmp_path / "two" / "metrics.parquet"))
    assert len(metrics) == 4
    for row in _utilisations(metrics):
        assert row == pytest.approx(FIXED_METRICS, rel=1e-12, abs=1e-15)
    assert "4 jobs: 0 run, 4 reused" in _sweep(tmp_path, "one", 1, capsys)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "metrics.parquet"), metrics)


def test_a_resumed_sweep_reuses_a_job_file_from_before_the_per_processor_metrics(tmp_path, capsys):
    """Its metrics lack utilisation_<tier>_<processor>: its processors table gives them, the same values."""
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    metrics = pd.read_parquet(tmp_path / "one" / "metrics.parquet")
    for file in sorted((tmp_path / "one" / "points").glob("*.parquet")):
        tasks, meta = read_job_file(file)
        meta["metrics"] = {k: v for k, v in meta["metrics"].items() if k.count("_") < 2 or "util" not in k}
        assert "utilisation_edge_gpu" not in meta["metrics"] and "utilisation_edge" in meta["metrics"]
        file.unlink()
        write_job_file(file, tasks, meta)
    printed = _sweep(tmp_path, "one", 1, capsys)
    assert "4 jobs: 0 run, 4 reused" in printed
    merged = pd.read_parquet(tmp_path / "one" / "metrics.parquet")
    for row in _utilisations(merged):
        assert row == pytest.approx(FIXED_METRICS, rel=1e-12, abs=1e-15)
    pd.testing.assert_frame_equal(merged, metrics)


def test_a_resumed_sweep_leaves_the_per_processor_metrics_of_a_job_without_its_processors_table_out(
    tmp_path, capsys
):
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    (file, *_) = sorted((tmp_path / "one" / "points").glob("*.parquet"))
    tasks, meta = read_job_file(file)
    for key in ("processors", "notes", "retried", "recovered"):  # as an offloadsim before both wrote it
        del meta[key]
    meta["metrics"] = {k: v for k, v in meta["metrics"].items() if k.count("_") < 2 or "util" not in k}
    file.unlink()
    write_job_file(file, tasks, meta)
    printed = _sweep(tmp_path, "one", 1, capsys)
    assert "the per-processor utilisations (utilisation_<tier>_<processor>) and the notes above leave" in (
        " ".join(printed.split())
    )
    metrics = pd.read_parquet(tmp_path / "one" / "metrics.parquet").set_index("job")
    old = metrics.loc[file.stem]
    assert old["utilisation_edge"] == 0.0 and math.isnan(old["utilisation_edge_gpu"])
    others = metrics.drop(index=file.stem)
    assert list(others["utilisation_edge_gpu"]) == pytest.approx([0.075] * 3, rel=1e-12)


def _resumed_running_one_again(directory: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The sweep into ``directory/one`` checked (--dry-run) and run again, one of its 4 jobs not reusable.

    Returns what the run warned.
    """
    dry = ["sweep", str(directory / "sweep.yaml"), "--out", str(directory / "one"), "--dry-run"]
    assert main(dry) == 0
    assert f"(3 already finished in {directory / 'one'})" in capsys.readouterr().out  # not 4: it runs again
    printed, err = _resumed(directory, capsys)
    assert "4 jobs: 1 run, 3 reused" in printed
    return err


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda tasks: tasks.drop(columns=["latency"]), "records: no column latency"),
        (
            lambda tasks: tasks.assign(latency=tasks["latency"].astype(str)),
            "records: column latency: expected numbers (float64), got text",
        ),
    ],
)
def test_a_resumed_sweep_runs_again_a_job_whose_task_columns_were_edited(edit, why, tmp_path, capsys):
    """A job file with a task column dropped ended the merge in an internal error ("its records do not
    fit the merged table's schema", exit 1); one of text where numbers belong was merged as it was."""
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    latency = pd.read_parquet(tmp_path / "one" / "tasks.parquet")["latency"]
    (file, *_) = sorted((tmp_path / "one" / "points").glob("*.parquet"))
    tasks, meta = read_job_file(file)
    file.unlink()
    write_job_file(file, edit(tasks), meta)
    err = _resumed_running_one_again(tmp_path, capsys)
    assert f"offloadsim: warning: {file}: not reusable ({why}" in err
    pd.testing.assert_series_equal(pd.read_parquet(tmp_path / "one" / "tasks.parquet")["latency"], latency)


def _edit_point(meta: dict) -> None:
    meta["point"][0][1] = "5 Mbps"


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda meta: meta["metrics"].pop("latency_p95_s"), "metrics: no latency_p95_s"),
        (lambda meta: meta["metrics"].pop("utilisation_edge"), "metrics: no utilisation_edge"),
        (lambda meta: meta.update(policy="local"), 'policy: its job\'s is "fixed", the file says "local"'),
        (lambda meta: meta.update(seed=meta["seed"] + 1), "seed: its job's is "),
        (lambda meta: meta.update(key="0" * 16), 'the file says "0000000000000000"'),
        (lambda meta: meta.update(replication=meta["replication"] + 1), "replication: its job's is "),
        (_edit_point, "the file says links[0].bandwidth=5 Mbps)"),
    ],
)
def test_a_resumed_sweep_runs_again_a_job_file_that_does_not_say_its_job(edit, why, tmp_path, capsys):
    """A job file with a metric removed was merged with NaN there; one whose policy or seed was edited
    was merged with them (its row said another policy or seed than it ran); one whose key, replication
    or point was edited was reused as the job it no longer said it was.  --dry-run counted each finished."""
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    metrics = pd.read_parquet(tmp_path / "one" / "metrics.parquet")
    (file, *_) = sorted((tmp_path / "one" / "points").glob("*.parquet"))
    tasks, meta = read_job_file(file)
    edit(meta)
    file.unlink()
    write_job_file(file, tasks, meta)
    err = _resumed_running_one_again(tmp_path, capsys)
    (line,) = [line for line in err.splitlines() if "not reusable" in line]
    assert line.startswith(f"offloadsim: warning: {file}: not reusable (") and why in line, line
    assert line.endswith("; running its job again")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "metrics.parquet"), metrics)
    assert read_job_file(file)[1] != meta  # the new file replaced it


def test_a_resumed_sweep_reuses_the_one_file_of_points_that_share_their_job(tmp_path, capsys):
    """Points that differ only in skip_checks share a job, and its file says the first point: the
    second point's job is the same and the file is reused, not run again at every resume."""
    write_scenario(tmp_path)
    (tmp_path / "sweep.yaml").write_text(
        "base: npu-and-gpu.yaml\ngrid:\n  skip_checks: [[], [idle-processors]]\n"
    )
    _sweep(tmp_path, "one", 1, capsys)
    printed = _sweep(tmp_path, "one", 1, capsys)
    assert "2 jobs: 0 run, 2 reused" in printed, printed
    assert "not reusable" not in capsys.readouterr().err


def test_a_resumed_sweep_runs_again_a_job_whose_processors_lack_a_computing_node(tmp_path, capsys):
    """A job file whose processors table was cut to its first row was reused: the merged
    processors.parquet silently lacked the other nodes' processors."""
    _sweep_file(tmp_path)
    _sweep(tmp_path, "one", 1, capsys)
    table = pd.read_parquet(tmp_path / "one" / "processors.parquet")
    (file, *_) = sorted((tmp_path / "one" / "points").glob("*.parquet"))
    tasks, meta = read_job_file(file)
    kept = meta["processors"]["node"][0]
    meta["processors"] = {name: values[:1] for name, values in meta["processors"].items()}
    file.unlink()
    write_job_file(file, tasks, meta)
    err = _resumed_running_one_again(tmp_path, capsys)
    assert f"offloadsim: warning: {file}: not reusable (processors: no row of the computing node " in err
    assert f"node {kept})" not in err
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "processors.parquet"), table)
