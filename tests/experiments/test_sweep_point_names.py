"""Notes under a sweep's table name the points they hold at by their values, as the table's rows do.

HR45: a note said `` (at points 0 and 2)`` under a table that shows no point numbers; the in-flight
note wrote a whole zipped list of access points where the table says ``a list of 2``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd

from offloadsim.analysis.brief_values import IN_FULL
from offloadsim.analysis.notes import unfinished_runs_note
from offloadsim.cli import main
from offloadsim.point_spans import point_describer, points_named

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
KEY = "links[0].bandwidth"


def test_an_llm_sweeps_notes_name_their_points_as_the_table_rows_do(tmp_path, capsys):
    shutil.copy(SCENARIOS / "llm-assistant.yaml", tmp_path / "llm-assistant.yaml")
    sweep = tmp_path / "s.yaml"
    sweep.write_text(
        "name: llm-points\nbase: llm-assistant.yaml\nset: {duration: 60 s}\n"
        f"grid:\n  {KEY}: [10 Mbps, 50 Mbps]\npolicies: [model-select, local]\nreplications: 2\n"
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "(at point" not in out
    policies = set(pd.read_csv(tmp_path / "out" / "summary.csv")["policy"])
    ceilings = [line for line in out.splitlines() if line.startswith("note: LLM decode runs at")]
    assert len(ceilings) == 2  # the 8B in the cloud only where model-select sends it there
    for line in ceilings:  # both bandwidths' points of one policy: said by the policy, a column's value
        named = re.search(r" \(at every point of ([^()]*)\)$", line)
        assert named is not None, line
        assert named.group(1) in policies
        assert named.group(1) == ("local" if "cortex-a76)" in line else "model-select")


def test_points_are_said_by_a_value_of_theirs_by_their_values_or_compactly():
    frame = pd.DataFrame(
        {
            "point": range(6),
            KEY: ["5 Mbps"] * 3 + ["9 Mbps"] * 3,
            "policy.name": ["x"] * 6,
            "policy": list("abcabd"),
        }
    )
    described = point_describer(frame, [KEY, "policy.name"])
    assert described(4) == "9 Mbps, b"  # the policy by its label, as the table's column shows it
    assert points_named([3, 4, 5], 6, described) == " (at every point of 9 Mbps)"
    assert points_named([0, 3], 6, described) == " (at every point of a)"
    assert points_named([2], 6, described) == " (at 5 Mbps, c)"  # one point: its row
    assert points_named([1, 2], 6, described) == " (at 5 Mbps, b; 5 Mbps, c)"  # no value is theirs alone
    assert points_named([0, 1, 3, 4], 6, described) == " (at every point of a and b)"
    assert points_named([0, 1, 4, 5], 6, described) == (
        " (at points 0, 1, 4 and 5 of summary.csv's point column)"
    )
    assert points_named(list(range(6)), 6, described) == ""
    assert points_named([2], 6, None) == " (at point 2)"  # a dry run lists its points by number


def test_the_in_flight_note_says_a_zipped_list_by_its_size():
    zipped = "[{node: rsu-0, radius: 150 m}, {node: rsu-1, position: [300 m, 0 m], radius: 150 m}]"
    key = "dynamics[0].access_points"
    metrics = pd.DataFrame(
        {
            key: [zipped, "[]"],
            "policy.name": ["edge", "local"],
            "replication": [0, 0],
            "arrived": [10, 10],
            "in_flight": [6, 0],
        }
    )
    note = unfinished_runs_note(metrics, [key, "policy.name", "replication"])
    assert note is not None
    assert f"(most: {key}=a list of 2, policy.name=edge, replication=0, 60% {IN_FULL})" in note
    assert "rsu-0" not in note


def test_values_that_do_not_say_what_they_are_of_are_named_with_their_key():
    """HJ46: ``(at every point of 10 and 100)`` under a sweep of phones' count named no key: a bare
    number, a boolean or a parameter's ``–`` is said with the key as the table's column names it."""
    count, noise, policy = "nodes.phone.count", "nodes.edge.processor.noise", "policy.name"
    frame = pd.DataFrame(
        {
            "point": range(6),
            count: [1, 10, 100] * 2,
            noise: [True, True, True, False, False, False],
            policy: ["local"] * 6,
            "policy.objective": [None] * 6,
            KEY: ["5 Mbps", "5 Mbps", "9 Mbps"] * 2,
        }
    )
    swept = [count, noise, policy, "policy.objective", KEY]
    described = point_describer(frame, swept, {count: "phone count", noise: "edge noise"})
    assert points_named([1, 2, 4, 5], 6, described) == " (at every point with phone (count) 10 or 100)"
    assert points_named([3, 4, 5], 6, described) == " (at every point with edge noise false)"
    assert points_named([0, 1, 3, 4], 6, described) == " (at every point of 5 Mbps)"  # reads alone
    # The policy's parameter null, and the policy, are every point: not a note's "of some points".
    assert points_named(list(range(6)), 6, described) == ""


def test_a_key_whose_values_read_alone_is_preferred_to_one_whose_do_not():
    frame = pd.DataFrame(
        {
            "point": range(4),
            "policy.objective": [None, None, "latency", "energy"],
            "policy.name": list("aabb"),
        }
    )
    described = point_describer(frame, ["policy.objective", "policy.name"])
    assert points_named([0, 1], 4, described) == " (at every point of a)"  # not "with objective –"
    assert points_named([2], 4, described) == " (at latency, b)"


def test_one_point_or_a_few_are_named_with_the_key_where_a_value_says_nothing_alone():
    """HO46: one point of a sweep over ``nodes.phone.count`` was said `` (at 100)``, no key named."""
    count = "nodes.phone.count"
    frame = pd.DataFrame({"point": range(4), count: [1, 10, 100, 1000], "policy": ["local", "edge"] * 2})
    described = point_describer(frame, [count], {count: "phone count"})
    assert points_named([2], 4, described) == " (at phone (count) 100)"
    two = frame.assign(**{count: [10, 10, 100, 100]})
    both = point_describer(two, [count, "policy.name"], {count: "phone count"})
    assert points_named([1, 2], 4, both) == " (at phone (count) 10, edge; phone (count) 100, local)"
    labelled = point_describer(frame.assign(**{count: ["5 Mbps"] * 4}), [count, "policy.name"])
    assert points_named([2], 4, labelled) == " (at 5 Mbps, local)"  # values that read alone: as before
