"""Smoke tests of benchmarks/: every code path runs on tiny sizes.

Nothing here asserts a speed: the targets live in the benchmark's output
(``python benchmarks/run.py``), not in the test suite.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"


def _load(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` (the folder is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_run() -> ModuleType:
    return _load("run")


def test_bare_simpy_serves_every_job():
    bare = _load("bare_simpy")
    jobs, elapsed = bare.bare_simpy_run(2_000)
    assert jobs == 2_000
    assert elapsed > 0
    assert bare.bare_simpy_mm1(500) > 0


def test_topology_build_routes_every_device_to_an_edge():
    topology = _load("topology_build")
    report = topology.build(devices=979)
    assert report["nodes"] == 1_000
    assert report["routes"] == 979
    assert report["mean_hops"] == 2.0  # device -> its access point -> that access point's edge
    assert report["total_s"] >= report["routes_s"] >= 0


def test_measure_reads_the_childs_own_peak_memory(bench_run):
    grow = "x = bytearray(64 * 2**20); print('ok')"
    big = bench_run.measure([sys.executable, "-c", grow])
    small = bench_run.measure([sys.executable, "-c", "print('ok')"])
    assert big.returncode == small.returncode == 0
    assert big.stdout.strip() == "ok"
    if sys.platform != "win32":
        assert big.peak_mib >= 64 > small.peak_mib  # per child, not the max over all children


def test_run_script_writes_table_and_json(tmp_path):
    out = tmp_path / "latest.json"
    cmd = [
        sys.executable,
        str(BENCHMARKS / "run.py"),
        "--scale",
        "0.002",
        "--nodes",
        "1000",
        "--json",
        str(out),
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "tasks/s" in done.stdout and "x bare SimPy" in done.stdout
    report = json.loads(out.read_text())
    names = [row["benchmark"] for row in report["rows"]]
    assert names[0].startswith("bare SimPy")
    assert any(name.startswith("(a) M/M/1 CLI, end to end") for name in names)
    assert any(name.startswith("(b) 1,000 devices CLI") for name in names)
    assert any(name.startswith("(c) 1,000-node world") for name in names)
    for key in ("bare", "a0", "a", "b", "c"):
        assert len(report["samples"][key]) == 1
    assert report["samples"]["a0"][0]["tasks"] == 0
    assert report["samples"]["a"][0]["tasks"] > 0
    assert report["samples"]["b"][0]["tasks"] > 0
    assert all(sample["peak_mib"] > 0 for key in ("a", "b", "c") for sample in report["samples"][key])
    assert report["machine"]["cores"] >= 1


def test_verdicts_follow_the_targets(bench_run):
    """Issue 12's targets: (a) >= 1.2x and (b) >= 0.5x bare SimPy, least-loaded <= 1.3x (b)'s time."""
    config = bench_run.Config(scale=1.0, repeat=1)
    report = bench_run.Report(config={}, machine={})
    report.samples = {
        "bare": [{"tasks": 1000, "run_s": 1.0, "rate": 1000.0, "peak_mib": 20.0}],
        "a0": [{"tasks": 0, "process_s": 0.8, "peak_mib": 100.0}],
        "a": [{"tasks": 1000, "process_s": 1.6, "engine_s": 0.7, "peak_mib": 120.0}],
        "b": [{"tasks": 1000, "process_s": 1.9, "engine_s": 1.8, "peak_mib": 300.0}],
        "bll": [{"tasks": 1000, "process_s": 2.8, "engine_s": 2.6, "peak_mib": 300.0}],
        "c": [{"nodes": 10_000, "total_s": 1.0, "peak_mib": 90.0}],
        "d": [{"tasks": 10_000, "process_s": 30.0, "engine_s": 15.0, "peak_mib": 1100.0}],
    }
    rows = {row["benchmark"]: row for row in bench_run.summary_rows(report, config)}
    assert rows["(d) M/M/1 CLI, 10x the tasks"]["verdict"] == "MISSED"  # over 1 GiB
    assert rows["(a) M/M/1 CLI, end to end"]["x_bare"] == pytest.approx(0.625)
    assert rows["(a) M/M/1 CLI, end to end"]["verdict"] == "MISSED"
    assert rows["(a) M/M/1 CLI, net of 0-task run"]["x_bare"] == pytest.approx(1.25)
    assert rows["(a) M/M/1 CLI, net of 0-task run"]["verdict"] == "met"
    assert rows["(b) 1,000 devices CLI, end to end"]["verdict"] == "met: 0.53x paired by round"
    assert rows["(b) least-loaded CLI, end to end"]["verdict"] == "-"  # its target is the ratio below
    ratio = rows["(b) least-loaded / (b) under edge, end to end (same round)"]
    assert ratio["verdict"].startswith("MISSED: 1.47x")
    assert rows["(c) 10,000-node world + routes"]["verdict"] == "met"
    table = bench_run.format_table(list(rows.values()))
    assert "0.62x" in table and "MISSED" in table


def test_call_counts_per_task_of_mm1_are_two_light_calls_and_no_simpy_event():
    """The engine's hot path makes no SimPy event: an arrival and a completion are light calls."""
    report = _load("call_counts").per_task("mm1", 400, 1_600)
    low, high = report["tasks"]
    assert high - low > 1_000
    assert abs(report["simpy_events"]) < 0.01
    assert report["light_calls"] == pytest.approx(2.0, abs=0.02)
    assert 0 < report["python_calls"] < report["calls"]


def test_profile_reports_top_functions_and_phases():
    profile_run = _load("profile_run")
    report = profile_run.profile(2_000, "cprofile", top=5)
    assert report["tasks"] > 0
    assert len(report["top"]) == 5
    assert report["phases"]["simulate (world, engine, records)"] > 0
    assert report["table"].count("\n") == 5 + 2  # header, rule, 5 rows, total


def test_the_mobility_benchmark_pairs_each_moving_run_with_a_static_one(bench_run):
    config = bench_run.Config(scale=1.0, repeat=2, only=("mobility",))
    report = bench_run.Report(config={}, machine={})
    still = {"tasks": 1000, "process_s": 10.0, "engine_s": 8.0, "peak_mib": 200.0}
    report.samples = {
        "m-static": [still, {**still, "process_s": 20.0, "engine_s": 16.0}],  # the machine got busier
        "m-moving": [
            {**still, "process_s": 15.0, "engine_s": 12.0, "peak_mib": 250.0},
            {**still, "process_s": 36.0, "engine_s": 28.0, "peak_mib": 250.0},
        ],
    }
    rows = {row["benchmark"]: row for row in bench_run.summary_rows(report, config)}
    ratio = rows["(m) moving / static, end to end (same round)"]
    assert ratio["wall_s"] == {"median": 1.65, "min": 1.5, "max": 1.8}  # per round: 1.5 and 1.8
    assert ratio["verdict"] == "met: 1.65x (min 1.50, max 1.80)"
    assert rows["(m) moving / static, engine loop (same round)"]["wall_s"]["median"] == pytest.approx(1.625)


@pytest.mark.slow
def test_the_mobility_benchmark_runs_both_scenarios(tmp_path):
    out = tmp_path / "mobility.json"
    cmd = [
        sys.executable,
        str(BENCHMARKS / "run.py"),
        "--only",
        "mobility",
        "--scale",
        "0.001",
        "--json",
        str(out),
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["samples"]["m-moving"][0]["tasks"] > 0 and report["samples"]["m-static"][0]["tasks"] > 0
    assert "(m) moving / static" in done.stdout


def test_least_loaded_is_compared_with_edge_in_the_same_round(bench_run):
    config = bench_run.Config(scale=1.0, repeat=2, only=("b", "bll", "bllc"))
    report = bench_run.Report(config={}, machine={})
    edge = {"tasks": 1000, "process_s": 10.0, "engine_s": 8.0, "peak_mib": 200.0}
    report.samples = {
        "b": [edge, {**edge, "process_s": 20.0, "engine_s": 16.0}],  # the machine got busier
        "bll": [{**edge, "process_s": 20.0}, {**edge, "process_s": 40.0}],
        "bllc": [{**edge, "process_s": 12.0}, {**edge, "process_s": 26.0}],
    }
    rows = {row["benchmark"]: row for row in bench_run.summary_rows(report, config)}
    exact = rows["(b) least-loaded / (b) under edge, end to end (same round)"]
    assert exact["wall_s"] == {"median": 2.0, "min": 2.0, "max": 2.0}
    assert exact["verdict"] == "MISSED: 2.00x (min 2.00, max 2.00)"
    cached = rows["(b) least-loaded, cached (0.02 s) / (b) under edge, end to end (same round)"]
    assert cached["wall_s"]["median"] == pytest.approx(1.25)  # per round: 1.2 and 1.3
    assert cached["verdict"].startswith("met: 1.25x")


def test_the_llm_benchmark_reports_output_tokens_per_second(bench_run):
    config = bench_run.Config(scale=1.0, repeat=3, only=("f",))
    report = bench_run.Report(config={}, machine={})
    run = {"tasks": 10_000, "engine_s": 5.0, "peak_mib": 120.0, "output_tokens": 400_000}
    report.samples = {
        "f local": [{**run, "process_s": wall} for wall in (8.0, 7.0, 9.0)],
        "f split phone/edge": [{**run, "process_s": wall} for wall in (30.0, 40.0, 32.0)],
    }
    rows = {row["benchmark"]: row for row in bench_run.summary_rows(report, config)}
    local = rows["(f) LLM assistant, local, end to end"]
    assert local["verdict"] == "50,000 output tokens/s (400,000 tokens)"  # median wall 8 s
    assert local["x_bare"] is None
    assert rows["(f) LLM assistant, split phone/edge, end to end"]["verdict"].startswith("12,500 output")


def test_the_opt_in_cases_run(tmp_path):
    out = tmp_path / "opt-in.json"
    cmd = [sys.executable, str(BENCHMARKS / "run.py"), "--only", "bllc,f", "--scale", "0.0005"]
    done = subprocess.run([*cmd, "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    samples = json.loads(out.read_text())["samples"]
    assert samples["bllc"][0]["tasks"] > 0
    for name in ("f local", "f split phone/edge"):
        assert samples[name][0]["tasks"] > 0 and samples[name][0]["output_tokens"] > 0, name
    assert "output tokens/s" in done.stdout


def test_the_burst_benchmark_starts_every_users_first_task_at_once(tmp_path, capsys):
    burst = _load("burst")
    report = tmp_path / "b.json"
    assert burst.main(["--users", "2", "--devices", "20", "--repeat", "1", "--json", str(report)]) == 0
    assert "burst of 4 flows per access point" in capsys.readouterr().out
    (sample,) = json.loads(report.read_text())["runs"]
    assert sample["tasks"] >= 40  # 20 devices x 2 users send their first task at t = 0
    assert sample["wall_s"] > 0 and sample["cpu_s"] > 0


def test_superseded_group_events_scan_no_more_flows_than_the_reshares_grouped(capsys):
    scans = _load("superseded_scans")
    with scans.counting() as counts:
        scans.network_burst(120)  # 120 flows at once over one 200 Mbps uplink: most starts re-share
    assert counts["superseded"] > 50
    # Each superseded event's group was built by one re-share that handled all its flows.
    assert counts["reshared_flows"] >= counts["scanned_superseded"] > 100 * 50
    plain = scans.network_burst(120)
    assert scans.main(["--flows", "120", "--plain"]) == 0
    assert f"120 flows: deliveries {plain}" in capsys.readouterr().out  # counting left the class as it was
    from offloadsim.engine.network import FlowNetwork

    assert FlowNetwork._on_group_event.__name__ == "_on_group_event"


def test_the_table_row_bytes_benchmark_measures_each_reader_and_leaves_the_reader_as_it_was(capsys):
    from offloadsim.scenario import csvdata

    read = csvdata._read
    found = _load("table_row_bytes").main(1_000)
    assert csvdata._read is read
    assert set(found) == {"samples", "series", "positions", "trace"}
    assert all(peak >= held >= 8 for _, peak, held in found.values())  # at least a float64 a row
    assert len(capsys.readouterr().out.splitlines()) == 4


SCRIPTS = sorted(
    path
    for folder in (BENCHMARKS, ROOT / "analysis")
    for path in folder.glob("*.py")
    if 'if __name__ == "__main__":' in path.read_text()
)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_script_answers_help_with_its_usage(script):
    done = subprocess.run(
        [sys.executable, str(script), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {script.name}") and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--chunk-rows", "0"], "argument --chunk-rows: expected a whole number of at least 1"),
        (["--fixed", "--jobs"], "argument --jobs: not allowed with argument --fixed"),
        (["--jobs", "--chunk-rows", "5"], "--jobs takes no scenarios and no --chunk-rows"),
        (["nope.yaml"], "scenario file not found: "),
        (["scenarios/quickstart.yaml;bogus=1"], 'unknown key "bogus"'),
    ],
)
def test_the_disk_bytes_benchmark_answers_a_bad_argument_in_one_line(arguments, expected):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "disk_bytes.py"), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("disk_bytes.py: error: ") and expected in done.stderr
    assert done.stderr.count("\n") == 1  # one line, no usage and no traceback


def test_the_disk_bytes_benchmark_reads_its_flags_as_before():
    parser = _load("disk_bytes").build_parser()
    args = parser.parse_args(["--chunk-rows", "500", "scenarios/x.yaml;duration=600 s"])
    assert (args.chunk_rows, args.scenarios, args.fixed, args.jobs) == (
        500,
        ["scenarios/x.yaml;duration=600 s"],
        False,
        False,
    )
    assert parser.parse_args(["--fixed"]).fixed and parser.parse_args(["--jobs"]).jobs
    assert parser.parse_args([]).scenarios == []


@pytest.mark.parametrize("given", ["10", "a,b", "30,10", "0,10", "1,2,3"])
def test_call_counts_refuses_task_sizes_it_cannot_difference_in_one_line(given, capsys):
    """``--tasks 10`` ended in a ValueError traceback (the two sizes unpacked from one)."""
    with pytest.raises(SystemExit) as stopped:
        _load("call_counts").main(["--tasks", given])
    assert stopped.value.code == 2
    assert "argument --tasks: expected two task counts" in capsys.readouterr().err
