"""Room on disk and in memory, checked before work starts: what a run writes, and runs held at once.

A run that would fill the disk is refused by ``validate`` and by ``run``,
``compare`` and ``sweep`` before anything runs: one line, exit 2, nothing
written.  The estimate is checked against what a run of benchmark (a)
really writes, spilled chunks included.
"""

from __future__ import annotations

import importlib
import shutil
from collections import namedtuple
from pathlib import Path

import pytest

from offloadsim import api
from offloadsim.cli import main
from offloadsim.records.spill import SpilledTable
from offloadsim.scenario import refusal as refusal_module
from offloadsim.scenario.size import RUN_FILE_BYTES, Footprint

REPO = Path(__file__).resolve().parents[1]

TINY = """\
name: tiny
duration: {duration} s
nodes:
  phone: {{tier: device, processor: {{speed: 10 GFLOP/s}}}}
  edge: {{tier: edge, processor: {{speed: 100 GFLOP/s}}}}
links:
  - {{between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}}
applications:
  job: {{work: 1 GFLOP, input: 10 KB}}
workload:
  - {{app: job, sources: phone, rate: {rate} /s}}
policy: edge
"""
# An LLM request records a stage per output token: a million requests of 10^5 tokens is ~10 PB of
# stages with --stages, beyond any disk, while the tasks alone are a few hundred MB.
CHATTY = """\
name: chatty
duration: 10000 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76}}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 32, output_tokens: 100000}
workload:
  - {app: chat, sources: phone, rate: 100 /s}
policy: local
"""
Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def free_disk(monkeypatch):
    """Pretend every file system has this many bytes free."""

    def set_free(value: float) -> None:
        monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**15, 0, int(value)))

    return set_free


def _refused(capsys, argv: list[str]) -> str:
    assert main(argv) == 2
    # A sweep point at 1000 /s is offered more than its edge serves: said before the refusal, as it should be.
    lines = [line for line in capsys.readouterr().err.splitlines() if not line.endswith("[offered-load]")]
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: "), lines
    return lines[0]


def test_a_run_whose_stages_fill_any_disk_is_refused_by_validate_and_run(tmp_path, capsys):
    path = tmp_path / "chatty.yaml"
    path.write_text(CHATTY)
    assert main(["validate", str(path)]) == 0  # without --stages it writes a few hundred MB
    capsys.readouterr()
    out = tmp_path / "out"
    line = _refused(capsys, ["run", str(path), "--stages", "--out", str(out)])
    assert f"{path}: workload: a run of this scenario writes about" in line
    assert f"to {out} (its records and files" in line and "is free there" in line
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["chatty.yaml"]
    # validate refuses it too when told what run will do: write to --out, with --stages.
    line = _refused(capsys, ["validate", str(path), "--stages", "--out", str(out)])
    assert f"to {out} (its records and files" in line


def test_validate_checks_the_directory_run_will_write(tmp_path, capsys, free_disk):
    """The place in the message is --out's, not run's default directory."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(duration=1_000_000, rate=10))
    free_disk(1e9)
    out = tmp_path / "elsewhere"
    line = _refused(capsys, ["validate", str(path), "--out", str(out)])
    assert "writes about" in line and f"to {out} (its records" in line, line
    assert not out.exists()


@pytest.mark.parametrize("verb", ["validate", "run", "compare", "sweep"])
def test_every_verb_refuses_what_the_free_space_cannot_hold(verb, tmp_path, capsys, free_disk):
    """Ten million tasks write about 2 GB (the files and the records they are written from)."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(duration=1_000_000, rate=10))
    (tmp_path / "sweep.yaml").write_text("base: tiny.yaml\ngrid: {warmup: [0 s, 1 s]}\n")
    free_disk(1e9)
    out = tmp_path / "out"
    argv = {
        "validate": ["validate", str(path)],
        "run": ["run", str(path), "--out", str(out)],
        "compare": ["compare", str(path), "--policies", "local,edge", "-n", "2", "--out", str(out)],
        "sweep": ["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--dry-run"],
    }[verb]
    line = _refused(capsys, argv)
    what = {"compare": "this comparison (4 runs)", "sweep": f"this sweep (2 runs of {path})"}
    what = what.get(verb, "a run")
    # A sweep's runs are its own: the sweep file is named, with the scenario its runs are of.
    where = f"{tmp_path / 'sweep.yaml'}: " if verb == "sweep" else f"{path}: workload: "
    assert f"{where}{what}" in line and "but only 1 GB is free there" in line, line
    assert "make it shorter (change duration or workload[0].rate)" in line, line  # the keys that set it
    # A run's records spill beside its run directory: TMPDIR moves only compare's and sweep's files.
    advice = "(--out)" if verb in ("validate", "run") else "(--out, TMPDIR)"
    assert line.endswith(f"write elsewhere {advice}"), line
    assert not out.exists()


@pytest.mark.parametrize("verb", ["validate", "run", "compare"])
def test_a_set_option_that_makes_a_run_too_large_is_named(verb, tmp_path, capsys, free_disk):
    """The scenario file fits; ``--set duration=...`` does not: the refusal says it was the option."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(duration=10, rate=10))
    free_disk(1e9)
    out = tmp_path / "out"
    argv = {
        "validate": ["validate", str(path)],
        "run": ["run", str(path), "--out", str(out)],
        "compare": ["compare", str(path), "--policies", "local,edge", "--out", str(out)],
    }[verb]
    assert main(["validate", str(path)]) == 0  # the file alone fits
    capsys.readouterr()
    line = _refused(capsys, [*argv, "--set", "duration=1000000 s"])
    assert f"{path}: duration: " in line and "writes about" in line, line
    assert line.endswith('(set by --set "duration=1000000 s")'), line
    assert not out.exists()


def _sweep_of_tiny(tmp_path: Path, sweep: str) -> Path:
    (tmp_path / "tiny.yaml").write_text(TINY.format(duration=10, rate=10))
    (tmp_path / "sweep.yaml").write_text("base: tiny.yaml\n" + sweep)
    return tmp_path / "sweep.yaml"


@pytest.mark.parametrize(
    ("sweep", "key"),
    [
        ("set: {duration: 1000000 s}\ngrid: {warmup: [0 s, 1 s]}\n", "set.duration"),
        ("grid: {duration: [10 s, 1000000 s]}\n", "grid.duration"),
        (
            'grid: {"workload[0].rate": [1 /s, 1000 /s]}\nset: {duration: 10000 s}\n',
            'grid["workload[0].rate"]',
        ),
    ],
)
def test_a_sweep_whose_set_or_grid_makes_its_runs_too_large_is_named(sweep, key, tmp_path, capsys, free_disk):
    """Not the base scenario, which fits: the sweep file and the key of it that made the runs large."""
    path = _sweep_of_tiny(tmp_path, sweep)
    free_disk(1e9)
    out = tmp_path / "out"
    line = _refused(capsys, ["sweep", str(path), "--out", str(out), "--dry-run"])
    assert f"{path}: {key}: this sweep (2 runs) writes about" in line, line
    assert "of tiny.yaml)" in line or f"of {tmp_path / 'tiny.yaml'})" in line, line
    assert not out.exists()


def test_a_sweep_point_too_large_for_memory_names_the_sweep_key_and_point(tmp_path, capsys, monkeypatch):
    path = _sweep_of_tiny(tmp_path, "grid: {duration: [10 s, 1000000000 s]}\n")  # 10^10 tasks: 40 GB
    monkeypatch.setattr(refusal_module, "available_bytes", lambda: int(4e9))
    line = _refused(capsys, ["sweep", str(path), "--out", str(tmp_path / "out"), "--dry-run"])
    assert f"{path}: grid.duration: " in line and "a run of this scenario needs about" in line, line
    assert "(change duration or workload[0].rate)" in line and "(point 1: duration=1000000000 s)" in line


def test_what_fits_is_accepted(tmp_path, capsys, free_disk):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(duration=1_000_000, rate=10))
    needed = api.load(path).footprint.disk_bytes()
    free_disk(needed * 1.01)
    assert main(["validate", str(path)]) == 0
    free_disk(needed * 0.99)
    assert main(["validate", str(path)]) == 2


def test_workers_multiply_the_memory_a_comparison_holds(tmp_path, capsys, monkeypatch):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(duration=2, rate=5))
    one_run = api.load(path).footprint.bytes
    monkeypatch.setattr(refusal_module, "available_bytes", lambda: int(one_run * 1.5))
    out = tmp_path / "out"
    argv = ["compare", str(path), "--policies", "local,edge", "-n", "2", "--out", str(out), "-q"]
    line = _refused(capsys, [*argv, "--workers", "2"])
    assert "tiny.yaml: nodes: 2 runs at once (one per worker) need about" in line  # its heaviest part
    assert "use fewer --workers" in line and not out.exists()
    assert main([*argv, "--workers", "1"]) == 0


def test_a_run_writes_no_more_than_the_estimate(tmp_path, monkeypatch):
    """Benchmark (a) for 150,000 tasks with --stages: its chunks (they spill past 131,072) and files.

    Also not less than half of it beyond the fixed part, so the estimate stays an estimate.
    """
    chunks: list[int] = []
    append = SpilledTable.append

    def counting(self, write, name=None):
        path = append(self, write, name)
        chunks.append(path.stat().st_size)
        return path

    monkeypatch.setattr(SpilledTable, "append", counting)
    scenario = api.load(REPO / "benchmarks" / "scenarios" / "mm1.yaml", ["duration=166667 s"])
    out = tmp_path / "run"
    api.run(scenario, out=out, stages=True, progress=False)
    written = sum(chunks) + sum(p.stat().st_size for p in out.iterdir())
    estimate = scenario.footprint.disk_bytes(stages=True)
    assert chunks and written <= estimate
    assert written - RUN_FILE_BYTES >= 0.5 * (estimate - RUN_FILE_BYTES), (written, estimate)


def test_the_estimate_counts_an_llm_request_s_tokens_as_stages():
    scenario = api.load(REPO / "scenarios" / "llm-assistant.yaml")
    footprint = scenario.footprint
    assert footprint.stages == pytest.approx(footprint.tasks * (4 + 40))  # uniform 16..64 tokens
    assert (
        footprint.disk_bytes(stages=True)
        > footprint.disk_bytes()
        == Footprint(
            footprint.nodes,
            footprint.processors,
            footprint.links,
            footprint.tasks,
            processor_rows=footprint.processor_rows,
        ).disk_bytes()
    )


@pytest.mark.parametrize(
    ("file", "duration"), [("scenarios/quickstart.yaml", "5 s"), ("benchmarks/scenarios/mm1.yaml", "100 s")]
)
def test_a_short_run_s_estimate_is_within_a_small_factor_of_what_it_writes(file, duration, tmp_path):
    """The fixed part (RUN_FILE_BYTES) bounds what a short run writes without dwarfing it."""
    scenario = api.load(REPO / file, [f"duration={duration}"])
    out = tmp_path / "run"
    api.run(scenario, out=out, progress=False)
    written = sum(p.stat().st_size for p in out.iterdir())
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # nothing spilled beside it is left
    estimate = scenario.footprint.disk_bytes()
    assert written <= estimate <= 4 * written, (written, estimate)


@pytest.mark.parametrize("verb", ["validate", "run", "compare", "sweep"])
def test_a_place_too_small_for_any_run_names_no_key_of_the_scenario(verb, tmp_path, capsys, free_disk):
    """No scenario key can make room where even a run of no tasks does not fit: only another place."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(duration=10, rate=10))
    sweep = "base: tiny.yaml\nset: {duration: 5 s}\ngrid: {warmup: [0 s, 1 s]}\n"
    (tmp_path / "sweep.yaml").write_text(sweep)
    free_disk(RUN_FILE_BYTES / 2)
    out = tmp_path / "out"
    argv = {
        "validate": ["validate", str(path), "--set", "duration=5 s"],
        "run": ["run", str(path), "--set", "duration=5 s", "--out", str(out)],
        "compare": ["compare", str(path), "--policies", "local,edge", "--out", str(out)],
        "sweep": ["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--dry-run"],
    }[verb]
    line = _refused(capsys, argv)
    assert "writes about" in line, line
    assert "that is too little for any run (one of no tasks writes about" in line, line
    assert "duration" not in line and "change" not in line and "set by" not in line, line
    advice = "(--out)" if verb in ("validate", "run") else "(--out, TMPDIR)"
    assert line.endswith(f"free space or write elsewhere {advice}"), line
    assert not out.exists()


def test_a_sweep_too_large_only_for_its_number_of_runs_names_the_sweep_file(tmp_path, capsys, free_disk):
    """Its ``set:`` makes each run short; 400 of them do not fit where one does: fewer runs, not a key."""
    path = _sweep_of_tiny(tmp_path, "set: {duration: 0.5 s}\nreplications: 400\n")
    free_disk(1e6)  # a run's files and records are about 0.1 MB, 400 runs' about 15 MB
    out = tmp_path / "out"
    line = _refused(capsys, ["sweep", str(path), "--out", str(out), "--dry-run", "--workers", "1"])
    assert line.startswith(f"offloadsim: error: {path}: this sweep (400 runs of "), line
    assert "tiny.yaml) writes about" in line, line
    elsewhere = "or free space or write elsewhere (--out, TMPDIR)"
    assert line.endswith(f"use fewer replications or points, {elsewhere}"), line
    assert not out.exists()


def test_a_comparison_too_large_only_for_its_number_of_runs_advises_fewer(tmp_path, capsys, free_disk):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(duration=1, rate=10))
    free_disk(1e6)
    out = tmp_path / "out"
    argv = ["compare", str(path), "--policies", "local,edge", "-n", "200", "--workers", "1"]
    argv += ["--out", str(out)]
    line = _refused(capsys, argv)
    assert line.startswith(f"offloadsim: error: {path}: this comparison (400 runs) writes about"), line
    elsewhere = "or free space or write elsewhere (--out, TMPDIR)"
    assert line.endswith(f"use fewer replications (-n) or policies, {elsewhere}"), line
    assert not out.exists()


def _bytes(paths) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file())


def test_a_short_sweep_s_estimate_is_within_a_small_factor_of_what_it_holds(tmp_path, monkeypatch):
    """Quickstart for 5 s, 2 points x 3 replications: its job files in points/, the merged tables and
    the job file in $TMPDIR before it is moved; each job's fixed part is counted once, not twice."""
    from offloadsim.cli.room import _experiment_needs

    sweep_module = importlib.import_module("offloadsim.experiments.sweep")  # the package names a function so
    scratch: list[int] = []
    save = sweep_module.save_job_file

    def saving(job, result, path, describe):  # the job file in scratch, before it is moved to points/
        scratch.append(result.file.stat().st_size)
        return save(job, result, path, describe)

    monkeypatch.setattr(sweep_module, "save_job_file", saving)
    (tmp_path / "sweep.yaml").write_text(
        f"base: {REPO / 'scenarios' / 'quickstart.yaml'}\nset: {{duration: 5 s}}\n"
        "grid: {warmup: [0 s, 1 s]}\nreplications: 3\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
    held = _bytes(out.rglob("*"))  # nothing in out is removed as the sweep goes: this is its peak
    assert len(scratch) == 6 and _bytes((out / "points").iterdir()) == sum(scratch)
    scenario = api.load(REPO / "scenarios" / "quickstart.yaml", ["duration=5 s"])
    needs = _experiment_needs([(scenario.footprint, 6)], out, 1, points=True)
    assert held <= needs[out] <= 2 * held, (held, needs)
    assert max(scratch) <= sum(needs.values()) - needs[out] <= 4 * max(scratch), (scratch, needs)


def test_a_short_comparison_s_estimate_is_within_a_small_factor_of_what_it_holds(tmp_path, monkeypatch):
    """Quickstart for 5 s, 2 policies x 2 replications: its tables in out and its job files in $TMPDIR,
    held together until the tables are written."""
    from offloadsim.cli.room import _experiment_needs

    compare_module = importlib.import_module("offloadsim.experiments.compare")
    kept: list[int] = []
    discard = compare_module._RunTasks.discard

    def discarding(self):  # the job files, all there until the merged table is written
        kept.append(_bytes(self.files))
        discard(self)

    monkeypatch.setattr(compare_module._RunTasks, "discard", discarding)
    scenario = api.load(REPO / "scenarios" / "quickstart.yaml", ["duration=5 s"])
    out = tmp_path / "out"
    compare_module.compare(scenario, ["local", "edge"], 2, workers=1, out=out)
    written = _bytes(out.iterdir())
    needs = _experiment_needs([(scenario.footprint, 4)], out, 1, points=False)
    temporary = sum(needs.values()) - needs[out]
    assert kept and written <= needs[out] <= 2 * written, (written, needs)
    assert kept[0] <= temporary <= 3 * kept[0], (kept, needs)  # 2.4x: its job files hold no node records


def test_a_refusal_is_a_value_that_carries_its_cause(tmp_path, free_disk):
    """What to blame and what to change are decided in scenario.refusal; a command only prints it."""
    from offloadsim.scenario.refusal import run_refusal

    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(duration=10, rate=10))
    free_disk(1e9)
    scenario = api.load(path, ["duration=1000000 s"])

    def needs(runs, at_once):
        return {tmp_path / "out": sum(footprint.disk_bytes() * count for footprint, count in runs)}

    refusal = run_refusal(scenario.footprint, scenario.source, needs)
    assert refusal is not None
    assert (refusal.file, refusal.key, refusal.note) == (
        str(path),
        "duration",
        ' (set by overrides="duration=1000000 s")',  # given from Python, not by --set
    )
    assert refusal.what.startswith("a run of this scenario writes about 2") and refusal.what.endswith(
        "but only 1 GB is free there"
    )
    assert (
        refusal.change
        == "make it shorter (change duration or workload[0].rate), or free space or write elsewhere (--out)"
    )
    assert str(refusal.problem()) == f"{path}: duration: {refusal.message}"
    assert run_refusal(api.load(path).footprint, str(path), needs) is None  # the file alone fits


MANY = """\
name: many
duration: 20 s
nodes:
  box:
    tier: edge
    processors: {{{processors}}}
applications:
  job: {{work: 1 GFLOP}}
workload:
  - {{app: job, sources: box, rate: 2 /s}}
policy: local
skip_checks: [idle-processors, offered-load]
"""


def _many(tmp_path: Path, count: int) -> Path:
    """A node of ``count`` processors (``p0`` first, which runs every task under ``local``)."""
    path = tmp_path / f"many-{count}.yaml"
    path.write_text(
        MANY.format(processors=", ".join(f"p{i}: {{speed: {i + 1} GFLOP/s}}" for i in range(count)))
    )
    return path


def test_the_estimate_counts_every_processor_s_row_in_a_run_and_a_job_file(tmp_path):
    """processors.parquet and a job file's processors table grow with the processors, and so does the
    estimate, by more than they do (it counted nodes only: a node of 200 processors as one of one)."""
    one, many = (api.load(_many(tmp_path, count)) for count in (1, 200))
    assert (one.footprint.processor_rows, many.footprint.processor_rows) == (1, 200)

    def run_bytes(scenario, name):
        out = tmp_path / name
        api.run(scenario, out=out, progress=False)
        return sum(p.stat().st_size for p in out.iterdir())

    grown = run_bytes(many, "many") - run_bytes(one, "one")
    assert 0 < grown <= many.footprint.disk_bytes() - one.footprint.disk_bytes(), grown

    def job_bytes(count):
        (tmp_path / "sweep.yaml").write_text(f"base: many-{count}.yaml\nreplications: 1\n")
        out = tmp_path / f"sweep-{count}"
        assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--workers", "1", "-q"]) == 0
        (job,) = (out / "points").iterdir()
        return job.stat().st_size, _bytes(out.iterdir())

    (job_one, merged_one), (job_many, merged_many) = job_bytes(1), job_bytes(200)
    assert 0 < job_many - job_one <= many.footprint.job_file - one.footprint.job_file
    assert 0 < merged_many - merged_one <= many.footprint.merged_rows - one.footprint.merged_rows


def test_the_estimate_counts_a_metric_for_each_processor_name_of_a_tier_where_a_node_has_several(
    tmp_path, capsys
):
    """utilisation_<tier>_<processor>: a column of the merged metrics each, which the estimate counts;
    none where every node has one processor (quickstart); and a sweep of many says no pandas warning."""
    from processors_scenario import write_scenario

    from offloadsim.scenario.size import MERGED_METRIC_BYTES

    assert api.load(REPO / "scenarios" / "quickstart.yaml").footprint.processor_metrics == 0
    both = api.load(write_scenario(tmp_path)).footprint
    assert both.processor_metrics == 4  # device cpu, npu; edge cpu, gpu
    assert both.merged_rows - Footprint(**{**both.__dict__, "processor_metrics": 0}).merged_rows == (
        4 * MERGED_METRIC_BYTES
    )
    assert api.load(_many(tmp_path, 200)).footprint.processor_metrics == 200
    (tmp_path / "sweep.yaml").write_text("base: many-200.yaml\ngrid: {duration: [20 s, 21 s]}\n")
    assert (
        main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "s"), "--workers", "1", "-q"])
        == 0
    )
    assert "warning" not in capsys.readouterr().err  # "DataFrame is highly fragmented", one per swept key


def test_a_dry_run_checks_the_room_as_its_run_would_stages_included(tmp_path, capsys):
    """``run --dry-run --stages`` said "nothing simulated" of a run that its own check then refused.

    The dry run made no room check, so ``--stages`` beside it did nothing; it counts the stage records
    now, as ``validate --stages`` does.
    """
    path = tmp_path / "chatty.yaml"
    path.write_text(CHATTY)
    out = tmp_path / "out"
    assert main(["run", str(path), "--dry-run", "--out", str(out)]) == 0  # the tasks alone fit
    capsys.readouterr()
    line = _refused(capsys, ["run", str(path), "--dry-run", "--stages", "--out", str(out)])
    assert f"{path}: workload: a run of this scenario writes about" in line and f"to {out}" in line
    assert not out.exists()
