"""What is read and planned is bounded: no FIFO, device or huge file is read, no endless plan is made.

Each case must end at once with exit 2 and one line; ``pytest-timeout``
turns a blocking read into a failure instead of a hung suite.
"""

from __future__ import annotations

import importlib
import math
import os
from pathlib import Path

import pytest

from offloadsim.bounded_read import MAX_DOCUMENT_BYTES, MAX_TABLE_BYTES, InputFileError, read_text
from offloadsim.cli import main
from offloadsim.experiments.jobs import MAX_JOBS

SCENARIO = """\
name: bounds
duration: 1 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}}
applications:
  job: {service: 1 ms}
workload:
  - {app: job, sources: phone, rate: 1 /s}
"""

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")


def one_error(capsys, argv: list[str], *fragments: str) -> None:
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("offloadsim: error: "), err
    for fragment in fragments:
        assert fragment in err[0], (fragment, err)


@needs_fifo
@pytest.mark.timeout(30)
def test_fifo_as_scenario_is_refused_without_blocking(tmp_path: Path, capsys):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    for verb in ("validate", "run"):
        one_error(capsys, [verb, str(fifo)], "scenario.yaml", "FIFO", "not a regular file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.timeout(30)
def test_device_as_scenario_is_refused_without_reading_it(capsys):
    one_error(capsys, ["validate", "/dev/zero"], "/dev/zero", "character device")


@needs_fifo
@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["trace", "empirical"])
def test_fifo_or_device_as_csv_is_refused_with_the_key_path(tmp_path: Path, capsys, kind: str):
    os.mkfifo(tmp_path / "data.csv")
    for target, what in (("data.csv", "FIFO"), ("/dev/zero", "character device")):
        if kind == "trace":
            text = SCENARIO.replace("rate: 1 /s", f"arrivals: trace, trace: {target}")
            key = "workload[0].trace"
        else:
            text = SCENARIO.replace("service: 1 ms", f"service: {{empirical: {target}}}")
            key = "applications.job.service"
        (tmp_path / "s.yaml").write_text(text)
        one_error(capsys, ["validate", str(tmp_path / "s.yaml")], key, target, what)


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (("rate: 1 /s", "arrivals: trace, trace: TARGET"), "workload[0].trace"),
        (("service: 1 ms", "service: {empirical: TARGET}"), "applications.job.service.empirical"),
        (
            (
                "rate: 1 /s}\n",
                "rate: 1 /s}\n"
                "dynamics: [{kind: failures,\n    nodes: phone, mtbf: {empirical: TARGET}, mttr: 1 s}]\n",
            ),
            "dynamics[0].mtbf.empirical",
        ),
    ],
)
def test_a_csv_path_holding_a_nul_character_is_refused_with_the_key_path(tmp_path: Path, capsys, edit, key):
    """A NUL in a CSV's name (a mutant of the default fuzz test, case 5345) was a ValueError of
    os.open (validate) or Path.stat (run, hashing its inputs): an internal error, exit 1."""
    text = SCENARIO.replace(edit[0], edit[1].replace("TARGET", '"a\\0b.csv"'))
    (tmp_path / "s.yaml").write_text(text)
    one_error(capsys, ["validate", str(tmp_path / "s.yaml")], key, "holds a NUL character")
    # run hashed its input files first (for the manifest): Path.stat's ValueError there, exit 1
    one_error(capsys, ["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out")], key, "holds a NUL")
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputFileError, match="holds a NUL character"):
        read_text(str(tmp_path / "a\0b.csv"), 100)


def test_a_name_longer_than_the_system_allows_names_no_file(tmp_path: Path, capsys):
    """A 300-character profile name or sweep base (fuzz campaign seed 23, case 644: a node group
    renamed inside "raspberry-pi-4") was Path.is_file's OSError (ENAMETOOLONG): exit 1."""
    long = "a" * 300
    text = SCENARIO.replace("speed: 1 GFLOP/s", f"profile: {long}")
    (tmp_path / "s.yaml").write_text(text)
    one_error(
        capsys, ["validate", str(tmp_path / "s.yaml")], "nodes.phone.processor.profile", "unknown profile"
    )
    (tmp_path / "s.yaml").write_text(text.replace(long, f"{long}.json"))
    one_error(
        capsys, ["validate", str(tmp_path / "s.yaml")], "nodes.phone.processor.profile", "no such profile"
    )
    (tmp_path / "sweep.yaml").write_text(f"base: {long}.yaml\n")
    one_error(capsys, ["sweep", str(tmp_path / "sweep.yaml"), "--dry-run"], "base: no scenario file")


@pytest.mark.timeout(60)
def test_files_over_the_size_limits_are_refused_before_reading(tmp_path: Path, capsys):
    big_csv = tmp_path / "big.csv"
    with big_csv.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_TABLE_BYTES + 1)
    (tmp_path / "s.yaml").write_text(SCENARIO.replace("rate: 1 /s", "arrivals: trace, trace: big.csv"))
    one_error(capsys, ["validate", str(tmp_path / "s.yaml")], "workload[0].trace", "limited to 256 MiB")
    big_yaml = tmp_path / "big.yaml"
    with big_yaml.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    one_error(capsys, ["validate", str(big_yaml)], "big.yaml", "limited to 16 MiB")


def test_read_text_reads_a_file_up_to_its_limit(tmp_path: Path):
    path = tmp_path / "f.txt"
    path.write_text("x" * 100)
    assert read_text(path, 100) == "x" * 100
    with pytest.raises(InputFileError, match="limited to 99 bytes"):
        read_text(path, 99)


@pytest.mark.timeout(60)
def test_sweep_with_too_many_jobs_is_refused_before_planning(tmp_path: Path, capsys):
    (tmp_path / "base.yaml").write_text(SCENARIO)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("base: base.yaml\nreplications: 100000000\n")
    one_error(capsys, ["sweep", str(sweep)], "replications", f"at most {MAX_JOBS:,}")
    axes = "\n".join(f"  seed{i}: [{', '.join(map(str, range(10)))}]" for i in range(6))
    sweep.write_text("base: base.yaml\ngrid:\n" + axes.replace("seed", "description") + "\n")
    one_error(capsys, ["sweep", str(sweep)], "grid", "1,000,000 points", f"at most {MAX_JOBS:,}")


def test_sweep_at_the_job_limit_is_planned(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setattr(importlib.import_module("offloadsim.experiments.sweep_spec"), "MAX_JOBS", 40)
    (tmp_path / "base.yaml").write_text(SCENARIO)
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("base: base.yaml\npolicies: [local, random]\nreplications: 20\n")
    assert main(["sweep", str(sweep), "--dry-run"]) == 0
    sweep.write_text("base: base.yaml\npolicies: [local, random]\nreplications: 21\n")
    capsys.readouterr()
    one_error(capsys, ["sweep", str(sweep)], "replications", "2 points x 21 replications is 42 jobs")


@pytest.mark.timeout(60)
def test_compare_with_too_many_runs_is_refused(tmp_path: Path, capsys):
    (tmp_path / "base.yaml").write_text(SCENARIO)
    argv = ["compare", str(tmp_path / "base.yaml"), "--policies", "local,edge", "-n", str(MAX_JOBS)]
    one_error(capsys, argv, f"2 policies x {MAX_JOBS:,} replications", f"at most {MAX_JOBS:,}")


LINK = "link: [phone, edge]"


@pytest.mark.parametrize(
    ("entry", "csv", "key"),
    [
        ("{kind: failures, nodes: edge, mtbf: 1e-9 s, mttr: 1e-9 s}", None, "dynamics[0].mtbf"),
        # a time step below the clock's resolution: the failures would all fall at one instant
        (
            "{kind: failures, nodes: edge, mtbf: {deterministic: 1e-20 s}, mttr: {deterministic: 1e-20 s}}",
            None,
            "dynamics[0].mtbf",
        ),
        (f"{{kind: link-trace, {LINK}, file: t.csv, loop: true}}", "0,1e6\n1e-9,2e6", "dynamics[0].file"),
        (
            f"{{kind: link-trace, {LINK}, file: t.csv, loop: true, period: 1e-9 s}}",
            "0,1e6",
            "dynamics[0].period",
        ),
        (
            f"{{kind: gilbert-elliott, {LINK}, good: {{bandwidth: 20 Mbps, mean: 2e-9 s}},"
            " bad: {bandwidth: 2 Mbps, mean: 1e-9 s}}",
            None,
            "dynamics[0].bad.mean",
        ),
        (
            f"{{kind: random-walk, {LINK}, every: 1e-9 s, step: 1 Mbps, min: 1 Mbps, max: 20 Mbps}}",
            None,
            "dynamics[0].every",
        ),
    ],
    ids=[
        "failures",
        "failures-below-the-clock",
        "trace-loop",
        "trace-period",
        "gilbert-elliott",
        "random-walk",
    ],
)
def test_dynamics_that_would_change_the_world_endlessly_are_refused(
    tmp_path: Path, capsys, tiny_scenario_text: str, entry: str, csv: str | None, key: str
):
    """Once a run of hours (or, below the clock's resolution, one that never ended): now one line."""
    if csv is not None:
        (tmp_path / "t.csv").write_text(f"time,bandwidth\n{csv}\n")
    path = tmp_path / "s.yaml"
    path.write_text(tiny_scenario_text + f"dynamics:\n  - {entry}\n")
    one_error(capsys, ["validate", str(path)], f"{path}: {key}: changes the world about", "100,000,000")
    one_error(capsys, ["run", str(path), "--out", str(tmp_path / "out"), "-q"], key)
    assert not (tmp_path / "out").exists()


def test_sweep_dry_run_refuses_a_point_whose_dynamics_would_change_the_world_endlessly(
    tmp_path: Path, capsys, tiny_scenario_text: str
):
    """validate refused the point's scenario; the sweep's dry run said ok, and only its job failed."""
    base = tmp_path / "s.yaml"
    entry = "{kind: failures, nodes: edge, mtbf: 1 s, mttr: 1e-9 s}"
    base.write_text(tiny_scenario_text + f"dynamics:\n  - {entry}\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("base: s.yaml\ngrid:\n  dynamics[0].mtbf: [1 s, 1e-9 s]\n")
    assert main(["validate", str(base)]) == 0, capsys.readouterr().err
    out = tmp_path / "out"
    argv = ["sweep", str(sweep), "--dry-run", "--out", str(out)]
    fragments = ('grid["dynamics[0].mtbf"]: changes the world about', "(point 1:")
    one_error(capsys, argv, f"{sweep}: ", *fragments)
    assert not out.exists()
    sweep.write_text("base: s.yaml\ngrid:\n  dynamics[0].mtbf: [1 s, 2 s]\n")
    assert main(argv) == 0, capsys.readouterr().err


def test_mobility_sampled_endlessly_is_refused(capsys):
    commute = Path(__file__).resolve().parents[1] / "scenarios" / "commute.yaml"
    argv = ["validate", str(commute), "--set", "dynamics[0].update=1e-12 s"]
    one_error(capsys, argv, "dynamics[0].update: changes the world about 6.3e+14 times", "set by --set")


@pytest.mark.timeout(30)
def test_random_waypoint_legs_shorter_than_the_clock_are_refused(tmp_path: Path, capsys):
    """Its samples were few, but the first one walked leg after leg of 1e-18 s at 30 s for ever."""
    commute = Path(__file__).resolve().parents[1] / "scenarios" / "commute.yaml"
    walk = "dynamics[0].random_waypoint={area: [1e-9 m, 1e-9 m], speed: 1e9 m/s}"
    for verb in ("validate", "run"):
        argv = [verb, str(commute), "--set", walk, "--out", str(tmp_path / "out")]
        fragments = ("dynamics[0].random_waypoint.speed: changes the world about", "set by --set")
        one_error(capsys, argv, *fragments)
    assert not (tmp_path / "out").exists()


def test_random_waypoint_legs_are_counted_by_device_and_speed():
    """About the legs walkers make: a pause and a third of the longer side over the speed each."""
    from offloadsim.world.dynamics.mobility import Waypoints, waypoint_legs

    assert waypoint_legs(Waypoints(30.0, 3.0, 10.0, 10.0, 0.0), 100.0) == pytest.approx(101.0)
    assert waypoint_legs(Waypoints(30.0, 3.0, 10.0, 10.0, 1.0), 100.0) == pytest.approx(51.0)
    slow_or_fast = waypoint_legs(Waypoints(30.0, 3.0, 1.0, 100.0, 0.0), 100.0)
    assert slow_or_fast == pytest.approx(100.0 / (10.0 * math.log(100.0) / 99.0) + 1.0)


def test_dynamics_up_to_the_change_limit_run(tmp_path: Path, capsys, tiny_scenario_text: str):
    path = tmp_path / "s.yaml"  # 2 x 2 s / 2 us = 2,000,000 changes: within the limit
    path.write_text(
        tiny_scenario_text + "dynamics:\n  - {kind: failures, nodes: edge, mtbf: 1 us, mttr: 1 us}\n"
    )
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err


def test_a_warmup_too_long_to_simulate_is_refused(tiny_scenario: Path, tmp_path: Path, capsys):
    """Warm-up requests are simulated but not recorded, so the disk and memory checks never bounded them."""
    out = tmp_path / "out"
    argv = ["run", str(tiny_scenario), "--set", "warmup=1e9 s", "--out", str(out), "-q"]  # 5 /s: 5e9 requests
    one_error(
        capsys, argv, f"{tiny_scenario}: warmup: about 5e+09 requests arrive during the warm-up", "1e9 s"
    )
    assert not out.exists()
    assert main(["validate", str(tiny_scenario), "--set", "warmup=1e7 s"]) == 0, capsys.readouterr().err


LLM_WARMUP = """\
name: llm-warmup
duration: 1 s
warmup: {warmup}
nodes:
  phone: {{tier: device, count: 3, processor: {{profile: cortex-a76}}}}
applications:
  chat: {{model: llama-3.2-1b, prompt_tokens: 64, output_tokens: 40}}
workload:
  - {{app: chat, sources: phone-*, rate: 0.01 /s}}
"""


def test_a_warmup_counts_the_output_tokens_its_llm_requests_decode(tmp_path: Path, capsys):
    """Each output token is a stage that costs the engine what a request does (fuzz seed 31, case 154).

    A warm-up of 2^31 s at 0.03 requests a second is 6.4e7 requests, under the
    bound, but of 40 tokens each: 2.6e9 stages, a run of about nine hours.
    """
    path = tmp_path / "s.yaml"
    path.write_text(LLM_WARMUP.format(warmup="2147483648 s"))
    one_error(
        capsys,
        ["validate", str(path)],
        f"{path}: warmup: about 6.44e+07 requests arrive during the warm-up and decode about 2.58e+09 "
        "output tokens, more than the 100,000,000 requests and tokens",
    )
    path.write_text(LLM_WARMUP.format(warmup="5e7 s"))  # 1.5e6 requests and 6e7 tokens: within it
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err


CLOSED = """\
name: closed
duration: 100 s
nodes:
  phone: {tier: device, count: 10, processor: {speed: 10 GFLOP/s}}
applications:
  job: {work: 10 FLOP}
workload:
  - {app: job, sources: phone-*, arrivals: closed, users: 10, think: 1 ns}
"""


def test_a_closed_loop_that_thinks_a_nanosecond_over_a_nanosecond_of_work_is_counted(tmp_path: Path, capsys):
    """Counted once per user (100 tasks), it passed every size check; it sends about 10^12 requests."""
    path = tmp_path / "s.yaml"
    path.write_text(CLOSED)
    one_error(
        capsys, ["validate", str(path)], "about 1,000,000,000,100 tasks", "change duration, workload[0].think"
    )
    argv = ["validate", str(path), "--set", "warmup=100 s", "--set", "duration=1 ms"]
    one_error(capsys, argv, f"{path}: warmup: about 1e+12 requests arrive during the warm-up")


@pytest.mark.parametrize(
    ("change", "requests"),
    [
        # service dominates: 1 ms of work a request, so a phone's one core serves 1,000 a second
        ("applications.job.work=1e7", 100 + 10 * 1000 * 100),
        # think dominates: each of 100 users sends every 10 ms
        ("workload[0].think=10 ms", 100 + 100 * 100 * 100),
        # a service time, whatever the speed: 100 ms mean, 10 a second on each of the 10 cores
        ("applications.job={service: {exponential: 100 ms}}", 100 + 10 * 10 * 100),
    ],
)
def test_a_closed_loop_is_counted_by_its_think_time_and_its_least_service(
    tmp_path: Path, capsys, change: str, requests: int
):
    """The bound a closed loop is counted by: its 100 users' last requests, and the most they send before."""
    from offloadsim import api

    path = tmp_path / "s.yaml"
    path.write_text(CLOSED)
    assert main(["validate", str(path), "--set", change]) == 0, capsys.readouterr().err
    assert api.load(path, [change]).footprint.tasks == pytest.approx(requests, rel=1e-6)


def test_a_closed_loop_whose_requests_time_out_is_counted_by_the_timeout(tmp_path: Path):
    """A request of 1 ms timed out after 0.1 ms ends then (and its user sends again): ten times as many."""
    from offloadsim import api

    path = tmp_path / "s.yaml"
    path.write_text(CLOSED)
    timed_out = api.load(path, ["applications.job.work=1e7", "recovery.timeout=0.1 ms"]).footprint.tasks
    assert timed_out == pytest.approx(100 + 10 * 10_000 * 100, rel=1e-6)


def test_a_closed_loop_over_work_of_unknown_speed_is_counted_once_per_user(tmp_path: Path):
    """A profile's speed (or a model's cost) is the world's to read: no bound, as before."""
    from offloadsim import api

    path = tmp_path / "s.yaml"
    path.write_text(CLOSED.replace("speed: 10 GFLOP/s", "profile: cortex-a76"))
    assert api.load(path).footprint.tasks == 100


@pytest.mark.parametrize("change", ["applications.job.work=1e7", "workload[0].think=10 ms"])
def test_a_closed_loop_sends_no_more_than_it_is_counted_for(tmp_path: Path, change: str):
    """The count is a bound, and a close one where nothing queues (each phone runs its own users)."""
    from offloadsim import api

    path = tmp_path / "s.yaml"
    path.write_text(CLOSED.replace("duration: 100 s", "duration: 1 s"))
    counted = api.load(path, [change]).footprint.tasks
    sent = len(api.run(path, overrides=[change], policy="local").tasks)
    assert 0.9 * counted <= sent <= counted, (sent, counted)


def test_a_warmup_counts_no_more_output_tokens_a_request_than_its_context_window_holds(
    tmp_path: Path, capsys
):
    """The engine cuts a request to its model's window, but the warm-up's count took the mean as drawn:
    an exponential of mean 1e15 tokens was refused at its key (longer than the window) and again at
    ``warmup``, whose 3e+15 tokens no run decodes and whose advice (a shorter warm-up) fixed nothing.
    """
    path = tmp_path / "s.yaml"
    text = LLM_WARMUP.format(warmup="100 s").replace(
        "output_tokens: 40", "output_tokens: {exponential: {mean: 1e15}}"
    )
    path.write_text(text)
    one_error(
        capsys,
        ["validate", str(path)],
        f"{path}: applications.chat.output_tokens: llama-3.2-1b holds at most 131,072 tokens of context",
    )
