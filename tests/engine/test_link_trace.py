"""``kind: link-trace``: a link's rate follows a CSV trace; exact events, loops, bad files, determinism."""

from __future__ import annotations

import numpy as np
import pytest

# One request at 1 s: 3 MB up to the edge, 1 GFLOP there (100 GFLOP/s), 1 KB back (arrivals: trace.csv).
from test_dynamics import BASE

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.input_hashes import input_files
from offloadsim.world import WorldError, build_world


def scenario(tmp_path, trace: str | bytes, entry: str = "", arrivals: str = "1.0"):
    (tmp_path / "trace.csv").write_text("time\n" + "\n".join(arrivals.split()) + "\n")
    (tmp_path / "rate.csv").write_bytes(trace if isinstance(trace, bytes) else trace.encode())
    dynamics = f"dynamics:\n  - {{kind: link-trace, link: [phone, edge], file: rate.csv{entry}}}\n"
    return load_scenario_text(BASE + dynamics, source="<test>", base_dir=tmp_path)


def test_one_transfer_across_trace_steps_finishes_when_the_bytes_add_up(tmp_path):
    # The uplink follows the trace (the downlink keeps 8 Mb/s: a trace's bandwidth is one way).
    trace = "time,bandwidth\n0,8 Mbps\n2,4000000\n3,16 Mbps\n"
    raw = simulate(scenario(tmp_path, trace), record_stages=True)
    # By hand: from 1 s at 1 MB/s, 1 MB by 2 s; at 0.5 MB/s, 0.5 MB more by 3 s; the last 1.5 MB
    # at 2 MB/s takes 0.75 s: the last byte leaves at 3.75 s and lands 5 ms later.  Compute 10 ms;
    # the 1 KB answer at 1 MB/s (downlink unchanged) takes 1 ms + 5 ms.
    upload_done = 3.75 + 0.005
    finish = upload_done + 0.010 + 1000 / 1e6 + 0.005
    tasks, stages = raw.tasks, raw.stages
    assert tasks["status"][0] == "completed"
    assert tasks["latency"][0] == pytest.approx(finish - 1.0, rel=1e-12)
    log = [(stages["kind"][i], stages["where"][i], stages["end"][i]) for i in range(len(stages["kind"]))]
    assert log == [
        ("transfer", "phone>edge", pytest.approx(upload_done, rel=1e-12)),
        ("compute", "edge", pytest.approx(upload_done + 0.010, rel=1e-12)),
        ("transfer", "edge>phone", pytest.approx(finish, rel=1e-12)),
    ]


def test_a_looped_trace_repeats_with_its_period_and_drives_latency_and_the_reverse_way(tmp_path):
    # 8 Mb/s for 1 s, then 4 Mb/s: looped every 2 s (the last time + the gap before it).
    trace = "time,bandwidth,reverse_bandwidth,latency\n0,8 Mbps,8 Mbps,5 ms\n1,4 Mbps,800 kbps,20 ms\n"
    world = build_world(scenario(tmp_path, trace, ", loop: true", arrivals="2.5"))
    changes = list(_take(world.dynamics[0].timeline(None), 12))
    times = [at for at, _ in changes]
    assert times == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    raw = simulate(world)
    # Each 2 s cycle: 1 s at 1 MB/s + 1 s at 0.5 MB/s.  From 2.5: 0.5 MB by 3, 0.5 by 4, 1 by 5,
    # 0.5 by 6, 0.5 MB more at 1 MB/s: the last byte leaves at 6.5 s (latency 5 ms in force at 2.5 s).
    upload_done = 6.5 + 0.005
    # The answer starts at 6.515 (rates of the 6-7 s half: 8 Mb/s back, 5 ms).
    finish = upload_done + 0.010 + 1000 / 1e6 + 0.005
    assert raw.tasks["latency"][0] == pytest.approx(finish - 2.5, rel=1e-12)


def _take(iterator, count):
    for _ in range(count):
        yield next(iterator)


def test_a_period_sets_the_loop_length(tmp_path):
    trace = "time,bandwidth\n0,8 Mbps\n1,4 Mbps\n"
    world = build_world(scenario(tmp_path, trace, ", loop: true, period: 5 s"))
    times = [at for at, _ in _take(world.dynamics[0].timeline(None), 6)]
    assert times == [0, 1, 5, 6, 10, 11]


def test_a_trace_run_is_deterministic_for_a_seed_and_over_workers(tmp_path):
    from offloadsim.experiments.compare import compare

    trace = "time,bandwidth\n0,8 Mbps\n1.5,2 Mbps\n2.5,12 Mbps\n"
    loaded = scenario(tmp_path, trace, ", loop: true", arrivals="0.2 4.5 9.5")
    first, second = simulate(loaded), simulate(loaded)
    assert list(first.tasks["status"]) == ["completed", "completed", "in_flight"]
    for column in ("latency", "finish", "status", "transfer_time"):
        np.testing.assert_array_equal(first.tasks[column], second.tasks[column])
    one = compare(loaded, ["edge", "least-loaded"], 2, workers=1)
    two = compare(loaded, ["edge", "least-loaded"], 2, workers=2)
    assert one.tasks.equals(two.tasks)


@pytest.mark.parametrize("link", ["[phone, edge]", "[edge, phone]", "0"])
def test_each_row_makes_the_changes_its_link_settings_make_in_their_order(tmp_path, link):
    from offloadsim.world.dynamics import LinkSettings

    trace = (
        "time,loss,latency,reverse_bandwidth,bandwidth\n0,0.01,5 ms,8 Mbps,4 Mbps\n1.5,0,20 ms,1e6,2 Mbps\n"
    )
    text = BASE + f"dynamics: [{{kind: link-trace, link: {link}, file: rate.csv, loop: true}}]\n"
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    (tmp_path / "rate.csv").write_text(trace)
    entry = build_world(load_scenario_text(text, source="<test>", base_dir=tmp_path)).dynamics[0]
    rows = [(0.0, {"loss": 0.01, "latency": 0.005, "reverse_bandwidth": 8e6, "bandwidth": 4e6})]
    rows.append((1.5, {"loss": 0.0, "latency": 0.02, "reverse_bandwidth": 1e6, "bandwidth": 2e6}))
    expected = [
        (cycle + time, change)
        for cycle in (0.0, 3.0)
        for time, values in rows
        for change in LinkSettings.named(values).changes(entry.spec.links)
    ]
    assert len(expected) == 20 and list(_take(entry.timeline(None), 20)) == expected


def test_the_trace_file_is_hashed_into_the_runs_inputs(tmp_path):
    loaded = scenario(tmp_path, "time,bandwidth\n0,8 Mbps\n")
    before = {item.key: item.sha256 for item in input_files(loaded)}
    (tmp_path / "rate.csv").write_text("time,bandwidth\n0,4 Mbps\n")
    after = {item.key: item.sha256 for item in input_files(loaded)}
    assert "dynamics[0].file" in before and before["dynamics[0].file"] != after["dynamics[0].file"]


BAD = [
    (None, "dynamics[0].file: rate.csv: no such file"),
    ("", "dynamics[0].file: rate.csv: the file is empty"),
    ("time,bandwidth\n", "dynamics[0].file: rate.csv: no rows after the header"),
    (
        "time,bandwidth\n0,8 Mbps\n2,4 Mbps\n1,2 Mbps\n",
        "dynamics[0].file: rate.csv, line 4: time 1 s does not come after the previous row's 2 s",
    ),
    (
        "time,bandwidth\n0,-8000000\n",
        "dynamics[0].file: rate.csv, line 2: expected a non-negative bandwidth",
    ),
    ("time,bandwidth\n0,fast\n", "dynamics[0].file: rate.csv, line 2: "),
    (
        "time,bandwith\n0,8 Mbps\n",
        'dynamics[0].file: rate.csv, line 1: unknown column "bandwith" (did you mean',
    ),
    (  # a spreadsheet's export with semicolons: the did-you-mean hinted at a typo
        "time;bandwidth\n0;8 Mbps\n",
        'dynamics[0].file: rate.csv, line 1: unknown column "time;bandwidth" (columns are separated by '
        "commas, not ';'); expected",
    ),
    ("time,loss\n0,1.5\n", "dynamics[0].file: rate.csv, line 2: loss 1.5 is above 1"),
    (b"\xff\xfe\x00 binary", "dynamics[0].file: rate.csv: not UTF-8 text"),
]


@pytest.mark.parametrize(("trace", "message"), BAD)
def test_a_bad_trace_file_is_named_with_its_key_path_and_line(tmp_path, trace, message):
    loaded = scenario(tmp_path, trace or "")
    if trace is None:
        (tmp_path / "rate.csv").unlink()
    with pytest.raises(WorldError) as caught:
        build_world(loaded)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (", period: 5 s", "dynamics[0].period: a period needs loop: true"),
        (", loop: true, period: 1 s", "dynamics[0].period: 1 s must come after the trace's last time, 1 s"),
        (", loop: 3", "dynamics[0].loop: expected true or false"),
        (
            ", lop: true",
            'dynamics[0]: unknown key "lop" (did you mean "loop"?); '
            "expected one of kind, link, file, loop, period, offset",
        ),
        (", offset: 3 s", "dynamics[0].offset: expected random, got"),
        (", offset: random", "dynamics[0].offset: offset: random needs loop: true"),
    ],
)
def test_a_bad_trace_entry_is_named_by_its_key_path(tmp_path, entry, message):
    loaded = scenario(tmp_path, "time,bandwidth\n0,8 Mbps\n1,4 Mbps\n", entry)
    with pytest.raises(WorldError) as caught:
        build_world(loaded)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("verb", ["validate", "run"])
@pytest.mark.parametrize(
    ("trace", "message"),
    [BAD[0], BAD[1], BAD[3], BAD[4], BAD[5], BAD[-1]],
    ids=["missing", "empty", "order", "negative", "text", "binary"],
)
def test_the_cli_refuses_a_bad_trace_with_one_line_and_exit_2(tmp_path, capsys, verb, trace, message):
    from offloadsim.cli import main

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    if trace is not None:
        (tmp_path / "rate.csv").write_bytes(trace if isinstance(trace, bytes) else trace.encode())
    path = tmp_path / "bad.yaml"
    path.write_text(BASE + "dynamics: [{kind: link-trace, link: 0, file: rate.csv}]\n")
    out = tmp_path / "out"
    assert main([verb, str(path), *(["--out", str(out)] if verb == "run" else [])]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"offloadsim: error: {path}: {message}")
    assert not out.exists()


def test_the_links_table_reports_mean_capacity_availability_and_loss_in_force(tmp_path):
    # Over the 10 s run: phone->edge at 8 Mb/s for 2 s, 4 for 3 s, down 1 s (the schedule), 16 for 4 s;
    # loss 0.01 from 0, 0.1 from 5 s, both ways; edge->phone stays 8 Mb/s but is down for 1 s too.
    trace = "time,bandwidth,loss\n0,8 Mbps,0.01\n2,4 Mbps,0.01\n5,16 Mbps,0.1\n"
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    (tmp_path / "rate.csv").write_text(trace)
    text = BASE + (
        "dynamics:\n"
        "  - {kind: link-trace, link: [phone, edge], file: rate.csv}\n"
        "  - {kind: link-schedule, link: 0, steps: [{at: 6 s, up: false}, {at: 7 s, up: true}]}\n"
    )
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    links = raw.links
    row = {(links["a"][i], links["b"][i]): i for i in range(len(links["a"]))}
    up, down = row["phone", "edge"], row["edge", "phone"]
    assert links["capacity"][up] == links["capacity"][down] == 8e6
    assert links["mean_capacity"][up] == pytest.approx((8 * 2 + 4 * 3 + 16 * 4) * 1e6 / 10, rel=1e-12)
    assert links["mean_capacity"][down] == pytest.approx(8e6 * 9 / 10, rel=1e-12)
    assert links["availability"][up] == links["availability"][down] == pytest.approx(0.9, rel=1e-12)
    assert links["loss_rate"][up] == links["loss_rate"][down] == pytest.approx((0.01 * 5 + 0.1 * 5) / 10)


def test_a_static_run_reports_its_links_up_all_along_at_the_scenario_loss(tmp_path):
    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    text = BASE.replace("latency: 5 ms}", "latency: 5 ms, loss: 0.02}")
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    links = raw.links
    assert list(links["availability"]) == [1.0, 1.0]
    assert list(links["loss_rate"]) == [0.02, 0.02]
    assert list(links["mean_capacity"]) == pytest.approx([8e6, 8e6], rel=1e-12)


def test_the_summary_lists_the_link_directions_that_changed_and_only_those(tmp_path):
    import offloadsim

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    (tmp_path / "rate.csv").write_text("time,bandwidth\n0,8 Mbps\n5,4 Mbps\n")
    static = tmp_path / "static.yaml"
    static.write_text(BASE)
    traced = tmp_path / "traced.yaml"
    traced.write_text(BASE + "dynamics: [{kind: link-trace, link: [phone, edge], file: rate.csv}]\n")
    summary = offloadsim.run(traced).summary
    assert summary.link_mean_capacity_bps == {"phone->edge": pytest.approx(6e6)}
    assert summary.link_availability == {"phone->edge": 1.0}
    assert summary.link_loss_rate == {"phone->edge": 0.0}
    table = summary.format_table()
    assert "links that changed (1 of 1 directions)" in table
    assert "phone->edge" in table.split("links that changed")[1] and "6.0  Mbit/s mean, 100.0 % up" in table
    quiet = offloadsim.run(static).summary
    assert quiet.link_mean_capacity_bps == quiet.link_availability == quiet.link_loss_rate == {}
    assert "links that changed" not in quiet.format_table()
    lossy = offloadsim.run(static, overrides=["links[0].loss=0.01"]).summary.format_table()
    assert "links that changed or lose packets (2 of 2 directions)" in lossy  # only lossy: none changed


def test_a_link_down_only_while_its_end_node_was_is_not_listed_as_a_link_that_changed(tmp_path):
    """A failed edge made its link read "60.0 % up" under "links that changed": the link never failed.

    The links table's availability counts the time a link and both its ends were up (so it stays
    as it is); the table lists the node as down and counts the link, not as a link that failed.
    """
    import offloadsim
    from offloadsim.analysis.summary import Summary

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    steps = "[{at: 2 s, up: false}, {at: 6 s, up: true}]"
    node_down = f"dynamics:\n  - {{kind: node-schedule, node: edge, steps: {steps}}}\n"
    path = tmp_path / "node.yaml"
    path.write_text(BASE + node_down)
    summary = offloadsim.run(path).summary
    assert summary.node_availability == {"edge": pytest.approx(0.6)}
    assert summary.link_availability == {"phone->edge": pytest.approx(0.6), "edge->phone": pytest.approx(0.6)}
    assert summary.links_down_with_a_node == ("phone->edge", "edge->phone")
    table = summary.format_table()
    assert "  edge available" in table and "60.0  %" in table
    assert "links that changed: 2 directions, all down only while an end node was" in table
    assert table.split("links that changed")[1] == ": 2 directions, all down only while an end node was"
    assert Summary.from_dict(summary.to_dict()) == summary  # summary.json keeps it
    # The link down on its own, outside the node's outage, is a link that changed: listed as before.
    both = tmp_path / "both.yaml"
    steps = "[{at: 7 s, up: false}, {at: 8 s, up: true}]"
    both.write_text(BASE + node_down + f"  - {{kind: link-schedule, link: [phone, edge], steps: {steps}}}\n")
    summary = offloadsim.run(both).summary
    assert summary.links_down_with_a_node == ()
    table = summary.format_table()
    assert "links that changed (2 of 2 directions)" in table and "50.0 % up" in table


def _traced_summary(tmp_path):
    """The summary of a run whose phone->edge link follows a trace (its tables then replaced)."""
    import offloadsim

    (tmp_path / "trace.csv").write_text("time\n1.0\n")
    (tmp_path / "rate.csv").write_text("time,bandwidth\n0,8 Mbps\n5,4 Mbps\n")
    traced = tmp_path / "traced.yaml"
    traced.write_text(BASE + "dynamics: [{kind: link-trace, link: [phone, edge], file: rate.csv}]\n")
    summary = offloadsim.run(traced).summary
    return summary


def test_link_directions_never_up_and_idle_are_counted_not_listed(tmp_path):
    """The commute's table listed five radio links 0.0 % up (phones never in range of those access
    points) as its least available links, and none of those that were in range part of the run."""
    import dataclasses

    summary = _traced_summary(tmp_path)
    never = [f"phone-{i}->ap-0" for i in range(6)]
    partly = ["phone-9->ap-1", "phone-9->ap-2"]
    used = "phone-8->ap-0"  # 0 % up in the measured time, yet it carried traffic: listed
    links = [*never, *partly, used]
    many = dataclasses.replace(
        summary,
        link_mean_capacity_bps={link: 1e6 for link in links},
        link_availability={**dict.fromkeys(never, 0.0), partly[0]: 0.25, partly[1]: 0.5, used: 0.0},
        link_loss_rate=dict.fromkeys(links, 0.0),
        link_utilisation={used: 0.1},
    )
    table = many.format_table().split("links that changed ")[1].splitlines()
    assert table[0] == "(3 of 3 directions; 6 more never up and idle, not listed)"
    assert [row.split()[0] for row in table[1:4]] == [used, *partly]
    assert not [row for row in table if row.split()[0] in never]
    idle = dataclasses.replace(
        many,
        link_mean_capacity_bps={link: 1e6 for link in never},
        link_availability=dict.fromkeys(never, 0.0),
        link_loss_rate=dict.fromkeys(never, 0.0),
        link_utilisation={},
    )
    assert "links that changed: 6 directions, all never up and idle" in idle.format_table()


def test_a_summary_that_lists_some_changed_directions_says_which_ones(tmp_path):
    import dataclasses

    summary = _traced_summary(tmp_path)
    links = [f"phone-{i}->ap" for i in range(7)]
    many = dataclasses.replace(
        summary,
        link_mean_capacity_bps={link: 1e6 * (i + 1) for i, link in enumerate(links)},
        link_availability={link: 1.0 - i / 10 for i, link in enumerate(links)},
        link_loss_rate=dict.fromkeys(links, 0.0),
    )
    table = many.format_table().split("links that changed ")[1].splitlines()
    assert table[0] == "(the 5 least available of 7 directions)"
    assert [row.split()[0] for row in table[1:6]] == links[6:1:-1]  # least available first


def test_a_random_offset_starts_each_run_at_its_own_point_of_the_looped_trace(tmp_path):
    """The trial: every replication of a trace-driven link saw the same trace, so the intervals held
    the arrivals' randomness only.  ``offset: random`` draws a start point of the loop per run (from
    the entry's own stream of the run's seed): at run time t the link is the trace's at t + offset."""
    trace = "time,bandwidth\n0,1 Mbps\n1,2 Mbps\n2,3 Mbps\n3,4 Mbps\n"  # looped every 4 s
    world = build_world(scenario(tmp_path, trace, ", loop: true, offset: random"))
    entry = world.dynamics[0]
    offsets = []
    for seed in range(3):
        changes = list(_take(entry.timeline(np.random.default_rng(seed)), 6))
        offset = float(np.random.default_rng(seed).uniform(0.0, 4.0))
        offsets.append(offset)
        # At 0 s the row in force at the offset; then each row at its time less the offset, looped.
        expected = [(0.0, (np.floor(offset) + 1) * 1e6)]
        for k in range(1, 6):
            row = (int(np.floor(offset)) + k) % 4
            expected.append((pytest.approx(np.floor(offset) + k - offset), (row + 1) * 1e6))
        assert [(at, change.bps) for at, change in changes] == expected
    assert len(set(offsets)) == 3  # each run its own start
    # The same seed, the same offset; without the key no number is drawn (records unchanged).
    same = [list(_take(entry.timeline(np.random.default_rng(7)), 4)) for _ in range(2)]
    assert same[0] == same[1]
    plain = build_world(scenario(tmp_path, trace, ", loop: true")).dynamics[0]
    rng = np.random.default_rng(7)
    assert [at for at, _ in _take(plain.timeline(rng), 4)] == [0, 1, 2, 3]
    assert rng.uniform() == np.random.default_rng(7).uniform()
