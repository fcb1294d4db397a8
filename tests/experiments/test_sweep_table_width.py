"""The sweep's printed table stays within 120 columns, saying in one line what it left out.

A sweep of an LLM on one Jetson, three Jetsons in a pipeline and the cloud printed a table 380
characters wide: its swept ``node``, ``nodes`` and ``cuts`` repeated what each policy's label says
(null where the policy takes none), its deadline column said ``no deadlines`` in every row, and nine
metric headings as long as ``mean decode rate per request (tokens/s)`` stood side by side.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd

from offloadsim.cli.experiments import _sweep_table

_POLICIES = {  # label: (node, nodes, cuts) as the sweep's tables hold them
    "fixed(node=jet-0)": ("jet-0", None, None),
    "fixed(nodes=[jet-0, jet-1, jet-2], cuts=[11, 22])": (None, '["jet-0", "jet-1", "jet-2"]', "[11, 22]"),
    "fixed(node=cloud)": ("cloud", None, None),
}
_METRICS = {  # metric: (mean, ci) of every point; NaN: no run had a value
    "latency_mean_s": (285.989, 564.583),
    "latency_p95_s": (492.4, 466.687),
    "latency_p99_s": (530.1, 470.2),
    "ttft_mean_s": (1.409, 3.825),
    "tpot_mean_s": (0.0073716, 0.0000006),
    "decode_tokens_per_s_mean": (135.656, 0.012),
    "output_tokens_per_s": (33.1, 7.4),
    "deadline_miss_rate": (np.nan, np.nan),
    "device_energy_mean_j": (0.0, 0.0),
}
_SWEPT = ["workload[0].rate", "policy.name", "policy.node", "policy.nodes", "policy.cuts"]
_LABELS = {"workload[0].rate": "chat arrival rate", "policy.name": "policy", "policy.node": "node"}


def _result(policies=_POLICIES, metrics=_METRICS, swept=_SWEPT):
    rows, point = [], 0
    for rate in ("2 /min", "4 /min", "8 /min", "12 /min"):
        for label, (node, nodes, cuts) in policies.items():
            for metric, (mean, ci) in metrics.items():
                n = 0 if np.isnan(mean) else 2
                rows.append((rate, "fixed", node, nodes, cuts, point, label, metric, n, mean, ci))
            point += 1
    summary = pd.DataFrame(rows, columns=[*_SWEPT, "point", "policy", "metric", "n", "mean", "ci"])
    labels = _LABELS | {"policy.nodes": "nodes", "policy.cuts": "cuts"}
    manifest = {"name": "q2", "swept": swept, "labels": labels, "replications": 2}
    return SimpleNamespace(summary=summary, manifest=manifest)


def test_a_wide_sweep_table_fits_120_columns_and_says_what_it_left_out():
    lines = _sweep_table(_result()).splitlines()
    assert max(map(len, lines)) <= 120, max(map(len, lines))
    assert "device energy per task (mJ): counted above idle" in lines  # its column is shown
    said = [line for line in lines if line.startswith("left out")]
    assert said == [
        "left out (in summary.csv): node, nodes, cuts (the policy names them); "
        "deadline misses (%) (no task had a deadline)"
    ]
    table = "\n".join(lines)
    assert "no deadlines" not in table and " jet-0 " not in table  # the columns left out
    # Every value is still there, each row named by its rate and policy in every block.
    for heading in ("latency", "first token", "output token", "throughput", "(tokens/s)", "per task"):
        assert heading in table, heading
    rows = [line for line in lines if line.startswith("12 /min  fixed(node=cloud)")]
    assert len(rows) >= 2 and "285,989 ± 564,583" in rows[0] and rows[-1].endswith("0.00 ± 0"), rows


def test_a_table_that_fits_is_printed_as_it_always_was():
    """Narrow enough, nothing is left out and each heading is one line: a column of nulls stays."""
    narrow = {"fixed(node=jet-0)": ("jet-0", None, None), "fixed(node=cloud)": ("cloud", None, None)}
    few = {"latency_mean_s": (0.5, 0.01), "deadline_miss_rate": (np.nan, np.nan)}
    lines = _sweep_table(_result(narrow, few, ["policy.name", "policy.cuts"])).splitlines()
    assert max(map(len, lines)) <= 120
    heading = (
        "policy  cuts  mean latency (ms)  p99 latency (ms)  deadline misses (%)  device energy per task (mJ)"
    )
    assert lines[1].split() == heading.split()
    assert set(lines[2]) == {"-", " "} and lines[3].split()[1:3] == ["–", "500"]  # one heading line
    assert "no deadlines" in lines[3]
    assert not [line for line in lines if line.startswith("left out")]


def test_a_sweeps_table_has_the_throughput_compares_has():
    """A sweep of the arrival rate printed latencies alone: its throughput, the number a capacity study
    reads and the one an overloaded point's warning speaks of, was in summary.csv only."""
    narrow = {"fixed(node=jet-0)": ("jet-0", None, None)}
    few = {"latency_mean_s": (0.5, 0.01), "throughput_per_s": (1.804, 0.05)}
    lines = _sweep_table(_result(narrow, few, ["workload[0].rate"])).splitlines()
    table = "\n".join(lines)
    assert "throughput (tasks/s)" in table, table
    assert all("  1.804 ± 0.050  " in line for line in lines if "/min" in line), table


def test_a_policy_parameter_left_out_as_dashes_is_said_not_applicable_not_null():
    """HQ45: its column shows ``–`` (not applicable) in every row, and its reason read "null in every row"."""
    single = {label: node for label, node in _POLICIES.items() if node[1] is None}  # no nodes, no cuts
    said = [line for line in _sweep_table(_result(single)).splitlines() if line.startswith("left out")]
    assert said[0].startswith(
        "left out (in summary.csv): node (the policy names them); nodes, cuts (not applicable in every row)"
    )
    assert "null" not in " ".join(said)


def _access_points(count: int) -> str:
    """A zipped ``dynamics[0].access_points`` value as the sweep's summary holds it (JSON, keys sorted)."""
    import json

    points = [
        {"node": f"rsu-{i}", "position": [f"{250 * i} m", "10 m"], "radius": "300 m"} for i in range(count)
    ]
    return json.dumps(points, sort_keys=True)


def test_a_zipped_list_reads_by_its_size_as_under_a_figure_and_the_table_says_where_it_is_whole():
    """RSU counts zipped with their access-point lists printed each list whole: rows 460 characters wide."""
    from offloadsim.analysis.brief_values import IN_FULL, brief_texts
    from offloadsim.analysis.values import value_text

    swept = ["nodes.rsu.count", "dynamics[0].access_points"]
    rows = [
        (count, _access_points(count), point, "edge", metric, 3, mean, 0.1 * mean)
        for point, count in enumerate((2, 4, 8))
        for metric, mean in (("latency_mean_s", 0.03), ("deadline_miss_rate", 0.01))
    ]
    summary = pd.DataFrame(rows, columns=[*swept, "point", "policy", "metric", "n", "mean", "ci"])
    labels = {"nodes.rsu.count": "RSUs", "dynamics[0].access_points": "access points"}
    manifest = {"name": "v2x", "swept": swept, "labels": labels, "replications": 3}
    lines = _sweep_table(SimpleNamespace(summary=summary, manifest=manifest)).splitlines()
    assert max(map(len, lines)) <= 120, max(map(len, lines))
    cells = [re.split(r" {2,}", line)[1] for line in lines if line[:1].isdigit()]
    # The figure's notes' words for the same values: one function says both.
    figure = brief_texts([value_text(_access_points(n)) for n in (2, 4, 8)])
    assert cells == figure[0] == ["a list of 2", "a list of 4", "a list of 8"], cells
    assert f"access points: said by size where too long for a cell {IN_FULL}" in lines
    short = summary.assign(**{"dynamics[0].access_points": '["rsu-0"]'})
    table = _sweep_table(SimpleNamespace(summary=short, manifest=manifest))
    assert "[rsu-0]" in table and "said by size" not in table  # a short list is written whole
