"""Size: fixed limits that fit in 4 GB, a memory estimate checked before building, and no quadratic step.

The slow tests (``--runslow``) run large worlds as whole processes and
check their peak memory against the estimate.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import offloadsim
from offloadsim import bounded_read
from offloadsim.bounded_read import PURE_YAML_BYTES_PER_CHAR, YAML_BYTES_PER_CHAR
from offloadsim.memory import format_bytes
from offloadsim.scenario import ScenarioError, load_scenario_text
from offloadsim.scenario import refusal as refusal_module
from offloadsim.scenario.size import (
    HELD_BYTES,
    LINK_BYTES,
    MAX_LINKS,
    MAX_NODES,
    NODE_BYTES,
    POSITION_ROW_BYTES,
    PROCESSOR_BYTES,
    SAMPLE_BYTES,
    SERIES_ROW_BYTES,
    SERIES_VALUE_BYTES,
    TASK_BYTES,
    Footprint,
    series_row_bytes,
)

REPO = Path(offloadsim.__file__).resolve().parent.parent
GB = 1e9

# N devices, each with a processor and a 20 Mbps link to one edge server.
STAR = """\
name: star
duration: {duration} s
nodes:
  device: {{count: {devices}, tier: device, processor: {{speed: 10 GFLOP/s}}}}
  edge: {{tier: edge, processor: {{speed: 100 GFLOP/s}}}}
links:
  - {{between: [device-*, edge], bandwidth: 20 Mbps, latency: 2 ms}}
applications:
  infer: {{work: 1 GFLOP{hosts}}}
workload:
  - {{app: infer, sources: device-*, rate: {rate} /s}}
policy: edge
"""


def star(devices: int, rate: float = 0.01, duration: float = 1.0, hosts: str = "") -> str:
    return STAR.format(devices=devices, rate=rate, duration=duration, hosts=hosts)


def problems(text: str, base_dir: Path | None = None) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, source="s.yaml", base_dir=base_dir)
    return [(p.key_path, p.message) for p in caught.value.problems]


# --------------------------------------------------------------------------- limits


def test_the_largest_world_the_limits_allow_fits_in_4_gb_by_the_estimate():
    """The limits and the estimate agree: a run at both limits, with a process around it, fits in 4 GB."""
    largest = Footprint(nodes=MAX_NODES, processors=MAX_NODES, links=MAX_LINKS)
    process = 0.3 * GB  # the interpreter and the libraries a run imports
    assert largest.bytes + process < 4 * 2**30
    # ...and the old limits (a million nodes, ten million links) did not.
    assert Footprint(nodes=10**6, processors=10**6, links=10**7).bytes > 4 * 2**30


def test_more_nodes_than_the_limit_are_refused():
    [(key, message)] = problems(star(MAX_NODES))  # plus the edge: one over
    assert key == "nodes" and f"the limit is {MAX_NODES:,}" in message


def test_more_links_than_the_limit_are_refused_at_the_entry_that_crosses_it():
    text = (
        star(10)
        .replace("  edge: {", "  many: {count: 1500, tier: device}\n  edge: {")
        .replace("applications:", "  - {between: [many-*, many-*], bandwidth: 1 Mbps}\napplications:")
    )  # links[1] makes 1500 * 1499 / 2 = 1,124,250 pairs, after the 10 of links[0]
    [(key, message)] = problems(text)
    assert key == "links[1].between"
    assert f"the limit is {MAX_LINKS:,} links in all" in message and "after 10 from" in message


# --------------------------------------------------------------------------- memory estimate


@pytest.fixture
def memory(monkeypatch):
    """Pretend this much memory is available (bytes)."""

    def set_available(value: float) -> None:
        monkeypatch.setattr(refusal_module, "available_bytes", lambda: int(value))

    return set_available


def test_estimate_counts_nodes_processors_links_and_tasks():
    footprint = Footprint(nodes=10, processors=4, links=7, tasks=100, held=30)
    extra = 10 * NODE_BYTES + 4 * PROCESSOR_BYTES + 7 * LINK_BYTES + 100 * TASK_BYTES + 30 * HELD_BYTES
    assert footprint.bytes - Footprint().bytes == extra


def test_a_trace_s_tasks_weigh_their_held_times_too(memory, tmp_path):
    # Recorded tasks cost a few bytes (spilled to disk); a trace's times stay in memory all run long.
    (tmp_path / "trace.csv").write_text("time\n" + "".join(f"{i / 1000}\n" for i in range(5000)))
    text = star(1000).replace("rate: 0.01 /s", "arrivals: trace, trace: trace.csv")  # 5,000,000 tasks
    base = Footprint(nodes=1001, processors=1001, links=1000)
    memory(base.bytes + 5_000_000 * TASK_BYTES * 2)  # room for them as generated tasks, not as a trace's
    [(key, message)] = problems(text, tmp_path)
    assert key == "workload[0].trace" and "about 5,000,000 tasks" in message
    memory(base.bytes + 5_000_000 * (TASK_BYTES + HELD_BYTES) * 1.01)
    load_scenario_text(text, source="s.yaml", base_dir=tmp_path)


def test_scenario_too_large_for_memory_is_refused_naming_its_heaviest_part(memory):
    memory(0.5 * GB)
    [(key, message)] = problems(star(200_000))
    assert key == "nodes"
    assert "needs about" in message and "only 500 MB is available" in message and "200,001 nodes" in message
    assert "(change nodes.device.count)" in message  # what to make smaller
    [(key, message)] = problems(star(10, rate=1e6, duration=3600))  # 36 billion tasks
    assert key == "workload" and "about 36,000,000,000 tasks" in message
    # The keys that set the number of tasks: the duration, the rate, the number of sources.
    assert "make it smaller or shorter (change duration, workload[0].rate or nodes.device.count)" in message
    load_scenario_text(star(10))  # a small one fits


def test_a_set_option_that_makes_a_scenario_too_large_is_named_not_the_file(memory):
    """The file fits; the --set that made it large is the key named, with the option as given."""
    memory(0.5 * GB)
    load_scenario_text(star(10), source="s.yaml")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(star(10), source="s.yaml", overrides=["policy=edge", "duration=1e9 s"])
    [problem] = caught.value.problems
    assert (problem.file, problem.key_path) == ("s.yaml", "duration")
    assert problem.message.endswith('(set by --set "duration=1e9 s")'), problem.message
    # A key above the one that sets the size counts too: the group's whole mapping.
    group = "nodes.device={count: 200000, tier: device, processor: {speed: 10 GFLOP/s}}"
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(star(10), source="s.yaml", overrides=[group])
    [problem] = caught.value.problems
    assert problem.key_path == "nodes.device" and "(change nodes.device.count)" in problem.message
    assert '(set by --set "nodes.device={count: 200000, tier: device' in problem.message  # shortened


def test_trace_too_large_for_memory_is_refused_before_it_is_copied_to_each_source(memory, tmp_path):
    (tmp_path / "trace.csv").write_text("time\n" + "".join(f"{i / 1000}\n" for i in range(5000)))
    text = star(50_000).replace("rate: 0.01 /s", "arrivals: trace, trace: trace.csv")
    memory(Footprint(nodes=50_001, processors=50_001, links=50_000).bytes + 1e8)  # room for 156,000 tasks
    [(key, message)] = problems(text, tmp_path)  # 5,000 rows for each of 50,000 devices
    assert key == "workload[0].trace" and "about 250,000,000 tasks" in message


def test_a_trace_of_tiny_rows_too_many_for_memory_is_refused_before_its_rows_are_read(
    memory, tmp_path, monkeypatch, capsys
):
    """256 MiB of 2-byte rows (the size bound's most) are 134 million rows, some 8 GB once read."""
    from offloadsim.cli import main
    from offloadsim.scenario import csvdata

    for reading in ("_trace_at_once", "_trace_row_by_row"):
        monkeypatch.setattr(csvdata, reading, lambda *args: pytest.fail("the rows were read"))
    (tmp_path / "trace.csv").write_text("time\n" + "0\n" * 20_000)
    text = star(1).replace("rate: 0.01 /s", "arrivals: trace, trace: trace.csv")
    base = Footprint(nodes=2, processors=2, links=1)
    memory(base.bytes + 19_000 * (TASK_BYTES + HELD_BYTES))
    [(key, message)] = problems(text, tmp_path)
    assert key == "workload[0].trace"
    assert message.startswith("trace.csv holds up to 20,000 rows (one a line): holding their times, a run")
    assert f"needs about {format_bytes(base.bytes + 20_000 * (TASK_BYTES + HELD_BYTES))} of memory" in message
    (tmp_path / "s.yaml").write_text(text)
    assert main(["validate", str(tmp_path / "s.yaml")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "s.yaml: workload[0].trace: trace.csv holds up to 20,000 rows" in line


# The other tables a scenario names: (file, its rows, the readers that must not run, the scenario
# naming it, where the refusal is, the bytes a row, what a row holds, what to shorten).
MOBILE = star(1).replace(
    "policy: edge",
    "policy: edge\ndynamics:\n  - kind: mobility\n    devices: device-0\n"
    "    access_points: [{node: edge, position: [0 m, 0 m], radius: 60 m}]\n    file: walk.csv\n"
    "    update: 1 s\n",
)
TABLES = {
    "samples": (
        "samples.csv",
        "0\n" * 20_000,
        ("_samples_at_once", "_samples_row_by_row"),
        star(1).replace("work: 1 GFLOP", "work: {empirical: samples.csv}"),
        "applications.infer.work.empirical",
        SAMPLE_BYTES,
        "their values, a run",
        "use a shorter file,",
    ),
    "link-trace": (
        "rate.csv",
        "time,bandwidth\n" + "".join(f"{i},1e6\n" for i in range(20_000)),
        ("_series_at_once", "_series_row_by_row"),
        star(1) + "dynamics:\n  - {kind: link-trace, link: 0, file: rate.csv}\n",
        "dynamics[0].file",
        SERIES_ROW_BYTES,
        "their values, a run",
        "use a shorter trace,",
    ),
    "wide link-trace": (  # four values a row: each costed, where one was
        "rate.csv",
        "time,bandwidth,reverse_bandwidth,latency,loss\n"
        + "".join(f"{i},1e6,1e6,0.01,0\n" for i in range(20_000)),
        ("_series_at_once", "_series_row_by_row"),
        star(1) + "dynamics:\n  - {kind: link-trace, link: 0, file: rate.csv}\n",
        "dynamics[0].file",
        series_row_bytes(4),
        "their values, a run",
        "use a shorter trace,",
    ),
    "positions": (
        "walk.csv",
        "time,node,x,y\n" + "".join(f"{i},device-0,1,1\n" for i in range(20_000)),
        ("_positions_at_once", "_positions_row_by_row"),
        MOBILE,
        "dynamics[0].file",
        POSITION_ROW_BYTES,
        "their positions, a run",
        "use a shorter file,",
    ),
}


@pytest.mark.parametrize("table", TABLES)
def test_a_table_of_rows_too_many_for_memory_is_refused_before_its_rows_are_read(
    table, memory, tmp_path, monkeypatch, capsys
):
    """As a trace's: samples, a link trace and positions are counted by their lines, then refused."""
    from offloadsim.cli import main
    from offloadsim.scenario import csvdata

    file, rows, readers, text, key, row_bytes, holding, change = TABLES[table]
    for reading in readers:
        monkeypatch.setattr(csvdata, reading, lambda *args: pytest.fail("the rows were read"))
    (tmp_path / file).write_text(rows)
    (tmp_path / "s.yaml").write_text(text)
    available = Footprint(nodes=2, processors=2, links=1).bytes + 19_000 * row_bytes
    memory(available)
    assert main(["validate", str(tmp_path / "s.yaml")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    prefix, message = line.split(f"s.yaml: {key}: ", 1)
    assert prefix.endswith(str(tmp_path) + "/") or not prefix
    assert message.startswith(f"{file} holds up to 20,000 rows (one a line): holding {holding}")
    assert f"but only {format_bytes(available)} is available; {change}" in message
    # With the memory it needs, the file is read (the readers' failure is the proof).
    memory(available + 2_000 * row_bytes + Footprint().bytes)
    with pytest.raises(pytest.fail.Exception, match="the rows were read"):
        main(["validate", str(tmp_path / "s.yaml")])


def test_a_dynamics_entry_s_samples_are_counted_beside_the_scenario(memory, tmp_path, capsys):
    """An application's samples are read before the scenario is counted; a dynamics entry's after."""
    from offloadsim.cli import main

    (tmp_path / "gaps.csv").write_text("1\n" * 20_000)
    plain = star(2000)
    text = plain + "dynamics:\n  - {kind: failures, nodes: edge, mtbf: {empirical: gaps.csv}, mttr: 1 s}\n"
    (tmp_path / "s.yaml").write_text(text)
    scenario = load_scenario_text(plain).footprint.bytes  # 2,001 nodes and links: some 10 MB
    memory(scenario + 10_000 * SAMPLE_BYTES)  # room for the samples beside a run's least, not beside it
    assert main(["validate", str(tmp_path / "s.yaml")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "s.yaml: dynamics[0].mtbf.empirical: gaps.csv holds up to 20,000 rows" in line
    assert f"needs about {format_bytes(scenario + 20_000 * SAMPLE_BYTES)} of memory" in line
    memory(scenario + 20_000 * SAMPLE_BYTES)
    assert main(["validate", str(tmp_path / "s.yaml")]) == 0


def test_a_link_trace_row_is_costed_by_the_values_its_header_names():
    from offloadsim.scenario.csvdata import _header_values
    from offloadsim.world.dynamics.trace import COLUMNS

    assert series_row_bytes(4) == SERIES_ROW_BYTES + 3 * SERIES_VALUE_BYTES  # 220: measured 217.3
    assert _header_values("# a comment\n\ntime,bandwidth,latency\n0,1,2\n", COLUMNS) == 2
    assert _header_values('"time","Bandwidth","nonsense"\n', COLUMNS) == 1
    assert _header_values("# only comments\n" * 200, COLUMNS) == len(COLUMNS)  # no header: the most


def test_unknown_available_memory_skips_the_check(memory, monkeypatch):
    monkeypatch.setattr(refusal_module, "available_bytes", lambda: None)
    load_scenario_text(star(10, rate=1e6, duration=3600))


def _limit_address_space(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
@pytest.mark.timeout(300)
@pytest.mark.parametrize("verb", ["validate", "run"])
def test_under_a_memory_limit_a_too_large_scenario_is_exit_2_with_one_line(tmp_path: Path, verb: str):
    """A process limited to 1.5 GB of address space foresees that 3 billion tasks will not fit."""
    path = tmp_path / "s.yaml"
    path.write_text(star(10, rate=10_000_000, duration=30))  # 3,000,000,000 tasks: about 12 GB
    command = [sys.executable, "-m", "offloadsim", verb, str(path)]
    if verb == "run":
        command += ["--out", str(tmp_path / "out")]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=_limit_address_space(int(1.5 * 2**30)),
        timeout=280,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: "), done.stderr
    assert "workload: a run of this scenario needs about" in lines[0]
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- no quadratic step


def test_hosts_list_answers_membership_without_scanning():
    scenario = load_scenario_text(star(2000, hosts=", hosts: [device-*, edge, device-1*]"))
    hosts = scenario.applications["infer"].hosts
    assert hosts is not None and len(hosts) == 2001  # de-duplicated, in declaration order
    assert hosts[0] == "device-0" and hosts[-1] == "edge"
    assert "device-1999" in hosts and "nowhere" not in hosts


@pytest.mark.slow
def test_hosts_patterns_resolve_in_linear_time():
    """40,000 devices: validating with 'hosts: [device-*, edge]' costs about what it costs without."""

    def seconds(text: str) -> float:
        started = time.perf_counter()
        load_scenario_text(text)
        return time.perf_counter() - started

    plain = min(seconds(star(40_000)) for _ in range(2))
    with_hosts = min(seconds(star(40_000, hosts=", hosts: [device-*, edge]")) for _ in range(2))
    assert with_hosts < 2 * plain + 1.0, (with_hosts, plain)  # was 8x: 111 s against 14 s


def _peak_rss_bytes(command: list[str], cwd: Path, log: Path) -> int:
    """Peak resident memory of one child process (``ru_maxrss`` of exactly that child, via ``wait4``)."""
    with log.open("wb") as errors:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    assert process.returncode == 0, log.read_text()
    return usage.ru_maxrss * 1024


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_least_loaded_over_2000_devices_stays_small(tmp_path: Path):
    """Every device is a candidate of every task: routes must not be kept per pair (was 2.9 GB)."""
    command = [
        sys.executable, "-m", "offloadsim", "run", "benchmarks/scenarios/city.yaml",
        "--set", "nodes.device.count=2000", "--set", "policy.name=least-loaded", "--set", "duration=0.5 s",
        "--quiet", "--out", str(tmp_path / "out"),
    ]  # fmt: skip
    assert _peak_rss_bytes(command, REPO, tmp_path / "stderr") < 0.6 * GB


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_the_estimate_covers_what_a_large_run_takes(tmp_path: Path):
    """100,000 devices with a processor and a link each: the peak stays within the estimate."""
    path = tmp_path / "s.yaml"
    path.write_text(star(100_000, rate=0.001))
    command = [sys.executable, "-m", "offloadsim", "run", str(path), "--out", str(tmp_path / "o")]
    peak = _peak_rss_bytes(command, REPO, tmp_path / "stderr")
    estimate = Footprint(nodes=100_001, processors=100_001, links=100_000, tasks=100).bytes
    process = 0.25 * GB
    assert peak < estimate + process, (peak, estimate)
    assert peak > 0.6 * estimate, (peak, estimate)  # and the estimate is not wildly pessimistic


# --------------------------------------------------------------------------- memory to read the YAML


def _long_schedule(steps: int) -> str:
    """A valid scenario whose one dynamics entry is a link-schedule of ``steps`` steps."""
    lines = "".join(
        f"      - {{at: {i + 1} s, up: {'false' if i % 2 == 0 else 'true'}}}\n" for i in range(steps)
    )
    return star(1) + f"dynamics:\n  - kind: link-schedule\n    link: [device-0, edge]\n    steps:\n{lines}"


@pytest.fixture
def yaml_memory(monkeypatch):
    """Pretend this much memory is available to read YAML (bytes); unless ``read``, reading fails the test."""
    forbidden = [False]
    load = yaml.load

    def watched(*args, **kwargs):
        if forbidden[0]:
            pytest.fail("the YAML was read")
        return load(*args, **kwargs)

    monkeypatch.setattr(yaml, "load", watched)

    def set_available(value: float, read: bool = False) -> None:
        monkeypatch.setattr(bounded_read, "available_bytes", lambda: int(value))
        forbidden[0] = not read

    return set_available


def test_a_scenario_whose_yaml_would_not_fit_is_refused_before_it_is_read(
    tmp_path: Path, capsys, yaml_memory
):
    from offloadsim.cli import main

    text = _long_schedule(2_000)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    needed = len(text) * YAML_BYTES_PER_CHAR
    yaml_memory(needed - 1)  # and no yaml.load: neither the loader nor path_kind's look at the file
    assert main(["validate", str(path)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"offloadsim: error: {path}: is {format_bytes(len(text))} of YAML: reading it needs about "
        f"{format_bytes(needed)} of memory, but only {format_bytes(needed - 1)} is available; write a "
        "long link schedule as a CSV file (kind: link-trace), or run it on a machine with more memory"
    )
    yaml_memory(needed, read=True)
    assert main(["validate", str(path)]) == 0


def test_a_sweep_file_and_a_set_value_go_through_the_same_bound(tmp_path: Path, capsys, yaml_memory):
    from offloadsim.cli import main

    (tmp_path / "s.yaml").write_text(star(1))
    # A sweep file larger than its base: its grid's values.
    grid = ", ".join(f"{i + 1} s" for i in range(3_000))
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"base: s.yaml\nreplications: 1\ngrid:\n  duration: [{grid}]\n")
    yaml_memory(len(sweep.read_text()) * YAML_BYTES_PER_CHAR - 1)
    assert main(["sweep", str(sweep), "--dry-run", "--out", str(tmp_path / "out")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"offloadsim: error: {sweep}: is ") and " of YAML: reading it needs about " in line
    assert line.endswith("; make it shorter, or run it on a machine with more memory")
    # A --set value larger than the scenario: its YAML is read as the file's is.
    steps = ", ".join(f"{{at: {i + 1} s, up: true}}" for i in range(1_000))
    value = f"[{{kind: link-schedule, link: [device-0, edge], steps: [{steps}]}}]"
    yaml_memory(len(value) * PURE_YAML_BYTES_PER_CHAR - 1, read=True)  # the scenario file is read
    assert main(["validate", str(tmp_path / "s.yaml"), "--set", f"dynamics={value}"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "s.yaml: dynamics: cannot --set " in line
    assert f": the value is {format_bytes(len(value))} of YAML: reading it needs about" in line
    assert line.endswith("(kind: link-trace), or run it on a machine with more memory")


def test_a_bad_document_too_large_to_read_again_gets_libyaml_s_message(monkeypatch, yaml_memory):
    """A document libyaml cannot read is read again by the pure-Python parser, if that fits."""
    text = _long_schedule(1_000) + "  - {kind: link-schedule, steps: [}\n"  # a bad last line
    parsers: list[str] = []
    load = yaml.load

    def counted(stream, Loader):
        parsers.append(Loader.__name__)
        return load(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "load", counted)
    monkeypatch.setattr(bounded_read, "available_bytes", lambda: len(text) * PURE_YAML_BYTES_PER_CHAR - 1)
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, source="s.yaml")
    [problem] = caught.value.problems
    assert parsers == ["_FastLoader"]  # read once, by libyaml
    assert problem.key_path == f"line {text.count(chr(10))}, column 35" and problem.message.startswith(
        "YAML syntax error: "
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
@pytest.mark.timeout(120)
def test_under_a_memory_limit_a_long_schedule_is_exit_2_with_one_line(tmp_path: Path):
    """500,000 steps (17 MB) read into 1.3 GB: under 1 GB of address space, a MemoryError (exit 1) in 4 s."""
    path = tmp_path / "s.yaml"
    path.write_text(_long_schedule(500_000))
    done = subprocess.run(
        [sys.executable, "-m", "offloadsim", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=_limit_address_space(10**9),
        timeout=100,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith(
        f"offloadsim: error: {path}: is 17 MB of YAML: reading it needs about 4.3 GB"
    ), done.stderr
