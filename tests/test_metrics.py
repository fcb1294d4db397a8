import json
import math

import numpy as np
import pandas as pd
import pytest

from offloadsim.analysis.statistics import (
    batch_means_ci,
    mean_ci,
    paired_difference_ci,
    percentile,
    student_t_ppf,
)
from offloadsim.analysis.summary import Summary, summarize
from offloadsim.scenario import load_scenario_text

NAN = float("nan")


def _tasks() -> pd.DataFrame:
    """Seven tasks whose summary is worked out by hand in the tests below."""
    return pd.DataFrame(
        {
            "task_id": np.arange(7, dtype=np.int64),
            "status": ["completed", "completed", "completed", "dropped", "in_flight", "in_flight", "failed"],
            "arrival": [1.0, 2.0, 3.0, 4.0, 9.0, 9.95, 5.0],
            "latency": [0.1, 0.3, 0.2, NAN, NAN, NAN, NAN],
            "wait": [0.01, 0.05, 0.0, NAN, NAN, NAN, NAN],
            "deadline": [0.2, 0.2, NAN, 0.2, 0.2, 0.2, NAN],
            "deadline_met": pd.array([True, False, None, False, False, False, None], dtype="boolean"),
            "bytes_sent": [1000.0, 2000.0, 0.0, 0.0, 500.0, 0.0, NAN],
            "device_energy": [1.0, 2.0, 0.5, NAN, NAN, NAN, NAN],
        }
    )


def _nodes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "node": ["phone-0", "phone-1", "ap", "edge"],
            "tier": pd.Categorical(["device", "device", "network", "edge"]),
            "cores": np.array([1, 1, 0, 2], dtype=np.int64),
            "utilisation": [0.5, 0.1, 0.0, 0.8],
        }
    )


def _links() -> pd.DataFrame:
    return pd.DataFrame({"a": ["phone-0", "ap"], "b": ["ap", "phone-0"], "utilisation": [0.25, 0.05]})


def test_summary_by_hand():
    s = summarize(_tasks(), _nodes(), _links(), duration_s=10.0, end_s=10.0)
    assert (s.arrived, s.completed, s.dropped, s.failed, s.in_flight) == (7, 3, 1, 1, 2)
    assert s.latency_mean_s == pytest.approx(0.2)
    assert s.latency_p50_s == pytest.approx(0.2)
    assert s.latency_p95_s == pytest.approx(0.29)  # linear between 0.2 and 0.3 at rank 1.9
    assert s.latency_p99_s == pytest.approx(0.298)
    assert s.wait_mean_s == pytest.approx(0.02)
    # With a deadline and a known outcome: tasks 0, 1, 3 and 4 (4 was in flight past 9.2 < 10);
    # task 5's deadline (10.15) had not passed at the end.  Misses: 1 (late), 3 (dropped), 4 (expired).
    assert (s.deadline_tasks, s.deadline_misses) == (4, 3)
    assert s.deadline_miss_rate == pytest.approx(0.75)
    assert s.throughput_per_s == pytest.approx(0.3)
    assert s.bytes_sent == pytest.approx(3500.0)
    assert s.device_energy_mean_j == pytest.approx(3.5 / 3)
    assert s.node_utilisation == {"phone-0": 0.5, "phone-1": 0.1, "edge": 0.8}  # ap computes nothing
    assert s.tier_utilisation == pytest.approx({"device": 0.3, "edge": 0.8})
    assert s.link_utilisation == {"phone-0->ap": 0.25, "ap->phone-0": 0.05}


def test_in_flight_left_out_of_deadline_rate_without_end_time():
    s = summarize(_tasks(), _nodes(), _links(), duration_s=10.0)
    assert (s.deadline_tasks, s.deadline_misses) == (3, 2)


def test_summary_of_an_empty_run():
    empty = _tasks().iloc[:0]
    s = summarize(empty, _nodes().iloc[:0], _links().iloc[:0], duration_s=5.0)
    assert s.arrived == s.completed == s.deadline_tasks == 0
    assert math.isnan(s.latency_mean_s) and math.isnan(s.deadline_miss_rate)
    assert s.throughput_per_s == 0.0 and s.bytes_sent == 0.0
    assert "no deadlines" in s.format_table()


# A phone at 1 GFLOP/s drawing 1 W above idle when busy: every 1 GFLOP job costs it exactly 1 J.
OVERLOADED = """
name: overloaded
duration: 20 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 0 W, busy: 1 W}}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: every-half-s.csv}
policy: local
"""


def _both_summaries(tmp_path, monkeypatch, text: str, traces: dict[str, list[float]]) -> list[Summary]:
    """A run's summary as it reported it (its records a chunk at a time) and over whole columns."""
    import offloadsim.engine.records as engine_records
    from offloadsim import api

    for name, times in traces.items():
        (tmp_path / name).write_text("time\n" + "".join(f"{t}\n" for t in times))
    monkeypatch.setattr(engine_records, "CHUNK_ROWS", 7)  # spilled in several chunks
    result = api.run(load_scenario_text(text, source="<t>", base_dir=tmp_path))
    records, manifest = result.records, result.manifest
    assert records is not None and len(records.log.chunks) > 1
    whole = summarize(
        dict(records.items()), result._nodes, result._links, manifest["duration_s"], end_s=manifest["end_s"]
    )
    return [result.summary, whole]


def test_device_energy_per_task_leaves_out_the_tasks_in_flight(tmp_path, monkeypatch):
    # 40 jobs every 0.5 s, served one a second: jobs 0..18 finish by 19 s; the other 21 are in
    # flight at 20 s (the one running since 19 s has finished no step: 0 J so far).  Each job costs
    # 1 J, so 1 J per task, not the 19 J / 40 tasks = 0.475 J of a mean over every task that arrived.
    for s in _both_summaries(
        tmp_path, monkeypatch, OVERLOADED, {"every-half-s.csv": [0.5 * i for i in range(40)]}
    ):
        assert (s.arrived, s.completed, s.in_flight) == (40, 19, 21)
        assert s.device_energy_mean_j == 1.0


# phone-a at 1 J a job with a queue of 2; phone-b at 2 J a job above idle, its battery 5 J.
ENDED = """
name: ended
duration: 20 s
nodes:
  phone-a:
    {tier: device, processor: {speed: 1 GFLOP/s, queue_limit: 2}, power: {idle: 0 W, busy: 1 W}}
  phone-b:
    {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 1 W, busy: 3 W, battery: 5 J}}
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: phone-a, arrivals: trace, trace: every-half-s.csv}
  - {app: job, sources: phone-b, arrivals: trace, trace: every-2-s.csv}
policy: local
"""


def test_device_energy_per_task_counts_dropped_and_failed_tasks_at_what_they_spent(tmp_path, monkeypatch):
    # phone-a's queue holds 2: from 2.5 s each job arriving at x.5 s finds one running and two
    # waiting and is dropped (0 J); the 19 jobs let in by 16 s finish (1 J each), 3 are in flight.
    # phone-b's 5 J battery pays its first job (1 s at 3 W, 2 J above idle) and a second of idle;
    # it runs flat a third of a second into the second job, which fails charged with what that
    # third drew above idle (2 W x 1/3 s: a stage cut short is its task's).
    # Over the 39 tasks that ended: (19 + 2 + 2/3) J / (20 completed + 18 dropped + 1 failed).
    traces = {"every-half-s.csv": [0.5 * i for i in range(40)], "every-2-s.csv": [0.0, 2.0, 4.0]}
    for s in _both_summaries(tmp_path, monkeypatch, ENDED, traces):
        assert (s.completed, s.dropped, s.failed, s.in_flight) == (20, 18, 1, 3)
        assert s.device_energy_mean_j == pytest.approx((21 + 2 / 3) / 39, rel=1e-12)


def test_summary_dict_is_json_and_round_trips():
    only_dropped = _tasks().iloc[3:4]  # no completed task: NaN latencies
    s = summarize(only_dropped, _nodes(), _links(), duration_s=10.0)
    text = json.dumps(s.to_dict(), allow_nan=False)
    back = Summary.from_dict(json.loads(text))
    assert back.to_dict() == s.to_dict()
    assert math.isnan(back.latency_p99_s) and back.dropped == 1 and isinstance(back.arrived, int)


def test_format_table_units_and_alignment():
    s = summarize(_tasks(), _nodes(), _links(), duration_s=10.0, end_s=10.0)
    table = s.format_table("quickstart", top=2)
    lines = table.splitlines()
    assert lines[0] == "quickstart"
    assert any(line.startswith("mean latency") and line.endswith("200.0  ms") for line in lines)
    assert any(line.startswith("deadline misses") and "75.0  %  (3 of 4)" in line for line in lines)
    # The tasks' bytes added up (1000 + 2000 + 500), said to be a total, not a mean per task.
    assert any(line.startswith("data sent") and line.endswith("0.0035  MB over all tasks") for line in lines)
    assert "busiest nodes (top 2 of 3 computing nodes)" in table
    assert "  edge" in table and "80.0  %" in table
    # Values are right-aligned in one column: every "ms" unit starts at the same offset.
    offsets = {line.index("  ms") for line in lines if line.endswith("  ms")}
    assert len(offsets) == 1


def test_a_value_below_one_keeps_two_significant_digits():
    """An LLM run's 0.117 tasks/s read "0.1 tasks/s", a sixth off, while 0.063 read "0.063"."""
    s = summarize(_tasks(), _nodes(), _links(), duration_s=10.0, end_s=10.0)

    def rows(**fields: float) -> dict[str, list[str]]:
        table = Summary.from_dict({**s.to_dict(), **fields}).format_table()
        return {line.split("  ")[0]: line.split() for line in table.splitlines()}

    shown = rows(throughput_per_s=0.11667, wait_mean_s=0.000274)
    assert shown["throughput"][-2:] == ["0.12", "tasks/s"]
    assert shown["mean queueing wait"][-2:] == ["0.27", "ms"]
    shown = rows(throughput_per_s=0.063, wait_mean_s=0.0012345)
    assert shown["throughput"][-2:] == ["0.063", "tasks/s"]  # as before
    assert shown["mean queueing wait"][-2:] == ["1.2", "ms"]  # one decimal from 1 up, as before


def test_busiest_lists_leave_idle_nodes_and_links_out_but_count_them():
    nodes = _nodes().assign(utilisation=lambda f: np.where(f["node"] == "edge", 0.8, 0.0))
    links = _links().assign(utilisation=0.0)
    table = summarize(_tasks(), nodes, links, duration_s=10.0).format_table(top=5)
    lines = table.splitlines()
    heading = lines.index("busiest nodes (1 of 3 computing nodes, 2 idle)")
    assert lines[heading + 1].split() == ["edge", "80.0", "%"]
    assert "busiest links: none, all 2 link directions idle" in lines
    assert not any(line.strip().startswith("phone-") for line in lines)
    # headings do not widen the table: values stay right next to the longest label
    assert max(len(line) for line in lines if line.endswith("%")) < 45


def test_truncated_lists_say_how_many_they_leave_out():
    """A list cut to ``top`` says so: 5 reasons shown of 18 read as if they were every one."""
    s = summarize(_tasks(), _nodes(), _links(), duration_s=10.0)
    reasons = {f"battery flat at phone-{i}": 10 - i for i in range(7)}
    down = {f"phone-{i}": 0.1 * i for i in range(7)}
    table = Summary.from_dict({**s.to_dict(), "drop_reasons": reasons, "node_availability": down})
    lines = table.format_table(top=3).splitlines()
    assert "  why dropped or failed (top 3 of 7 reasons)" in lines
    assert "nodes down part of the time (the 3 least available of 7)" in lines
    assert sum(line.strip().startswith("battery flat") for line in lines) == 3
    few = Summary.from_dict({**s.to_dict(), "drop_reasons": {"x": 1}, "node_availability": {"a": 0.5}})
    lines = few.format_table(top=3).splitlines()
    assert "  why dropped or failed" in lines and "nodes down part of the time (1)" in lines


def test_a_node_down_because_its_battery_ran_flat_says_so_and_when():
    """ "phone-0 available 1.8 %" read like a failure: the summary did not say the battery ran flat."""
    nodes = _nodes().assign(availability=[0.018, 0.5, 1.0, 1.0], drained_at=[1.8048, np.nan, np.nan, np.nan])
    summary = summarize(_tasks(), nodes, _links(), duration_s=10.0)
    assert summary.node_drained_at == {"phone-0": 1.8048}
    lines = Summary.from_dict(summary.to_dict()).format_table().splitlines()
    assert any(
        line.startswith("  phone-0 available") and line.endswith("1.8  %  (battery flat at 1.8048 s)")
        for line in lines
    )
    (other,) = [line for line in lines if line.startswith("  phone-1 available")]
    assert other.endswith("50.0  %")  # down for another reason: nothing added


def _battery_row(nodes: pd.DataFrame) -> list[str]:
    """The table's rows about batteries, after a round trip through summary.json's dict."""
    summary = summarize(_tasks(), nodes, _links(), duration_s=10.0)
    table = Summary.from_dict(json.loads(json.dumps(summary.to_dict()))).format_table()
    return [" ".join(line.split()) for line in table.splitlines() if line.startswith("battery")]


def test_batteries_get_one_line_naming_the_least_charge_left_or_the_first_flat():
    """The table said nothing of a battery that did not run flat (its charge was only in
    nodes.parquet): one line now, however many devices, naming the worst."""
    assert _battery_row(_nodes()) == []  # no battery column, an old run: no line
    mains = _nodes().assign(battery_left=NAN, drained_at=NAN)
    assert _battery_row(mains) == []  # no node with a battery: no line
    nodes = _nodes().assign(battery_left=[0.62, 0.875, NAN, NAN], drained_at=NAN)
    assert _battery_row(nodes) == ["battery left (least of 2) 62.0 % (phone-0; none flat)"]
    nodes = nodes.assign(battery_left=[0.0, 0.875, NAN, NAN], drained_at=[4.25, NAN, NAN, NAN])
    assert _battery_row(nodes) == [
        "battery left (least of 1 not flat) 87.5 % (phone-1; 1 flat, the first phone-0 at 4.25 s)"
    ]
    nodes = nodes.assign(battery_left=[0.0, 0.0, NAN, NAN], drained_at=[4.25, 3.5, NAN, NAN])
    assert _battery_row(nodes) == [
        "battery left (all 2 flat) 0.0 % (the first phone-1 at 3.5 s, the last phone-0 at 4.25 s)"
    ]


def test_a_thousand_batteries_still_get_one_short_line():
    names = [f"phone-{i}" for i in range(1000)]
    left = np.linspace(0.9, 0.3, 1000)
    left[[10, 500]] = 0.0
    drained = np.full(1000, NAN)
    drained[[10, 500]] = [7.0, 2.5]
    nodes = pd.DataFrame(
        {
            "node": names,
            "tier": pd.Categorical(["device"] * 1000),
            "cores": np.ones(1000, dtype=np.int64),
            "utilisation": 0.1,
            "battery_left": left,
            "drained_at": drained,
        }
    )
    (row,) = _battery_row(nodes)
    assert row == (
        "battery left (least of 998 not flat) 30.0 % (phone-999; 2 flat, the first phone-500 at 2.5 s)"
    )


def test_the_run_table_shows_the_charge_left_from_the_engines_nodes_table(tmp_path):
    """End to end: the engine's battery_left (1 - energy since the start / capacity) is the line's."""
    import offloadsim

    text = """
name: two-phones
duration: 10 s
warmup: 2 s
nodes:
  phone-0: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 0.5 W, battery: 20 J}}
  phone-1: {tier: device, processor: {speed: 1 GFLOP/s}, power: {idle: 1 W, battery: 8 J}}
  edge: {tier: edge, processor: {speed: 1 GFLOP/s}}
applications:
  job: {work: 1 MFLOP}
workload:
  - {app: job, sources: phone-0, arrivals: periodic, period: 1 s}
policy: local
"""
    (tmp_path / "two.yaml").write_text(text)
    result = offloadsim.run(tmp_path / "two.yaml")
    nodes = result.nodes
    # phone-0: 0.5 W × the 12 s of 20 J, from the run's start (the warm-up's joules are spent too);
    # phone-1: flat at 8 s; the edge: mains.
    assert list(nodes["battery_left"][:2]) == pytest.approx([0.7, 0.0], rel=1e-12)
    assert math.isnan(nodes["battery_left"][2])
    (row,) = [line for line in result.summary.format_table().splitlines() if line.startswith("battery")]
    assert (
        " ".join(row.split())
        == "battery left (least of 1 not flat) 70.0 % (phone-0; 1 flat, the first phone-1 at 8 s)"
    )


def test_no_energy_above_idle_is_said_not_shown_as_a_saving():
    """0.00 mJ per task without power: on any source read as "the device spends nothing"."""
    unpowered = summarize(_tasks().assign(device_energy=0.0), _nodes(), _links(), duration_s=10.0)
    (row,) = [line for line in unpowered.format_table().splitlines() if line.startswith("device energy")]
    assert row.endswith("0.00  mJ above idle  (none: do the sources have power:?)")
    powered = summarize(_tasks(), _nodes(), _links(), duration_s=10.0)
    (row,) = [line for line in powered.format_table().splitlines() if line.startswith("device energy")]
    assert row.endswith("mJ above idle")  # the device's whole energy is more: its idle draw is nobody's
    # Sources with power: whose tasks completed at 0 J above idle: their power: draws idle throughout.
    idle = summarize(
        _tasks().assign(device_energy=0.0), _nodes(), _links(), duration_s=10.0, powered_sources=2
    )
    (row,) = [line for line in idle.format_table().splitlines() if line.startswith("device energy")]
    assert idle.completed and row.endswith("(none: the sources' power: draws no more than idle for any task)")


def test_every_task_dropped_from_powered_phones_is_not_blamed_on_missing_power(tmp_path):
    """The phone has power:; every task that ended was dropped (a full queue) before it drew a joule.

    The table asked "do the sources have power:?" of a phone that has; it says why, and a summary.json
    written before ``powered_sources`` still reads back (and still asks, as it cannot know).
    """
    import offloadsim

    text = """
name: all-dropped
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s, queue_limit: 0}, power: {idle: 0.5 W, busy: 2 W}}
applications:
  job: {work: 1 TFLOP}
workload:
  - {app: job, sources: phone, arrivals: periodic, period: 1 s}
policy: local
"""
    (tmp_path / "drop.yaml").write_text(text)
    result = offloadsim.run(tmp_path / "drop.yaml")
    summary = result.summary
    assert (summary.completed, summary.dropped, summary.powered_sources) == (0, 9, 1)
    (row,) = [line for line in summary.format_table().splitlines() if line.startswith("device energy")]
    assert "power:" not in row
    assert row.endswith("(none: no task completed: those dropped or failed ended before drawing any)")
    back = Summary.from_dict(json.loads(json.dumps(summary.to_dict())))
    assert back.format_table() == summary.format_table()
    older = summary.to_dict()
    del older["powered_sources"]
    assert Summary.from_dict(older).powered_sources == -1
    # Without power: on the phone, the same drops are blamed on it, said as known, not asked.
    (tmp_path / "bare.yaml").write_text(text.replace(", power: {idle: 0.5 W, busy: 2 W}", ""))
    bare = offloadsim.run(tmp_path / "bare.yaml").summary
    assert bare.powered_sources == 0
    (row,) = [line for line in bare.format_table().splitlines() if line.startswith("device energy")]
    assert row.split()[4:] == ["n/a", "(not", "measured:", "no", "task", "source", "has", "power:)"]


# --------------------------------------------------------------------------- statistics


def test_percentile_ignores_nan_and_handles_empty():
    assert percentile([1.0, 2.0, NAN, 3.0], 50) == 2.0
    assert np.allclose(percentile([1.0, 2.0, 3.0, 4.0], [0, 100]), [1.0, 4.0])
    assert math.isnan(percentile([], 95))
    assert np.isnan(percentile([NAN], [50, 99])).all()


def test_t_quantiles_against_tables():
    # Values from standard t tables (rounded to 6 decimals).
    assert student_t_ppf(0.975, 1) == pytest.approx(12.706205, abs=1e-6)
    assert student_t_ppf(0.975, 10) == pytest.approx(2.228139, abs=1e-6)
    assert student_t_ppf(0.995, 30) == pytest.approx(2.749996, abs=1e-6)
    assert student_t_ppf(0.95, 4) == pytest.approx(2.131847, abs=1e-6)
    assert student_t_ppf(0.025, 10) == pytest.approx(-2.228139, abs=1e-6)
    assert student_t_ppf(0.975, 1e9) == pytest.approx(1.959964, abs=1e-6)
    assert student_t_ppf(0.5, 3) == 0.0
    with pytest.raises(ValueError):
        student_t_ppf(1.0, 3)
    with pytest.raises(ValueError):
        student_t_ppf(0.9, 0)


def test_t_quantiles_against_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in (0.5, 1, 1.5, 2, 3, 5, 9, 19, 29, 99, 1000, 50_000, 2e5, 1e8):
        for p in (0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995, 0.99999):
            assert student_t_ppf(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8), (p, df)


def test_mean_ci_against_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(1)
    for n in (2, 3, 10, 57):
        x = rng.normal(5.0, 2.0, n)
        for confidence in (0.9, 0.95, 0.99):
            mean, half = mean_ci(x, confidence)
            low, high = stats.t.interval(confidence, n - 1, loc=x.mean(), scale=stats.sem(x))
            assert mean == pytest.approx(x.mean())
            assert half == pytest.approx((high - low) / 2, rel=1e-9)


def test_mean_ci_small_samples():
    assert mean_ci([1.0, 2.0, 3.0]) == pytest.approx((2.0, 2.4841377), rel=1e-6)
    mean, half = mean_ci([4.0, NAN])
    assert mean == 4.0 and math.isnan(half)
    assert all(math.isnan(v) for v in mean_ci([]))
    with pytest.raises(ValueError):
        mean_ci([1.0, 2.0], confidence=1.5)


def _assert_coverage(hits: int, trials: int, nominal: float) -> None:
    """Coverage within four binomial standard deviations of nominal: fails by chance about 1 in 16 000."""
    sd = math.sqrt(nominal * (1 - nominal) / trials)
    assert abs(hits / trials - nominal) < 4 * sd, (hits / trials, nominal, sd)


def test_mean_ci_coverage_on_normal_data():
    rng = np.random.default_rng(20240611)
    trials, n, mu = 4000, 8, 3.0
    samples = rng.normal(mu, 2.0, size=(trials, n))
    for confidence in (0.9, 0.95):
        hits = 0
        for row in samples:
            mean, half = mean_ci(row, confidence)
            hits += abs(mean - mu) <= half
        _assert_coverage(hits, trials, confidence)


def test_batch_means_coverage_on_normal_series():
    rng = np.random.default_rng(7)
    trials, mu = 2000, -1.0
    series = rng.normal(mu, 1.0, size=(trials, 410))  # 410 = 20 batches of 20, ten oldest dropped
    hits = 0
    for row in series:
        mean, half = batch_means_ci(row, n_batches=20)
        hits += abs(mean - mu) <= half
    _assert_coverage(hits, trials, 0.95)


def test_batch_means_drops_the_oldest_remainder():
    series = np.r_[[1000.0] * 3, np.ones(20)]
    mean, half = batch_means_ci(series, n_batches=4)
    assert mean == 1.0 and half == 0.0
    with pytest.raises(ValueError):
        batch_means_ci(np.ones(5), n_batches=10)
    with pytest.raises(ValueError):
        batch_means_ci(np.ones(5), n_batches=1)


def test_paired_difference_coverage_and_pairing():
    rng = np.random.default_rng(99)
    trials, n, delta = 2000, 10, 0.3
    hits = 0
    widths = []
    for _ in range(trials):
        common = rng.normal(0.0, 5.0, n)  # shared random numbers: large, common to both
        a = common + delta + rng.normal(0.0, 0.5, n)
        b = common + rng.normal(0.0, 0.5, n)
        mean, half = paired_difference_ci(a, b)
        hits += abs(mean - delta) <= half
        widths.append(half)
    _assert_coverage(hits, trials, 0.95)
    assert np.mean(widths) < 1.0  # the common noise (sd 5) cancels
    with pytest.raises(ValueError):
        paired_difference_ci([1.0, 2.0], [1.0])


def test_the_summary_counts_the_tasks_recovery_ran_again_and_those_that_then_completed():
    """A run whose edge crashed read "completed 9011 (99.9 %), failed 0" with no word that 33 of those
    tasks completed only because recovery: retried them: what a study of recovery is about."""
    tasks = _tasks().assign(retries=np.array([0, 2, 0, 1, 1, 0, 1], dtype=np.int64))
    s = summarize(tasks, _nodes(), _links(), duration_s=10.0, end_s=10.0)
    assert (s.retried, s.recovered) == (4, 1)  # tasks 1, 3, 4 and 6; of them only 1 completed
    table = s.format_table()
    assert "  retried by recovery" in table and "4  (57.1 %), of any outcome; 1 of them completed" in table
    assert Summary.from_dict(json.loads(json.dumps(s.to_dict()))) == s
    plain = summarize(_tasks(), _nodes(), _links(), duration_s=10.0, end_s=10.0)  # no retries column
    assert (plain.retried, plain.recovered) == (0, 0) and "retried" not in plain.format_table()


def test_data_sent_reads_as_a_total_on_axes_and_under_tables():
    """bytes_sent sums every task's bytes: its axis and the line under a table say it is a total."""
    from offloadsim.analysis.catalogue import basis_lines, metric_info

    assert metric_info("bytes_sent").axis_label == "data sent over all tasks (MB)"
    assert basis_lines(["latency_mean_s", "bytes_sent"]) == ["data sent (MB): counted over all tasks"]


@pytest.mark.parametrize(
    ("function", "given", "said"),
    [
        ("metric_info", 3, "metric_info: expected a metric name like 'latency_p95_s', got int 3"),
        ("is_metric", None, "is_metric: expected a metric name like 'latency_p95_s', got NoneType None"),
        ("of_completed_tasks", 3, "of_completed_tasks: expected a metric name"),
        ("basis_lines", "bytes_sent", "basis_lines: expected a list of metric names"),
        ("basis_lines", 3, "basis_lines: expected a list of metric names"),
        ("metric_columns", "latency_mean_s", "metric_columns: expected a list of metric names"),
        ("metric_columns", ["latency_mean_s", 3], "metric_columns: expected a metric name"),
    ],
)
def test_catalogue_refuses_names_that_are_no_text(function, given, said):
    """A name that is no text is a TypeError naming the function and what it expected.

    ``metric_info(3)`` was an AttributeError on ``startswith``; ``basis_lines("bytes_sent")`` read
    the name letter by letter and returned no line, its basis lost without a word.
    """
    from offloadsim.analysis import catalogue

    with pytest.raises(TypeError) as raised:
        getattr(catalogue, function)(given)
    assert str(raised.value).startswith(said)


def test_replications_that_agree_exactly_have_their_value_and_no_interval():
    """Seven runs of 0.1 s read 0.10000000000000002 ± 1.4e-17 s: a float sum's rounding, not a spread."""
    for value in (0.1, 0.7, 1 / 3, 0.072548):
        for n in (2, 3, 7, 10):
            assert mean_ci([value] * n) == (value, 0.0), (value, n)
            assert mean_ci([value] * n + [NAN]) == (value, 0.0)
    assert mean_ci([0.1, 0.1, 0.2])[1] > 0  # one that differs: an interval


def test_a_comparison_of_runs_that_agree_has_intervals_of_exactly_0():
    from offloadsim.experiments.compare import compare_table

    metrics = pd.DataFrame(
        {
            "policy": ["a"] * 7 + ["b"] * 7,
            "replication": list(range(7)) * 2,
            "latency_mean_s": [0.1] * 7 + [0.7] * 7,
        }
    )
    summary = compare_table(metrics, "a", ["latency_mean_s"]).set_index("policy")
    assert summary.loc["a", "mean"] == 0.1 and summary.loc["a", "ci"] == 0.0
    assert summary.loc["b", "mean"] == 0.7 and summary.loc["b", "ci"] == 0.0
    assert summary.loc["b", "diff_ci"] == 0.0
