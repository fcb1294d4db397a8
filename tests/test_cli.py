import argparse
import gc
import importlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import offloadsim
from offloadsim import api, engine, startup
from offloadsim.cli import main
from offloadsim.engine.records import RawRun
from offloadsim.progress import make_progress
from offloadsim.records import results
from offloadsim.records.results import RUN_FILES, read_run
from offloadsim.world import World

REPO = Path(offloadsim.__file__).resolve().parent.parent

TINY = """\
name: tiny
seed: 3
duration: 20 s
warmup: 2 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, cores: 2}}
links:
  - {between: [phone-*, edge], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  job:
    work: {exponential: {mean: 1 GFLOP}}
    input: 150 KB
    output: 4 KB
    deadline: 200 ms
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 5 /s}
policy: {name: edge}
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def fake_simulate(
    scenario,
    *,
    policy=None,
    seed=None,
    replication=0,
    progress=None,
    record_stages=False,
    records_dir=None,
    policy_timeout_s=None,
):
    """Three tasks on the first node: what the results layer needs, no SimPy.

    ``scenario``: a Scenario, or the World ``api.run`` built of it (as the engine takes either).
    """
    scenario = scenario.scenario if isinstance(scenario, World) else scenario
    name = (policy or scenario.policy).name
    seed = scenario.seed if seed is None else seed
    fake_simulate.calls.append((name, seed, replication))
    if progress is not None:
        progress(scenario.end_s)
    n = 3
    source = scenario.nodes[0].name
    strings = {"app": "job", "source": source, "policy": name, "placement": source, "status": "completed"}
    tasks = {k: np.full(n, v, dtype=object) for k, v in strings.items()}
    tasks |= {k: np.full(n, v, dtype=np.int64) for k, v in {"replication": replication, "seed": seed}.items()}
    tasks["task_id"] = np.arange(n, dtype=np.int64)
    tasks["split"] = np.ones(n, dtype=np.int64)
    for column in ("arrival", "start", "finish", "latency", "wait", "compute_time", "transfer_time"):
        tasks[column] = np.full(n, 0.1)
    for column in ("bytes_sent", "device_energy", "raw_input_offloaded"):
        tasks[column] = np.zeros(n)
    tasks["deadline"] = np.full(n, np.nan)
    tasks["deadline_met"] = np.full(n, np.nan)
    names = [node.name for node in scenario.nodes]
    nodes = {
        "node": names,
        "tier": [node.tier for node in scenario.nodes],
        "processor": ["cpu"] * len(names),
        "cores": [1] * len(names),
        "busy_s": [0.0] * len(names),
        "utilisation": [0.0] * len(names),
        "stages_completed": [0] * len(names),
        "energy_j": [0.0] * len(names),
    }
    links = {"a": [], "b": [], "bytes": [], "busy_s": [], "utilisation": []}
    return RawRun(
        tasks, nodes, links, scenario.warmup_s, scenario.duration_s, scenario.end_s, 0.01,
        scenario.name, name, seed, replication,
    )  # fmt: skip


@pytest.fixture
def fake_engine(monkeypatch):
    fake_simulate.calls = []
    monkeypatch.setattr(engine, "simulate", fake_simulate)
    return fake_simulate


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("offloadsim: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, err)


def tree(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


# --------------------------------------------------------------------------- python -m offloadsim


def _bad_scenario(tmp: Path) -> list[str]:
    (tmp / "bad.yaml").write_text(TINY.replace("20 Mbps", "fast"))
    return ["run", "bad.yaml"]


def _out_exists(tmp: Path) -> list[str]:
    (tmp / "taken").mkdir()
    (tmp / "taken" / "keep.txt").write_text("mine")
    return ["run", "tiny.yaml", "--out", "taken"]


@pytest.mark.parametrize(
    "verb",
    [["run"], ["validate"], ["compare", "--policies", "local"], ["sweep"]],
    ids=["run", "validate", "compare", "sweep"],
)
def test_a_missing_input_file_suggests_a_near_name_beside_it(tiny, capsys, verb):
    """`run quickstar.yaml` said only "scenario file not found", with quickstart.yaml beside it."""
    near = tiny.parent / "sweep-tiny.yaml" if verb == ["sweep"] else tiny
    if verb == ["sweep"]:
        near.write_text(f"base: {tiny}\ngrid: {{duration: [1 s, 2 s]}}\n")
    misspelt = near.with_name(near.name.replace("tiny", "tiyn"))
    code, out, err = cli(capsys, *verb, misspelt)
    assert code == 2 and out == ""
    assert_one_error_line(err, str(misspelt), f'(did you mean "{near}"?)')
    code, _, err = cli(capsys, *verb, tiny.parent / "nothing-alike.yaml")  # nothing near: no guess
    assert code == 2
    assert_one_error_line(err, "nothing-alike.yaml")
    assert "did you mean" not in err


@pytest.mark.parametrize(
    ("make_argv", "fragment"),
    [
        (lambda tmp: ["run", "missing.yaml"], "scenario file not found: missing.yaml"),
        (_bad_scenario, 'links[0].bandwidth: expected a bandwidth like "20 Mbps", got "fast"'),
        (
            lambda tmp: ["run", "tiny.yaml", "--policy", "no-such-policy"],
            '--policy no-such-policy: unknown policy "no-such-policy"',
        ),
        (lambda tmp: ["run", "tiny.yaml", "--set", "nodes.nope.count=3"], "nodes.nope"),
        (_out_exists, "holds no offloadsim result"),
        (lambda tmp: ["run", "tiny.yaml", "--seed", "x"], "--seed"),
    ],
    ids=["missing-file", "bad-scenario", "unknown-policy", "bad-set-path", "out-exists", "bad-arg"],
)
def test_python_m_user_errors(tiny, make_argv, fragment):
    tmp = tiny.parent
    argv = make_argv(tmp)
    before = tree(tmp)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "offloadsim", *argv],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert_one_error_line(proc.stderr, fragment)
    assert proc.stdout == ""
    assert tree(tmp) == before  # nothing written


# --------------------------------------------------------------------------- main(argv)


def test_usage_errors(capsys, tiny):
    for argv in (
        [],
        ["frobnicate"],
        ["run"],
        ["run", tiny, "--set", "no-equals"],
        ["run", tiny, "--seed", "-1"],
    ):
        code, out, err = cli(capsys, *argv)
        assert code == 2, argv
        assert_one_error_line(err)
        assert out == ""


def test_help_and_version(capsys):
    code, out, _ = cli(capsys, "--help")
    assert code == 0 and "run" in out and "validate" in out
    code, out, _ = cli(capsys, "run", "--help")
    assert code == 0 and "--dry-run" in out
    code, out, _ = cli(capsys, "--version")
    assert code == 0 and out.strip() == f"offloadsim {offloadsim.__version__} (engine: python)"


def _verbs(parser):
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def test_a_one_verb_parser_is_the_full_parser_for_that_verb():
    # main() builds only the verb a command line names first (start-up); it must parse as the full one.
    cli_main = importlib.import_module("offloadsim.cli.main")  # the package's `main` is the function
    full = cli_main.build_parser()
    groups = cli_main._VERBS  # verb -> the function adding its group (compare, sweep and plot are one)
    assert list(_verbs(full)) == list(groups)  # --help lists them in this order
    for verb, group in groups.items():
        alone = cli_main.build_parser(verb)
        assert _verbs(alone)[verb].format_help() == _verbs(full)[verb].format_help(), verb
        assert {name for name in groups if groups[name] is group} == set(_verbs(alone))
    assert cli_main._verb_of(["--debug", "run", "x.yaml"]) == "run"
    assert cli_main._verb_of(["--help", "run"]) is None  # the top-level help lists every verb
    assert cli_main._verb_of(["frobnicate"]) is None  # the error lists every verb


def test_no_help_text_shows_an_escaped_percent_sign():
    # argparse expands %% in an argument's help but prints a description as written.
    full = importlib.import_module("offloadsim.cli.main").build_parser()
    pages = [full.format_help()] + [parser.format_help() for parser in _verbs(full).values()]
    for page in pages:
        assert "%%" not in page, page


def test_run_writes_results(capsys, tiny, fake_engine):
    out_dir = tiny.parent / "out"
    code, out, err = cli(capsys, "run", tiny, "--out", out_dir, "--seed", "11", "--replication", "2")
    assert code == 0, err
    assert fake_engine.calls == [("edge", 11, 2)]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(RUN_FILES)
    assert "mean latency" in out and "ms" in out and f"results: {out_dir}" in out
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert (manifest["seed"], manifest["replication"], manifest["policy"]["name"]) == (11, 2, "edge")
    assert manifest["scenario_file"].endswith("tiny.yaml")


def test_run_says_its_numbers_are_one_replications_with_no_ci(capsys, tiny):
    """A reviewer's trial: ``run`` printed one replication's mean latency to five figures and said
    nothing of it, where ``compare -n 1`` says ``one replication: ... with no CI``; now ``run`` does."""
    code, out, err = cli(capsys, "run", tiny, "--out", tiny.parent / "out")
    assert code == 0, err
    lines = out.splitlines()
    said = (
        "one replication: each value is this run's, with no CI (compare --replications N: a 95 % CI over N)"
    )
    assert said in lines, out
    assert lines.index(said) > max(i for i, line in enumerate(lines) if line.startswith("mean latency"))
    code, out, _ = cli(capsys, "run", tiny, "--out", tiny.parent / "quiet", "-q")
    assert code == 0 and out.strip() == str(tiny.parent / "quiet")  # --quiet: the directory alone


def test_the_collector_held_while_starting_runs_again_for_the_simulation(capsys, tiny, monkeypatch):
    # entry() holds the cycle collector while `run` and `validate` start (offloadsim.startup): the
    # simulation must run with it collecting, and a command that never simulates must leave it on.
    during = []

    def simulate(*args, **kwargs):
        during.append(gc.isenabled())
        return fake_simulate(*args, **kwargs)

    fake_simulate.calls = []
    monkeypatch.setattr(engine, "simulate", simulate)
    try:
        for argv, expected in (
            (["run", tiny, "--out", tiny.parent / "out"], [True]),
            (["validate", tiny], []),
        ):
            during.clear()
            startup.hold_collector()
            assert not gc.isenabled()
            code, _, err = cli(capsys, *argv)
            assert code == 0, err
            assert during == expected and gc.isenabled(), argv
    finally:
        gc.enable()
        gc.unfreeze()


def test_python_m_offloadsim_holds_the_collector_only_for_commands_that_start_a_run(monkeypatch, capsys):
    # python -m offloadsim holds the collector while it imports the command line (offloadsim/__main__.py);
    # entry() must let it run again for any other command (compare and sweep run with it on).
    from offloadsim.policies import registry

    cli_main = importlib.import_module("offloadsim.cli.main")
    seen = []
    monkeypatch.setattr(registry, "describe_policies", lambda: seen.append(gc.isenabled()) or [])
    monkeypatch.setattr(sys, "argv", ["offloadsim", "policies"])
    startup.hold_collector()
    try:
        with pytest.raises(SystemExit):
            cli_main.entry()
    finally:
        gc.enable()
        gc.unfreeze()
    assert seen == [True]


def test_run_default_out_dir_and_quiet(capsys, tiny, fake_engine, monkeypatch):
    monkeypatch.chdir(tiny.parent)
    code, out, _ = cli(capsys, "run", "tiny.yaml", "--quiet")
    assert code == 0 and out.strip() == str(Path("results") / "tiny-edge-s3")
    code, out, _ = cli(
        capsys, "run", "tiny.yaml", "-q", "--policy", "local", "--seed", "5", "--replication", "1"
    )
    assert code == 0 and out.strip() == str(Path("results") / "tiny-local-s5-r1")
    assert sorted(p.name for p in (tiny.parent / "results").iterdir()) == ["tiny-edge-s3", "tiny-local-s5-r1"]


def test_out_dir_exists_then_overwrite(capsys, tiny, fake_engine):
    out_dir = tiny.parent / "out"
    out_dir.mkdir()
    (out_dir / "old.txt").write_text("old")
    code, _, err = cli(capsys, "run", tiny, "--out", out_dir)
    assert code == 2 and fake_engine.calls == []  # checked before simulating
    assert_one_error_line(err, "holds no offloadsim result but old.txt", "remove it yourself")
    assert tree(out_dir) == ["old.txt"]
    code, _, err = cli(capsys, "run", tiny, "--out", out_dir, "--overwrite")  # nor replaced: not ours
    assert code == 2 and fake_engine.calls == []
    assert_one_error_line(err, "--overwrite replaces only an offloadsim result", "choose another --out")
    assert tree(out_dir) == ["old.txt"]
    (out_dir / "old.txt").unlink()  # an empty one is
    code, _, _ = cli(capsys, "run", tiny, "--out", out_dir, "--overwrite")
    assert code == 0 and tree(out_dir)


@pytest.mark.parametrize(
    "where", ["a file", "a folder of other files", "a read-only folder", "default in one"]
)
def test_dry_run_refuses_an_out_the_run_would_refuse(where, capsys, tiny, monkeypatch):
    """It said "dry run: nothing simulated, nothing written" (exit 0) of a run that could not write."""
    import os

    monkeypatch.chdir(tiny.parent)
    Path("file").write_text("mine")
    Path("other").mkdir()
    Path("other", "notes.txt").write_text("mine")
    Path("ro").mkdir()
    real_access = os.access
    read_only = Path("ro").absolute()
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != read_only and real_access(p, mode))
    if where == "default in one":  # results/NAME-POLICY-sN under the current folder
        monkeypatch.chdir("ro")
    out, said = {
        "a file": (["--out", "file"], "--out file: the path exists and is not a directory"),
        "a folder of other files": (["--out", "other"], "holds no offloadsim result"),
        "a read-only folder": (["--out", "ro/r"], f"{read_only} is not writable"),
        "default in one": ([], f"{read_only} is not writable"),
    }[where]
    code, printed, err = cli(capsys, "run", str(tiny), "--dry-run", *out)
    assert code == 2 and printed == "" and len(err.splitlines()) == 1 and said in err, err
    assert os.listdir(read_only) == []


def test_dry_run_runs_and_writes_nothing(capsys, tiny, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("dry run simulated")

    monkeypatch.setattr(engine, "simulate", must_not_run)
    monkeypatch.chdir(tiny.parent)
    code, out, err = cli(capsys, "run", "tiny.yaml", "--dry-run", "--out", "somewhere")
    assert code == 0, err
    assert "policy edge, 1 workload" in out
    assert out.count("3 nodes (2 device, 1 edge)") == 1  # counted once, by the topology's summary
    assert "links[0] phone-* <-> edge: 2 links, 20 Mbps, 3 ms" in out  # the topology summary
    assert "3 nodes (2 device, 1 edge), 3 of them computing; 1 connected component\n" in out  # not "(s)"
    assert "2 links, each used both ways (the run reports 4 link directions)" in out
    assert "dry run: nothing simulated, nothing written" in out
    assert tree(tiny.parent) == ["tiny.yaml"]
    apart = ("--set", "links=[]", "--set", "policy=local")  # no links: each node its own component
    code, out, err = cli(capsys, "run", "tiny.yaml", "--dry-run", *apart)
    assert code == 0, err
    assert "3 of them computing; 3 connected components\n" in out
    code, out, err = cli(capsys, "run", "tiny.yaml", "--dry-run", "--set", "nodes.phone.count=1")
    assert code == 0, err
    assert "\n1 link, used both ways (the run reports 2 link directions):\n" in out  # not "1 links, each"


@pytest.mark.parametrize("verb", ["run", "compare", "sweep"])
def test_a_quiet_dry_run_prints_only_the_directory_its_run_would_write(verb, capsys, tiny, monkeypatch):
    """``--quiet`` beside ``--dry-run`` did nothing: the world's whole description was printed.

    As a quiet run prints only its directory, a quiet dry run prints only the directory it would write,
    once every check is made (one it refuses is still refused, on stderr).
    """

    def must_not_run(*args, **kwargs):
        raise AssertionError("dry run simulated")

    monkeypatch.setattr(engine, "simulate", must_not_run)
    monkeypatch.chdir(tiny.parent)
    Path("sweep.yaml").write_text("base: tiny.yaml\ngrid: {warmup: [0 s, 1 s]}\n")
    given = {
        "run": ["run", "tiny.yaml"],
        "compare": ["compare", "tiny.yaml", "--policies", "local,edge", "-n", "2"],
        "sweep": ["sweep", "sweep.yaml"],
    }[verb]
    code, out, err = cli(capsys, *given, "--dry-run", "--quiet", "--out", "there")
    assert code == 0, err
    assert out == "there\n"
    assert sorted(p.name for p in tiny.parent.iterdir()) == ["sweep.yaml", "tiny.yaml"]
    code, out, err = cli(capsys, *given, "--dry-run", "--quiet", "--out", "tiny.yaml")
    assert code == 2 and out == "" and "exists and is not a directory" in err


def test_validate(capsys, tiny):
    code, out, _ = cli(capsys, "validate", tiny)
    assert code == 0 and out.strip() == "ok: 3 nodes (2 device, 1 edge), 2 links, 1 workload"
    code, out, _ = cli(capsys, "validate", tiny, "--set", "nodes.phone.count=5", "--show")
    assert code == 0 and out.startswith("ok: 6 nodes")
    shown = yaml.safe_load(out.split("\n---\n", 1)[1].split("\n...\n")[0])
    assert shown["name"] == "tiny" and shown["nodes"]["phone"]["count"] == 5
    assert shown["links"][0]["bandwidth"] == "20000000.0 bit/s"
    empty = tiny.parent / "empty.yaml"
    empty.write_text("name: nothing\n")
    code, out, _ = cli(capsys, "validate", empty)
    assert code == 0 and out.strip() == "ok: 0 nodes, 0 links, 0 workloads"  # was "0 nodes ()"


def test_validate_reports_every_problem_on_its_own_line(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(TINY.replace("20 Mbps", "fast").replace("3 ms", "soon"))
    code, out, err = cli(capsys, "validate", path)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("offloadsim: error: ") and "bad.yaml: links[0]." in line for line in lines)


def test_internal_error_exit_1_traceback_only_with_debug(capsys, tiny, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "simulate", boom)
    out_dir = tiny.parent / "out"
    code, _, err = cli(capsys, "run", tiny, "--out", out_dir)
    assert code == 1
    assert "offloadsim: internal error: RuntimeError: boom" in err and "Traceback" not in err
    code, _, err = cli(capsys, "run", tiny, "--out", out_dir, "--debug")
    assert code == 1 and "Traceback" in err
    assert not out_dir.exists()


@pytest.mark.parametrize(
    "verb",
    [[], ["run"], ["validate"], ["compare"], ["sweep"], ["plot"], ["calibrate"], ["calibrate", "report"]],
    ids=lambda verb: " ".join(verb) or "top",
)
def test_every_verb_says_the_same_of_debug_plug_ins_included(verb, capsys):
    """compare, sweep, plot and calibrate said only "the traceback of internal errors", run "... and
    plug-in policies' exceptions": --debug also shows a plug-in model's or kind's traceback, in every verb."""
    assert main([*verb, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--debug show the traceback of internal errors and of exceptions raised in plug-ins' code" in text


def test_engine_error_is_a_user_error(capsys, tiny, monkeypatch):
    def refuse(*args, **kwargs):
        raise engine.EngineError("tiny.yaml: profile 'warp-drive' is unknown")

    monkeypatch.setattr(engine, "simulate", refuse)
    code, _, err = cli(capsys, "run", tiny, "--out", tiny.parent / "out")
    assert code == 2
    assert_one_error_line(err, "warp-drive")


def test_interrupt_while_simulating(capsys, tiny, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "simulate", interrupted)
    code, _, err = cli(capsys, "run", tiny, "--out", tiny.parent / "out")
    assert code == 130 and "interrupted" in err
    assert tree(tiny.parent) == ["tiny.yaml"]


def test_interrupt_while_writing_leaves_nothing(capsys, tiny, fake_engine, monkeypatch):
    def interrupted(path, text):
        raise KeyboardInterrupt

    monkeypatch.setattr(results, "_write_text", interrupted)
    code, _, _ = cli(capsys, "run", tiny, "--out", tiny.parent / "a" / "b")
    assert code == 130
    assert tree(tiny.parent) == ["tiny.yaml"]


def test_policies(capsys):
    from offloadsim.policies.registry import describe_policies

    code, out, _ = cli(capsys, "policies")
    assert code == 0
    for info in describe_policies():
        assert any(line.startswith(info.name + " ") and info.summary in line for line in out.splitlines())
    assert "fallback:" in out


def test_schema(capsys):
    code, out, _ = cli(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["type"] == "object" and "nodes" in schema["properties"]


def test_models(capsys):
    pytest.importorskip("offloadsim.models")
    code, out, _ = cli(capsys, "models")
    assert code == 0 and "resnet50" in out
    code, out, _ = cli(capsys, "models", "--csv")
    assert code == 0 and out.splitlines()[0].startswith("name,")
    code, out, _ = cli(capsys, "models", "show", "resnet18", "--csv")
    assert code == 0 and len(out.splitlines()) > 10
    code, _, err = cli(capsys, "models", "show", "resnet5")
    assert code == 2
    assert_one_error_line(err, "resnet5")


def test_models_say_what_a_sequence_models_row_is_of(capsys):
    """``models`` listed llama-3.2-1b at 250.9 GFLOPs and ``models show`` its 275 layers, never saying
    that they are a 128-token prefill, nor that a scenario's cuts count its 16 transformer blocks."""
    pytest.importorskip("offloadsim.models")
    from offloadsim.models import LLM_CONFIGS, get_model

    code, out, _ = cli(capsys, "models")
    assert code == 0
    (note,) = [line for line in out.splitlines() if line.startswith("note:")]
    assert "bert-base is for 128 tokens" in note
    assert "gpt2, llama-3.2-1b and llama-3.1-8b are for a prefill of 128 tokens" in note
    assert get_model("llama-3.2-1b").input_bytes == 128 * 8  # the row the note is about
    code, out, _ = cli(capsys, "models", "show", "llama-3.2-1b")
    assert code == 0
    layers, blocks = len(get_model("llama-3.2-1b")), LLM_CONFIGS["llama-3.2-1b"].layers
    assert out.splitlines()[-1] == (
        f"note: these are the {layers} layers of llama-3.2-1b's prefill of 128 tokens; a scenario prices "
        "each request's own prompt_tokens, then a decode step per output token, and cuts (policy.cuts) "
        f"count its {blocks} transformer blocks, not these layers (docs/policies.md)"
    )
    assert (layers, blocks) == (275, 16)
    for argv in (("models", "show", "resnet18"), ("models", "--csv"), ("models", "show", "gpt2", "--csv")):
        code, out, _ = cli(capsys, *argv)
        assert code == 0 and "note:" not in out  # an image model's table, or CSV: nothing but the table


def test_models_show_prints_the_cumulative_flops_as_whole_numbers(capsys):
    """``models show resnet18`` printed cumulative_FLOPs as 236027904.0 beside whole FLOPs and MACs."""
    pytest.importorskip("offloadsim.models")
    from offloadsim.models import get_model

    code, out, _ = cli(capsys, "models", "show", "resnet18")
    assert code == 0
    header, first = out.splitlines()[:2]
    assert header.split()[-1] == "cumulative_FLOPs"
    assert first.split()[-1] == str(get_model("resnet18")[0].flops)  # conv1's 236027904, no ".0"
    code, out, _ = cli(capsys, "models", "show", "resnet18", "--csv")
    last = out.splitlines()[-1].rsplit(",", 1)[-1]
    assert last == str(get_model("resnet18").flops)


def test_models_show_takes_name_at_size_as_calibrate_does(capsys):
    """``models show resnet18@160`` was an unknown model, though ``calibrate --models`` takes it."""
    pytest.importorskip("offloadsim.models")
    from offloadsim.models import get_model, layers_table

    code, out, _ = cli(capsys, "models", "show", "resnet18@160", "--csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert table["cumulative_FLOPs"].iloc[-1] == get_model("resnet18", image_size=160).flops
    assert table["cumulative_FLOPs"].iloc[-1] < layers_table("resnet18")["cumulative_FLOPs"].iloc[-1]
    for label, said in [
        ("resnet18@", 'bad model "resnet18@": expected NAME@IMAGE_SIZE, e.g. resnet18@160'),
        ("resnet18@\u00b2", "expected NAME@IMAGE_SIZE, e.g. resnet18@160"),
        (
            "resnet18@0",
            'bad model "resnet18@0": NAME@SIZE sets an image model\'s image_size; '
            "expected a whole number at least 1",
        ),
        (
            "resnet18@99999",
            'bad model "resnet18@99999": NAME@SIZE sets an image model\'s image_size; '
            "expected a whole number at most 16,384, got 99999",
        ),
        (
            "resnet18@" + "9" * 5000,
            "expected a whole number at most 16,384, got 999999... (5000 digits)",
        ),
        ("resnet18@" + "9" * 5000, 'bad model "resnet18@9999'),  # the label cut short, not 5,000 digits
        (
            "bert-base@128",
            'NAME@SIZE sets an image model\'s image_size; model "bert-base" has no parameter "image_size"',
        ),
        (
            "alexnet@16",
            'bad model "alexnet@16": model "alexnet" cannot be built with image_size 16: window 3',
        ),
        ("resnet-9000@160", 'unknown model "resnet-9000"'),
    ]:
        code, _, err = cli(capsys, "models", "show", label)
        assert code == 2, label
        assert_one_error_line(err, said)


def test_models_show_reads_an_onnx_file(tmp_path, capsys):
    """To choose a cut in one's own model: 'models show net.onnx' was an unknown model."""
    pytest.importorskip("onnx")
    from offloadsim.models import as_chain, export_onnx, get_model

    graph = get_model("squeezenet1_1", image_size=32)
    model = export_onnx(graph, tmp_path / "net.onnx")
    code, out, _ = cli(capsys, "models", "show", str(model), "--csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert list(table["name"]) == [layer.name for layer in graph]
    assert list(table["cut_bytes"]) == list(as_chain(graph).cut_bytes[1:])
    (tmp_path / "text.onnx").write_text("hello, I am not ONNX\n")
    for bad, said in [
        (tmp_path / "text.onnx", "cannot import"),
        (  # a near name beside it is suggested, as a missing scenario file's is
            tmp_path / "nett.onnx",
            f'no such file (did you mean "{tmp_path / "net.onnx"}"?); expected an ONNX model file',
        ),
        (  # not one only the extension makes near (c8482e2)
            tmp_path / "none.onnx",
            "none.onnx: no such file; expected an ONNX model file",
        ),
    ]:
        code, _, err = cli(capsys, "models", "show", str(bad))
        assert code == 2
        assert_one_error_line(err, f"{bad}")
        assert said in err


# --------------------------------------------------------------------------- api


def test_api_policy_resolution(tiny):
    scenario = api.load(tiny)
    assert api.resolve_policy(scenario).name == "edge"
    assert api.resolve_policy(scenario, "edge", {"fallback": "drop"}).params == {"fallback": "drop"}
    assert api.resolve_policy(scenario, "local").params == {}
    with pytest.raises(api.RunError, match="unknown policy"):
        api.check_policy(api.resolve_policy(scenario, "nope"))


def test_api_checks_before_simulating(tiny, fake_engine):
    taken = tiny.parent / "taken"
    taken.mkdir()
    (taken / "x").write_text("x")
    with pytest.raises(results.ResultsError):
        api.run(tiny, out=taken)
    with pytest.raises(api.RunError, match="overrides"):
        api.run(api.load(tiny), overrides=["seed=1"])
    with pytest.raises(api.RunError, match="not found"):
        api.run(tiny.parent / "nope.yaml")
    assert fake_engine.calls == []


def test_api_run_refuses_an_out_it_cannot_use_as_a_value_error(tiny, fake_engine):
    """run(out=FILE) raised a bare ResultsError, which `except ValueError` missed, as compare's."""
    from offloadsim.errors import shown_path
    from offloadsim.experiments import compare, sweep

    taken = tiny.parent / "a-file.txt"
    taken.write_text("x")
    said = f"out={shown_path(taken)}: the path exists and is not a directory"  # the keyword, not --out
    sweep_file = tiny.parent / "s.yaml"
    sweep_file.write_text(f"base: {tiny.name}\ngrid: {{duration: [1 s, 2 s]}}\n")
    for call in (
        lambda: api.run(tiny, out=taken),
        lambda: compare(tiny, ["local"], 1, out=taken, workers=1),
        lambda: sweep(sweep_file, out=taken, workers=1),
    ):
        with pytest.raises(ValueError) as caught:
            call()
        assert str(caught.value) == said
    with pytest.raises(results.ResultsError):  # what it was, for those who caught that
        api.run(tiny, out=taken)
    assert taken.read_text() == "x"
    assert fake_engine.calls == []


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"seed": -1}, "seed: expected a whole number from 0 to"),
        ({"seed": "1"}, "seed: expected a whole number"),
        ({"seed": 2**63}, "seed: expected a whole number"),
        ({"seed": True}, "seed: expected a whole number"),
        ({"replication": -2}, "replication: expected a whole number"),
        ({"overrides": "duration=5 s"}, "overrides: expected a list of 'key.path=value' strings, got str"),
        ({"overrides": [("duration", "5 s")]}, "overrides: expected 'key.path=value' strings, got tuple"),
        # A string flag was truthy: stages="no" recorded the stages.
        ({"stages": "no"}, "stages: expected True or False, got str 'no'"),
        ({"overwrite": 1}, "overwrite: expected True or False, got int 1"),
        # These ended in a TypeError or dict.update's ValueError, with a traceback.
        (
            {"policy": 3},
            "policy: expected a policy name or an entry like 'neurosurgeon(objective=energy)', got int 3",
        ),
        (
            {"policy": ["edge"]},
            "policy: expected a policy name or an entry like 'neurosurgeon(objective=energy)', got list ",
        ),
        ({"policy_params": ["fallback"]}, "policy_params: expected a mapping of parameter names to values"),
        ({"policy_params": "fallback=drop"}, "{'objective': 'energy'}, got str 'fallback=drop'"),
        ({"records_dir": 5}, "records_dir: expected a directory path, got int 5"),
    ],
)
def test_api_refuses_bad_arguments_in_one_line(tiny, fake_engine, kwargs, fragment):
    """What the command line's argument types refuse, the Python entry point refuses with a RunError
    naming the argument (a negative seed used to end in numpy's 'expected non-negative integer', a
    lone override string was read one character at a time)."""
    with pytest.raises(api.RunError, match=re.escape(fragment)):
        api.run(tiny, **kwargs)
    assert fake_engine.calls == []


@pytest.mark.parametrize(
    ("helper", "fragment"),
    [
        # a policy named 3 came back, refused later as an unknown policy, or not at all
        ("resolve_policy", "policy: expected a policy name or an entry like"),
        ("chosen_policy", "policy: expected a policy name or an entry like"),
        # "edge" was read letter by letter: the file's policy "e" would be found in it
        ("check_policy_overrides", "names: expected a list of policy names like ['edge'], got str 'edge'"),
        # an AttributeError on 'name'
        ("check_policy", "spec: expected a PolicySpec (resolve_policy makes one), got str 'edge'"),
    ],
)
def test_api_policy_helpers_refuse_what_is_no_policy_in_one_line(tiny, helper, fragment):
    scenario = api.load(tiny)
    given = {
        "resolve_policy": 3,
        "chosen_policy": 3,
        "check_policy_overrides": "edge",
        "check_policy": "edge",
    }
    first, second = (given[helper], scenario) if helper == "check_policy" else (scenario, given[helper])
    with pytest.raises(api.RunError, match=re.escape(fragment)):
        getattr(api, helper)(first, second)


def test_api_takes_numpy_integers_as_seeds_and_counts_as_python_ints(tiny, tmp_path):
    """``seed=np.random.randint(...)`` in a notebook: refused as "expected a whole number ..., got 3";
    now the same run as ``seed=3``, its manifest written with Python ints (JSON has no numpy types)."""
    from offloadsim.experiments import compare

    np_run = api.run(tiny, seed=np.int64(3), replication=np.int64(1), out=tmp_path / "np")
    plain = api.run(tiny, seed=3, replication=1)
    assert np_run.tasks["latency"].equals(plain.tasks["latency"])
    written = json.loads((tmp_path / "np" / "manifest.json").read_text())
    assert (written["seed"], written["replication"]) == (3, 1)
    both = compare(tiny, ["local", "edge"], np.int64(2), seed=np.int64(3), workers=1, out=tmp_path / "cmp")
    assert both.manifest["replications"] == 2 and type(both.manifest["replications"]) is int
    assert both.metrics.equals(compare(tiny, ["local", "edge"], 2, seed=3, workers=1).metrics)


def test_api_refuses_an_out_that_is_no_path_in_one_line(tiny, fake_engine):
    """out=123 ended in pathlib's TypeError, with a traceback, from run, compare and sweep."""
    from offloadsim.experiments import compare, sweep

    sweep_file = tiny.parent / "s.yaml"
    sweep_file.write_text(f"base: {tiny.name}\npolicies: [local]\n")
    for call in (
        lambda: api.run(tiny, out=123),
        lambda: compare(tiny, ["local"], 1, out=123, workers=1),
        lambda: sweep(sweep_file, out=123, workers=1),
    ):
        with pytest.raises(results.ResultsError, match=r"^out: expected a directory path, got int 123$"):
            call()
    assert fake_engine.calls == []


def test_api_refuses_a_records_dir_that_is_a_file_before_simulating(tiny, fake_engine):
    """Found by the first chunk of records spilled there, 131,072 tasks into the run, as FileExistsError."""
    taken = tiny.parent / "taken"
    taken.write_text("x")
    with pytest.raises(api.RunError, match=r"^records_dir: .*taken exists and is not a directory$"):
        api.run(tiny, records_dir=taken)
    assert fake_engine.calls == []


def test_compare_and_sweep_refuse_arguments_of_the_wrong_type_in_one_line(tiny, fake_engine):
    """workers=1.5 and progress="no" were taken without a word (one process; a bar drawn),
    scheduler=3 ended in Dask's TypeError and sweep(3) or sweep(a dict) in pathlib's."""
    from offloadsim.experiments import compare, sweep
    from offloadsim.records.stored import ExperimentError

    for call, message in (
        (
            lambda: compare(tiny, ["local"], 1, workers=1.5),
            r"^workers: expected a whole number of processes, got 1\.5$",
        ),
        (
            lambda: compare(tiny, ["local"], 1, workers="2"),
            r'^workers: expected a whole number of processes, got "2"$',
        ),
        (
            lambda: compare(tiny, ["local"], 1, progress="no"),
            r"^progress: expected True or False, got str 'no'$",
        ),
        (
            lambda: compare(tiny, ["local"], 1, scheduler=3),
            r"^scheduler: expected a Dask scheduler address like",
        ),
        (lambda: sweep(3), r"^sweep_file: expected a sweep YAML file path or a SweepSpec, got int$"),
        (
            lambda: sweep({"base": str(tiny)}),
            r"got dict \(offloadsim\.experiments\.sweep_spec\.sweep_from_data",
        ),
    ):
        with pytest.raises((ExperimentError, api.RunError), match=message):
            call()
    assert fake_engine.calls == []


def test_a_policy_named_alone_that_needs_parameters_says_where_they_go(
    capsys, tiny, fake_engine, monkeypatch
):
    """`fixed` named by --policy or --policies has no parameters: the refusal says where they go."""
    monkeypatch.chdir(tiny.parent)
    hint = "a policy chosen by name runs without parameters unless it is the scenario's own"
    for argv in (["run", tiny, "--policy", "fixed"], ["compare", tiny, "--policies", "edge,fixed"]):
        code, out, err = cli(capsys, *argv)
        assert code == 2 and out == ""
        assert_one_error_line(err, 'fixed: policy "fixed": give exactly one of', hint)
    # The scenario's own policy, given its (wrong) parameters there, is not told to go there.
    code, _, err = cli(capsys, "run", tiny, "--set", "policy={name: fixed}")
    assert code == 2
    assert_one_error_line(err, 'policy.name: policy "fixed": give exactly one of')
    assert hint not in err
    # ... where, given there, a run by name keeps them.
    given = ["--set", "policy={name: fixed, node: edge}", "--policy", "fixed"]
    code, _, err = cli(capsys, "run", tiny, "-q", *given)
    assert code == 0, err
    assert fake_engine.calls == [("fixed", 3, 0)]


def test_api_overrides_of_a_loaded_scenario_name_the_way_that_applies_them(tiny, fake_engine):
    from offloadsim.scenario import load_scenario_data

    loaded, overrides = api.load(tiny), ["links[0].bandwidth=5 Mbps"]
    with pytest.raises(api.RunError, match=r"^overrides apply to a scenario file") as caught:
        offloadsim.run(loaded, overrides=overrides)
    assert fake_engine.calls == []
    # It names the call that applies them (a frozen Scenario cannot be edited), and that call does.
    assert "load_scenario_data(scenario.document, scenario.source, scenario.base_dir, overrides)" in str(
        caught.value
    )
    again = load_scenario_data(loaded.document, loaded.source, loaded.base_dir, overrides)
    assert again.links[0].bandwidth_bps == 5e6 and loaded.links[0].bandwidth_bps == 20e6


def test_api_refuses_a_mapping_for_a_scenario(fake_engine):
    expected = "expected a path to a YAML file or a loaded Scenario, got dict"
    with pytest.raises(api.RunError, match=expected) as caught:
        offloadsim.run({"name": "x"})
    assert fake_engine.calls == []
    # The message names the loader that turns the mapping into a Scenario, and that works.
    assert "offloadsim.scenario.load_scenario_data(mapping)" in str(caught.value)


@pytest.mark.parametrize("length", ["short", "long"])
def test_api_names_yaml_text_given_for_a_scenario_path_and_the_loader_that_takes_it(
    tiny, fake_engine, length
):
    """A notebook's YAML string passed to run was "scenario file not found: name: x ..." or, past
    the file system's name limit, "File name too long": neither said it was read as a path."""
    from offloadsim.scenario import load_scenario_text

    text = tiny.read_text(encoding="utf-8")
    text = text if length == "long" else "name: x\nduration: 5 s\n"
    with pytest.raises(api.RunError, match=r"^scenario: got YAML text, not a file path") as caught:
        offloadsim.run(text)
    assert fake_engine.calls == [] and "\n" not in str(caught.value)
    assert "offloadsim.scenario.load_scenario_text(text)" in str(caught.value)
    assert load_scenario_text(tiny.read_text(encoding="utf-8"), base_dir=tiny.parent).name


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("duration_s", -1.0, r"scenario\.duration_s: expected a positive number of seconds, got float -1\.0"),
        (
            "warmup_s",
            float("nan"),
            r"scenario\.warmup_s: expected a non-negative number of seconds, got float nan",
        ),
        ("seed", -1, r"scenario\.seed: expected a whole number from 0"),
        ("policy", "edge", r"scenario\.policy: expected a PolicySpec, got str 'edge'"),
        ("nodes", ("phone",), r"scenario\.nodes\[0\]: expected a NodeSpec, got str 'phone'"),
    ],
)
def test_a_scenario_built_by_hand_with_bad_values_is_refused_in_one_line(tiny, field, value, said):
    """A Scenario changed with dataclasses.replace is taken as is: a negative duration ended in a
    KeyError deep in the engine, a negative seed in numpy's ValueError, a policy name in an AttributeError."""
    import dataclasses

    from offloadsim.experiments import compare

    scenario = dataclasses.replace(api.load(tiny), **{field: value})
    with pytest.raises(api.RunError, match=said + r".*load_scenario_data" * (field != "seed")):
        offloadsim.run(scenario)
    with pytest.raises(api.RunError, match=said):
        compare(scenario, ["local"], 1, workers=1)


def test_compare_refuses_a_negative_seed(tiny):
    from offloadsim.experiments import compare

    with pytest.raises(
        api.RunError, match=r"policies: expected a list of policy names .* got the string 'local,edge'"
    ):
        compare(tiny, "local,edge", 2, workers=1)  # it read as the policies 'l', 'o', 'c', ...

    with pytest.raises(api.RunError, match=r"policies: expected a list of policy names .* got NoneType None"):
        compare(tiny, None, 2, workers=1)  # a TypeError: 'NoneType' object is not iterable

    with pytest.raises(api.RunError, match="seed: expected a whole number"):
        compare(tiny, ["local", "edge"], 2, workers=1, seed=-3)


def test_end_to_end_cli_and_api_agree(capsys, tiny):
    """The real loader and engine: same seed, same records, whether through the CLI or the API."""
    out_dir = tiny.parent / "run"
    code, _, err = cli(capsys, "run", tiny, "--out", out_dir, "--set", "duration=10 s")
    assert code == 0, err
    from_disk = read_run(out_dir)
    direct = api.run(tiny, overrides=["duration=10 s"])
    assert len(direct.tasks) > 20 and direct.summary.completed > 0
    pd.testing.assert_frame_equal(from_disk.tasks, direct.tasks)
    assert from_disk.summary.to_dict() == direct.summary.to_dict()
    assert from_disk.manifest["scenario_hash"] == direct.manifest["scenario_hash"]
    # --set's values as given, as a comparison's manifest lists them (not only in its command)
    assert from_disk.manifest["overrides"] == direct.manifest["overrides"] == ["duration=10 s"]
    assert set(direct.tasks["status"].unique()) <= {"completed", "in_flight"}


# --------------------------------------------------------------------------- progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_silent_when_disabled_or_not_a_terminal():
    for stream, enabled in ((FakeTerminal(), False), (io.StringIO(), True)):
        with make_progress(100.0, enabled, stream=stream, delay_s=0.0) as tick:
            tick(50.0)
            tick(100.0)
        assert stream.getvalue() == ""


def test_progress_appears_only_after_the_delay():
    stream, now = FakeTerminal(), [0.0]
    with make_progress(100.0, True, stream=stream, delay_s=2.0, clock=lambda: now[0]) as tick:
        tick(10.0)
        now[0] = 1.9
        tick(20.0)
        assert stream.getvalue() == ""  # a short run never shows a bar
        now[0] = 2.5
        tick(40.0)
        assert "40/100 s simulated" in stream.getvalue()
        tick(100.0)
    assert stream.getvalue().endswith("\r")  # the bar is cleared on exit


@pytest.mark.parametrize("stages", [False, True], ids=["tasks", "stages"])
def test_the_results_line_lists_every_file_the_run_wrote(capsys, tiny, stages):
    """With --stages the run also writes stages.parquet; the line that says what was written names it."""
    out_dir = tiny.parent / "out"
    code, out, err = cli(capsys, "run", tiny, "--out", out_dir, *(["--stages"] if stages else []))
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.startswith("results: "))
    listed = line.split("(", 1)[1].rstrip(")").split(", ")
    assert sorted(listed) == sorted(p.name for p in out_dir.iterdir())
    assert ("stages.parquet" in listed) == stages


def test_the_package_top_points_at_what_lives_elsewhere_and_lists_only_its_own():
    """`offloadsim.compare`, beside `offloadsim.run`, was a bare AttributeError; completion listed `Any`."""
    import importlib

    with pytest.raises(AttributeError) as caught:
        _ = offloadsim.compare
    assert str(caught.value) == (
        "module 'offloadsim' has no attribute 'compare'; it is offloadsim.experiments.compare "
        "(from offloadsim.experiments import compare)"
    )
    for name in ("load_scenario_text", "load_scenario_data", "sweep_from_data"):  # a notebook's next reach
        with pytest.raises(AttributeError, match=rf"; it is offloadsim\.[a-z.]+\.{name} \(from "):
            getattr(offloadsim, name)
    for name, home in offloadsim._ELSEWHERE.items():  # each pointer is true
        assert hasattr(importlib.import_module(home), name), (home, name)
    assert dir(offloadsim) == ["RunResult", "__version__", "run"]
    with pytest.raises(AttributeError, match=r"^module 'offloadsim' has no attribute 'nothing'$"):
        _ = offloadsim.nothing
