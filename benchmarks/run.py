"""Run offloadsim's benchmarks and report them next to bare SimPy measured in the same run.

    python benchmarks/run.py              # full size, 3 repeats: a few minutes
    python benchmarks/run.py --quick      # 10x fewer tasks, 1 repeat: a smoke check

Benchmarks (each command a fresh child process, its peak RSS read with
``os.wait4`` for that child alone, see :func:`measure`):

* bare SimPy M/M/1, ``benchmarks/bare_simpy.py``: the reference rate, jobs
  per second of its ``env.run()``;
* (a) M/M/1 through the product path: ``python -m offloadsim run mm1.yaml
  --out DIR --quiet``, records written to disk; reported end to end and net
  of a 0-task run of the same command (interpreter start-up and imports);
* (b) 1,000 devices / 10 access points / 10 edges / 1 cloud, every task
  uploading its input and returning its output over shared links, the same way;
* (c) a 10,000-node world: scenario load, ``build_world`` and every device's
  route to its nearest edge (``benchmarks/topology_build.py``);
* (m), opt-in (``--only mobility``): (b)'s city with every device moving
  among the access points (``mobility.yaml``: random waypoint, handovers)
  and every radio link following a trace, against (b) as it is, both run in
  each round: the ratio of their wall times (target: under 2x).
* (b) under least-loaded, opt-in: ``--only bll`` (exact) and ``--only bllc``
  (its decision cache on, ``load_bucket`` 0.02 s); with ``b`` in the same
  run, each one's wall time over (b)'s of the same round (target: 1.3x);
* (f), opt-in: the LLM assistant (``scenarios/llm-assistant.yaml``) with
  10,000 requests (at full size), answered on the phone (``local``) and
  split between phone and edge (every decode step a round trip): output
  tokens simulated per second of wall time;
* (d), opt-in: (a) with ten times the tasks (10,000,000 at full size), for its
  peak memory, which must not grow with the number of tasks (records are
  streamed to disk as the run goes).

Children run with ``PYTHONDONTWRITEBYTECODE`` unset, so the warm-up run
writes the ``.pyc`` files an installed package has and start-up is measured
as users see it (without them every start compiles the package's sources).

Each repeat runs every benchmark once, in turn, so a change in machine load
touches all of them alike; the table shows medians, the JSON file every
sample.  Results go to ``benchmarks/results/latest.json`` (``--quick``:
``latest-quick.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIOS = HERE / "scenarios"
MM1 = SCENARIOS / "mm1.yaml"
CITY = SCENARIOS / "city.yaml"
MOBILITY = SCENARIOS / "mobility.yaml"
LLM = ROOT / "scenarios" / "llm-assistant.yaml"
MM1_RATE_PER_S = 0.9  # arrivals per second in mm1.yaml
CITY_RATE_PER_S = 2_000.0  # 1,000 devices x 2 /s in city.yaml
LLM_RATE_PER_S = 0.1  # 10 phones x 0.01 /s in llm-assistant.yaml
LLM_FULL_REQUESTS = 10_000
FULL_TASKS = 1_000_000
TOPOLOGY_NODES = 10_000
NON_DEVICE_NODES = 21  # city.yaml: 10 access points, 10 edges, 1 cloud

# Targets of issue 12 (full size; rates as ratios to bare SimPy's in the same run).
A_TARGET_RATIO = 1.2  # (a): end to end, x bare SimPy
B_TARGET_RATIO = 0.5  # (b) under edge: end to end, x bare SimPy
D_FACTOR, D_TARGET_MIB = 10, 1024.0  # (d): (a) with 10x the tasks, peak memory
E_TARGET_S = 0.4  # (e): a 0-task run, start-up, imports and writing (on a quiet machine)
C_TARGET_S = 5.0
M_TARGET_RATIO = 2.0  # (m): moving city's wall time / static city's, same round
BLL_TARGET_RATIO = 1.3  # (b) under least-loaded: wall time / (b)'s under edge, same round

BENCHMARKS = ("bare", "a", "b", "c")
# Opt-in (--only): (b) under the least-loaded policy over edges and cloud, which
# predicts every candidate's completion time for every task.
# bllc: the same with its decision cache on (an approximation, see docs/policies.md).
# (m) mobility: the city with moving devices and traced radio links against the static city.
# (f) the LLM assistant, 10^4 requests under two policies: output tokens simulated per second.
OPTIONAL = ("bll", "bllc", "mobility", "f", "d")
LEAST_LOADED = ("policy.name=least-loaded", "policy.tiers=[edge, cloud]")
LOAD_BUCKET_S = 0.02  # bllc's bucket width: see docs/performance.md "(b) under the least-loaded policy"
LEAST_LOADED_CACHED = (*LEAST_LOADED, f"policy.load_bucket={LOAD_BUCKET_S}")
# (f): the phone answers whole; the 1B model split after layer 4 between phone and edge.
LLM_POLICIES = (
    ("local", ()),
    ("split phone/edge", ("policy={name: fixed, nodes: [$source, edge], cuts: [4]}",)),
)


# --------------------------------------------------------------------------- measuring


@dataclass
class Measured:
    """One child process: its wall time, peak resident memory, exit status and output."""

    wall_s: float
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str


# A minimal parent for the measured command.  On Linux a child's ru_maxrss
# starts at its parent's peak RSS (exec records the address space it
# replaces, which after vfork is the parent's), so the benchmark driver does
# not spawn the command itself: this small interpreter does, and reports the
# wall time and resource usage of exactly that child (``os.wait4``).
_WRAPPER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
proc.returncode = code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as f:
    json.dump({"wall_s": wall, "maxrss": usage.ru_maxrss, "returncode": code}, f)
"""


def measure(cmd: Sequence[str], cwd: Path = ROOT) -> Measured:
    """Run ``cmd`` as a child process; time it and read its own peak RSS.

    The command runs under a minimal wrapper process that waits for it with
    ``os.wait4`` and so reads the usage of exactly that child, not the
    maximum over all children (``RUSAGE_CHILDREN``) nor the driver's own peak.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up as an installed package has it: .pyc files
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory(prefix="offloadsim-measure-") as tmp,
    ):
        if hasattr(os, "wait4"):
            usage_file = Path(tmp) / "usage.json"
            wrapped = [sys.executable, "-E", "-S", "-c", _WRAPPER, str(usage_file), *cmd]
            done = subprocess.run(wrapped, cwd=cwd, env=env, stdout=out, stderr=err, check=False)
            if not usage_file.is_file():
                raise RuntimeError(f"measuring {cmd[:3]} failed (wrapper exit {done.returncode})")
            usage = json.loads(usage_file.read_text())
            wall, returncode = usage["wall_s"], usage["returncode"]
            # ru_maxrss is in KiB on Linux, in bytes on macOS.
            peak = usage["maxrss"] / (2**20 if sys.platform == "darwin" else 2**10)
        else:  # pragma: no cover - Windows: no per-child rusage
            start = time.perf_counter()
            returncode = subprocess.run(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err).returncode
            wall = time.perf_counter() - start
            peak = float("nan")
        out.seek(0)
        err.seek(0)
        return Measured(wall, peak, returncode, out.read(), err.read())


def _checked(measured: Measured, what: str) -> Measured:
    if measured.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {measured.returncode}):\n{measured.stderr[-2000:]}")
    return measured


def run_bare(jobs: int) -> dict[str, Any]:
    """Bare SimPy M/M/1 with ``jobs`` jobs in its own process."""
    m = _checked(
        measure([sys.executable, str(HERE / "bare_simpy.py"), "--jobs", str(jobs), "--json"]), "bare"
    )
    report = json.loads(m.stdout.strip().splitlines()[-1])
    return {
        "tasks": report["jobs"],
        "run_s": report["run_s"],
        "rate": report["jobs_per_s"],
        "process_s": m.wall_s,
        "peak_mib": m.peak_mib,
    }


def run_cli(
    scenario: Path,
    duration_s: float,
    workdir: Path,
    overrides: Sequence[str] = (),
    tokens: bool = False,
) -> dict[str, Any]:
    """``python -m offloadsim run SCENARIO --out DIR --quiet`` for ``duration_s``; records on disk.

    With ``tokens``, also the output tokens of the LLM requests in its records (read back after
    the timed run).
    """
    out = workdir / "run"
    cmd = [
        sys.executable,
        "-m",
        "offloadsim",
        "run",
        str(scenario),
        "--out",
        str(out),
        "--quiet",
        "--overwrite",
        "--set",
        f"duration={duration_s!r} s",
    ]
    for override in overrides:
        cmd += ["--set", override]
    m = _checked(measure(cmd), f"offloadsim run {scenario.name}")
    try:
        manifest = json.loads((out / "manifest.json").read_text())
        if not (out / "tasks.parquet").is_file():
            raise RuntimeError(f"offloadsim run {scenario.name} wrote no tasks.parquet")
        output_tokens = _output_tokens(out / "tasks.parquet") if tokens else None
    finally:
        shutil.rmtree(out, ignore_errors=True)
    tasks = int(manifest["tasks"])
    sample = {
        "tasks": tasks,
        "process_s": m.wall_s,
        "engine_s": float(manifest["wall_s"]),
        "rate": tasks / m.wall_s,
        "peak_mib": m.peak_mib,
    }
    if output_tokens is not None:
        sample["output_tokens"] = output_tokens
    return sample


def _output_tokens(tasks_parquet: Path) -> int:
    """Output tokens of every request in a run's records: what the run simulated, token by token."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    column = pq.read_table(tasks_parquet, columns=["output_tokens"])["output_tokens"]
    return int(pc.sum(column).as_py() or 0)


def run_topology(nodes: int) -> dict[str, Any]:
    """Benchmark (c) in its own process: load + build_world + nearest-edge routes."""
    devices = nodes - NON_DEVICE_NODES
    cmd = [sys.executable, str(HERE / "topology_build.py"), "--devices", str(devices), "--json"]
    m = _checked(measure(cmd), "topology build")
    report = json.loads(m.stdout.strip().splitlines()[-1])
    report["process_s"] = m.wall_s
    report["peak_mib"] = m.peak_mib
    return report


def traced_topology(nodes: int) -> float:
    """Python heap peak (MiB, tracemalloc) of building the ``nodes``-node world, in its own process."""
    devices = nodes - NON_DEVICE_NODES
    cmd = [
        sys.executable,
        str(HERE / "topology_build.py"),
        "--devices",
        str(devices),
        "--json",
        "--tracemalloc",
    ]
    report = json.loads(
        _checked(measure(cmd), "topology build (tracemalloc)").stdout.strip().splitlines()[-1]
    )
    return float(report["traced_peak_mib"])


# --------------------------------------------------------------------------- the run


@dataclass
class Config:
    """What to run: task counts, repeats, and which benchmarks."""

    scale: float = 1.0
    repeat: int = 3
    only: tuple[str, ...] = BENCHMARKS
    topology_nodes: int = TOPOLOGY_NODES

    @property
    def tasks(self) -> int:
        """Tasks (about: arrivals are random) for benchmarks (a), (b) and bare SimPy."""
        return max(1, round(FULL_TASKS * self.scale))

    @property
    def llm_requests(self) -> int:
        """Requests (about) of benchmark (f)."""
        return max(1, round(LLM_FULL_REQUESTS * self.scale))

    @property
    def full_size(self) -> bool:
        """True when the absolute targets (seconds, MiB) apply."""
        return self.scale >= 1.0


@dataclass
class Report:
    """Every sample, the machine, and the summary rows."""

    config: dict[str, Any]
    machine: dict[str, Any]
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)


def machine_info() -> dict[str, Any]:
    """CPU model, core count, Python and library versions, load, and the checkout's git state."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import simpy

    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "simpy": simpy.__version__,
        "loadavg_start": _loadavg(),
    }
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        info["git"] = {"head": head, "dirty": bool(dirty)}
    except (OSError, subprocess.CalledProcessError):
        info["git"] = None
    return info


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def run_all(config: Config, log: Any = print) -> Report:
    """Run the selected benchmarks ``config.repeat`` times, interleaved; return the report."""
    report = Report(config=asdict(config) | {"tasks": config.tasks}, machine=machine_info())
    samples = report.samples
    tasks = config.tasks
    with tempfile.TemporaryDirectory(prefix="offloadsim-bench-") as tmp:
        workdir = Path(tmp)
        if {"a", "b", "bll", "bllc", "mobility", "f", "d"} & set(config.only):
            # Not measured: fills the file cache and writes the .pyc files a first run would.
            log("warm-up (not measured)")
            run_cli(MM1, 1e-6, workdir)
        for round_ in range(1, config.repeat + 1):
            log(f"round {round_}/{config.repeat}")
            if {"bare", "a", "b", "bll", "bllc", "mobility", "d"} & set(config.only):
                samples.setdefault("bare", []).append(_logged(log, "bare SimPy M/M/1", run_bare(tasks)))
            if "a" in config.only:
                python = _checked(measure([sys.executable, "-c", "pass"]), "python -c pass")
                samples.setdefault("py", []).append({"process_s": python.wall_s, "peak_mib": python.peak_mib})
                zero = run_cli(MM1, 1e-6, workdir)
                samples.setdefault("a0", []).append(_logged(log, "(a) 0-task run", zero))
                full = run_cli(MM1, tasks / MM1_RATE_PER_S, workdir)
                samples.setdefault("a", []).append(_logged(log, "(a) M/M/1", full))
            if "b" in config.only:
                city = run_cli(CITY, tasks / CITY_RATE_PER_S, workdir)
                samples.setdefault("b", []).append(_logged(log, "(b) city", city))
            for key, overrides, label in (
                ("bll", LEAST_LOADED, "least-loaded"),
                ("bllc", LEAST_LOADED_CACHED, f"least-loaded, cached ({LOAD_BUCKET_S:g} s)"),
            ):
                if key in config.only:
                    city = run_cli(CITY, tasks / CITY_RATE_PER_S, workdir, overrides)
                    samples.setdefault(key, []).append(_logged(log, f"(b) city, {label}", city))
            if "f" in config.only:
                for name, overrides in LLM_POLICIES:
                    llm = run_cli(LLM, config.llm_requests / LLM_RATE_PER_S, workdir, overrides, tokens=True)
                    samples.setdefault(f"f {name}", []).append(
                        _logged(log, f"(f) LLM assistant, {name}", llm)
                    )
            if "mobility" in config.only:
                still = run_cli(CITY, tasks / CITY_RATE_PER_S, workdir)
                samples.setdefault("m-static", []).append(_logged(log, "(m) city, static", still))
                moving = run_cli(MOBILITY, tasks / CITY_RATE_PER_S, workdir)
                samples.setdefault("m-moving", []).append(_logged(log, "(m) city, moving + traces", moving))
            if "d" in config.only:
                big = run_cli(MM1, D_FACTOR * tasks / MM1_RATE_PER_S, workdir)
                samples.setdefault("d", []).append(_logged(log, "(d) M/M/1, 10x tasks", big))
            if "c" in config.only:
                topo = run_topology(config.topology_nodes)
                samples.setdefault("c", []).append(_logged(log, "(c) topology", topo))
    if "c" in config.only:
        report.extra["c_traced_peak_mib"] = traced_topology(config.topology_nodes)
    report.machine["loadavg_end"] = _loadavg()
    report.rows = summary_rows(report, config)
    return report


def _logged(log: Any, name: str, sample: dict[str, Any]) -> dict[str, Any]:
    wall = sample.get("process_s", 0.0)
    log(f"  {name}: {sample.get('tasks', '-')} tasks, {wall:.2f} s, peak {sample['peak_mib']:.0f} MiB")
    return sample


# --------------------------------------------------------------------------- summarising


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def summary_rows(report: Report, config: Config) -> list[dict[str, Any]]:
    """The table's rows from the samples (medians; min and max kept alongside)."""
    s = report.samples
    rows: list[dict[str, Any]] = []
    full = config.full_size
    bare_rate = statistics.median(x["rate"] for x in s["bare"]) if s.get("bare") else float("nan")

    def row(
        name: str, tasks: float, walls: list[float], peak: float | None, target: str, verdict: str
    ) -> None:
        wall = _stats(walls)
        rate = tasks / wall["median"] if tasks and wall["median"] > 0 else None  # None: not a rate
        bare = s.get("bare", [])
        paired = None  # the median of each round's ratio to that round's bare SimPy
        if rate is not None and len(bare) == len(walls) and all(w > 0 for w in walls):
            paired = statistics.median(tasks / w / x["rate"] for w, x in zip(walls, bare, strict=True))
        rows.append(
            {
                "benchmark": name,
                "tasks": tasks,
                "wall_s": wall,
                "rate": rate,
                "x_bare": rate / bare_rate if rate is not None and bare_rate == bare_rate else None,
                "x_bare_paired": paired,
                "peak_mib": peak,
                "target": target,
                "verdict": verdict,
            }
        )

    if s.get("bare"):
        b = s["bare"]
        row(
            "bare SimPy M/M/1 (env.run only)",
            _median(b, "tasks"),
            [x["run_s"] for x in b],
            _peak(b),
            "reference",
            "-",
        )
    if s.get("a"):
        a, a0 = s["a"], s["a0"]
        tasks = _median(a, "tasks")
        walls = [x["process_s"] for x in a]
        zero = statistics.median(x["process_s"] for x in a0)
        ratio = tasks / statistics.median(walls) / bare_rate
        net_walls = [w - zero for w in walls]
        net_wall = statistics.median(net_walls)
        target = f">= {A_TARGET_RATIO}x bare"
        row(
            "(a) M/M/1 CLI, end to end",
            tasks,
            walls,
            _peak(a),
            target,
            _verdict(ratio >= A_TARGET_RATIO),
        )
        if net_wall > 0:
            net_ratio = tasks / net_wall / bare_rate
            net_verdict = _verdict(net_ratio >= A_TARGET_RATIO)
        else:  # tiny runs: start-up noise exceeds the simulation itself
            net_verdict = "n/a (start-up dominates)"
        row("(a) M/M/1 CLI, net of 0-task run", tasks, net_walls, None, target, net_verdict)
        zero_walls = [x["process_s"] for x in a0]
        row(
            "(e) 0-task run (start-up, imports)",
            _median(a0, "tasks"),
            zero_walls,
            _peak(a0),
            f"<= {E_TARGET_S:g} s",
            _verdict(statistics.median(zero_walls) <= E_TARGET_S),
        )
        row("(a) M/M/1 engine loop only", tasks, [x["engine_s"] for x in a], None, "-", "-")
        if s.get("py"):
            py = [x["process_s"] for x in s["py"]]
            row("bare interpreter start (python -c pass)", 0, py, _peak(s["py"]), "-", "-")
            rows[-1]["zero_run_x_interpreter"] = statistics.median(
                z["process_s"] / p["process_s"] for z, p in zip(a0, s["py"], strict=True)
            )
    for key, label in (
        ("b", "(b) 1,000 devices"),
        ("bll", "(b) least-loaded"),
        ("bllc", f"(b) least-loaded, cached ({LOAD_BUCKET_S:g} s)"),
    ):
        if not s.get(key):
            continue
        b = s[key]
        tasks = _median(b, "tasks")
        walls = [x["process_s"] for x in b]
        peak = _peak(b)
        row(f"{label} CLI, end to end", tasks, walls, peak, "-", "-")
        if key == "b":  # least-loaded's target is its time over edge's (the rows below)
            ratio = rows[-1]["x_bare_paired"] or rows[-1]["x_bare"]
            rows[-1]["target"] = f">= {B_TARGET_RATIO}x bare"
            rows[-1]["verdict"] = (
                f"{_verdict(ratio >= B_TARGET_RATIO)}: {ratio:.2f}x paired by round"
                if full and ratio is not None
                else f"n/a at scale {config.scale:g}"
            )
        row(f"{label} engine loop only", tasks, [x["engine_s"] for x in b], None, "-", "-")
        if key != "b" and len(s.get("b", [])) == len(b):
            rows.extend(_ratio_rows(f"{label} / (b) under edge", b, s["b"], BLL_TARGET_RATIO))
    if s.get("m-moving"):
        still, moving = s["m-static"], s["m-moving"]
        for label, runs in (("static", still), ("moving + traced links", moving)):
            row(
                f"(m) city {label}, end to end",
                _median(runs, "tasks"),
                [x["process_s"] for x in runs],
                _peak(runs),
                "-",
                "-",
            )
            row(
                f"(m) city {label}, engine loop",
                _median(runs, "tasks"),
                [x["engine_s"] for x in runs],
                None,
                "-",
                "-",
            )
        rows.extend(_ratio_rows("(m) moving / static", moving, still, M_TARGET_RATIO))
    for name, _ in LLM_POLICIES:
        runs = s.get(f"f {name}")
        if not runs:
            continue
        walls = [x["process_s"] for x in runs]
        tokens = _median(runs, "output_tokens")
        row(
            f"(f) LLM assistant, {name}, end to end",
            _median(runs, "tasks"),
            walls,
            _peak(runs),
            "report output tokens/s",
            f"{tokens / statistics.median(walls):,.0f} output tokens/s ({tokens:,.0f} tokens)",
        )
        rows[-1]["x_bare"] = rows[-1]["x_bare_paired"] = None  # requests are not M/M/1 jobs
    if s.get("d"):
        d = s["d"]
        peak = _peak(d)
        row(
            "(d) M/M/1 CLI, 10x the tasks",
            _median(d, "tasks"),
            [x["process_s"] for x in d],
            peak,
            f"<= {D_TARGET_MIB:g} MiB",
            _verdict(peak <= D_TARGET_MIB) if full else f"n/a at scale {config.scale:g}",
        )
    if s.get("c"):
        c = s["c"]
        walls = [x["total_s"] for x in c]
        nodes = _median(c, "nodes")
        rows.append(
            {
                "benchmark": f"(c) {nodes:,.0f}-node world + routes",
                "tasks": None,
                "wall_s": _stats(walls),
                "rate": None,
                "x_bare": None,
                "peak_mib": _peak(c),
                "target": f"< {C_TARGET_S:g} s",
                "verdict": _verdict(statistics.median(walls) < C_TARGET_S)
                if nodes >= TOPOLOGY_NODES
                else f"n/a at {nodes:,.0f} nodes",
            }
        )
    return rows


def _ratio_rows(
    label: str, runs: list[dict[str, Any]], references: list[dict[str, Any]], target: float
) -> list[dict[str, Any]]:
    """Rows of ``runs``' wall times over ``references``' of the same rounds (end to end, engine loop).

    The ratio under ``target`` is the goal; ``wall_s`` holds the ratios' median, min and max.
    """
    rows = []
    for what, key in (("end to end", "process_s"), ("engine loop", "engine_s")):
        ratio = _stats([x[key] / y[key] for x, y in zip(runs, references, strict=True)])
        rows.append(
            {
                "benchmark": f"{label}, {what} (same round)",
                "tasks": None,
                "wall_s": ratio,
                "rate": None,
                "x_bare": None,
                "peak_mib": None,
                "target": f"< {target:g}x",
                "verdict": f"{_verdict(ratio['median'] < target)}: {ratio['median']:.2f}x "
                f"(min {ratio['min']:.2f}, max {ratio['max']:.2f})",
            }
        )
    return rows


def _median(samples: list[dict[str, Any]], key: str) -> float:
    return statistics.median(x[key] for x in samples)


def _peak(samples: list[dict[str, Any]]) -> float:
    return statistics.median(x["peak_mib"] for x in samples)


def format_table(rows: list[dict[str, Any]]) -> str:
    """The rows as a fixed-width text table."""
    header = ("benchmark", "tasks", "wall s", "tasks/s", "x bare SimPy", "peak MiB", "target", "verdict")
    body = []
    for r in rows:
        body.append(
            (
                r["benchmark"],
                f"{r['tasks']:,.0f}" if r["tasks"] is not None else "-",
                f"{r['wall_s']['median']:.2f}",
                f"{r['rate']:,.0f}" if r["rate"] is not None else "-",
                f"{r['x_bare']:.2f}x" if r["x_bare"] is not None else "-",
                f"{r['peak_mib']:,.0f}" if r["peak_mib"] is not None else "-",
                r["target"],
                r["verdict"],
            )
        )
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    right = {1, 2, 3, 4, 5}

    def fmt(line: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(line)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(line) for line in body)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer tasks and 1 repeat (a smoke check)")
    parser.add_argument("--repeat", type=int, help="repeats of each benchmark (default 3; --quick: 1)")
    parser.add_argument(
        "--scale", type=float, help="task count as a fraction of 1,000,000 (overrides --quick)"
    )
    parser.add_argument(
        "--only",
        default=",".join(BENCHMARKS),
        help="comma-separated: bare,a,b,c (default); opt-in: bll ((b) under least-loaded), "
        "bllc (the same with its decision cache on), "
        "mobility ((b) with moving devices and traced radio links against (b) static), "
        "f (the LLM assistant, 10,000 requests under two policies: output tokens/s), "
        "d ((a) with 10x the tasks, for peak memory)",
    )
    parser.add_argument("--nodes", type=int, default=TOPOLOGY_NODES, help="nodes of benchmark (c)")
    parser.add_argument("--json", type=Path, help="results file (default benchmarks/results/latest.json)")
    args = parser.parse_args(argv)
    only = tuple(name.strip() for name in args.only.split(",") if name.strip())
    unknown = sorted(set(only) - set(BENCHMARKS) - set(OPTIONAL))
    if unknown:
        known = ", ".join(BENCHMARKS + OPTIONAL)
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {known}")
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    repeat = args.repeat if args.repeat is not None else (1 if args.quick or scale < 1.0 else 3)
    config = Config(scale=scale, repeat=max(1, repeat), only=only, topology_nodes=args.nodes)
    machine = machine_info()
    print(f"{machine['cpu']}, {machine['cores']} cores, Python {machine['python']}, SimPy {machine['simpy']}")
    print(f"about {config.tasks:,} tasks per run, {config.repeat} repeat(s)\n")
    report = run_all(config, log=lambda line: print(line, flush=True))
    print()
    print(format_table(report.rows))
    print(f"\nmedians of {config.repeat} repeat(s); x bare SimPy = tasks/s / bare SimPy jobs/s of this run")
    if "c_traced_peak_mib" in report.extra:
        print(
            f"(c) Python heap of the built world (tracemalloc): {report.extra['c_traced_peak_mib']:.0f} MiB"
        )
    ratio = next((r["zero_run_x_interpreter"] for r in report.rows if "zero_run_x_interpreter" in r), None)
    if ratio is not None:
        print(f"(e) 0-task run / bare interpreter start, median of each round's ratio: {ratio:.1f}x")
    print(f"load average: {report.machine['loadavg_start']} at start, {report.machine['loadavg_end']} at end")
    path = args.json or HERE / "results" / ("latest-quick.json" if args.quick else "latest.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(report), indent=2) + "\n")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
