"""``node-schedule`` with ``file``: an outage log read as the steps it stands for; its bad rows refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import offloadsim
from offloadsim.scenario import load_scenario
from offloadsim.world import WorldError, build_world

# The shipped edge-outage scenario (20 phones, an edge and a cloud, recovery by retry and fallback),
# cut to 60 s: an outage of its edge aborts the frames it serves.
SHIPPED = Path(__file__).resolve().parents[2] / "scenarios" / "edge-outage.yaml"
SHORTER = "duration=60 s"
LOGGED = "dynamics=[{kind: node-schedule, file: outages.csv}]"

# The log's outages as steps, one entry a node: at 30 s the edge comes back before the cloud goes
# down, as the log's rows give them (the edge's outage is the earlier row).
BY_HAND = (
    "dynamics=["
    "{kind: node-schedule, node: edge, steps: [{at: 12 s, up: false}, {at: 30 s, up: true}, "
    "{at: 45 s, up: false}, {at: 51 s, up: true}]}, "
    "{kind: node-schedule, node: cloud, steps: [{at: 30 s, up: false}, {at: 42 s, up: true}]}]"
)

LOGS = {
    "an outage a row": "node,down (min),up (min)\nedge,0.2,0.5\ncloud,0.5,0.7\nedge,0.75,0.85\n",
    "a change a row": (
        "time,node,state\n12 s,edge,down\n30,edge,up\n30,cloud,DOWN\n42,cloud,up\n45,edge,down\n51,edge,up\n"
    ),
}


def _scenario(tmp_path: Path, log: str) -> Path:
    """The shipped scenario copied beside an outage log, which its entries read as ``outages.csv``."""
    (tmp_path / "outages.csv").write_text(log)
    return Path(shutil.copy(SHIPPED, tmp_path))


@pytest.mark.parametrize("log", LOGS.values(), ids=LOGS.keys())
def test_an_outage_logs_records_are_those_of_its_hand_written_steps(tmp_path, log):
    path = _scenario(tmp_path, log)
    logged = offloadsim.run(path, overrides=[SHORTER, LOGGED])
    by_hand = offloadsim.run(path, overrides=[SHORTER, BY_HAND])
    assert (logged.tasks["retries"] > 0).any()  # the outages aborted work: the comparison says something
    assert logged.tasks.equals(by_hand.tasks)
    assert logged.nodes.equals(by_hand.nodes)
    assert logged.nodes.set_index("node")["availability"]["edge"] < 1.0


def _refusal(tmp_path, log: str, entry: str = "file: outages.csv") -> str:
    loaded = load_scenario(
        _scenario(tmp_path, log), overrides=[f"dynamics=[{{kind: node-schedule, {entry}}}]"]
    )
    with pytest.raises(WorldError) as caught:
        build_world(loaded)
    return str(caught.value)


BAD = [
    ("", "dynamics[0].file: outages.csv: the file is empty"),
    ("node,down,up\n", "dynamics[0].file: outages.csv: no rows after the header"),
    ("node,start,end\nedge,1,2\n", "dynamics[0].file: outages.csv, line 1: expected a header row with"),
    ("node,down,up\nedgy,1,2\n", 'outages.csv, line 2, column "node": unknown node "edgy" (did you mean'),
    ("node,down,up\nedge,1,soon\n", 'outages.csv, line 2, column "up": '),
    ("node,down,up\nedge,5,3\n", 'outages.csv, line 2, column "up": 3 s does not come after the outage'),
    (
        "node,down,up\nedge,10,20\ncloud,10,20\nedge,15,30\n",
        'outages.csv, line 4: "edge" goes down at 15 s, inside its outage from 10 s to 20 s (line 2): '
        "the outages overlap",
    ),
    (
        "node,down,up\nedge,10,30\nedge,5,8\n",
        "outages.csv, line 3: 5 s comes before the previous row's 10 s (rows go in time order, by down",
    ),
    (
        "node,down,up\nedge,10,\nedge,15,30\n",
        'outages.csv, line 3: "edge" goes down at 15 s, inside its outage from 10 s (line 2)',
    ),
    (
        "time,node,state\n10,edge,down\n12,edge,down\n",
        'outages.csv, line 3: "edge" goes down at 12 s, inside its outage from 10 s (line 2)',
    ),
    (
        "time,node,state\n10,edge,up\n",
        'outages.csv, line 2: brings "edge" up at 10 s, but it is not down',
    ),
    (
        "time,node,state\n10,edge,off\n",
        'outages.csv, line 2, column "state": expected down or up, got "off"',
    ),
    ("time,node,state\n10,edge\n", "outages.csv, line 2: expected 3 columns like the header, got 2"),
]


@pytest.mark.parametrize(("log", "message"), BAD)
def test_a_bad_outage_log_is_refused_at_its_file_line_and_column(tmp_path, log, message):
    assert message in _refusal(tmp_path, log)


def test_a_file_with_steps_or_without_either_is_refused_at_the_key(tmp_path):
    both = _refusal(tmp_path, "node,down,up\nedge,1,2\n", "file: outages.csv, node: edge")
    assert both.startswith("dynamics[0].node: not with file: the outage log names its nodes")
    neither = _refusal(tmp_path, "", "steps: [{at: 1 s, up: false}]")
    assert neither.startswith("dynamics[0].node: missing (required, unless file names an outage log)")


def test_an_open_outage_holds_its_node_down_to_the_end(tmp_path):
    results = offloadsim.run(_scenario(tmp_path, "node,down,up\nedge,40,\n"), overrides=[SHORTER, LOGGED])
    # Measured from the end of the 10 s warm-up for 60 s: up for 30 of them.
    assert results.nodes.set_index("node")["availability"]["edge"] == pytest.approx(30.0 / 60.0)


def test_the_cli_refuses_a_bad_log_with_one_line_and_exit_2(tmp_path, capsys):
    from offloadsim.cli import main

    path = _scenario(tmp_path, "node,down,up\nedge,10,20\nedge,15,30\n")
    out = tmp_path / "out"
    assert main(["run", str(path), "--set", LOGGED, "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"offloadsim: error: {path}: dynamics[0].file: outages.csv, line 3"
    )
    assert not out.exists()


def test_a_log_whose_first_outage_comes_after_the_runs_end_is_warned_of_at_its_file(tmp_path, capsys):
    """A log in another time origin (an operator's epoch seconds) changes nothing the run sees: said."""
    from offloadsim.cli import main

    path = _scenario(tmp_path, "node,down,up\nedge,1700000000,1700000060\n")
    assert main(["validate", str(path), "--set", SHORTER, "--set", LOGGED]) == 0
    said = capsys.readouterr().err
    assert "dynamics[0].file: 1.7e+09 s is at or after the run's end at 70 s" in said
    assert "[late-dynamics]" in said


# An operator's log of the same outages: wall-clock timestamps (in two time zones) and its own host
# names, read with the entry's start (simulation time 0) and nodes (the log's names to the scenario's).
OPERATOR_LOG = (
    "node,down,up\n"
    "edge-7.dc1.example.net,2026-03-01T11:00:12+01:00,2026-03-01T11:00:30+01:00\n"
    "cloud-a,2026-03-01T10:00:30Z,2026-03-01T10:00:42Z\n"
    "edge-7.dc1.example.net,2026-03-01T10:00:45Z,2026-03-01T10:00:51Z\n"
)
START = "start: 2026-03-01T10:00:00Z"
NAMES = 'nodes: {"edge-7.dc1.example.net": edge, cloud-a: cloud}'
OPERATOR = f"file: outages.csv, {START}, {NAMES}"


def test_an_operator_logs_records_are_those_of_the_log_shifted_and_renamed_by_hand(tmp_path):
    path = _scenario(tmp_path, OPERATOR_LOG)
    logged = offloadsim.run(path, overrides=[SHORTER, f"dynamics=[{{kind: node-schedule, {OPERATOR}}}]"])
    by_hand = offloadsim.run(path, overrides=[SHORTER, BY_HAND])
    assert (logged.tasks["retries"] > 0).any()  # the outages aborted work: the comparison says something
    assert logged.tasks.equals(by_hand.tasks)
    assert logged.nodes.equals(by_hand.nodes)


# (what the entry says instead, or the log's text changed (from, to) with the entry as it is, message)
OPERATOR_BAD = [
    (
        OPERATOR.replace("10:00:00Z", "10:00:00"),
        'dynamics[0].start: "2026-03-01T10:00:00" has no time zone: add Z for UTC or the offset (+01:00)',
    ),
    (
        OPERATOR.replace("2026-03-01T10:00:00Z", "noon"),
        "dynamics[0].start: expected a timestamp with its time zone, as 2026-03-01T10:15:00Z (UTC) or "
        '2026-03-01T11:15:00+01:00, got "noon"',
    ),
    (
        OPERATOR.replace("cloud-a: cloud", "cloud-a: clouds"),
        'dynamics[0].nodes.cloud-a: expected the name of a node, got "clouds" (did you mean "cloud"?)',
    ),
    (f"file: outages.csv, {START}, nodes: []", "dynamics[0].nodes: expected a mapping"),
    (f"node: edge, steps: [{{at: 1 s, up: false}}], {START}", "dynamics[0].start: only with file"),
    (
        ("cloud-a,", "cloud-b,"),
        'outages.csv, line 3, column "node": unknown node "cloud-b" (did you mean "cloud-a"?); expected the '
        "name of a node of the scenario or a name of the log's that its entry's nodes maps",
    ),
    (("10:00:42Z", "42"), 'outages.csv, line 3, column "up": expected a timestamp with its time zone'),
    (
        OPERATOR.replace("2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"),
        "outages.csv: every row is before start, 2026-03-02T10:00:00+00:00 (simulation time 0), its last "
        "change 86349 s before it: nothing of the log falls in the run (is start the right day?)",
    ),
    (
        ("node,down,up", "node,down (s),up"),
        'outages.csv, line 1, column "down (s)": a unit, where start reads the times as timestamps',
    ),
]


@pytest.mark.parametrize(("changed", "message"), OPERATOR_BAD)
def test_an_operator_logs_bad_start_names_or_timestamp_is_refused_where_it_is(tmp_path, changed, message):
    if isinstance(changed, tuple):
        assert message in _refusal(tmp_path, OPERATOR_LOG.replace(*changed), OPERATOR)
    else:
        assert message in _refusal(tmp_path, OPERATOR_LOG, changed)


def test_a_log_of_timestamps_without_start_is_refused_at_its_first_saying_to_give_one(tmp_path):
    said = _refusal(tmp_path, "node,down,up\nedge,2026-03-01T10:00:12Z,\n")
    assert (
        'outages.csv, line 2, column "down": "2026-03-01T10:00:12Z" is a timestamp; give the entry\'s start'
        in said
    )


def test_the_cli_refuses_a_bad_start_with_one_line_and_exit_2_and_warns_of_a_late_log(tmp_path, capsys):
    from offloadsim.cli import main

    path = _scenario(tmp_path, OPERATOR_LOG)
    entry = f"dynamics=[{{kind: node-schedule, {OPERATOR.replace('10:00:00Z', '10:00:00')}}}]"
    assert main(["validate", str(path), "--set", entry]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"offloadsim: error: {path}: dynamics[0].start: ")
    # An hour early: the log's first outage, 3612 s on, comes after the run's end, as a plain log's.
    early = f"dynamics=[{{kind: node-schedule, {OPERATOR.replace('10:00:00Z', '09:00:00Z')}}}]"
    assert main(["validate", str(path), "--set", SHORTER, "--set", early]) == 0
    assert "dynamics[0].file: 3612 s is at or after the run's end at 70 s" in capsys.readouterr().err


# The same outages in a longer log (HO46): a day's rows before start, the cloud's outage begun before
# it, rows after the run's end; the run reads it as the log trimmed by hand to the run.
LONGER_LOG = (
    "node,down,up\n"
    "cloud-a,2026-02-28T08:00:00Z,2026-02-28T09:00:00Z\n"
    "edge-7.dc1.example.net,2026-03-01T09:00:00Z,2026-03-01T10:00:00Z\n"
    "cloud-a,2026-03-01T09:59:00Z,2026-03-01T10:00:07Z\n"
    + OPERATOR_LOG.split("\n", 1)[1]
    + "edge-7.dc1.example.net,2026-03-01T12:00:00Z,\n"
)
TRIMMED_LOG = (
    "node,down,up\ncloud-a,2026-03-01T10:00:00Z,2026-03-01T10:00:07Z\n" + OPERATOR_LOG.split("\n", 1)[1]
)
BY_TIME = (
    "time,node,state\n2026-02-28T08:00:00Z,cloud-a,down\n2026-03-01T09:59:00Z,cloud-a,up\n"
    "2026-03-01T09:59:30Z,cloud-a,down\n2026-03-01T10:00:07Z,cloud-a,up\n"
    "2026-03-01T10:00:12Z,edge-7.dc1.example.net,down\n2026-03-01T10:00:30Z,edge-7.dc1.example.net,up\n"
    "2026-03-01T10:00:30Z,cloud-a,down\n2026-03-01T10:00:42Z,cloud-a,up\n"
    "2026-03-01T10:00:45Z,edge-7.dc1.example.net,down\n2026-03-01T10:00:51Z,edge-7.dc1.example.net,up\n"
)


@pytest.mark.parametrize("log", [LONGER_LOG, BY_TIME], ids=["an outage a row", "a change a row"])
def test_a_longer_operator_log_is_cut_to_the_run_as_by_hand_and_said_so(tmp_path, log):
    entry = [SHORTER, f"dynamics=[{{kind: node-schedule, {OPERATOR}}}]"]
    logged = offloadsim.run(_scenario(tmp_path, log), overrides=entry)
    trimmed = offloadsim.run(_scenario(tmp_path, TRIMMED_LOG), overrides=entry)
    assert (logged.tasks["retries"] > 0).any()
    assert logged.tasks.equals(trimmed.tasks)
    assert logged.nodes.equals(trimmed.nodes)
    said = [note for note in logged.notes if note.startswith("dynamics[0].file: ")]
    outside = "2 wholly before start" if log is BY_TIME else "2 wholly before start, 1 from the run's end"
    assert len(said) == 1 and outside in said[0], said
    assert '"cloud" is down at start, so starts the run down' in said[0]
    assert not [note for note in trimmed.notes if note.startswith("dynamics[0].file: ")]
