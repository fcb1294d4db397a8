"""Calls per task of benchmark (b) (or (a)), counted by cProfile: evidence that no machine load moves.

Runs the scenario in this process (``offloadsim.run``, as ``profile_run.py``
does) once to warm up, then at two sizes, and divides the difference of
each function's call count by the difference of tasks, so that imports,
start-up, building the world and writing the run directory do not count.
Prints the totals (all calls, Python-level calls, SimPy event objects, the
engine's light calls) and the functions called most per task.

    python benchmarks/call_counts.py [--tasks 10000,30000] [--scenario city|mm1] [--set KEY=VALUE]...
                                     [--top 30] [--json PATH]

``--set`` overrides the scenario as ``offloadsim run --set`` does, e.g. the
least-loaded policy of ``benchmarks/run.py --only bll``:
``--set policy.name=least-loaded --set "policy.tiers=[edge, cloud]"``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from profile_run import SCENARIOS, _label, _workload  # noqa: E402  (a script beside this one)

# Each function's calls are keyed by its label without the line number, so that the counts of two
# trees compare function by function.
SIMPY_EVENTS = "__init__ (simpy/events.py)"
# SimPy's events scheduled (SimPy's ``schedule``, or the run's environment's own, Python functions both).
SCHEDULED = ("schedule (simpy/core.py)", "schedule (offloadsim/engine/environment.py)")
# The light calls, not a function: the eids drawn from SimPy's counter less SimPy's events. (The hot
# paths push their calls onto the calendar inline, so calls of ``call_in`` no longer count them.)
LIGHT_CALLS = "light calls (eids drawn less SimPy's events)"


def _key(file: str, line: int, function: str) -> str:
    label = _label(file, line, function)
    where, _, rest = label.partition(" (")
    return f"{where} ({rest.rsplit(':', 1)[0]})" if rest.endswith(")") and ":" in rest else label


def counts(scenario: str, tasks: int, overrides: Sequence[str] = ()) -> tuple[int, dict[str, int], set[str]]:
    """One profiled run of about ``tasks`` tasks: its task count, each function's calls, the built-ins."""
    with tempfile.TemporaryDirectory(prefix="offloadsim-calls-") as tmp:
        from offloadsim.engine.environment import RunEnvironment

        run = _workload(scenario, tasks, Path(tmp) / "run", overrides)
        made: list[RunEnvironment] = []
        original = RunEnvironment.__init__

        def keep(env: RunEnvironment, *args: Any, **kwargs: Any) -> None:
            original(env, *args, **kwargs)
            made.append(env)

        RunEnvironment.__init__ = keep  # type: ignore[method-assign,assignment]
        try:
            profiler = cProfile.Profile()
            result = profiler.runcall(run)
        finally:
            RunEnvironment.__init__ = original  # type: ignore[method-assign]
        stats = pstats.Stats(profiler)
    calls: dict[str, int] = {}
    builtins: set[str] = set()
    for (file, line, function), (_, ncalls, *_rest) in stats.stats.items():  # type: ignore[attr-defined]
        key = _key(file, line, function)
        calls[key] = calls.get(key, 0) + ncalls
        if file.startswith("~"):
            builtins.add(key)
    eids = sum(next(env._eid) for env in made)
    calls[LIGHT_CALLS] = eids - sum(calls.get(name, 0) for name in SCHEDULED)
    return int(result.task_count), calls, builtins


def per_task(scenario: str, small: int, large: int, overrides: Sequence[str] = ()) -> dict[str, Any]:
    """Calls per task between runs of about ``small`` and ``large`` tasks (after a warm-up run)."""
    counts(scenario, max(1, small // 5), overrides)
    n1, c1, _ = counts(scenario, small, overrides)
    n2, c2, builtins = counts(scenario, large, overrides)
    if n2 <= n1:
        raise SystemExit(f"the larger run has no more tasks ({n2:,} against {n1:,}): widen --tasks")
    rates = {k: (c2.get(k, 0) - c1.get(k, 0)) / (n2 - n1) for k in set(c1) | set(c2)}
    light = rates.pop(LIGHT_CALLS, 0.0)
    rates = {k: v for k, v in rates.items() if abs(v) >= 1e-3}
    python = sum(v for k, v in rates.items() if k not in builtins)
    return {
        "scenario": scenario,
        "overrides": list(overrides),
        "tasks": [n1, n2],
        "calls": sum(rates.values()),
        "python_calls": python,
        "simpy_events": rates.get(SIMPY_EVENTS, 0.0),
        "light_calls": light,
        "per_task": dict(sorted(rates.items(), key=lambda kv: -kv[1])),
    }


def two_sizes(text: str) -> tuple[int, int]:
    """``"10000,30000"``: the two run sizes, whole numbers above 0, the second the larger."""
    parts = text.split(",")
    try:
        small, large = (int(part) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two task counts like 10000,30000, got {text!r}") from None
    if not 0 < small < large:
        raise argparse.ArgumentTypeError(f"expected two task counts above 0, the second larger, got {text!r}")
    return small, large


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks", type=two_sizes, default=(10_000, 30_000), help="the two sizes, about (default 10000,30000)"
    )
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="city", help="city: (b); mm1: (a)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override the scenario, as offloadsim run --set does (repeatable)",
    )
    parser.add_argument("--top", type=int, default=30, help="functions to list (default 30)")
    parser.add_argument("--json", type=Path, help="write every function's calls per task here")
    args = parser.parse_args(argv)
    small, large = args.tasks
    report = per_task(args.scenario, small, large, args.set)
    n1, n2 = report["tasks"]
    print(
        f"{' '.join([args.scenario, *args.set])}: calls per task between {n1:,} and {n2:,} tasks: "
        f"{report['calls']:.2f} "
        f"({report['python_calls']:.2f} Python-level); SimPy event objects {report['simpy_events']:.3f}, "
        f"light calls {report['light_calls']:.3f}\n"
    )
    for key, rate in list(report["per_task"].items())[: args.top]:
        print(f"{rate:9.3f}  {key}")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
