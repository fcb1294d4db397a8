"""Sweeps: expansion, validation, resumability after a kill or a failure, worker-independence, Dask."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from dask_helpers import local_cluster

from offloadsim.experiments import JobsFailedError, expand, load_sweep, plan_sweep, sweep, sweep_from_data
from offloadsim.experiments.executors import execute
from offloadsim.experiments.jobs import point_text, run_job, run_job_packed
from offloadsim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def assert_same_tables(a, b):
    for name in ("tasks", "metrics", "nodes", "summary"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)


# --------------------------------------------------------------------------- expansion


def test_grid_is_every_combination_with_the_last_axis_fastest(tiny):
    spec = sweep_from_data(
        {
            "base": tiny.name,
            "grid": {
                "links[0].bandwidth": ["5 Mbps", "50 Mbps"],
                "workload[0].rate": ["1 /s", "2 /s", "3 /s"],
            },
            "policies": ["local", "edge"],
        },
        source="s.yaml",
        base_dir=tiny.parent,
    )
    points = expand(spec)
    assert len(points) == spec.points == 12
    assert points[0] == {"links[0].bandwidth": "5 Mbps", "workload[0].rate": "1 /s", "policy.name": "local"}
    assert points[1]["policy.name"] == "edge" and points[2]["workload[0].rate"] == "2 /s"
    assert points[-1] == {"links[0].bandwidth": "50 Mbps", "workload[0].rate": "3 /s", "policy.name": "edge"}
    assert spec.swept == ["links[0].bandwidth", "workload[0].rate", "policy.name"]


def test_zip_varies_keys_together_and_combines_with_the_grid(tiny):
    spec = sweep_from_data(
        {
            "base": tiny.name,
            "grid": {"links[0].latency": ["1 ms", "9 ms"]},
            "zip": {"workload[0].rate": ["1 /s", "4 /s", "8 /s"], "nodes.phone.count": [6, 3, 2]},
            "replications": 3,
        },
        base_dir=tiny.parent,
    )
    points = expand(spec)
    assert len(points) == 6
    assert [(p["workload[0].rate"], p["nodes.phone.count"]) for p in points[:3]] == [
        ("1 /s", 6),
        ("4 /s", 3),
        ("8 /s", 2),
    ]
    jobs = plan_sweep(spec)
    assert len(jobs) == 18
    assert len({job.key for job in jobs}) == 18
    assert jobs[0].scenario.links[0].latency_s == pytest.approx(1e-3)
    assert len([n for n in jobs[-1].scenario.nodes if n.tier == "device"]) == 2


def test_policies_shortcut_is_policy_name_and_drops_other_policies_params(tmp_path):
    from experiment_data import TINY

    write(tmp_path, "base.yaml", TINY.replace("policy: least-loaded", "policy: {name: edge, fallback: drop}"))
    spec = sweep_from_data({"base": "base.yaml", "policies": ["edge", "local"]}, base_dir=tmp_path)
    jobs = plan_sweep(spec)
    assert jobs[0].scenario.policy.name == "edge" and jobs[0].scenario.policy.params == {"fallback": "drop"}
    assert jobs[1].scenario.policy.name == "local" and jobs[1].scenario.policy.params == {}


@pytest.mark.parametrize(
    ("policy", "axis", "runs"),
    [
        ("random", {"policies": ["edge", "local"]}, [("edge", {}), ("local", {})]),
        ("random", {"grid": {"policy.name": ["edge", "local"]}}, [("edge", {}), ("local", {})]),
        ("random", {"policies": ["fixed(node=edge)", "local"]}, [("fixed", {"node": "edge"}), ("local", {})]),
        (
            {"name": "edge", "fallback": "drop"},
            {"policies": ["edge", "local"]},
            [("edge", {"fallback": "drop"}), ("local", {})],
        ),
    ],
)
def test_a_policy_under_set_is_what_each_point_s_policy_name_switches_from(tiny, policy, axis, runs):
    """``set: {policy: random}`` was applied after the points' names: every point ran ``random``
    under its own name (or was refused: ``policy "random" has no parameter "node"``)."""
    data = {"base": tiny.name, "set": {"policy": policy}, **axis}
    jobs = plan_sweep(sweep_from_data(data, base_dir=tiny.parent))
    assert [(job.scenario.policy.name, job.scenario.policy.params) for job in jobs] == runs
    assert len({job.key for job in jobs}) == 2


def test_job_keys_are_stable_and_depend_on_the_whole_point(tiny):
    data = {"base": tiny.name, "grid": {"links[0].bandwidth": ["5 Mbps", "50 Mbps"]}, "replications": 2}
    first = [j.key for j in plan_sweep(sweep_from_data(data, base_dir=tiny.parent))]
    again = [j.key for j in plan_sweep(sweep_from_data(data, base_dir=tiny.parent))]
    assert first == again and len(set(first)) == 4
    changed = dict(data, set={"duration": "21 s"})
    assert not set(first) & {j.key for j in plan_sweep(sweep_from_data(changed, base_dir=tiny.parent))}


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("grid:\n  links[0].bandwidth: [5 Mbps]\n", r"s\.yaml: base: required"),
        (
            "base: tiny.yaml\nreplicatons: 2\n",
            r's\.yaml: replicatons: unknown key \(did you mean "replications"\?\)',
        ),
        ("base: tiny.yaml\nreplications: 0\n", r"replications: expected a whole number of at least 1"),
        ("base: nope.yaml\n", r"base: no scenario file"),
        ("base: tiny.yaml\ngrid: {seed: []}\n", r"grid\.seed: expected a non-empty list"),
        (
            "base: tiny.yaml\nzip: {warmup: [1 s, 2 s], duration: [1 s]}\n",
            r"zip: lists varied together must have the same length",
        ),
        (
            "base: tiny.yaml\ngrid: {policy.name: [edge]}\npolicies: [local]\n",
            r"policies: policy.name is already given",
        ),
        # Keys whose columns the tables have already: a sweep of them was an internal error (exit 1).
        (
            "base: tiny.yaml\ngrid: {seed: [1, 2]}\n",
            r"grid\.seed: cannot be swept: the tables' 'seed' column .* 'replications'",
        ),
        (
            "base: tiny.yaml\nzip: {policy: [edge, local]}\n",
            r"zip\.policy: cannot be swept: .* vary the policy with 'policies'",
        ),
        # A value listed twice made two points of one configuration: its records twice in every
        # table, and a timeline that drew each task twice.
        ("base: tiny.yaml\ngrid: {duration: [1 s, 2 s, 1 s]}\n", r'grid\.duration: "1 s" is given twice'),
        (
            "base: tiny.yaml\nzip: {warmup: [1 s, 1 s], duration: [5 s, 5 s]}\n",
            r"zip: warmup=1 s, duration=5 s is given twice",
        ),
        ("base: tiny.yaml\npolicies: [edge, local, edge]\n", r'policies: "edge" is given twice'),
        # A policy with its parameters was refused as "a list of policy names, got a list".
        (
            "base: tiny.yaml\npolicies: [local, {name: fixed, cuts: [3]}]\n",
            r"policies\[1\]: expected a policy, NAME or NAME\(KEY=VALUE, \.\.\.\), got a mapping; "
            r"a policy's parameters go in its entry \(fixed\(cuts=\[3\]\)\), under set:",
        ),
        # Equal after reading their units: 1 s and 1000 ms made two points of one configuration too.
        (
            "base: tiny.yaml\ngrid: {duration: [1 s, 2 s, 1000 ms]}\n",
            r'grid\.duration: "1 s" and "1000 ms" are the same value: each value makes one point',
        ),
        ("base: tiny.yaml\ngrid: {duration: [2, 2.0]}\n", r"grid\.duration: 2 and 2\.0 are the same value"),
        (
            'base: tiny.yaml\ngrid: {"links[0].bandwidth": [5 Mbps, 5000 kbps]}\n',
            r'grid\["links\[0\]\.bandwidth"\]: "5 Mbps" and "5000 kbps" are the same value',
        ),
        (
            "base: tiny.yaml\nzip: {warmup: [1 s, 1000 ms], duration: [5 s, 5000 ms]}\n",
            r"zip: warmup=1 s, duration=5 s and warmup=1000 ms, duration=5000 ms are the same point",
        ),
        # An empty grid or zip (its keys commented out, or not indented under it) ran the base
        # scenario alone as one point, while an empty policies list was refused.
        ("base: tiny.yaml\ngrid: {}\n", r"s\.yaml: grid: expected at least one key path to vary, got none"),
        ("base: tiny.yaml\ngrid:\n#  duration: [1 s, 2 s]\n", r"grid: expected at least one key path"),
        ("base: tiny.yaml\ngrid:\nduration: [1 s, 2 s]\n", r"grid: expected at least one key path"),
        ("base: tiny.yaml\nzip: {}\n", r"s\.yaml: zip: expected at least one key path to vary, got none"),
        ("base: tiny.yaml\nzip:\n", r"zip: expected at least one key path to vary, got none"),
        # A name that names no folder of its own: the default output results/<name> was results/
        # itself, or the folder above it (a sweep named ".." wrote its tables among the working
        # directory's files); a NUL in it was an internal error (exit 1) when the sweep ran.
        (
            "base: tiny.yaml\nname: ..\n",
            r's\.yaml: name: expected a name for the results folder .*got "\.\."',
        ),
        (
            "base: tiny.yaml\nname: .\n",
            r'name: expected a name for the results folder results/NAME, got "\."',
        ),
        ("base: tiny.yaml\nname: ''\n", r'name: expected a name for the results folder results/NAME, got ""'),
        (
            'base: tiny.yaml\nname: "a\\0b"\n',
            r"name: expected a name of printable characters, .*\(contains U\+0000\)",
        ),
        # An empty sweep file lacks its base (it said "at least 'name'", a scenario's key).
        ("# nothing yet\n", r"s\.yaml: the file is empty; expected a mapping with at least \"base\""),
    ],
)
def test_bad_sweep_files_name_the_file_and_key(tiny, text, message):
    path = write(tiny.parent, "s.yaml", text)
    with pytest.raises(ScenarioError, match=message):
        load_sweep(path)


@pytest.mark.parametrize(
    ("grid", "points"),
    [
        # Names that read as one number are two names: "1" and "1.0" were refused as one value.
        ('{name: ["1", "1.0"]}', ["1", "1.0"]),
        ('{name: ["5 s", "5000 ms"]}', ["5 s", "5000 ms"]),
        # Of a policy's parameters the schema cannot tell: units still make one value (refused).
    ],
)
def test_names_that_read_as_one_quantity_are_two_values(tiny, grid, points):
    path = write(tiny.parent, "s.yaml", f"base: tiny.yaml\ngrid: {grid}\n")
    assert [point["name"] for point in expand(load_sweep(path))] == points


def test_a_policy_parameter_in_two_units_is_one_value(tiny):
    path = write(tiny.parent, "s.yaml", "base: tiny.yaml\ngrid: {policy.timeout: [1 s, 1000 ms]}\n")
    with pytest.raises(ScenarioError, match=r'"1 s" and "1000 ms" are the same value'):
        load_sweep(path)


def test_a_base_that_is_no_scenario_is_said_at_base(tiny):
    """A CSV as the base was refused naming the CSV alone, not the sweep file's key that named it."""
    (tiny.parent / "rates.csv").write_text("time,bandwidth\n0,1\n")
    path = write(tiny.parent, "s.yaml", "base: rates.csv\ngrid: {duration: [1 s, 2 s]}\n")
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert str(caught.value).startswith(f"{path}: base: rates.csv: a CSV table, not a scenario")
    path = write(tiny.parent, "s.yaml", "base: tinyy.yaml\ngrid: {duration: [1 s, 2 s]}\n")
    with pytest.raises(
        ScenarioError, match=r'base: no scenario file .*tinyy\.yaml \(did you mean "tiny\.yaml"\?\)'
    ):
        load_sweep(path)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("name: x\nnodes:\n\tedge\n", "line 3, column 1: YAML syntax error: found character '\\t'"),
        ("name: x\nname: y\n", 'line 2, column 1: duplicate key "name" (first given at line 1)'),
    ],
)
def test_a_base_that_is_not_yaml_is_said_at_base_with_its_line(tiny, text, said):
    """A base with a YAML syntax error was said at the base's line alone, the sweep file unnamed
    (fuzz campaign seed 22, case 67), where a base not UTF-8 was said at the sweep's ``base``."""
    (tiny.parent / "broken.yaml").write_text(text)
    path = write(tiny.parent, "s.yaml", "base: broken.yaml\ngrid: {duration: [1 s, 2 s]}\n")
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert str(caught.value).startswith(f"{path}: base: broken.yaml: {said}"), str(caught.value)


@pytest.mark.parametrize("what", ["a directory", "a FIFO (named pipe)"])
def test_a_base_that_is_there_but_no_file_says_what_it_is(what, tiny, make_no_file):
    """A directory or FIFO as the base was "no scenario file" (it is there)."""
    base = make_no_file(tiny.parent / "base.yaml", what)
    path = write(tiny.parent, "s.yaml", "base: base.yaml\ngrid: {duration: [1 s, 2 s]}\n")
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    assert str(caught.value) == f"{path}: base: {base}: is {what}, expected a scenario file"


def test_unknown_key_path_in_the_base_is_an_error_before_any_job_runs(tiny, tmp_path):
    path = write(tiny.parent, "s.yaml", "base: tiny.yaml\ngrid:\n  links[0].bandwith: [5 Mbps, 9 Mbps]\n")
    out = tmp_path / "never"
    with pytest.raises(ScenarioError) as caught:
        sweep(path, out=out, workers=1)
    lines = str(caught.value).splitlines()
    assert len(lines) == 1  # the same problem at every point is reported once
    assert lines[0].startswith(f'{path}: grid["links[0].bandwith"]: ')
    assert 'unknown key "bandwith"' in lines[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("block", "where", "message"),
    [
        # A numeric key is an unknown top-level key of the scenario: its message had no sweep key.
        ("grid: {5: [1, 2]}", "grid.5", 'unknown key "5"'),
        ("set: {7: 1}", "set.7", 'unknown key "7"'),
        ("zip: {foo: [1, 2]}", "zip.foo", 'unknown key "foo"'),
        # A number with a dot is a key path of two keys: the message names the path as written.
        (
            "grid: {1.5: [1, 2]}",
            'grid["1.5"]',
            """unknown key "1" (of the key path "1.5"); expected one of""",
        ),
        ("set: {2.5: 1}", 'set["2.5"]', """unknown key "2" (of the key path "2.5")"""),
        # The unknown part is the last: the key as written is the message's already.
        ("grid: {nodes.phone.cors: [1, 2]}", 'grid["nodes.phone.cors"]', 'nodes.phone: unknown key "cors";'),
        # A misspelt node or application is no entry of its own (a node "phne" without a tier
        # was refused for the tier; an application "jobb" ran unused, every point the same).
        (
            "grid: {nodes.phne.count: [1, 2]}",
            'grid["nodes.phne.count"]',
            'nodes.phne: the scenario has no node "phne" (did you mean "phone"?); to add one, give it whole',
        ),
        (
            "grid: {applications.jobb.work: [1 GFLOP, 2 GFLOP]}",
            'grid["applications.jobb.work"]',
            'applications.jobb: the scenario has no application "jobb" (did you mean "job"?)',
        ),
        (
            "set: {applications.jobb.deadline: 1 s}",
            'set["applications.jobb.deadline"]',
            'no application "jobb"',
        ),
    ],
)
def test_a_key_the_base_lacks_is_named_by_its_sweep_key(tiny, block, where, message):
    path = write(tiny.parent, "s.yaml", f"base: tiny.yaml\n{block}\n")
    with pytest.raises(ScenarioError) as caught:
        plan_sweep(load_sweep(path))
    (line,) = str(caught.value).splitlines()
    assert line.startswith(f"{path}: {where}: ") and message in line, line
    assert str(tiny) not in line  # the key at fault is the sweep file's, which the line names


YAML_11 = "is read as a boolean by YAML 1.1 and as text by YAML 1.2: write true or false"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        # Read as True, printed as "True" beside the base's unknown key 'True' (point 0: True=1).
        (
            "grid: {true: [1]}",
            "grid: expected key paths like links[0].bandwidth as keys, got true (a boolean",
        ),
        # YAML 1.1's yes, no, on and off are refused where they stand, with the fix (HO33)
        ("zip: {no: [1]}", "zip.no: no " + YAML_11),
        ("set: {on: 1}", "set.on: on " + YAML_11),
        ("set: {~: 1}", "set: expected key paths like links[0].bandwidth as keys, got nothing (null)"),
        ("grid: {duration: [1 s]}\nlabels: {yes: x}", "labels.yes: yes " + YAML_11),
        ("yes: 1", "s.yaml: yes: yes " + YAML_11),
    ],
)
def test_a_key_yaml_reads_as_a_boolean_or_null_is_refused_as_a_key_path(tiny, block, message):
    path = write(tiny.parent, "s.yaml", f"base: tiny.yaml\n{block}\n")
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    (line,) = str(caught.value).splitlines()
    assert message in line and "True" not in line and "None" not in line, line


def test_a_point_s_values_are_shown_as_yaml_writes_them(tiny):
    """A grid value true read back as Python's True: the message said (point 0: policy.flag=True)."""
    text = "base: tiny.yaml\ngrid:\n  policy.flag: [true, {a: null}]\n"
    with pytest.raises(ScenarioError) as caught:
        plan_sweep(load_sweep(write(tiny.parent, "s.yaml", text)))
    (line,) = str(caught.value).splitlines()  # the same problem at point 1 is not repeated
    assert line.endswith("(point 0: policy.flag=true)"), line
    assert (
        point_text([("policy.flag", {"a": None}), ("x", [1.5, "5 Mbps"])])
        == "policy.flag={a: null}, x=[1.5, 5 Mbps]"
    )
    jobs = plan_sweep(
        load_sweep(
            write(
                tiny.parent, "s.yaml", "base: tiny.yaml\ngrid: {nodes.edge.processor.noise: [True, FALSE]}\n"
            )
        )
    )
    assert [job.describe() for job in jobs] == [
        "point 0 (nodes.edge.processor.noise=true), replication 0",
        "point 1 (nodes.edge.processor.noise=false), replication 0",
    ]


def test_values_equal_only_as_text_are_not_the_same_point(tiny):
    """Different quantities, values no kind reads, and numbers beside text stay distinct points."""
    for grid in ("{duration: [1 s, 1 ms]}", "{policy.objective: [latency, energy]}", "{duration: [1, 1 ms]}"):
        load_sweep(write(tiny.parent, "s.yaml", f"base: tiny.yaml\ngrid: {grid}\n"))


def test_bad_value_and_unknown_policy_are_found_at_their_points(tiny):
    path = write(
        tiny.parent,
        "s.yaml",
        "base: tiny.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, fast]\npolicies: [local, nope]\n",
    )
    with pytest.raises(ScenarioError) as caught:
        plan_sweep(load_sweep(path))
    text = str(caught.value)
    assert 'grid["links[0].bandwidth"]' in text and '"fast"' in text
    assert "policies" in text and "nope" in text


def test_a_list_index_past_the_end_is_reported(tiny):
    path = write(tiny.parent, "s.yaml", "base: tiny.yaml\ngrid:\n  links[5].bandwidth: [5 Mbps]\n")
    with pytest.raises(ScenarioError, match=r'grid\["links\[5\]\.bandwidth"\]: .*no entry \[5\]'):
        plan_sweep(load_sweep(path))


# --------------------------------------------------------------------------- running


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run of the standard test sweep, on one worker."""
    from experiment_data import SWEEP, TINY

    folder = tmp_path_factory.mktemp("reference")
    write(folder, "tiny.yaml", TINY)
    path = write(folder, "sweep.yaml", SWEEP)
    return sweep(path, out=folder / "out", workers=1)


def test_a_finished_sweep_has_tidy_tables_and_a_manifest(reference):
    assert (reference.ran, reference.reused) == (8, 0)
    # No .offloadsim.lock: a sweep holds it while it runs and removes it as it ends (test_outdir.py).
    assert sorted(p.name for p in reference.path.iterdir()) == sorted(
        [
            "points",
            "tasks.parquet",
            "metrics.parquet",
            "nodes.parquet",
            "processors.parquet",
            "summary.parquet",
            "summary.csv",
            "groups.csv",  # its header alone: one source group
            "apps.csv",  # its header alone: one application
            "scenario.yaml",  # the base as read, and the sweep file naming it: it reruns from here
            "sweep.yaml",
            "manifest.json",
        ]
    )
    assert len(list((reference.path / "points").iterdir())) == 8
    metrics = reference.metrics
    assert list(metrics.columns[:7]) == [
        "links[0].bandwidth",
        "policy.name",
        "point",
        "replication",
        "seed",
        "policy",
        "job",
    ]
    assert len(metrics) == 8 and (metrics["policy.name"] == metrics["policy"]).all()
    tasks = reference.tasks
    assert list(tasks.columns[:3]) == ["links[0].bandwidth", "policy.name", "point"]
    assert set(tasks["links[0].bandwidth"]) == {"5 Mbps", "50 Mbps"}
    counts = tasks.groupby(["point", "replication"]).size().to_numpy()
    assert (counts == metrics.sort_values(["point", "replication"])["arrived"].to_numpy()).all()
    assert reference.manifest["swept_kinds"] == {"links[0].bandwidth": "bandwidth", "policy.name": None}
    assert reference.manifest["jobs"] == 8 and reference.manifest["points"] == 4
    assert reference.manifest["engine_build"] == "python"  # the default tests run the pure engine
    assert reference.manifest["job_engine_builds"] == {"python": 8}  # as each job's process says
    summary = reference.summary
    assert {"metric", "n", "mean", "ci"} <= set(summary.columns)
    assert (summary.loc[summary.metric == "latency_mean_s", "n"] == 2).all()


def test_a_job_s_latency_mean_and_percentiles_are_of_the_same_tasks(reference):
    """Each job's metrics are numpy's mean and percentiles of its completed tasks in tasks.parquet,
    and a summary row is their mean over replications: a mean above the p95 (a new user's sweep
    row, 73.0 against 72.5 ms) comes from the tasks, not from two sets of them (docs/experiments.md).
    """
    import numpy as np

    tasks, metrics = reference.tasks, reference.metrics.set_index(["point", "replication"])
    done = tasks[tasks["status"] == "completed"]
    for (point, replication), job in done.groupby(["point", "replication"]):
        latency = job["latency"].to_numpy(dtype=float)
        row = metrics.loc[(point, replication)]
        assert row["latency_mean_s"] == pytest.approx(latency.mean(), rel=1e-12)
        for q in (50, 95, 99):
            assert row[f"latency_p{q}_s"] == pytest.approx(np.percentile(latency, q), rel=1e-12)
    summary = reference.summary.set_index(["point", "metric"])
    for point, jobs in metrics.groupby(level="point"):
        for name in ("latency_mean_s", "latency_p95_s"):
            assert summary.loc[(point, name), "mean"] == pytest.approx(jobs[name].mean(), rel=1e-12)


def test_rerun_reuses_every_job_and_gives_the_same_tables(reference):
    again = sweep(load_sweep(Path(reference.manifest["sweep_file"])), out=reference.path, workers=1)
    assert (again.ran, again.reused) == (0, 8)
    assert_same_tables(again, reference)


def test_a_sweep_resumed_after_its_base_skips_a_check_reuses_its_finished_jobs(tmp_path):
    """skip_checks changes no record, but it was hashed into every job's key: adding it reran them all."""
    from experiment_data import TINY

    short = TINY.replace("duration: 20 s", "duration: 4 s")
    write(tmp_path, "tiny.yaml", short)
    path = write(tmp_path, "sweep.yaml", "base: tiny.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n")
    first = sweep(path, out=tmp_path / "out", workers=1)
    assert (first.ran, first.reused) == (2, 0) and first.manifest["skipped_checks"] == []
    write(tmp_path, "tiny.yaml", short + "skip_checks: [idle-processors]\n")
    again = sweep(path, out=tmp_path / "out", workers=1)
    assert (again.ran, again.reused) == (0, 2)
    assert again.manifest["skipped_checks"] == ["idle-processors"]  # the manifest still says so
    assert again.manifest["base_hash"] == first.manifest["base_hash"]
    assert_same_tables(again, first)
    changed = sweep_from_data(
        {"base": "tiny.yaml", "grid": {"skip_checks": [[], ["idle-processors"]]}}, base_dir=tmp_path
    )
    assert len({job.key for job in plan_sweep(changed)}) == 1  # one run, however many points name it


def test_two_workers_give_identical_tables(reference, sweep_file, tmp_path):
    two = sweep(sweep_file, out=tmp_path / "two", workers=2)
    assert two.ran == 8
    assert_same_tables(two, reference)


def test_a_failed_job_keeps_the_others_and_a_rerun_finishes_identically(
    reference, sweep_file, tmp_path, monkeypatch
):
    from offloadsim import api

    real = api.run
    calls = []

    def flaky(scenario, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("simulated crash")
        return real(scenario, **kwargs)

    out = tmp_path / "flaky"
    monkeypatch.setattr(api, "run", flaky)
    with pytest.raises(
        JobsFailedError, match=r"1 of 8 jobs failed .*RuntimeError: simulated crash"
    ) as caught:
        sweep(sweep_file, out=out, workers=1)
    assert len(caught.value.failures) == 1
    assert len(list((out / "points").glob("*.parquet"))) == 7
    logged = (out / "failures.log").read_text()
    assert "simulated crash" in logged and "Traceback" in logged  # a bug: its traceback kept
    assert "tracebacks in" in str(caught.value)
    assert not (out / "manifest.json").exists()

    monkeypatch.setattr(api, "run", real)
    done = sweep(sweep_file, out=out, workers=1)
    assert (done.ran, done.reused) == (1, 7)
    assert not (out / "failures.log").exists()
    assert_same_tables(done, reference)


SLOW_SWEEP = """
import sys, time
from offloadsim import api
real = api.run
def slow(*args, **kwargs):
    result = real(*args, **kwargs)
    time.sleep(0.25)
    return result
api.run = slow
from offloadsim.experiments import sweep
sweep(sys.argv[1], out=sys.argv[2], workers=1)
"""


def test_a_killed_sweep_loses_nothing_finished_and_resumes_identically(reference, sweep_file, tmp_path):
    out = tmp_path / "killed"
    script = write(tmp_path, "slow.py", SLOW_SWEEP)
    (tmp_path / "tmp").mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "TMPDIR": str(tmp_path / "tmp"),  # its scratch folder, which SIGKILL leaves, stays in the test's
    }
    process = subprocess.Popen([sys.executable, str(script), str(sweep_file), str(out)], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if len(list((out / "points").glob("*.parquet"))) >= 2:
                break
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    finished = sorted(p.name for p in (out / "points").glob("*.parquet"))
    assert 2 <= len(finished) < 8, "the sweep should have been killed midway"
    assert not (out / "manifest.json").exists()

    resumed = sweep(sweep_file, out=out, workers=1)
    assert resumed.reused == len(finished) and resumed.ran == 8 - len(finished)
    assert sorted(p.name for p in (out / "points").iterdir()) == sorted(resumed.metrics["job"] + ".parquet")
    assert_same_tables(resumed, reference)


def test_an_out_under_a_file_is_one_line(sweep_file, tmp_path, cli_main, capsys):
    """``--out afile/under`` ended in NotADirectoryError: 'internal error', exit 1."""
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "under"
    assert cli_main(["sweep", str(sweep_file), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"offloadsim: error: cannot write results to {out}: ")
    assert f"{tmp_path / 'afile'} is not a directory" in err[0]  # names what is in the way


def test_refuses_a_non_empty_directory_that_is_not_a_sweep(sweep_file, tmp_path):
    from offloadsim.experiments import ExperimentError

    out = tmp_path / "other"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match="holds no sweep"):
        sweep(sweep_file, out=out, workers=1)


@contextlib.contextmanager
def local_dask_cluster():
    """A one-worker Dask cluster in this process (threads), for the scheduler's address."""
    with local_cluster() as cluster:
        yield cluster.scheduler_address


def test_dask_cluster_gives_the_same_tables_as_the_process_pool(reference, sweep_file, tmp_path):
    with local_dask_cluster() as address:
        result = sweep(sweep_file, out=tmp_path / "dask", scheduler=address)
    assert result.ran == 8 and result.manifest["scheduler"] == address
    assert_same_tables(result, reference)


def test_a_job_for_another_machine_hands_back_its_file_not_its_table(sweep_file, tmp_path):
    """A Dask job's records travel as its job file's bytes (tens of bytes a task), never as a DataFrame."""
    job = plan_sweep(load_sweep(sweep_file))[0]
    packed = run_job_packed(job)
    assert packed.tasks is None and packed.file is None and packed.packed
    in_memory = run_job(job)
    assert in_memory.tasks is not None and len(in_memory.tasks) > 0
    pd.testing.assert_frame_equal(
        pq.read_table(io.BytesIO(packed.packed)).to_pandas(), in_memory.tasks, check_dtype=False
    )
    assert packed.metrics == in_memory.metrics

    # What the command's on_result sees of it: a file in the scratch directory, as from a local job.
    seen = []
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with local_dask_cluster() as address:
        failures = execute(
            [job],
            lambda j, r: seen.append((r.tasks, r.packed, r.file)),
            scheduler=address,
            scratch=lambda: scratch,
        )
    assert not failures
    [(tasks, still_packed, file)] = seen
    assert tasks is None and still_packed is None and file == scratch / f"{job.key}.parquet"
    assert file.read_bytes() == packed.packed


def test_unreachable_dask_scheduler_is_a_clear_error(sweep_file, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from offloadsim.experiments import ExperimentError, dask_cluster

    monkeypatch.setattr(dask_cluster, "DASK_CONNECT_TIMEOUT_S", 0.5)
    with pytest.raises(
        ExperimentError, match=r"cannot connect to the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        sweep(sweep_file, out=tmp_path / "nowhere", scheduler="tcp://127.0.0.1:9")


def test_workers_and_a_scheduler_are_refused_together(sweep_file, tmp_path):
    """From Python as from the command line: workers counted local processes and was ignored."""
    from offloadsim.experiments import ExperimentError

    with pytest.raises(ExperimentError, match=r"workers=2 and scheduler='tcp://127\.0\.0\.1:9': give one"):
        sweep(sweep_file, out=tmp_path / "both", workers=2, scheduler="tcp://127.0.0.1:9")
    assert not (tmp_path / "both").exists()


def test_a_sweep_that_fails_before_any_job_leaves_nothing_it_created(
    sweep_file, tmp_path, monkeypatch, cli_main, capsys
):
    """No scheduler: one line, exit 2, and no nosched/sub/points/ left behind (a user error writes nothing).

    A folder the user made stays (only emptied of the points/ the sweep made in it).
    """
    pytest.importorskip("distributed")
    from offloadsim.experiments import dask_cluster

    monkeypatch.setattr(dask_cluster, "DASK_CONNECT_TIMEOUT_S", 0.5)
    mine = tmp_path / "mine"
    mine.mkdir()
    for out in (tmp_path / "nosched" / "sub", mine):
        capsys.readouterr()
        assert (
            cli_main(["sweep", str(sweep_file), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]) == 2
        )
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and "cannot connect to the Dask scheduler" in err[0], err
    assert not (tmp_path / "nosched").exists()
    assert mine.is_dir() and not any(mine.iterdir())


def test_a_failed_resumed_sweep_keeps_what_it_had(sweep_file, tmp_path, monkeypatch):
    """Only empty folders the failing sweep made go: an earlier run's job files and folders stay."""
    pytest.importorskip("distributed")
    from offloadsim.experiments import ExperimentError, dask_cluster

    out = tmp_path / "out"
    (out / "points").mkdir(parents=True)
    kept = out / "points" / "0123456789abcdef.parquet"
    kept.write_bytes(b"an earlier job")
    monkeypatch.setattr(dask_cluster, "DASK_CONNECT_TIMEOUT_S", 0.5)
    with pytest.raises(ExperimentError, match="cannot connect"):
        sweep(sweep_file, out=out, scheduler="tcp://127.0.0.1:9")
    assert kept.read_bytes() == b"an earlier job"


def warm_up(cli_main, capsys, verb: str, given: list[str], tmp_path: Path) -> None:
    """Run the command once against an address it refuses at once ('localhost:notaport').

    A timed run after it measures the command, not the first import of Dask and of the
    experiment modules: that took 2-3 s on a loaded two-core machine when the test ran first
    (alone, or in another order), against a bound of 3 s.
    """
    out = tmp_path / "warm-up"
    assert cli_main([verb, *given, "--out", str(out), "--scheduler", "localhost:notaport"]) == 2
    assert not out.exists()
    capsys.readouterr()


def refused_scheduler(cli_main, capsys, argv: list[str], address: str) -> tuple[list[str], float]:
    """Run ``argv --scheduler address``, refused (exit 2): its lines on stderr and the seconds it took."""
    started = time.monotonic()
    assert cli_main([*argv, "--scheduler", address]) == 2
    took = time.monotonic() - started
    return capsys.readouterr().err.splitlines(), took


@pytest.mark.timeout(120)
@pytest.mark.parametrize("verb", ["sweep", "compare"])
def test_a_refused_dask_connection_fails_fast_with_one_line(
    verb, sweep_file, tiny, tmp_path, cli_main, capsys
):
    """A port nobody listens on refuses at once; Dask retried it for the whole 20 s before failing."""
    pytest.importorskip("distributed")
    import socket

    from offloadsim.experiments import dask_cluster

    out = tmp_path / "out"
    given = [str(sweep_file)] if verb == "sweep" else [str(tiny), "--policies", "local,edge"]
    warm_up(cli_main, capsys, verb, given, tmp_path)
    with socket.socket() as held:  # bound and never listening: a connection to it is refused
        held.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{held.getsockname()[1]}"
        err, took = refused_scheduler(cli_main, capsys, [verb, *given, "--out", str(out)], address)
    assert len(err) == 1 and err[0].startswith(
        f"offloadsim: error: cannot connect to the Dask scheduler at {address}: connection refused"
    ), err
    assert took < dask_cluster.DASK_CONNECT_TIMEOUT_S / 2, took
    assert not out.exists()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("verb", ["sweep", "compare"])
def test_a_scheduler_host_that_does_not_resolve_is_named_at_once(
    verb, sweep_file, tiny, tmp_path, cli_main, capsys
):
    """Dask retried a host name that does not resolve for 20 s, then said it "accepted the connection"."""
    pytest.importorskip("distributed")
    import socket

    from offloadsim.experiments import dask_cluster

    host = "no-such-host.invalid"  # RFC 6761: .invalid never resolves
    try:
        socket.getaddrinfo(host, 8786)
    except socket.gaierror:
        pass
    else:
        pytest.skip(f"{host} resolves here")
    out = tmp_path / "out"
    given = [str(sweep_file)] if verb == "sweep" else [str(tiny), "--policies", "local,edge"]
    warm_up(cli_main, capsys, verb, given, tmp_path)
    address = f"tcp://{host}:8786"
    err, took = refused_scheduler(cli_main, capsys, [verb, *given, "--out", str(out)], address)
    assert len(err) == 1 and err[0].startswith(
        f"offloadsim: error: cannot connect to the Dask scheduler at {address}: "
        f'cannot find the host "{host}": '
    ), err
    assert "accepted the connection" not in err[0], err
    assert took < dask_cluster.DASK_CONNECT_TIMEOUT_S / 2, took
    assert not out.exists()


@pytest.mark.timeout(120)
def test_a_service_that_is_no_dask_scheduler_is_one_line(sweep_file, tmp_path, cli_main, capsys):
    """Dask read an HTTP reply as a message length: exit 1 with a MemoryError, then a traceback at exit."""
    pytest.importorskip("distributed")
    import gc
    import socket
    import threading

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)

        def answer() -> None:
            with contextlib.suppress(OSError):
                while True:
                    peer, _ = server.accept()
                    with peer:
                        peer.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" * 3)

        threading.Thread(target=answer, daemon=True).start()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        out = tmp_path / "out"
        assert cli_main(["sweep", str(sweep_file), "--out", str(out), "--scheduler", address]) == 2
        gc.collect()  # a half-made client left to the collector printed its traceback here
    err = capsys.readouterr().err.splitlines()
    # What Dask raises for another service's bytes is its own (here a MemoryError); the line is ours.
    assert len(err) == 1 and err[0].startswith(
        f"offloadsim: error: cannot connect to the Dask scheduler at {address}: "
    )
    assert not out.exists()


def test_a_grid_of_lists_is_swept_with_each_list_as_its_json_text(tiny, tmp_path):
    """Sweeping which sources send (a list per point) ended in 'unhashable type: list', exit 1."""
    spec = sweep_from_data(
        {"base": tiny.name, "grid": {"workload[0].sources": [["phone-0"], ["phone-0", "phone-1"]]}},
        source="s.yaml",
        base_dir=tiny.parent,
    )
    result = sweep(spec, out=tmp_path / "out", progress=False)
    assert result.metrics["workload[0].sources"].tolist() == ['["phone-0"]', '["phone-0", "phone-1"]']
    # The merged summary (per point): for each metric, one row per list value, not one per source.
    summary = result.summary
    assert not summary.empty
    for _metric, rows in summary.groupby("metric", sort=False):
        assert rows["workload[0].sources"].tolist() == ['["phone-0"]', '["phone-0", "phone-1"]']
        assert rows["point"].tolist() == [0, 1]
    sources = result.tasks.groupby("workload[0].sources", observed=True)["source"].unique()
    assert sorted(sources['["phone-0", "phone-1"]']) == ["phone-0", "phone-1"]
    assert list(sources['["phone-0"]']) == ["phone-0"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("verb", ["sweep", "compare"])
def test_a_listener_that_never_answers_fails_within_the_connect_timeout(
    verb, sweep_file, tiny, tmp_path, monkeypatch, cli_main, capsys
):
    """A port that accepts and stays silent (a hung scheduler, a service that waits for its client).

    Dask bounds the TCP connection by its timeout but not the handshake read after it, so the
    command hung for good; it now gives up after DASK_CONNECT_TIMEOUT_S with one line.
    """
    pytest.importorskip("distributed")
    import socket

    from offloadsim.experiments import dask_cluster

    monkeypatch.setattr(dask_cluster, "DASK_CONNECT_TIMEOUT_S", 2.0)
    monkeypatch.setattr(dask_cluster, "DASK_REFUSED_S", 0.5)
    out = tmp_path / "out"
    given = [str(sweep_file)] if verb == "sweep" else [str(tiny), "--policies", "local,edge"]
    warm_up(cli_main, capsys, verb, given, tmp_path)
    with socket.socket() as server:  # listens, accepts (the kernel's backlog), never writes
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        started = time.monotonic()
        assert cli_main([verb, *given, "--out", str(out), "--scheduler", address]) == 2
        took = time.monotonic() - started
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"offloadsim: error: cannot connect to the Dask scheduler at {address}: "
    ), err
    assert "did not answer" in err[0], err
    assert took < 10, took
    assert not out.exists()


@pytest.mark.timeout(60)
def test_an_address_with_a_bad_port_is_one_line_at_once(sweep_file, tmp_path, cli_main, capsys):
    """'localhost:notaport' printed its error, then a traceback from the half-made Client 6 s later."""
    pytest.importorskip("distributed")
    import gc

    out = tmp_path / "out"
    warm_up(cli_main, capsys, "sweep", [str(sweep_file)], tmp_path)
    started = time.monotonic()
    assert cli_main(["sweep", str(sweep_file), "--out", str(out), "--scheduler", "localhost:notaport"]) == 2
    gc.collect()
    took = time.monotonic() - started
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(
        "offloadsim: error: cannot connect to the Dask scheduler at localhost:notaport: "
    ), err
    assert "tcp://HOST:PORT" in err[0], err
    assert took < 3, took
    assert not out.exists()


class _Bar:
    """What a progress bar was asked: its total, unit and steps, and whether it was closed."""

    def __init__(self, total: int, enabled: bool, description: str, unit: str = "job"):
        self.total, self.enabled, self.description, self.unit = total, enabled, description, unit
        self.steps, self.closed = 0, False

    def update(self, n: int) -> None:
        assert not self.closed
        self.steps += n

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("quiet", [False, True])
def test_planning_a_sweep_shows_a_bar_over_its_points(tiny, tmp_path, monkeypatch, capsys, quiet):
    """Each point's scenario is checked before any job runs: 90,000 took minutes, with nothing shown."""
    from offloadsim.cli import main
    from offloadsim.experiments import sweep_spec

    bars: list[_Bar] = []
    monkeypatch.setattr(sweep_spec, "progress_bar", lambda *a, **k: bars.append(_Bar(*a, **k)) or bars[-1])
    grid = "grid:\n  workload[0].rate: [1 /s, 2 /s, 3 /s]\n  links[0].bandwidth: [5 Mbps, 1e40 Mbps]\n"
    sweep_file = write(tiny.parent, "big.yaml", f"base: {tiny.name}\nreplications: 2\n{grid}")
    argv = ["sweep", str(sweep_file), "--dry-run", "--out", str(tmp_path / "out"), *(["-q"] if quiet else [])]
    assert main(argv) == 2  # the three points of 1e40 Mbps are refused, after every point was checked
    assert "1e40 Mbps" in capsys.readouterr().err
    [bar] = bars
    assert (bar.total, bar.enabled, bar.unit, bar.steps, bar.closed) == (6, not quiet, "point", 6, True)


def test_a_resumed_sweep_shows_a_bar_over_its_saved_jobs_and_each_pass_of_its_merge(
    sweep_file, tmp_path, monkeypatch
):
    """The bar over the jobs was full, then nothing showed while the saved jobs were checked and the
    tables merged: a third of a 192-job sweep's wall time, minutes for thousands of jobs."""
    import importlib

    bars: list[_Bar] = []
    for name in ("offloadsim.experiments.sweep", "offloadsim.experiments.sweep_merge"):
        module = importlib.import_module(name)
        monkeypatch.setattr(module, "progress_bar", lambda *a, **k: bars.append(_Bar(*a, **k)) or bars[-1])
    sweep(sweep_file, out=tmp_path / "out", workers=1, progress=True)
    assert [bar.description for bar in bars if bar.enabled] == [  # nothing saved yet: none over them
        "merging sweep (job files)",
        "merging sweep (categories)",
        "merging sweep (tasks)",
    ]
    bars.clear()
    sweep(sweep_file, out=tmp_path / "out", workers=1, progress=True)
    assert [bar.description for bar in bars] == [
        "checking sweep's saved jobs",
        "merging sweep (job files)",
        "merging sweep (categories)",
        "merging sweep (tasks)",
    ]
    assert all((bar.total, bar.steps, bar.closed) == (8, 8, True) for bar in bars)


def test_a_sweeps_tasks_deleted_since_it_was_written_is_one_line(sweep_file, tmp_path):
    """result.tasks, its tasks.parquet deleted since, was pandas' FileNotFoundError with a traceback."""
    from offloadsim.outdir import ResultsError

    result = sweep(sweep_file, out=tmp_path / "out", workers=1)
    (tmp_path / "out" / "tasks.parquet").unlink()
    with pytest.raises(ResultsError, match=r"tasks\.parquet: no longer there \(deleted since"):
        result.tasks  # noqa: B018
