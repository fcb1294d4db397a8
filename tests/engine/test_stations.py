"""``run --dry-run``'s table of a fixed plan's stations and cuts, checked against hand sums and a run."""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import offloadsim
from offloadsim import api
from offloadsim.cli import main
from offloadsim.engine import checked_world, station_cells, stations
from offloadsim.engine.stations import Hop, Stage, station_plans

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402 - after importorskip

# A five-layer CNN counted by hand (tests/models/test_onnx.py counts each op the same way):
#   conv1  3->4, 3x3, pad 1, 8x8: 2 x (4*8*8 x 27) = 13824 FLOP, 112 params = 448 B, out 4*64*4 = 1024 B
#   relu1  4*64 = 256 FLOP, out 1024 B
#   conv2  4->2, 1x1: 2 x (2*64 x 4) = 1024 FLOP, 10 params = 40 B, out 2*64*4 = 512 B
#   flat   0 FLOP, out 512 B
#   fc     128->5: 2 x 640 = 1280 FLOP, 645 params = 2580 B, out 5*4 = 20 B
# Its input is 3*8*8 floats, 768 B.
SCENARIO = """\
name: hand-split
seed: 1
duration: 5 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}}
  e1: {tier: edge, processor: {speed: 2 GFLOP/s}}
  e2: {tier: edge, processor: {speed: 4 GFLOP/s}}
links:
  - {between: [phone, e1], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [e1, e2], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  net: {onnx: net.onnx}
workload:
  - {app: net, sources: phone, arrivals: periodic, period: 1 s}
policy: {name: fixed, nodes: [$source, e1, e2], cuts: [2, 4]}
"""

TABLE = """\
fixed plan of net (net.onnx, 5 layers) for a request from phone:
  phone  layers 0-1  conv1 .. relu1  14.08 kFLOP  weights 0.448 kB  compute 0.01408 ms
  cut 2           1.024 kB  phone -> e1        (links[0]; 3 ms latency)
  e1     layers 2-3  conv2 .. flat   1.024 kFLOP  weights 0.04 kB   compute 0.000512 ms
  cut 4           0.512 kB  e1 -> e2           (links[1]; 1 ms latency)
  e2     layer 4     fc              1.28 kFLOP   weights 2.58 kB   compute 0.00032 ms
  cut 5 (output)  0.02 kB   e2 -> e1 -> phone  (links[1], links[0]; 4 ms latency)
"""


def _write_net(path: Path) -> None:
    f = TensorProto.FLOAT
    inits = [
        ("w1", [4, 3, 3, 3]),
        ("b1", [4]),
        ("w2", [2, 4, 1, 1]),
        ("b2", [2]),
        ("w3", [5, 128]),
        ("b3", [5]),
    ]
    nodes = [
        helper.make_node(
            "Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]
        ),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv2", kernel_shape=[1, 1]),
        helper.make_node("Flatten", ["c2"], ["f"], name="flat", axis=1),
        helper.make_node("Gemm", ["f", "w3", "b3"], ["y"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "net",
        [helper.make_tensor_value_info("x", f, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", f, None)],
        initializer=[numpy_helper.from_array(np.zeros(s, np.float32), n) for n, s in inits],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


@pytest.fixture
def split(tmp_path: Path) -> Path:
    _write_net(tmp_path / "net.onnx")  # beside the scenario, which names it
    (tmp_path / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    return tmp_path / "s.yaml"


def _plans(path: Path, *overrides: str) -> list[stations.StationPlan]:
    scenario = api.load(path, list(overrides))
    return station_plans(checked_world(scenario), scenario.policy, scenario.seed)


def test_each_station_and_cut_is_the_hand_sum(split: Path) -> None:
    (plan,) = _plans(split)
    assert (plan.app, plan.source, plan.sources, plan.layers, plan.dropped) == ("net", "phone", 1, 5, "")
    assert plan.steps == (
        Stage("phone", "", 0, 2, "conv1", "relu1", 13824 + 256, 448, pytest.approx((13824 + 256) / 1e9)),
        Hop(2, 1024, ("phone", "e1"), (0,), pytest.approx(0.003)),
        Stage("e1", "", 2, 4, "conv2", "flat", 1024 + 0, 40, pytest.approx(1024 / 2e9)),
        Hop(4, 512, ("e1", "e2"), (1,), pytest.approx(0.001)),
        Stage("e2", "", 4, 5, "fc", "fc", 1280, 2580, pytest.approx(1280 / 4e9)),
        Hop(5, 20, ("e2", "e1", "phone"), (1, 0), pytest.approx(0.004)),
    )


def test_the_table_is_what_a_run_computes_and_sends(split: Path) -> None:
    """The stations' compute times add up to each task's compute_time, the cuts' bytes to its bytes_sent."""
    (plan,) = _plans(split)
    tasks = offloadsim.run(split).tasks
    assert len(tasks) >= 4
    compute = sum(s.seconds for s in plan.steps if isinstance(s, Stage))
    sent = sum(h.size_bytes for h in plan.steps if isinstance(h, Hop))
    assert sent == 1024 + 512 + 20
    assert tasks.compute_time.to_numpy() == pytest.approx(compute, rel=1e-12)
    assert (tasks.bytes_sent == sent).all()


def test_an_offloaded_input_and_a_drawn_one(split: Path) -> None:
    """A plan starting off the source sends the input (cut 0); a drawn input size is said to be drawn."""
    (plan,) = _plans(split, "policy={name: fixed, nodes: [e1, e2], cuts: [3]}")
    assert plan.steps[0] == Hop(0, 768, ("phone", "e1"), (0,), pytest.approx(0.003))
    assert [(s.node, s.start, s.stop) for s in plan.steps if isinstance(s, Stage)] == [
        ("e1", 0, 3),
        ("e2", 3, 5),
    ]
    (drawn,) = _plans(
        split, "policy={name: fixed, node: e1}", "applications.net.input={exponential: {mean: 2 KB}}"
    )
    assert drawn.steps[0] == Hop(0, None, ("phone", "e1"), (0,), pytest.approx(0.003))
    line = stations.format_station_plan(drawn)[1]
    assert line.startswith("  cut 0 (input)   drawn per request  phone -> e1  (links[0]"), line


def test_run_dry_run_and_validate_show_print_the_table(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(split), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(TABLE + "dry run: nothing simulated, nothing written\n"), out
    assert main(["validate", str(split), "--show"]) == 0
    assert TABLE in capsys.readouterr().out
    assert main(["validate", str(split)]) == 0  # the one ok: line, as before
    assert "fixed plan" not in capsys.readouterr().out
    assert main(["run", str(split), "--dry-run", "--policy", "edge"]) == 0  # not a fixed plan: no table
    assert "fixed plan" not in capsys.readouterr().out


def test_a_station_that_is_not_a_node_is_still_refused(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["run", str(split), "--dry-run", "--set", "policy={name: fixed, nodes: [$source, e3], cuts: [2]}"]
        )
        == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'policy.nodes[1]: policy "fixed": "e3" is not a node' in err[0], err


@pytest.mark.parametrize("module", [stations, station_cells])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def test_work_costed_per_request_gets_one_line_not_a_table(split: Path) -> None:
    """Synthetic work's FLOPs are drawn per request: no fixed stage costs to table, and it says so."""
    (plan,) = _plans(split, "applications.net={work: {exponential: {mean: 1 GFLOP}}}")
    assert (plan.per_request, plan.steps, plan.drawn) == (True, (), ("work",))
    assert stations.format_station_plan(plan) == [
        "fixed plan of net (synthetic, 1 layer): not tabled, its stages are costed per request "
        "(its work is drawn)"
    ]
    (sized,) = _plans(
        split,
        "applications.net={work: {exponential: {mean: 1 GFLOP}}, input: {uniform: {low: 1 KB, high: 2 KB}}}",
    )
    assert stations.format_station_plan(sized)[0].endswith("(its work and sizes are drawn)")


def test_fixed_synthetic_work_is_not_said_to_be_drawn(split: Path) -> None:
    """1 GFLOP and fixed sizes: nothing is drawn, though the synthetic kind still prices each request."""
    (plan,) = _plans(split, "applications.net={work: 1 GFLOP, input: 2 KB, output: 1 KB}")
    assert (plan.per_request, plan.drawn) == (True, ())
    (line,) = stations.format_station_plan(plan)
    assert "drawn" not in line.replace("nothing is drawn", "")
    assert line == (
        "fixed plan of net (synthetic, 1 layer): not tabled, its stages are costed per request "
        "(nothing is drawn, but its kind prices each request as it comes)"
    )


DOWN_AT_0 = "dynamics=[{kind: node-schedule, node: e1, steps: [{at: 0 s, up: false}, {at: 2 s, up: true}]}]"


def test_a_station_down_at_the_start_says_so_on_its_line(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """e1 is down from 0 s to 2 s: still the plan the engine compiles, but its line says it is down."""
    (plan,) = _plans(split, DOWN_AT_0)
    assert [(s.node, s.down) for s in plan.steps if isinstance(s, Stage)] == [
        ("phone", ""),
        ("e1", "dynamics[0].steps[0].at"),
        ("e2", ""),
    ]
    assert main(["run", str(split), "--dry-run", "--set", DOWN_AT_0]) == 0
    lines = capsys.readouterr().out.splitlines()
    (e1,) = [line for line in lines if line.startswith("  e1 ")]
    assert e1.endswith("compute 0.000512 ms  (down at 0 s: dynamics[0].steps[0].at)"), e1
    assert not [line for line in lines if "down at" in line and not line.startswith("  e1 ")]
    # Down from 1 s only, or a random failure whose first comes after a draw: up at 0 s, unmarked.
    later = DOWN_AT_0.replace("at: 0 s", "at: 1 s")
    failures = "dynamics=[{kind: failures, nodes: e1, mtbf: 1 s, mttr: 1 s}]"
    for overrides in (later, failures):
        (plan,) = _plans(split, overrides)
        assert not [s for s in plan.steps if isinstance(s, Stage) and s.down], overrides
        assert (plan.at_start, plan.dropped_at_start) == ((), ""), overrides  # the world at 0 s: as written


def test_the_table_is_for_the_first_source_the_plan_does_not_drop(split: Path) -> None:
    """phone-0 reaches no station (a run drops its requests; validate warns): phone-1's plan is shown."""
    overrides = ("nodes.phone.count=2", "links[0].between=[phone-1, e1]", "workload[0].sources=phone-*")
    (plan,) = _plans(split, *overrides)
    assert (plan.source, plan.sources, plan.skipped, plan.dropped) == ("phone-1", 2, 1, "")
    assert plan.steps[1] == Hop(2, 1024, ("phone-1", "e1"), (0,), pytest.approx(0.003))
    assert stations.format_station_plan(plan)[0] == (
        "fixed plan of net (net.onnx, 5 layers) for a request from phone-1 "
        "(the first of 2 sources whose requests it does not drop):"
    )


def test_a_cut_a_codec_shrinks_names_it_and_the_size_before(split: Path) -> None:
    """int8 keeps a quarter of an fp32 tensor: 1024 B at cut 2 sends 256, 512 B at cut 4 sends 128.

    256 elements at cut 2: 4 FLOP each to encode on the phone (1 GFLOP/s), 2 to decode on e1
    (2 GFLOP/s); 128 at cut 4: encoded on e1, decoded on e2 (4 GFLOP/s).  The output (cut 5) is
    never compressed.  The table's bytes and times are a run's bytes_sent and compute_time.
    """
    (plan,) = _plans(split, "applications.net.compression=int8")
    assert plan.steps == (
        Stage("phone", "", 0, 2, "conv1", "relu1", 14080, 448, pytest.approx((14080 + 256 * 4) / 1e9)),
        Hop(2, 256, ("phone", "e1"), (0,), pytest.approx(0.003), "int8", 1024),
        Stage("e1", "", 2, 4, "conv2", "flat", 1024, 40, pytest.approx((1024 + 256 * 2 + 128 * 4) / 2e9)),
        Hop(4, 128, ("e1", "e2"), (1,), pytest.approx(0.001), "int8", 512),
        Stage("e2", "", 4, 5, "fc", "fc", 1280, 2580, pytest.approx((1280 + 128 * 2) / 4e9)),
        Hop(5, 20, ("e2", "e1", "phone"), (1, 0), pytest.approx(0.004)),
    )
    lines = stations.format_station_plan(plan)
    assert (
        lines[2]
        == "  cut 2           0.256 kB int8 (1.024 kB raw)  phone -> e1        (links[0]; 3 ms latency)"
    )
    assert lines[4].startswith("  cut 4           0.128 kB int8 (0.512 kB raw)  e1 -> e2  ")
    assert lines[6].startswith("  cut 5 (output)  0.02 kB                       e2 -> e1 -> phone  ")
    tasks = offloadsim.run(api.load(split, ["applications.net.compression=int8"])).tasks
    assert (tasks.bytes_sent == 256 + 128 + 20).all()
    compute = sum(s.seconds for s in plan.steps if isinstance(s, Stage))
    assert tasks.compute_time.to_numpy() == pytest.approx(compute, rel=1e-12)


def test_a_codec_no_narrower_than_the_model_is_not_named(split: Path) -> None:
    """fp16 on an fp16 model compresses nothing (the run notes it): the cut is its size, no codec said."""
    half = "applications.net.params={precision: fp16}"
    (plan,) = _plans(split, half, "applications.net.compression=fp16")
    assert plan.steps[1] == Hop(2, 512, ("phone", "e1"), (0,), pytest.approx(0.003))
    assert stations.format_station_plan(plan)[2].startswith("  cut 2           0.512 kB  phone -> e1  ")
    (plan,) = _plans(split, half, "applications.net.compression=int8")  # 2 bytes an element to 1
    assert plan.steps[1] == Hop(2, 256, ("phone", "e1"), (0,), pytest.approx(0.003), "int8", 512)


#: Two stations' FLOPs and weights, and how the table says them: each column in one unit.
UNITS = [
    ((1e8, 2e3), (2e5, 10.0), ("0.1 GFLOP", "2e-06 GFLOP", "0.2 MB", "1e-05 MB")),  # 0.1 G: still G
    ((9.999e7, 2e3), (99.0, 10.0), ("99.99 MFLOP", "0.002 MFLOP", "99 B", "10 B")),
    ((99.0, 0.0), (None, 100.0), ("0.099 kFLOP", "0 kFLOP", "", "0.1 kB")),
    ((0.0, 0.0), (0.0, 0.0), ("0 GFLOP", "0 GFLOP", "0 MB", "0 MB")),  # nothing to say: the first unit
]


def test_each_column_is_said_in_the_unit_its_largest_value_reads_in() -> None:
    """GFLOP from 0.1 GFLOP up, MFLOP from 0.1 MFLOP, kFLOP below; MB, kB and B likewise, per column.

    The tiny net printed 1.408e-05 GFLOP and 4e-05 MB.
    """
    for flops, weights, said in UNITS:
        steps = tuple(
            Stage(n, "", i, i + 1, "a", "a", f, w, 0.001)
            for i, (n, f, w) in enumerate(zip("xy", flops, weights, strict=True))
        )
        lines = stations.format_station_plan(stations.StationPlan("app", "cnn", "x", 1, 2, steps))
        cells = [[c for c in line.split("  ") if c.strip()] for line in lines[1:]]
        assert [cell for row in cells for cell in row if "FLOP" in cell] == list(said[:2])
        assert [cell.removeprefix("weights ") for row in cells for cell in row if "B" in cell] == [
            w for w in said[2:] if w
        ]


#: links[0] (phone - e1) down from 0 s to 3 s: the plan's only way to e1.
LINK_DOWN_AT_0 = (
    "dynamics=[{kind: link-schedule, link: 0, steps: [{at: 0 s, up: false}, {at: 3 s, up: true}]}]"
)
#: A relay beside links[0]: phone -> relay -> e1 (links[2], links[3]), 10 Mbit/s and 5 ms each.
RELAY = (
    "nodes.relay={tier: network}",
    "links=[{between: [phone, e1], bandwidth: 20 Mbps, latency: 3 ms},"
    " {between: [e1, e2], bandwidth: 1 Gbps, latency: 1 ms},"
    " {between: [phone, relay], bandwidth: 10 Mbps, latency: 5 ms},"
    " {between: [relay, e1], bandwidth: 10 Mbps, latency: 5 ms}]",
)


def test_a_link_down_at_the_start_is_marked_and_its_requests_dropped_as_a_run_drops_them(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No other way to e1: cuts 2 and 5 cross links[0], marked, and a request at 0 s is dropped.

    The run drops the requests of the first 3 s with the table's reason, and completes the later ones.
    """
    (plan,) = _plans(split, LINK_DOWN_AT_0)
    step = "dynamics[0].steps[0].at"
    assert [h.down for h in plan.steps if isinstance(h, Hop)] == [
        (("links[0]", step),),
        (),
        (("links[0]", step),),
    ]
    assert not [s for s in plan.steps if isinstance(s, Stage) and s.down]
    assert plan.dropped == "" and plan.dropped_at_start and plan.at_start == ()
    assert main(["run", str(split), "--dry-run", "--set", LINK_DOWN_AT_0]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == f"  at 0 s, after the dynamics' changes then: dropped: {plan.dropped_at_start}"
    cut2 = next(line for line in lines if line.startswith("  cut 2 "))
    assert cut2.endswith(
        "(links[0]; 3 ms latency)            (links[0] down at 0 s: dynamics[0].steps[0].at)"
    ), cut2
    tasks = offloadsim.run(api.load(split, [LINK_DOWN_AT_0])).tasks
    early, late = tasks[tasks.arrival < 3.0], tasks[tasks.arrival > 3.0]
    assert len(early) == 3 and (early.status == "dropped").all()
    assert (early.reason == plan.dropped_at_start).all()
    assert len(late) >= 1 and (late.status == "completed").all()


def test_a_link_down_at_the_start_with_another_way_shows_the_route_requests_take_then(
    split: Path,
) -> None:
    """A relay beside links[0]: the plan at 0 s sends cut 2 over it, and a run's early requests take
    its 10 + 1 + 11 ms of latency, the compute and each cut's bytes at its route's narrowest rate."""
    (plan,) = _plans(split, *RELAY, LINK_DOWN_AT_0)
    assert plan.steps[1].route == ("phone", "e1")  # the world at rest: links[0]
    assert plan.dropped_at_start == ""
    hops = [h for h in plan.at_start if isinstance(h, Hop)]
    assert [(h.route, h.links) for h in hops] == [
        (("phone", "relay", "e1"), (2, 3)),
        (("e1", "e2"), (1,)),
        (("e2", "e1", "relay", "phone"), (1, 3, 2)),
    ]
    assert [h.latency_s for h in hops] == pytest.approx([0.010, 0.001, 0.011])
    assert [s for s in plan.at_start if isinstance(s, Stage)] == [
        s for s in plan.steps if isinstance(s, Stage)
    ]
    lines = stations.format_station_plan(plan)
    at = lines.index("  at 0 s, after the dynamics' changes then:")
    assert lines[at + 2] == (
        "    cut 2           1.024 kB  phone -> relay -> e1        (links[2], links[3]; 10 ms latency)"
    )
    compute = sum(s.seconds for s in plan.at_start if isinstance(s, Stage))
    sent = (1024 * 8 / 10e6) + (512 * 8 / 1e9) + (20 * 8 / 10e6)
    tasks = offloadsim.run(api.load(split, [*RELAY, LINK_DOWN_AT_0])).tasks
    early = tasks[tasks.arrival < 3.0]
    assert len(early) == 3 and (early.status == "completed").all()
    expected = sum(h.latency_s for h in hops) + compute + sent
    assert early.latency.to_numpy() == pytest.approx(expected, rel=1e-9)


def test_a_route_node_down_at_the_start_is_marked_on_the_cut_it_carries(split: Path) -> None:
    """links[0] slow (50 ms): cut 2 goes by the relay; the relay down at 0 s sends it over links[0]."""
    relay_down = "dynamics=[{kind: node-schedule, node: relay, steps: [{at: 0 s, up: false}]}]"
    (plan,) = _plans(split, *RELAY, "links[0].latency=50 ms", relay_down)
    cut2, _, cut5 = (h for h in plan.steps if isinstance(h, Hop))
    assert cut2.route == ("phone", "relay", "e1")
    assert cut2.down == cut5.down == (("relay", "dynamics[0].steps[0].at"),)
    assert next(h for h in plan.at_start if isinstance(h, Hop)).route == ("phone", "e1")
    line = stations.format_station_plan(plan)[2]
    assert line.endswith("(relay down at 0 s: dynamics[0].steps[0].at)"), line


class _Blackout:
    """``{kind: blackout, node: NAME, at: TIME}``: a plug-in kind that says nothing of its nodes.

    It declares the time of its change (``change_time_keys``), not ``node_changes``.
    """

    name = "blackout"
    change_time_keys = ("at",)

    def parse(self, entry):
        entry.keys(required=("node", "at"))
        return entry.node("node"), entry.quantity("at", "time")

    def timeline(self, spec, rng):
        from offloadsim.world.dynamics import SetNodeUp

        node, at = spec
        yield at, SetNodeUp(node, False)


@pytest.fixture
def blackout():
    from offloadsim.world.dynamics import register_dynamics, unregister_dynamics

    register_dynamics(_Blackout())
    yield
    unregister_dynamics("blackout")


def test_a_plug_in_kind_that_says_nothing_of_nodes_still_has_its_outage_and_the_others_marked(
    split: Path, blackout: None
) -> None:
    """The plug-in takes e2 down at 0 s: marked at the time it declares; the schedule's e1 still is."""
    both = (
        "dynamics=[{kind: node-schedule, node: e1, steps: [{at: 0 s, up: false}]},"
        " {kind: blackout, node: e2, at: 0 s}]"
    )
    (plan,) = _plans(split, both)
    assert [(s.node, s.down) for s in plan.steps if isinstance(s, Stage)] == [
        ("phone", ""),
        ("e1", "dynamics[0].steps[0].at"),
        ("e2", "dynamics[1].at"),
    ]
    (later,) = _plans(split, both.replace("at: 0 s}]", "at: 1 s}]"))  # the plug-in's at 1 s: unmarked
    assert [s.node for s in later.steps if isinstance(s, Stage) and s.down] == ["e1"]


def _sweep(split: Path, body: str) -> Path:
    sweep = split.parent / "sw.yaml"
    sweep.write_text(f"name: sw\nbase: {split.name}\n{body}", encoding="utf-8")
    return sweep


def test_a_sweep_dry_run_tables_each_plan_once_with_the_points_it_is_of(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cuts change the plan, e1 - e2's bandwidth does not (no number of the table is a rate): two tables.

    Each is ``run --dry-run``'s table of its point, word for word.
    """
    grid = "grid:\n  policy.cuts: [[2, 4], [1, 4]]\n  links[1].bandwidth: [1 Gbps, 2 Gbps]\n"
    assert main(["sweep", str(_sweep(split, grid)), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert main(["run", str(split), "--dry-run", "--set", "policy.cuts=[1, 4]"]) == 0
    second = capsys.readouterr().out
    table = second[second.index("fixed plan of") : second.index("dry run:")]
    assert "  point 3: policy.cuts=[1, 4], links[1].bandwidth=2 Gbps\n" in out
    assert out.endswith(
        "fixed plan's stations at points 0 and 1:\n"
        + TABLE
        + "fixed plan's stations at points 2 and 3:\n"
        + table
        + "dry run: nothing simulated, nothing written\n"
    ), out
    # One plan at every point: said once, of every point; a policy not fixed has none.
    assert (
        main(["sweep", str(_sweep(split, "grid:\n  links[1].bandwidth: [1 Gbps, 2 Gbps]\n")), "--dry-run"])
        == 0
    )
    assert capsys.readouterr().out.endswith(
        "fixed plan's stations at every point:\n" + TABLE + "dry run: nothing simulated, nothing written\n"
    )
    assert main(["sweep", str(_sweep(split, "policies: [edge, local]\n")), "--dry-run"]) == 0
    assert "fixed plan" not in capsys.readouterr().out


def _run_table(split: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """``run --dry-run``'s table of ``split`` with ``argv`` (a --policy, a --set)."""
    assert main(["run", str(split), "--dry-run", *argv]) == 0
    printed = capsys.readouterr().out
    return printed[printed.index("fixed plan of") : printed.index("dry run:")]


def test_a_compare_dry_run_tables_each_plan_once_headed_by_the_entries_it_is_of(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each entry of kind fixed has ``run --dry-run --policy ENTRY``'s table, word for word.

    ``fixed(cuts=[2, 5])`` leaves e2 no layers: its plan is ``fixed(nodes=[$source, e1], cuts=[2])``'s,
    said once of both; ``local`` has none.
    """
    entries = ["fixed", "fixed(cuts=[2, 5])", "local", "fixed(nodes=[$source, e1], cuts=[2])"]
    out = split.parent / "cmp"
    argv = ["compare", str(split), "--policies", ",".join(entries), "--out", str(out), "--dry-run"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.endswith(
        "fixed plan's stations of policy fixed:\n"
        + TABLE
        + f"fixed plan's stations of policies {entries[1]} and {entries[3]}:\n"
        + _run_table(split, capsys, "--policy", entries[1])
        + "dry run: nothing simulated, nothing written\n"
    ), printed
    assert _run_table(split, capsys, "--policy", entries[3]) == _run_table(
        split, capsys, "--policy", entries[1]
    )
    assert not out.exists()


def test_a_compare_dry_run_marks_what_is_down_at_0_s_as_run_does(
    split: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """links[1] is down at 0 s: the file's plan crosses it, and the table says so as the run's does."""
    down = "dynamics=[{kind: link-schedule, link: 1, steps: [{at: 0 s, up: false}, {at: 2 s, up: true}]}]"
    argv = ["compare", str(split), "--policies", "local,fixed", "--set", down, "--dry-run"]
    assert main([*argv, "--out", str(split.parent / "cmp")]) == 0
    printed = capsys.readouterr().out
    table = _run_table(split, capsys, "--set", down)
    assert "(links[1] down at 0 s: dynamics[0].steps[0].at)" in table
    assert printed.endswith(
        "fixed plan's stations of policy fixed:\n" + table + "dry run: nothing simulated, nothing written\n"
    ), printed


def test_a_sweep_dry_run_says_the_points_past_those_it_lists_are_not_tabled() -> None:
    from offloadsim.cli.experiments import _LISTED, _station_tables

    listed = [["fixed plan of x"]] * _LISTED
    assert _station_tables(listed, _LISTED) == ["fixed plan's stations at every point:", "fixed plan of x"]
    lines = _station_tables(listed, _LISTED + 10)
    assert lines[0] == f"fixed plan's stations at points {', '.join(map(str, range(_LISTED - 1)))} and 49:"
    assert lines[-1] == "(the stations of the points after point 49 are not shown)"


class _Broken(_Blackout):
    """A plug-in kind whose timeline raises as the run reads it at 0 s."""

    name = "broken"

    def timeline(self, spec, rng):
        raise RuntimeError("no timeline today")
        yield  # pragma: no cover - a generator


@pytest.fixture
def broken() -> Iterator[None]:
    """The kind of dynamics ``broken`` (:class:`_Broken`) registered while the test runs."""
    from offloadsim.world.dynamics import register_dynamics, unregister_dynamics

    register_dynamics(_Broken())
    yield
    unregister_dynamics("broken")


def test_a_plug_in_timeline_that_raises_at_0_s_is_its_one_line_as_in_the_run(
    split: Path, capsys: pytest.CaptureFixture[str], broken: None
) -> None:
    """``run --dry-run`` and ``compare --dry-run`` say the run's line; a sweep's, at its point."""
    overrides = ["--set", "dynamics=[{kind: broken, node: e2, at: 0 s}]"]
    assert main(["run", str(split), "--dry-run", *overrides]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert main(["run", str(split), "--out", str(split.parent / "out"), *overrides]) == 2
    (run,) = capsys.readouterr().err.strip().splitlines()
    compare = ["compare", str(split), "--policies", "local,fixed", "--out", str(split.parent / "cmp")]
    assert main([*compare, "--dry-run", *overrides]) == 2
    (compared,) = capsys.readouterr().err.strip().splitlines()
    grid = "grid:\n  dynamics: [[], [{kind: broken, node: e2, at: 0 s}]]\n"
    sweep = _sweep(split, grid)
    assert main(["sweep", str(sweep), "--dry-run"]) == 2
    (swept,) = capsys.readouterr().err.strip().splitlines()
    assert line == run == compared
    assert not (split.parent / "cmp").exists()
    assert 'dynamics[0]: kind of dynamics "broken"' in line and "no timeline today" in line, line
    said = line[: line.index(' (set by --set "dynamics=')]  # the run's fault, said of its point in a sweep
    fault = said.removeprefix("offloadsim: error: ")  # at the sweep file, as its other refused points are
    assert swept == (
        f"offloadsim: error: {sweep}: {fault} (point 1: dynamics=[{{kind: broken, node: e2, at: 0 s}}]); "
        "run again with --debug to see its traceback"
    )


def test_a_plug_in_fault_tabling_a_point_is_listed_in_order_with_the_refused_points(
    split: Path, capsys: pytest.CaptureFixture[str], broken: None
) -> None:
    """Every refused point is said, in point order: a fault met tabling a point's stations is one of them.

    The fault ended the dry run at once: point 0's refusal (an unknown kind) before it went
    unsaid, and so did point 2's after it, which the fault had stopped the check from reaching.
    """
    points = "[{kind: nosuch}], [{kind: broken, node: e2, at: 0 s}], [{kind: nosuch2}], []"
    grid = f"grid:\n  dynamics: [{points}]\n"
    sweep = _sweep(split, grid)
    assert main(["sweep", str(sweep), "--dry-run"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert [line[line.rindex("(point ") :][:9] for line in lines] == ["(point 0:", "(point 1:", "(point 2:"]
    assert all(line.startswith(f"offloadsim: error: {sweep}: ") for line in lines), lines
    assert 'unknown kind "nosuch"' in lines[0] and 'unknown kind "nosuch2"' in lines[2], lines
    assert f'{split}: dynamics[0]: kind of dynamics "broken"' in lines[1] and "no timeline today" in lines[1]
    hint = "; run again with --debug to see its traceback"
    assert [line.endswith(hint) for line in lines] == [False, True, False], lines  # point 1's, the plug-in's
    assert "dry run" not in captured.out and "fixed plan" not in captured.out


def test_a_sweep_dry_run_checks_the_points_after_a_plug_in_fault_tabling_one(
    split: Path, capsys: pytest.CaptureFixture[str], broken: None
) -> None:
    """Point 0's fault stopped the dry run: point 1's refusal was never said.

    The hint to run again with --debug is point 0's, the plug-in's: it was put on the last
    line, point 1's, a plain refusal with no traceback to see.
    """
    grid = "grid:\n  dynamics: [[{kind: broken, node: e2, at: 0 s}], [{kind: nosuch}]]\n"
    argv = ["sweep", str(_sweep(split, grid)), "--dry-run"]
    assert main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    assert "no timeline today" in lines[0] and "(point 0: " in lines[0], lines
    assert lines[0].endswith("at: 0 s}]); run again with --debug to see its traceback"), lines[0]
    assert 'unknown kind "nosuch"' in lines[1] and lines[1].endswith(
        "(point 1: dynamics=[{kind: nosuch}])"
    ), lines[1]  # no hint
    assert main(["--debug", *argv]) == 2
    err = capsys.readouterr().err
    assert 'raise RuntimeError("no timeline today")' in err and "--debug" not in err
    assert err.splitlines()[-2:] == [
        line.removesuffix("; run again with --debug to see its traceback") for line in lines
    ]


def test_a_plug_in_fault_past_the_refusals_a_sweep_lists_is_named_on_the_line_that_counts_them(
    split: Path, capsys: pytest.CaptureFixture[str], broken: None
) -> None:
    """Twelve refusals are listed; point 12's fault, past them, is named where the rest are counted."""
    from offloadsim.experiments.sweep_spec import _MAX_PROBLEMS

    refused = ", ".join(f"[{{kind: nosuch{i}}}]" for i in range(_MAX_PROBLEMS))
    grid = f"grid:\n  dynamics: [{refused}, [{{kind: broken, node: e2, at: 0 s}}], [{{kind: nosuch}}]]\n"
    assert main(["sweep", str(_sweep(split, grid)), "--dry-run"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == _MAX_PROBLEMS + 1, lines
    assert not any("--debug" in line for line in lines[:-1]), lines
    assert lines[-1].endswith(
        f"... and 2 more problems, point {_MAX_PROBLEMS}'s a plug-in's exception; "
        "run again with --debug to see its traceback"
    ), lines[-1]


def test_a_latency_set_at_0_s_is_the_latency_of_the_plan_requests_get_then(split: Path) -> None:
    """links[0] at 30 ms from 0 s: nothing is down, and the plan at 0 s is the table's at that latency."""
    (plan,) = _plans(split, "dynamics=[{kind: link-schedule, link: 0, steps: [{at: 0 s, latency: 30 ms}]}]")
    assert not [h for h in plan.steps if isinstance(h, Hop) and h.down]
    assert plan.at_start == tuple(
        replace(s, latency_s=pytest.approx({2: 0.030, 4: 0.001, 5: 0.031}[s.cut]))
        if isinstance(s, Hop)
        else s
        for s in plan.steps
    )
