"""``node-schedule`` with ``file``: an outage log read as the steps it stands for, and its bad rows refused."""

from __future__ import annotations

import pytest

import offloadsim
from offloadsim.scenario import load_scenario_text
from offloadsim.world import WorldError, build_world

# Two edge servers behind an access point; a task computes 100 ms on the edge, so an outage aborts some.
WORLD = """
name: outage-log
duration: 80 s
warmup: 5 s
nodes:
  phone: {count: 4, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {tier: network}
  edge: {count: 2, tier: edge, processor: {speed: 200 GFLOP/s}}
links:
  - {between: [phone-*, ap], bandwidth: 50 Mbps, latency: 2 ms}
  - {between: [ap, edge-*], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {work: 20 GFLOP, input: 100 KB, output: 1 KB}
workload:
  - {app: job, sources: phone-*, rate: 4 /s}
policy: edge
recovery: {retries: 1, fallback: another}
"""

# The log's outages as steps, one entry a node: at 30 s edge-0 comes back before edge-1 goes down,
# as the log's rows give them (edge-0's outage is the earlier row).
BY_HAND = """
dynamics:
  - kind: node-schedule
    node: edge-0
    steps: [{at: 12 s, up: false}, {at: 30 s, up: true}, {at: 45 s, up: false}, {at: 51 s, up: true}]
  - kind: node-schedule
    node: edge-1
    steps: [{at: 30 s, up: false}, {at: 42 s, up: true}]
"""

LOGS = {
    "an outage a row": "node,down (min),up (min)\nedge-0,0.2,0.5\nedge-1,0.5,0.7\nedge-0,0.75,0.85\n",
    "a change a row": (
        "time,node,state\n12 s,edge-0,down\n30,edge-0,up\n30,edge-1,DOWN\n42,edge-1,up\n45,edge-0,down\n"
        "51,edge-0,up\n"
    ),
}


def _results(tmp_path, dynamics: str):
    path = tmp_path / f"s{len(list(tmp_path.glob('*.yaml')))}.yaml"
    path.write_text(WORLD + dynamics)
    return offloadsim.run(path)


@pytest.mark.parametrize("log", LOGS.values(), ids=LOGS.keys())
def test_an_outage_logs_records_are_those_of_its_hand_written_steps(tmp_path, log):
    (tmp_path / "outages.csv").write_text(log)
    logged = _results(tmp_path, "dynamics:\n  - {kind: node-schedule, file: outages.csv}\n")
    by_hand = _results(tmp_path, BY_HAND)
    assert (logged.tasks["retries"] > 0).any()  # the outages aborted work: the comparison says something
    assert logged.tasks.equals(by_hand.tasks)
    assert logged.nodes.equals(by_hand.nodes)
    assert logged.nodes.set_index("node")["availability"]["edge-0"] < 1.0


def _refusal(tmp_path, log: str, entry: str = "file: outages.csv") -> str:
    (tmp_path / "outages.csv").write_text(log)
    loaded = load_scenario_text(
        WORLD + f"dynamics:\n  - {{kind: node-schedule, {entry}}}\n", source="<test>", base_dir=tmp_path
    )
    with pytest.raises(WorldError) as caught:
        build_world(loaded)
    return str(caught.value)


BAD = [
    ("", "dynamics[0].file: outages.csv: the file is empty"),
    ("node,down,up\n", "dynamics[0].file: outages.csv: no rows after the header"),
    ("node,start,end\nedge-0,1,2\n", "dynamics[0].file: outages.csv, line 1: expected a header row with"),
    ("node,down,up\nedge-9,1,2\n", 'outages.csv, line 2, column "node": unknown node "edge-9" (did you mean'),
    ("node,down,up\nedge-0,1,soon\n", 'outages.csv, line 2, column "up": '),
    ("node,down,up\nedge-0,5,3\n", 'outages.csv, line 2, column "up": 3 s does not come after the outage'),
    (
        "node,down,up\nedge-0,10,20\nedge-1,10,20\nedge-0,15,30\n",
        'outages.csv, line 4: "edge-0" goes down at 15 s, inside its outage from 10 s to 20 s (line 2): '
        "the outages overlap",
    ),
    (
        "node,down,up\nedge-0,10,30\nedge-0,5,8\n",
        "outages.csv, line 3: 5 s comes before the previous row's 10 s (rows go in time order, by down",
    ),
    (
        "node,down,up\nedge-0,10,\nedge-0,15,30\n",
        'outages.csv, line 3: "edge-0" goes down at 15 s, inside its outage from 10 s (line 2)',
    ),
    (
        "time,node,state\n10,edge-0,down\n12,edge-0,down\n",
        'outages.csv, line 3: "edge-0" goes down at 12 s, inside its outage from 10 s (line 2)',
    ),
    (
        "time,node,state\n10,edge-0,up\n",
        'outages.csv, line 2: brings "edge-0" up at 10 s, but it is not down',
    ),
    (
        "time,node,state\n10,edge-0,off\n",
        'outages.csv, line 2, column "state": expected down or up, got "off"',
    ),
    ("time,node,state\n10,edge-0\n", "outages.csv, line 2: expected 3 columns like the header, got 2"),
]


@pytest.mark.parametrize(("log", "message"), BAD)
def test_a_bad_outage_log_is_refused_at_its_file_line_and_column(tmp_path, log, message):
    assert message in _refusal(tmp_path, log)


def test_a_file_with_steps_or_without_either_is_refused_at_the_key(tmp_path):
    both = _refusal(tmp_path, "node,down,up\nedge-0,1,2\n", "file: outages.csv, node: edge-0")
    assert both.startswith("dynamics[0].node: not with file: the outage log names its nodes")
    neither = _refusal(tmp_path, "", "steps: [{at: 1 s, up: false}]")
    assert neither.startswith("dynamics[0].node: missing (required, unless file names an outage log)")


def test_an_open_outage_holds_its_node_down_to_the_end(tmp_path):
    (tmp_path / "outages.csv").write_text("node,down,up\nedge-0,40,\n")
    results = _results(tmp_path, "dynamics:\n  - {kind: node-schedule, file: outages.csv}\n")
    measured = 80.0  # duration: the warm-up is not measured
    assert results.nodes.set_index("node")["availability"]["edge-0"] == pytest.approx((40.0 - 5.0) / measured)


def test_the_cli_refuses_a_bad_log_with_one_line_and_exit_2(tmp_path, capsys):
    from offloadsim.cli import main

    (tmp_path / "outages.csv").write_text("node,down,up\nedge-0,10,20\nedge-0,15,30\n")
    path = tmp_path / "bad.yaml"
    path.write_text(WORLD + "dynamics: [{kind: node-schedule, file: outages.csv}]\n")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"offloadsim: error: {path}: dynamics[0].file: outages.csv, line 3"
    )
    assert not out.exists()
