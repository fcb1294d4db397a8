"""The offered load is grouped by the records' codes, with the floats of a grouping by names.

Grouping each completed task by the string ``placement\\x1esource\\x1fapp`` made and sorted a string a
task: some 7k instructions a task of benchmark (b), 5 % of its whole run (issue 12).  The codes give
the same groups; each group's compute time is summed as whole nanoseconds (exact, so the same
however the records were chunked) and a node's pairs in their sorted order.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from offloadsim import api
from offloadsim.analysis.metric_registry import TaskChunk
from offloadsim.analysis.offered_load import offered_loads
from offloadsim.engine import simulate

ROOT = Path(__file__).parents[2]


def _by_names(tasks, rates) -> dict[str, float]:
    """The offered loads grouped by joined names, a task at a time (one chunk): the reference."""
    done: dict[tuple[str, str], int] = {}
    groups: dict[str, int] = {}  # whole nanoseconds, summed exactly
    columns = [np.asarray(tasks[name]) for name in ("source", "app", "placement", "status", "compute_time")]
    for source, app, place, status, seconds in zip(*columns, strict=True):
        if status != "completed":
            continue
        done[(source, app)] = done.get((source, app), 0) + 1
        key = f"{place}\x1e{source}\x1f{app}"
        groups[key] = groups.get(key, 0) + (round(float(seconds) * 1e9) if math.isfinite(seconds) else 0)
    work: dict[str, dict[tuple[str, str], int]] = {}
    unknown: set[str] = set()
    for key in sorted(groups):
        node, pair = key.split("\x1e", 1)
        if ">" in node or ":" in node:
            unknown.update(part.split(":", 1)[0] for part in node.split(">"))
        elif node:
            work.setdefault(node, {})[tuple(pair.split("\x1f", 1))] = groups[key]  # type: ignore[index]
    return {
        node: sum(rates[pair] * (float(ns) / 1e9) / done[pair] for pair, ns in sorted(pairs.items()))
        for node, pairs in work.items()
        if node not in unknown and all(pair in rates for pair in pairs)
    }


@pytest.mark.parametrize("name", ["edge-outage", "camera-multitier", "llm-assistant"])
def test_engine_records_are_grouped_by_their_codes_not_a_string_a_task(name, tmp_path, monkeypatch):
    scenario = api.load(str(ROOT / "scenarios" / f"{name}.yaml"))
    tasks = simulate(scenario, records_dir=tmp_path / "records").tasks
    pairs = dict.fromkeys(zip(tasks["source"], tasks["app"], strict=True))
    rates = {pair: 0.5 + index / 7 for index, pair in enumerate(pairs)}  # every pair known: every node counts
    expected = _by_names(tasks, rates)

    def texts(self, column):
        raise AssertionError(f"{column}: an object array of strings, one a task")

    monkeypatch.setattr(TaskChunk, "texts", texts)
    loads = offered_loads(tasks, rates)
    assert list(loads.items()) == list(expected.items())  # the same floats, in the same order
    if name == "edge-outage":
        assert len(loads) > 10


def test_prefix_names_sum_in_the_order_of_their_joined_names():
    # Names one another's prefix (edge-1 and edge-10, a and a-0, b and b0): each node's groups are
    # told apart and its pairs summed in their sorted order, as the reference does.
    sources = ["a-0", "a", "b0", "b", "a", "a-0", "b", "b0"] * 3
    tasks = {
        "source": np.array(sources),
        "app": np.array(["x"] * len(sources)),
        "placement": np.array(["edge-10", "edge-1"] * (len(sources) // 2)),
        "status": np.array(["completed"] * len(sources)),
        "compute_time": np.array([0.1 * (i % 7) + 1e-9 * i for i in range(len(sources))]),
    }
    rates = {(s, "x"): 1.0 / (1 + i) for i, s in enumerate(["a", "a-0", "b", "b0"])}
    assert list(offered_loads(tasks, rates).items()) == list(_by_names(tasks, rates).items())
