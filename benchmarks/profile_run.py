"""Where the time goes in benchmark (b) (or (a)): the top functions by own time, with their shares.

Runs the city scenario (``--scenario mm1``: the M/M/1 one) in this process, as ``offloadsim run`` does
(``offloadsim.api.run``: load, simulate, build the DataFrame, write the run
directory), under a profiler, and prints a Markdown table of the functions
with the most *own* time (time in the function itself, not its callees).

``--profiler pyinstrument`` (a sampling profiler: ``pip install
pyinstrument``) barely slows the run, so its shares are the truer ones;
``cProfile`` (the default, in the standard library) counts every call
exactly but adds a fixed cost to each, which inflates small, often-called
functions.

    python benchmarks/profile_run.py [--tasks 200000] [--profiler cprofile|pyinstrument]
                                     [--top 12] [--scenario city|mm1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

# Scenario name -> (file, arrivals per simulated second).
SCENARIOS = {
    "city": (HERE / "scenarios" / "city.yaml", 2_000.0),  # benchmark (b): 1,000 devices x 2 /s
    "mm1": (HERE / "scenarios" / "mm1.yaml", 0.9),  # benchmark (a)
}

# One row: (function label, own seconds, calls or None).
Row = tuple[str, float, int | None]

# The phases of a run: (name, file ending, function), timed as the function's cumulative time.
PHASES = (
    ("load and validate the scenario", "offloadsim/api.py", "load"),
    ("simulate (world, engine, records)", "offloadsim/engine/__init__.py", "simulate"),
    ("summary and manifest (from the records)", "offloadsim/records/results.py", "from_raw"),
    ("write the run directory (Parquet)", "offloadsim/records/results.py", "write_files"),
)


def _label(file: str, line: int, function: str) -> str:
    path = Path(file)
    parts = path.parts
    if "offloadsim" in parts:
        where = "/".join(parts[parts.index("offloadsim") :])
    elif "site-packages" in parts:
        where = "/".join(parts[parts.index("site-packages") + 1 :])
    elif file.startswith("~") or file.startswith("<"):
        return function if function.startswith("<") else f"{function} (built-in)"
    else:
        where = path.name
    return f"{function} ({where}:{line})"


def _workload(scenario: str, tasks: int, out: Path, overrides: Sequence[str] = ()) -> Callable[[], Any]:
    from offloadsim.api import run as run_scenario

    file, rate = SCENARIOS[scenario]
    duration = tasks / rate

    def run() -> Any:
        return run_scenario(file, overrides=[f"duration={duration!r} s", *overrides], out=out, overwrite=True)

    return run


def profile_cprofile(run: Callable[[], Any]) -> tuple[list[Row], float, dict[str, float]]:
    """Own time per function under cProfile; returns rows (largest first), the total and the phases."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(run)
    stats = pstats.Stats(profiler)
    rows: list[Row] = []
    phases: dict[str, float] = {}
    for (file, line, function), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((_label(file, line, function), tottime, calls))
        for phase, ending, name in PHASES:
            if function == name and file.replace("\\", "/").endswith(ending):
                phases[phase] = phases.get(phase, 0.0) + cumtime
    rows.sort(key=lambda row: -row[1])
    return rows, stats.total_tt, phases  # type: ignore[attr-defined]


def profile_pyinstrument(run: Callable[[], Any]) -> tuple[list[Row], float, dict[str, float]]:
    """Own time per function from pyinstrument's samples; returns rows (largest first), total, phases."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    run()
    profiler.stop()
    root = profiler.last_session.root_frame()  # type: ignore[union-attr]
    own: dict[str, float] = {}
    phases: dict[str, float] = {}
    stack = [(root, False)] if root is not None else []
    while stack:
        frame, in_phase = stack.pop()
        if frame.is_synthetic:  # pyinstrument's [self] and [await] leaves count for their parent
            continue
        file = (frame.file_path or "").replace("\\", "/")
        function = frame.function or "?"
        label = _label(file, frame.line_no or 0, function)
        own[label] = own.get(label, 0.0) + frame.total_self_time
        starts_phase = False
        if not in_phase:
            for phase, ending, name in PHASES:
                if function == name and file.endswith(ending):
                    phases[phase] = phases.get(phase, 0.0) + frame.time
                    starts_phase = True
        stack.extend((child, in_phase or starts_phase) for child in frame.children)
    rows: list[Row] = [(label, seconds, None) for label, seconds in own.items()]
    rows.sort(key=lambda row: -row[1])
    return rows, root.time if root is not None else 0.0, phases


def markdown(rows: list[Row], total_s: float, top: int) -> str:
    """The top ``top`` rows as a Markdown table with each one's share of ``total_s``."""
    lines = ["| # | function | own s | share | calls |", "|---:|---|---:|---:|---:|"]
    for rank, (label, seconds, calls) in enumerate(rows[:top], start=1):
        share = seconds / total_s if total_s > 0 else 0.0
        shown_calls = f"{calls:,}" if calls is not None else "-"
        lines.append(f"| {rank} | `{label}` | {seconds:.2f} | {share:.1%} | {shown_calls} |")
    covered = sum(row[1] for row in rows[:top])
    lines.append(f"| | top {min(top, len(rows))} together | {covered:.2f} | {covered / total_s:.1%} | |")
    return "\n".join(lines)


def phases_markdown(phases: dict[str, float], total_s: float) -> str:
    """The run's phases (cumulative time) as a Markdown table with shares of ``total_s``."""
    lines = ["| phase | s | share |", "|---|---:|---:|"]
    for phase, _, _ in PHASES:
        seconds = phases.get(phase, 0.0)
        lines.append(f"| {phase} | {seconds:.2f} | {seconds / total_s:.1%} |")
    return "\n".join(lines)


def profile(tasks: int, profiler: str = "cprofile", top: int = 12, scenario: str = "city") -> dict[str, Any]:
    """Profile a run of ``scenario`` with about ``tasks`` tasks; tables, totals and the task count."""
    with tempfile.TemporaryDirectory(prefix="offloadsim-profile-") as tmp:
        run = _workload(scenario, tasks, Path(tmp) / "run")
        start = time.perf_counter()
        result: list[Any] = []

        def measured() -> None:
            result.append(run())

        if profiler == "pyinstrument":
            rows, total, phases = profile_pyinstrument(measured)
        else:
            rows, total, phases = profile_cprofile(measured)
        wall = time.perf_counter() - start
    return {
        "scenario": scenario,
        "profiler": profiler,
        "tasks": result[0].task_count,
        "profiled_s": total,
        "wall_s": wall,
        "phases": phases,
        "top": [{"function": label, "own_s": own, "calls": calls} for label, own, calls in rows[:top]],
        "phases_table": phases_markdown(phases, total),
        "table": markdown(rows, total, top),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200_000, help="tasks (about; default 200,000)")
    parser.add_argument("--profiler", choices=("cprofile", "pyinstrument"), default="cprofile")
    parser.add_argument("--top", type=int, default=12, help="rows to show (default 12)")
    parser.add_argument(
        "--scenario",
        choices=sorted(SCENARIOS),
        default="city",
        help="city: benchmark (b) (default); mm1: (a)",
    )
    args = parser.parse_args(argv)
    report = profile(args.tasks, args.profiler, args.top, args.scenario)
    print(
        f"{args.scenario}, {report['tasks']:,} tasks, {args.profiler}: "
        f"{report['profiled_s']:.2f} s profiled, {report['wall_s']:.2f} s wall\n"
    )
    print(report["phases_table"] + "\n")
    print(report["table"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
