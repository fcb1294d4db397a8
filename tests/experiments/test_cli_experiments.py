"""The compare, sweep and plot verbs: output, files, and one-line errors with exit status 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from compressed_alternative_scenario import SCENARIO


def test_compare_prints_the_table_and_writes_the_directory(cli_main, tiny, tmp_path, capsys):
    out = tmp_path / "cmp"
    status = cli_main(
        [
            "compare",
            str(tiny),
            "--policies",
            "local,edge",
            "-n",
            "2",
            "--workers",
            "1",
            "--out",
            str(out),
            "--set",
            "duration=10 s",
        ]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "Δ vs local" in captured.out and "mean latency (ms)" in captured.out
    assert (out / "summary.csv").is_file() and (out / "manifest.json").is_file()


def test_compare_says_what_a_policy_ran_as_with_the_files_parameters(cli_main, tiny, tmp_path, capsys):
    """Its column said only "least-loaded", whatever parameters the file gave it."""

    def notes(policies, *overrides):
        argv = [
            "compare",
            str(tiny),
            "-n",
            "1",
            "--workers",
            "1",
            "--set",
            "duration=5 s",
            "--policies",
            policies,
        ]
        for override in overrides:
            argv += ["--set", override]
        assert cli_main([*argv, "--out", str(tmp_path / str(len(list(tmp_path.iterdir()))))]) == 0
        return [line for line in capsys.readouterr().out.splitlines() if "scenario's parameters" in line]

    assert notes("least-loaded,edge", "policy.tiers=[edge]") == [
        "note: least-loaded ran with the scenario's parameters, as least-loaded(tiers=[edge])"
    ]
    # An entry's parameters are merged over the file's.
    assert notes("least-loaded(load_bucket=0.02),edge", "policy.tiers=[edge]") == [
        "note: least-loaded(load_bucket=0.02) ran with the scenario's parameters, as "
        "least-loaded(tiers=[edge], load_bucket=0.02)"
    ]
    # The label says every parameter it ran with, or it ran with none: nothing to say.
    assert notes("least-loaded(tiers=[edge]),edge", "policy.tiers=[edge]") == []
    assert notes("least-loaded,edge") == []


def test_sweep_then_plot(cli_main, sweep_file, tmp_path, capsys):
    out = tmp_path / "sw"
    assert cli_main(["sweep", str(sweep_file), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert cli_main(["sweep", str(sweep_file), "--workers", "1", "--out", str(out)]) == 0
    assert "8 jobs: 0 run, 8 reused" in capsys.readouterr().out
    assert cli_main(["plot", str(out), "--kind", "sweep", "--metric", "latency_p95_s"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [
        str(out / "figures" / "sweep-latency_p95_s.pdf"),
        str(out / "figures" / "sweep-latency_p95_s.png"),
        str(out / "figures" / "sweep-latency_p95_s.csv"),
        str(out / "figures" / "sweep-latency_p95_s.plot.json"),
    ]
    target = tmp_path / "fig" / "cdf"
    assert (
        cli_main(
            ["plot", str(out), "--kind", "cdf", "--where", "links[0].bandwidth=5 Mbps", "--out", str(target)]
        )
        == 0
    )
    assert (tmp_path / "fig" / "cdf.png").is_file()
    # Two values of one column: the rows of either (it was refused), each value checked on its own.
    twice = ["plot", str(out), "--kind", "sweep", "--where", "policy=edge", "--where", "policy=local"]
    assert cli_main([*twice, "--out", str(tmp_path / "twice")]) == 0, capsys.readouterr().err
    assert (tmp_path / "twice.png").is_file()
    typo = ["plot", str(out), "--kind", "sweep", "--where", "policy=edge", "--where", "policy=egde"]
    assert cli_main([*typo, "--out", str(tmp_path / "typo")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("error: --where policy=egde: no rows have that value; policy is one of local, edge")
    assert not (tmp_path / "typo.png").exists()
    # The same value in another unit: compared by value (it kept no row when compared as text).
    by_value = ["plot", str(out), "--kind", "cdf", "--where", "links[0].bandwidth=5 Mbit/s"]
    assert cli_main([*by_value, "--out", str(tmp_path / "by-value")]) == 0, capsys.readouterr().err
    assert (tmp_path / "by-value.png").is_file()
    # A value no row has: the line lists the values there are.
    assert cli_main(["plot", str(out), "--kind", "cdf", "--where", "links[0].bandwidth=3 Mbps"]) == 2
    err = capsys.readouterr().err
    assert "--where links[0].bandwidth=3 Mbps: no rows have that value" in err and "5 Mbps" in err


def test_sweep_dry_run_lists_points_and_runs_nothing(cli_main, sweep_file, tmp_path, capsys):
    out = tmp_path / "dry"
    assert cli_main(["sweep", str(sweep_file), "--dry-run", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert (
        "4 points x 2 replications = 8 jobs" in text
        and "point 3: links[0].bandwidth=50 Mbps, policy.name=edge" in text
    )
    assert not out.exists()


@pytest.mark.parametrize("where", ["a file", "under a file", "a folder of other files", "a read-only folder"])
def test_sweep_dry_run_refuses_an_out_the_sweep_would_refuse(
    where, cli_main, sweep_file, tmp_path, capsys, monkeypatch
):
    """It said "dry run: nothing simulated, nothing written" (exit 0) of a sweep that could not start."""
    import os

    (tmp_path / "file").write_text("mine")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    (tmp_path / "ro").mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: p != tmp_path / "ro" and real_access(p, mode))
    out, said = {
        "a file": (tmp_path / "file", f"--out {tmp_path / 'file'}: the path exists and is not a directory"),
        "under a file": (tmp_path / "file" / "s", f"{tmp_path / 'file'} is not a directory"),
        "a folder of other files": (tmp_path / "other", "is not empty and holds no sweep (no points/)"),
        "a read-only folder": (tmp_path / "ro" / "s", f"{tmp_path / 'ro'} is not writable"),
    }[where]
    for dry in (["--dry-run"], []):
        assert cli_main(["sweep", str(sweep_file), *dry, "--out", str(out)]) == 2
        captured = capsys.readouterr()
        (line,) = captured.err.splitlines()
        assert line.startswith("offloadsim: error: ") and said in line, line
        assert "point" not in captured.out  # said before planning
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "other", "ro", "sweep.yaml", "tiny.yaml"]
    assert list((tmp_path / "ro").iterdir()) == []


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (
            ["--policies", "local,local"],
            'error: --policies: "local" is given twice: each policy is compared once',
        ),
    ],
)
def test_compare_names_the_option_a_bad_policy_list_came_from(
    cli_main, tiny, tmp_path, capsys, arguments, said
):
    """They said "policies:" and "baseline ...", the Python arguments' names (a new user's trial)."""
    out = tmp_path / "cmp"
    assert cli_main(["compare", str(tiny), *arguments, "-n", "1", "--out", str(out)]) == 2
    assert said in capsys.readouterr().err
    assert not out.exists()


def test_sweep_dry_run_counts_one_point_in_the_singular(cli_main, tiny, tmp_path, capsys):
    """A sweep of the base alone said "1 points x 1 replications = 1 jobs" (a new user's trial)."""
    alone = tmp_path / "alone.yaml"
    alone.write_text(f"base: {tiny}\nreplications: 1\n", encoding="utf-8")
    assert cli_main(["sweep", str(alone), "--dry-run", "--out", str(tmp_path / "dry")]) == 0
    assert "ok: 1 point x 1 replication = 1 job (" in capsys.readouterr().out


def test_sweep_dry_run_lists_a_boolean_value_as_written(cli_main, tiny, tmp_path, capsys):
    """YAML's true, not Python's True: the listing printed nodes.edge.processor.noise=True."""
    path = tiny.parent / "flags.yaml"
    path.write_text("base: tiny.yaml\ngrid: {nodes.edge.processor.noise: [true, false]}\n", encoding="utf-8")
    assert cli_main(["sweep", str(path), "--dry-run", "--out", str(tmp_path / "dry")]) == 0
    text = capsys.readouterr().out
    assert "point 0: nodes.edge.processor.noise=true\n" in text
    assert "point 1: nodes.edge.processor.noise=false\n" in text


@pytest.mark.parametrize("step", [0, 1])
def test_a_step_a_sweeps_grid_puts_out_of_order_is_refused_at_the_grid_key(
    cli_main, tiny, tmp_path, capsys, step
):
    """Either step's grid value may put the later before the earlier: the refusal names that grid key.

    Swept at steps[0], the refusal is at steps[1].at (the step out of order), the grid key only
    in its ``also``; it was said at the base scenario, with no sweep key.  The step refused is
    named in the file it is in: the base's, where the grid moved the step before it; swept
    itself, the sweep file's alone (it named the base, which holds a step in order).
    """
    path, base, key, value, said = _steps_sweep(tiny, step)
    assert cli_main(["sweep", str(path), "--dry-run", "--out", str(tmp_path / "dry")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: error: {path}: grid["{key}"]: {_step_refused(base, step)}{said} '
        f"(point 1: {key}={value})"
    ]


@pytest.mark.parametrize(("step", "workers"), [(0, 1), (1, 1), (1, 2)])
def test_a_run_names_the_grid_key_of_a_step_its_point_put_out_of_order(
    cli_main, tiny, tmp_path, capsys, step, workers
):
    """A real run plans without building worlds: the job of the point fails, at the grid key.

    Its line named the point and value but said the refusal at the base scenario, with no grid
    key (``--dry-run`` names it).  The other point's job is saved and the failures are logged;
    two workers: the refusal's key paths come back from a worker process.
    """
    path, base, key, value, said = _steps_sweep(tiny, step)
    out = tmp_path / "run"
    assert cli_main(["sweep", str(path), "--workers", str(workers), "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"offloadsim: error: 1 of 2 jobs failed (first: point 1 ({key}={value}), replication 0: "
        f'{path}: grid["{key}"]: {_step_refused(base, step)}{said}); the 1 that finished are saved, '
        f"errors in {out / 'failures.log'}; rerun the same command to run only what is missing"
    ]
    assert len(list((out / "points").glob("*.parquet"))) == 1
    log = (out / "failures.log").read_text(encoding="utf-8")
    assert f'{path}: grid["{key}"]: {_step_refused(base, step)}{said}\n' in log
    assert "Traceback" not in log  # a user error: its one line, not offloadsim's frames


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_trace_at_one_grid_point_is_logged_in_one_line(cli_main, tiny, tmp_path, capsys, workers):
    """A ``link-trace`` file a grid point names with a cell that is no bandwidth fails that job only.

    ``failures.log`` held the job's traceback through the executor, api.run and the engine for
    what is the user's error; it holds the point and the one line, as the command says it.
    """
    base = tiny.parent / "traced.yaml"
    base.write_text(tiny.read_text() + "dynamics: [{kind: link-trace, link: [ap, edge], file: good.csv}]\n")
    (tiny.parent / "good.csv").write_text("time,bandwidth\n0,100 Mbps\n2,50 Mbps\n")
    (tiny.parent / "bad.csv").write_text("time,bandwidth\n0,100 Mbps\n2,abc\n")
    path = tiny.parent / "trace-sweep.yaml"
    path.write_text("base: traced.yaml\ngrid: {'dynamics[0].file': [good.csv, bad.csv]}\n")
    out = tmp_path / "run"
    assert cli_main(["sweep", str(path), "--workers", str(workers), "--out", str(out), "--quiet"]) == 2
    said = (
        f'{path}: grid["dynamics[0].file"]: bad.csv, line 3: expected a bandwidth like "20 Mbps", got "abc"'
    )
    assert str(base) not in said
    assert capsys.readouterr().err.splitlines() == [
        "offloadsim: error: 1 of 2 jobs failed (first: point 1 (dynamics[0].file=bad.csv), replication 0: "
        f"{said}); the 1 that finished are saved, errors in {out / 'failures.log'}; rerun the same command "
        "to run only what is missing"
    ]
    assert len(list((out / "points").glob("*.parquet"))) == 1
    head, line = (out / "failures.log").read_text(encoding="utf-8").splitlines()
    assert head.startswith("== point 1 (dynamics[0].file=bad.csv), replication 0 (job ")
    assert line == said


def test_a_run_says_a_refusal_no_sweep_key_gave_at_the_sweep_file_as_dry_run_does(
    cli_main, tiny, tmp_path, capsys
):
    """A grid key inside the key refused (``link[1]`` making ``link`` no pair): no sweep key gave the
    refusal's key path.  ``--dry-run`` said it at the sweep file; the run's line said a bare
    ``EngineError:`` of the base alone, the sweep file nowhere (fuzz campaign seed 22, case 673)."""
    base = tiny.parent / "pair.yaml"
    base.write_text(
        tiny.read_text()
        + "dynamics: [{kind: link-schedule, link: [ap, edge], steps: [{at: 1 s, up: false}]}]\n"
    )
    path = tiny.parent / "pair-sweep.yaml"
    path.write_text("base: pair.yaml\ngrid: {'dynamics[0].link[1]': [edge, -1]}\n")
    said = f"{base}: dynamics[0].link: expected a links[] entry number or two node names [A, B], got a list"
    assert cli_main(["sweep", str(path), "--dry-run", "--out", str(tmp_path / "dry")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: error: {path}: {said} (point 1: dynamics[0].link[1]=-1)"
    ]
    out = tmp_path / "run"
    assert cli_main(["sweep", str(path), "--workers", "1", "--out", str(out), "--quiet"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "offloadsim: error: 1 of 2 jobs failed (first: point 1 (dynamics[0].link[1]=-1), replication 0: "
        f"{path}: {said}); the 1 that finished are saved, errors in {out / 'failures.log'}; rerun the "
        "same command to run only what is missing"
    ]


@pytest.mark.parametrize("key", ["links[-2].bandwidth", 'links[0]["bandwidth"]'])  # links[0].bandwidth
def test_a_refused_grid_value_at_a_key_written_otherwise_is_said_at_its_grid_key(
    cli_main, tiny, tmp_path, capsys, key
):
    """A grid key written with a negative index or a quoted name gives the value the base scenario
    refuses at another spelling of the path: the refusal was said at the sweep file with the base's
    key path alone, no grid key named, by ``--dry-run`` and by the run alike."""
    path = tiny.parent / "s.yaml"
    path.write_text(f"base: tiny.yaml\ngrid:\n  {json.dumps(key)}: [10 Mbps, -5 Mbps]\n", encoding="utf-8")
    # the value refused is the sweep file's: said at its grid key alone, not at the base's key path
    said = f'{path}: grid[{json.dumps(key)}]: expected a positive bandwidth like "20 Mbps", got "-5 Mbps"'
    assert cli_main(["sweep", str(path), "--dry-run", "--out", str(tmp_path / "dry")]) == 2
    assert capsys.readouterr().err.splitlines() == [f"offloadsim: error: {said} (point 1: {key}=-5 Mbps)"]
    assert cli_main(["sweep", str(path), "--workers", "1", "--out", str(tmp_path / "run"), "--quiet"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"offloadsim: error: {said} (point 1: {key}=-5 Mbps)"]


def _step_refused(base, step):
    """Where the step refused is said after the grid key: the base's step 1, or swept step 1's own value."""
    return f"{base}: dynamics[0].steps[1].at: " if step == 0 else ""


def _steps_sweep(tiny, step):
    """A sweep whose point 1 puts a link's step ``step`` out of order, and what the refusal says."""
    steps = "[{at: 2 s, up: false}, {at: 4 s, up: true}]"
    base = tiny.parent / "steps.yaml"
    base.write_text(tiny.read_text() + f"dynamics: [{{kind: link-schedule, link: 1, steps: {steps}}}]\n")
    key = f"dynamics[0].steps[{step}].at"
    value = "5 s" if step == 0 else "1 s"
    path = tiny.parent / "steps-sweep.yaml"
    path.write_text(f"base: steps.yaml\ngrid: {{'{key}': [3 s, {value}]}}\n")
    said = (
        "4 s comes before the previous step's 5 s"
        if step == 0
        else "1 s comes before the previous step's 2 s"
    )
    return path, base, key, value, said


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # It was said at "policy:", a key of the file, though the file's policy was fine.
        (["compare", "{tiny}", "--policies", "local,nope"], '--policies nope: unknown policy "nope"'),
        (["compare", "{tiny}", "--policies", "local", "-n", "0"], "expected a whole number of at least 1"),
        (
            ["compare", "{tiny}", "--policies", "local", "--baseline", "edge"],
            '--baseline: "edge" is not one of',
        ),
        (["compare", "{tiny}", "--policies", "local", "--set", "links[0].bandwith=1 Mbps"], "bandwith"),
        (["sweep", "{folder}/missing.yaml"], "missing.yaml: no such file"),
        (["sweep", "{bad_sweep}"], "replicatons: unknown key"),
        (["plot", "{folder}/nothing"], "no results directory"),
        (["plot", "{folder}", "--kind", "cdf"], "not a results directory"),
        (["plot", "{folder}/notes.txt"], "notes.txt: a file, not a results directory"),  # was "no ... at"
        (["plot", "{folder}", "--kind", "pie"], "invalid choice"),
        # --workers beside --scheduler was silently ignored: the cluster's own workers run the jobs.
        (
            ["sweep", "{folder}/missing.yaml", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"],
            "argument --workers: not allowed with argument --scheduler",
        ),
        (
            [
                "compare",
                "{tiny}",
                "--policies",
                "local",
                "--workers",
                "2",
                "--scheduler",
                "tcp://127.0.0.1:9",
            ],
            "argument --scheduler: not allowed with argument --workers",
        ),
    ],
)
def test_user_mistakes_are_one_line_errors(cli_main, tiny, argv, message, capsys):
    bad = tiny.parent / "bad.yaml"
    bad.write_text("base: tiny.yaml\nreplicatons: 2\n", encoding="utf-8")
    (tiny.parent / "notes.txt").write_text("mine", encoding="utf-8")
    names = {"tiny": str(tiny), "folder": str(tiny.parent), "bad_sweep": str(bad)}
    status = cli_main([a.format(**names) for a in argv])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("offloadsim: error: ") for line in lines)
    assert message in err
    assert "Traceback" not in err


TWO_APPS = """
name: two-apps
duration: 5 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
applications:
  small: {work: 0.1 GFLOP}
  big: {work: 2 GFLOP}
workload:
  - {app: small, sources: phone, rate: 2 /s}
  - {app: big, sources: phone, rate: 0.5 /s}
policy: local
"""


def test_tables_say_when_they_pool_several_applications(cli_main, tiny, tmp_path, capsys):
    """A mean over AlexNet and VGG-16 requests is of neither: the run and compare tables say so."""
    two = tmp_path / "two.yaml"
    two.write_text(TWO_APPS, encoding="utf-8")
    note = "note: the table pools the tasks of 2 applications (small, big)"
    assert cli_main(["run", str(two), "--out", str(tmp_path / "run")]) == 0
    assert note in capsys.readouterr().out
    argv = ["compare", str(two), "--policies", "local", "-n", "2", "--workers", "1"]
    assert cli_main([*argv, "--out", str(tmp_path / "cmp")]) == 0
    assert note in capsys.readouterr().out
    assert cli_main(["run", str(tiny), "--out", str(tmp_path / "one"), "--set", "duration=5 s"]) == 0
    assert "pools the tasks" not in capsys.readouterr().out


ALTERNATIVES = """
name: alternatives
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-0, edge], bandwidth: 100 Mbps, latency: 1 ms}
  - {between: [phone-1, edge], bandwidth: 0.1 Mbps, latency: 1 ms}
applications:
  small: {model: squeezenet1_1, input: 10 KB, hosts: [phone-*], alternatives: [big]}
  big: {model: resnet18, input: 10 KB, hosts: [edge]}
workload:
  - {app: small, sources: phone-*, rate: 2 /s}
policy: local
"""


def test_an_alternative_no_policy_chose_is_not_said_to_be_pooled(cli_main, tmp_path, capsys):
    """The note follows the records: "local" serves every request with its own application, so its
    table pools nothing (it used to name the declared alternative as pooled); "model-select" sends
    phone-0's requests to the edge's bigger model (6 ms against 70 ms on the phone) and keeps
    phone-1's (whose 10 KB take 0.8 s to upload), so its rows pool both."""
    file = tmp_path / "alt.yaml"
    file.write_text(ALTERNATIVES, encoding="utf-8")
    assert cli_main(["run", str(file), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "pools the tasks" not in out and "pool the tasks" not in out
    argv = ["compare", str(file), "--policies", "local,model-select", "-n", "1", "--workers", "1"]
    assert cli_main([*argv, "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    tasks = pd.read_parquet(tmp_path / "cmp" / "tasks.parquet")
    served = tasks.groupby("policy", observed=True).app.unique().map(set).to_dict()
    assert served["local"] == {"small"}
    assert served["model-select"] == {"small", "big"}
    assert "note: the rows of model-select pool the tasks of 2 applications (small, big); " in out
    argv = ["compare", str(file), "--policies", "model-select", "-n", "1", "--workers", "1"]
    assert cli_main([*argv, "--out", str(tmp_path / "cmp1")]) == 0
    assert "note: the table pools the tasks of 2 applications (small, big); " in capsys.readouterr().out


def test_a_table_served_wholly_by_an_alternative_says_so(cli_main, tmp_path, capsys):
    """``model-select`` serves every ResNet-50 request with the int8 MobileNetV2 (11 ms against 538 ms
    on the phone), so the table's latency is MobileNetV2's: it said nothing (one application served
    pools nothing), and read as ResNet-50's, with no accuracy to tell the models apart."""
    file = tmp_path / "alt.yaml"
    file.write_text(SCENARIO, encoding="utf-8")
    said = (
        "tasks served by an alternative, another model than the one requested "
        "(mnv2-int8 (mobilenet_v2, int8) for r50): accuracy is not modelled"
    )
    assert cli_main(["run", str(file), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert set(pd.read_parquet(tmp_path / "run" / "tasks.parquet").app) == {"mnv2-int8"}
    assert f"note: the table holds {said}" in out
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert any(said in note for note in manifest["notes"])
    argv = ["compare", str(file), "--policies", "local,model-select", "-n", "1", "--workers", "1"]
    assert cli_main([*argv, "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert f"note: the rows of model-select hold {said}" in out
    assert cli_main(["run", str(file), "--policy", "local", "--out", str(tmp_path / "local")]) == 0
    assert "served by an alternative" not in capsys.readouterr().out  # local serves r50 itself


def test_a_comparison_without_power_on_its_sources_says_energy_was_not_measured(cli_main, tmp_path, capsys):
    """Its table showed "device energy per task (mJ) 0.0 ± 0.0" for every policy, as if measured."""
    two = tmp_path / "two.yaml"
    two.write_text(TWO_APPS, encoding="utf-8")
    argv = ["compare", str(two), "--policies", "local", "-n", "2", "--workers", "1"]
    note = "note: no source of the workload has power:, so device energy per task is not measured: the tables"
    assert cli_main([*argv, "--out", str(tmp_path / "cmp")]) == 0
    assert note in capsys.readouterr().out
    powered = ["--set", "nodes.phone.power={idle: 1 W, busy: 3 W}", "--out", str(tmp_path / "cmp2")]
    assert cli_main([*argv, *powered]) == 0
    assert "has power" not in capsys.readouterr().out


def test_a_table_says_when_runs_ended_with_many_tasks_unfinished(cli_main, tiny, tmp_path, capsys):
    """A sweep's edge policy read 27.9 ± 0.0 ms, its best latency, from the 8 % of tasks that finished:
    the runs warned they were overloaded under their own tables, and the sweep's table said nothing."""
    argv = ["compare", str(tiny), "--policies", "local,edge", "-n", "2", "--workers", "1"]
    starved = ["--set", "links[0].bandwidth=10 kbps", "--out", str(tmp_path / "starved")]
    assert cli_main([*argv, *starved]) == 0
    out = capsys.readouterr().out
    tasks = pd.read_parquet(tmp_path / "starved" / "tasks.parquet")
    edge = tasks[tasks["policy"].astype(str) == "edge"]
    assert (edge["status"].astype(str) == "in_flight").mean() > 0.5  # what the note is about
    assert "note: 2 of 4 runs ended with 5% or more of their tasks still in flight (most: policy=edge" in out
    assert "their latencies are of the tasks that finished" in out
    # ... and their energy per task is of the tasks that ended, as the summary's is.
    assert "their device energy per task of those that ended, not of those still waiting" in out
    assert cli_main([*argv, "--out", str(tmp_path / "fed")]) == 0
    assert "still in flight" not in capsys.readouterr().out


def test_a_table_says_when_runs_dropped_many_tasks(cli_main, tiny, tmp_path, capsys):
    """An edge policy whose one-slot queue turned away a fifth of the tasks (those that would have
    waited longest) read the lowest mean and p95 latency of its sweep, whose table has no drop column,
    and no note said its latencies were of the tasks it kept."""
    argv = ["compare", str(tiny), "--policies", "edge", "-n", "2", "--workers", "1"]
    argv += ["--set", "workload[0].rate=60 /s"]
    full = ["--set", "nodes.edge.processor.queue_limit=0", "--out", str(tmp_path / "full")]
    assert cli_main([*argv, *full]) == 0
    out = capsys.readouterr().out
    tasks = pd.read_parquet(tmp_path / "full" / "tasks.parquet")
    dropped = (tasks["status"].astype(str) == "dropped").groupby(tasks["replication"]).mean()
    assert (dropped >= 0.05).all()  # what the note is about
    note = "note: 2 of 2 runs dropped or failed 5% or more of their tasks (most: policy=edge, replication="
    assert note in out
    assert "their latencies are of the tasks that completed, so a policy that drops its slowest" in out
    assert cli_main([*argv, "--out", str(tmp_path / "queued")]) == 0
    out = capsys.readouterr().out
    assert "dropped or failed 5%" not in out
    assert (pd.read_parquet(tmp_path / "queued" / "tasks.parquet")["status"].astype(str) != "dropped").all()


def test_a_sweep_table_mean_over_fewer_runs_than_the_replications_says_over_how_many():
    """A point whose replications completed no task in 4 of 10 runs read "mean ± 95 % CI over 10
    replications" over the 6 that did (summary.csv had n=6)."""
    from types import SimpleNamespace

    from offloadsim.cli.experiments import _sweep_table

    rows = [
        ("5 Mbps", 0, "latency_mean_s", 6, 0.032, 0.001),
        ("5 Mbps", 0, "deadline_miss_rate", 10, 0.1, 0.01),
    ]
    summary = pd.DataFrame(rows, columns=["links[0].bandwidth", "point", "metric", "n", "mean", "ci"])
    manifest = {"name": "s", "swept": ["links[0].bandwidth"], "replications": 10}
    line = _sweep_table(SimpleNamespace(summary=summary, manifest=manifest)).splitlines()[3]  # its one point
    assert line.split() == ["5", "Mbps", "32.0", "±", "1.0", "(n=6)", "-", "10.0", "±", "1.0", "-"]


def test_a_sweep_table_says_under_it_that_device_energy_is_above_idle_without_widening_its_heading():
    """Its "device energy per task (mJ)" read as the device's whole energy, not what the tasks added."""
    from types import SimpleNamespace

    from offloadsim.cli.experiments import _sweep_table

    rows = [
        ("5 Mbps", 0, "latency_mean_s", 3, 0.032, 0.001),
        ("5 Mbps", 0, "device_energy_mean_j", 3, 0.05, 0.002),
    ]
    summary = pd.DataFrame(rows, columns=["links[0].bandwidth", "point", "metric", "n", "mean", "ci"])
    manifest = {"name": "s", "swept": ["links[0].bandwidth"], "replications": 3}
    lines = _sweep_table(SimpleNamespace(summary=summary, manifest=manifest)).splitlines()
    assert lines[1].endswith("  device energy per task (mJ)")
    assert lines[2].endswith("  " + "-" * len("device energy per task (mJ)"))
    assert lines[3].endswith("  50.0 ± 2.0")
    assert lines[4:] == ["device energy per task (mJ): counted above idle"]


def test_a_sweep_table_says_the_failed_share_where_any_task_failed_as_compares_does(
    cli_main, tmp_path, capsys
):
    """An edge crashing every second, tasks not retried: compare's table had "failed tasks (%)",
    the sweep's only a note under it that some runs dropped or failed tasks."""
    from pathlib import Path

    from offloadsim.analysis.catalogue import metric_info

    outage = Path(__file__).resolve().parents[2] / "scenarios" / "edge-outage.yaml"
    sweep = tmp_path / "sweep.yaml"
    fixed = {
        "duration": "10 s",
        "warmup": "1 s",
        "dynamics[0].start": "1 s",
        "dynamics[0].mtbf": "1 s",  # some 18 crashes a run: tasks in flight at none of them is not a risk
        "recovery.retries": 0,
        "recovery.fallback": "drop",
    }
    document = {"base": str(outage), "set": fixed, "grid": {"dynamics[0].mttr": ["200 ms", "500 ms"]}}
    sweep.write_text(json.dumps(document), encoding="utf-8")
    assert cli_main(["sweep", str(sweep), "--workers", "1", "--out", str(tmp_path / "sw")]) == 0
    from experiment_data import table_headings

    out = capsys.readouterr().out
    lines = out.splitlines()
    # (throughput follows them, as in compare's table)
    assert [h for h in table_headings(out) if not h.startswith("throughput")][-3:] == [
        "deadline misses (%)",
        "failed tasks (%)",
        "device energy per task (mJ)",
    ]
    # The headings' last line (a long heading wraps onto those above it: latency fairness's).
    rule = next(i for i, line in enumerate(lines) if line.strip() and set(line) <= {"-", " "})
    at = lines[rule - 1].index("failed tasks (%)")
    cells = [
        line[: at + len("failed tasks (%)")].split("  ")[-1].strip() for line in lines[rule + 1 : rule + 3]
    ]
    summary = pd.read_csv(tmp_path / "sw" / "summary.csv")
    failed = summary[summary["metric"] == "fail_rate"].sort_values("point")
    assert (failed["mean"] > 0).all()
    shares = zip(failed["mean"], failed["ci"], strict=True)
    assert cells == [metric_info("fail_rate").format(mean, half) for mean, half in shares]


def test_a_sweep_table_names_its_swept_keys_as_the_figures_do_and_summary_csv_keeps_the_paths(
    cli_main, tmp_path, capsys
):
    """The table's heading was the raw key path (``dynamics[0].mttr``), where the figures name it
    ``failures MTTR`` with its unit; its plain numbers are seconds, so the heading says (s)."""
    from experiment_data import TINY, table_parts

    dynamics = "dynamics:\n  - {kind: failures, nodes: edge, mtbf: 10 s, mttr: 1 s}\n"
    (tmp_path / "tiny.yaml").write_text(TINY + dynamics, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "base: tiny.yaml\ngrid:\n  dynamics[0].mttr: [0.5, 2.5]\n  links[0].bandwidth: [5 Mbps]\n"
        "labels:\n  links[0].bandwidth: uplink\n",
        encoding="utf-8",
    )
    assert cli_main(["sweep", str(tmp_path / "s.yaml"), "--workers", "1", "--out", str(tmp_path / "o")]) == 0
    heading, rows = table_parts(capsys.readouterr().out)
    assert heading[-1].split("  ")[:2] == ["failures MTTR (s)", "uplink"]  # the longest headings wrap first
    assert [line.split()[:3] for line in rows[:2]] == [["0.5", "5", "Mbps"], ["2.5", "5", "Mbps"]]
    columns = pd.read_csv(tmp_path / "o" / "summary.csv").columns.tolist()
    assert columns[:3] == ["dynamics[0].mttr", "links[0].bandwidth", "point"]  # for machines: the paths


def test_a_sweep_table_names_each_policies_entry_by_its_label_as_summary_csv_does(cli_main, tmp_path, capsys):
    """Its policy column said the bare name, ``least-loaded``, where summary.csv said
    ``least-loaded(load_bucket=0.02)``: two entries of one policy read as one policy twice."""
    from experiment_data import TINY, table_parts

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    entries = ["least-loaded(load_bucket=0.02)", "least-loaded(load_bucket=0.05)", "edge"]
    document = {"base": "tiny.yaml", "set": {"duration": "3 s", "warmup": "1 s"}, "policies": entries}
    (tmp_path / "s.yaml").write_text(json.dumps(document), encoding="utf-8")
    assert cli_main(["sweep", str(tmp_path / "s.yaml"), "--workers", "1", "--out", str(tmp_path / "o")]) == 0
    heading, rows = table_parts(capsys.readouterr().out)
    assert heading[-1].split("  ")[0].strip() == "policy"
    shown = [line.split("  ")[0].strip() for line in rows[:3]]
    summary = pd.read_csv(tmp_path / "o" / "summary.csv").drop_duplicates("point").sort_values("point")
    assert shown == summary["policy"].tolist() == entries  # as the files name them, in point order


def test_a_sweep_table_of_a_world_that_never_fails_has_no_failed_column():
    """A column of zeros in every sweep of a world without failures would say nothing (as compare's row)."""
    from types import SimpleNamespace

    from offloadsim.cli.experiments import _sweep_table

    rows = [(0, "latency_mean_s", 2, 0.032, 0.001), (0, "fail_rate", 2, 0.0, 0.0)]
    summary = pd.DataFrame(rows, columns=["point", "metric", "n", "mean", "ci"])
    table = _sweep_table(SimpleNamespace(summary=summary, manifest={"name": "s", "replications": 2}))
    assert "failed tasks" not in table
    summary.loc[1, "mean"] = 0.01
    table = _sweep_table(SimpleNamespace(summary=summary, manifest={"name": "s", "replications": 2}))
    assert table.splitlines()[3].split()[-4:] == ["1.000", "±", "0", "-"]  # as compare's: every run 1 %


def test_a_sweep_table_shows_each_value_to_its_ci_as_compares_table_does():
    """A faster phone's 8.709 ± 0.051 ms p95 read "8.7 ± 0.1" and a CPU's 1,344.14 mJ that every run
    agreed on read "1,344.1 ± 0.0" in the sweep's table, where compare's table read "8.709 ± 0.051" and
    "1,344.14 ± 0"; a metric of a few tenths of a percent read "0.0 ± 0.0", as if nothing were there."""
    from types import SimpleNamespace

    from offloadsim.analysis.catalogue import metric_info
    from offloadsim.cli.experiments import _sweep_table

    rows = [
        (0, "latency_mean_s", 3, 0.008709, 0.0000512),
        (0, "latency_p95_s", 3, 0.0091, 0.00043),
        (0, "deadline_miss_rate", 3, 0.00034, 0.00021),
        (0, "device_energy_mean_j", 3, 1.3441412, 0.0),
    ]
    summary = pd.DataFrame(rows, columns=["point", "metric", "n", "mean", "ci"])
    table = _sweep_table(SimpleNamespace(summary=summary, manifest={"name": "s", "replications": 3}))
    cells = [cell.strip() for cell in table.splitlines()[3].split("  ") if cell.strip()]
    assert cells == ["8.709 ± 0.051", "9.10 ± 0.43", "0.034 ± 0.021", "1,344.14 ± 0"]
    # The one formatter: each cell is compare's for the same mean and half-width.
    expected = [metric_info(name).format(mean, ci) for _, name, _, mean, ci in rows]
    assert cells == expected


def test_a_sweep_table_shows_a_spread_below_its_last_decimal_as_compare_does():
    """A sweep point whose device energy varied by 3e-8 J over its runs read "48.8000 ± <0.0001", a
    bound rather than the half-width; and a deadline miss share of 2e-8 % every run gave read "0.0000 ± 0"."""
    from types import SimpleNamespace

    from offloadsim.cli.experiments import _sweep_table

    rows = [(0, "device_energy_mean_j", 3, 0.0488, 3e-8), (0, "deadline_miss_rate", 3, 2.1e-10, 0.0)]
    summary = pd.DataFrame(rows, columns=["point", "metric", "n", "mean", "ci"])
    table = _sweep_table(SimpleNamespace(summary=summary, manifest={"name": "s", "replications": 3}))
    cells = [cell.strip() for cell in table.splitlines()[3].split("  ") if cell.strip()]
    assert cells[-2:] == ["2.1e-08 ± 0", "48.8000 ± 3.0e-05"]


def test_a_sweep_table_and_its_notes_show_a_swept_mapping_as_yaml_not_as_json():
    """A sweep of the phone's processor listed `{"memory_bandwidth": "50 GB/s", "speed": "4 TFLOP/s"}`
    in its table and notes, where `--dry-run`, the progress and `--where` write YAML's `{speed: ...}`."""
    from types import SimpleNamespace

    from experiment_data import table_parts

    from offloadsim.analysis.notes import unfinished_runs_note
    from offloadsim.cli.experiments import _sweep_table

    key = "nodes.phone.processor"
    stored = ['{"profile": "cortex-a76"}', '{"memory_bandwidth": "50 GB/s", "speed": "4 TFLOP/s"}']
    rows = [
        (stored[0], 0, "latency_mean_s", 2, 0.9, 0.3),
        (stored[1], 1, "latency_mean_s", 2, 0.0087, 0.0001),
    ]
    summary = pd.DataFrame(rows, columns=[key, "point", "metric", "n", "mean", "ci"])
    manifest = {"name": "s", "swept": [key], "replications": 2}
    table = _sweep_table(SimpleNamespace(summary=summary, manifest=manifest))
    lines = table.splitlines()
    assert [line.split("  ")[0].strip() for line in table_parts(table)[1][:2]] == [
        "{profile: cortex-a76}",
        "a mapping of 2 keys",  # too long for a cell: by its size (brief_text), whole in summary.csv
    ]
    assert '"' not in "\n".join(lines)
    metrics = pd.DataFrame(
        {key: stored, "noise": [True, False], "replication": [0, 0], "arrived": [10, 10], "in_flight": [1, 5]}
    )
    note = unfinished_runs_note(metrics, [key, "noise", "replication"])
    assert note is not None
    # too long for a line, said by its size as the table's notes say one (brief_text), never as JSON
    assert "(most: nodes.phone.processor=a mapping of 2 keys, noise=false, " in note and '"' not in note


def test_one_replication_tables_promise_no_ci(cli_main, tiny, tmp_path, capsys):
    """A trial's compare and sweep with one replication headed their tables "mean ± 95 % CI over
    1 replications" and "(* : the CI of Δ excludes 0 ...)", over values with no interval at all."""
    argv = ["compare", str(tiny), "--policies", "local,edge", "-n", "1", "--workers", "1"]
    assert cli_main([*argv, "--set", "duration=2 s", "--out", str(tmp_path / "cmp")]) == 0
    head = capsys.readouterr().out.splitlines()[:3]
    assert head[0].startswith("tiny: 2 policies x 1 replication (seed")
    assert "no CI" in head[1] and "CI half-width" not in head[1] and "excludes 0" not in head[2]
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"base: {tiny}\ngrid:\n  duration: [1 s, 2 s]\n", encoding="utf-8")
    assert cli_main(["sweep", str(sweep), "--workers", "1", "--out", str(tmp_path / "sw")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("sweep: one replication per point, no CI") and "±" not in first


def test_compare_and_sweep_tables_say_the_time_measured_and_the_warm_up_left_out(
    cli_main, tiny, tmp_path, capsys
):
    """Their tables and manifests said neither how long each run measured nor that a warm-up was
    left out, which a paper's reader asks first (a run's table and manifest say both)."""
    argv = ["compare", str(tiny), "--policies", "edge", "-n", "2", "--workers", "1", "--set", "warmup=1 s"]
    argv += ["--set", "duration=2 s"]
    assert cli_main([*argv, "--out", str(tmp_path / "cmp")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert (
        first == "tiny: 1 policy x 2 replications (seed 11), baseline edge; 2 s measured after a 1 s warm-up"
    )
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text())
    assert (manifest["warmup_s"], manifest["duration_s"]) == (1.0, 2.0)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"base: {tiny}\ngrid:\n  duration: [1 s, 2 s]\n", encoding="utf-8")
    assert cli_main(["sweep", str(sweep), "--workers", "1", "--out", str(tmp_path / "sw")]) == 0
    assert (
        capsys.readouterr().out.splitlines()[0]
        == "sweep: one replication per point, no CI; 1–2 s measured after a 2 s warm-up"
    )
    manifest = json.loads((tmp_path / "sw" / "manifest.json").read_text())
    assert (manifest["warmup_s"], manifest["duration_s"]) == (2.0, [1.0, 2.0])


@pytest.mark.timeout(120)
def test_plot_out_that_is_no_file_stem_is_refused(cli_main, tiny, tmp_path, capsys):
    """--out /dev/null wrote /dev/null.pdf and .png (--out is a stem); a directory as --out made DIR.pdf."""
    import os

    from offloadsim.outdir import ResultsError
    from offloadsim.plots import figure_files

    run = tmp_path / "run"
    assert cli_main(["run", str(tiny), "--out", str(run), "-q"]) == 0
    (tmp_path / "figs").mkdir()
    cases = [("figs", "figs: it is a directory"), ("new/", "new/: it names a directory")]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe")
        cases += [("pipe", "it is a FIFO"), ("pipe.pdf", f"{tmp_path / 'pipe'} is a FIFO")]
    for out, what in cases:
        capsys.readouterr()
        assert cli_main(["plot", str(run), "--kind", "cdf", "--out", f"{tmp_path}{os.sep}{out}"]) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and "cannot write a figure to " in err[0] and what in err[0], err
        assert "a file stem (FIG writes FIG.pdf and FIG.png)" in err[0]
    made = {"figs", "run", "tiny.yaml", *(["pipe"] if hasattr(os, "mkfifo") else [])}
    assert {p.name for p in tmp_path.iterdir()} == made  # no figs.pdf, new/, pipe.png
    assert not any((tmp_path / "figs").iterdir())
    if os.path.exists("/dev/null"):  # checked, never written: a failing check would litter /dev
        with pytest.raises(ResultsError, match="/dev/null: it is a character device"):
            figure_files("/dev/null")
        with pytest.raises(ResultsError, match="/dev/null is a character device"):
            figure_files("/dev/null.png")
    assert cli_main(["plot", str(run), "--kind", "cdf", "--out", str(tmp_path / "figs" / "cdf.pdf")]) == 0
    # the figure, and beside it what it draws (cdf.csv) and how it was drawn (cdf.plot.json)
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        "cdf.csv",
        "cdf.pdf",
        "cdf.plot.json",
        "cdf.png",
    ]


def test_a_sweep_table_without_deadlines_says_so_as_run_does():
    """A sweep of a scenario without deadlines showed a bare "-" in the deadline column, where
    `run` says "(no deadlines)"; a metric the summary lacks stays "-"."""
    from types import SimpleNamespace

    from offloadsim.cli.experiments import _sweep_table

    nan = float("nan")
    rows = [(0, "latency_mean_s", 2, 0.032, 0.001), (0, "deadline_miss_rate", 0, nan, nan)]
    summary = pd.DataFrame(rows, columns=["point", "metric", "n", "mean", "ci"])
    manifest = {"name": "s", "replications": 2}
    lines = _sweep_table(SimpleNamespace(summary=summary, manifest=manifest)).splitlines()
    assert lines[3].split()[-3:] == ["no", "deadlines", "-"]
    header = "deadline misses (%)"
    assert lines[3].index("no deadlines") + len("no deadlines") == lines[1].index(header) + len(header)


def test_sweep_help_names_every_section_the_sweep_reader_accepts(cli_main, capsys):
    """`sweep --help` listed base, grid, zip, policies and replications, but not set nor labels."""
    from offloadsim.experiments.sweep_spec import SWEEP_KEYS

    assert cli_main(["sweep", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps the help's lines
    listed = out.split("sweep YAML file (", 1)[1].split(")", 1)[0]
    assert listed.split(", ") == list(SWEEP_KEYS)
    assert {"set", "labels"} <= set(SWEEP_KEYS)


def _two_then_ctrl_c(real):
    def stand_in(todo, *args, **kwargs):
        real(todo[:2], *args, **kwargs)
        raise KeyboardInterrupt

    return stand_in


def _ctrl_c(real):
    def stand_in(*args, **kwargs):
        raise KeyboardInterrupt

    return stand_in


def _three_then_the_workers_die(real):
    from offloadsim.experiments.executors import PoolDied

    def stand_in(todo, *args, **kwargs):
        real(todo[:3], *args, **kwargs)
        raise PoolDied(
            "a worker process died before it ran a job", "run with one worker (--workers 1) to see the error"
        )

    return stand_in


@pytest.mark.parametrize(
    ("replaced", "stand_in", "status", "said", "rerun"),
    [
        # Ctrl-C said only "offloadsim: interrupted": whether the jobs already run were lost went unsaid.
        (
            "execute",
            _two_then_ctrl_c,
            130,
            "interrupted; 2 of 8 jobs saved in {out}: the same command resumes them",
            "6 run, 2 reused",
        ),
        # Ctrl-C in the merge (minutes, for thousands of jobs) said only "offloadsim: interrupted" too.
        (
            "merge_sweep",
            _ctrl_c,
            130,
            "interrupted; all 8 jobs saved in {out}, their tables not merged: the same command merges them",
            "0 run, 8 reused",
        ),
        # Workers that died as they began stopped an overnight sweep with "what finished is kept": not
        # how many, nor that the same command runs only the rest.
        (
            "execute",
            _three_then_the_workers_die,
            2,
            "error: a worker process died before it ran a job; 3 of 8 jobs saved in {out}: the same command "
            "resumes them; run with one worker (--workers 1) to see the error",
            "5 run, 3 reused",
        ),
    ],
    ids=["ctrl-c", "ctrl-c-merging", "workers-died"],
)
def test_a_stopped_sweep_says_how_many_jobs_it_kept_and_the_rerun_reuses_them(
    cli_main, sweep_file, tmp_path, capsys, monkeypatch, replaced, stand_in, status, said, rerun
):
    import importlib

    module = importlib.import_module("offloadsim.experiments.sweep")
    real = getattr(module, replaced)
    out = tmp_path / "sw"
    argv = ["sweep", str(sweep_file), "--workers", "1", "--out", str(out), "--quiet"]
    monkeypatch.setattr(module, replaced, stand_in(real))
    assert cli_main(argv) == status
    assert capsys.readouterr().err == "offloadsim: " + said.format(out=out) + "\n"
    monkeypatch.setattr(module, replaced, real)
    assert cli_main([*argv[:-1]]) == 0
    assert f"8 jobs: {rerun}" in capsys.readouterr().out
