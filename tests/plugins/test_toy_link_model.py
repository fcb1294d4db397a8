"""A link model and a kind of timed change added from outside the package, as a plug-in would.

The toy link model gives every flow its path's whole bottleneck capacity (no
sharing at all: an idealised network of dedicated circuits); the toy kind
takes a node down for a while.  Both register through the public functions
and a scenario names them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from offloadsim.engine import simulate
from offloadsim.engine.channels import ABORTED, PROPAGATING, SENDING, ChannelModel, sent_bytes, tell_aborted
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.link_models import register_link_model, unregister_link_model
from offloadsim.world.dynamics import (
    SetNodeUp,
    SpecReader,
    WorldChange,
    register_dynamics,
    unregister_dynamics,
)


class _Circuit:
    """One transfer of the toy model: its pending event's callbacks read ``live``."""

    __slots__ = ("aborted", "channels", "live", "payload", "sent_bytes")

    def __init__(self, channels: tuple[int, ...], aborted: Callable[[Any], None] | None, payload: Any):
        self.channels = channels
        self.aborted = aborted
        self.payload = payload
        self.live = True
        self.sent_bytes = 0.0


class DedicatedCircuits:
    """Every flow at its path's bottleneck, whatever else crosses it (a toy LinkModel)."""

    def __init__(self, env: Any, capacity_bps: Sequence[float]):
        self.env = env
        self.capacity_Bps = [c / 8.0 for c in capacity_bps]
        self.busy_s = [0.0] * len(self.capacity_Bps)
        self.carried = [0.0] * len(self.capacity_Bps)
        self.flows: list[set[_Circuit]] = [set() for _ in self.capacity_Bps]

    def start(self, channels, size_bytes, latency_s, callback, payload, sent=None, aborted=None):
        circuit = _Circuit(channels, aborted, payload)
        rate = min((self.capacity_Bps[c] for c in channels), default=math.inf)
        if rate <= 0.0:
            self.env.timeout(0.0).callbacks.append(lambda _e: aborted and aborted(payload))
            return circuit
        for c in channels:
            self.flows[c].add(circuit)
        seconds = size_bytes / rate if size_bytes > 0 else 0.0

        def left(_event: Any) -> None:
            if not circuit.live:
                return
            for c in channels:
                self.flows[c].discard(circuit)
                self.carried[c] += size_bytes
                self.busy_s[c] += seconds
            if sent is not None and size_bytes > 0:
                sent(payload)
            self.env.timeout(latency_s).callbacks.append(lambda _e: circuit.live and callback(payload))

        self.env.timeout(seconds).callbacks.append(left)
        return circuit

    def cancel(self, flow: _Circuit) -> bool:
        if not flow.live:
            return False
        flow.live = False
        for c in flow.channels:
            self.flows[c].discard(flow)
        if flow.aborted is not None:
            flow.aborted(flow.payload)
        return True

    def set_capacity(self, channel: int, capacity_bps: float) -> None:
        self.capacity_Bps[channel] = capacity_bps / 8.0  # circuits already set up keep their rate

    def set_up(self, channel: int, up: bool) -> None:
        if not up:
            for flow in list(self.flows[channel]):
                self.cancel(flow)

    def share_Bps(self, channels: Sequence[int]) -> float:
        return min((self.capacity_Bps[c] for c in channels), default=math.inf)

    def capacity_Bps_now(self, channel: int) -> float:
        return self.capacity_Bps[channel]

    def flow_count(self, channel: int) -> int:
        return len(self.flows[channel])

    def bytes_carried_now(self) -> list[float]:
        return list(self.carried)

    def capacity_bit_seconds(self, channel: int, t0: float, t1: float) -> float:
        return self.capacity_Bps[channel] * 8.0 * (t1 - t0)

    def close_statistics(self) -> None:
        pass


class _Transfer:
    """One transfer of :class:`DerivedCircuits`, with the fields ChannelModel reads."""

    __slots__ = ("aborted", "callback", "channels", "last", "latency_s", "payload", "rate", "remaining")
    __slots__ += ("size", "state")

    def __init__(self, channels, size_bytes, latency_s, callback, payload, aborted, rate, now):
        self.channels, self.size, self.remaining, self.latency_s = channels, size_bytes, size_bytes, latency_s
        self.callback, self.payload, self.aborted = callback, payload, aborted
        self.rate, self.last = rate, now
        self.state = SENDING


class DerivedCircuits(ChannelModel):
    """The same circuits on ChannelModel's bookkeeping, as docs/architecture.md offers a link model.

    ChannelModel keeps the capacities in force, takes channels down and up, cancels, shares and
    counts; the model says only how a transfer goes (at its route's bottleneck, alone), that a
    capacity change leaves circuits as they are (``_rerate``) and how one is stopped (``_stop``).
    """

    def __init__(self, env: Any, capacity_bps: Sequence[float]):
        super().__init__(env, capacity_bps)
        self.busy_s = [0.0] * len(self.capacity_Bps)

    def start(self, channels, size_bytes, latency_s, callback, payload, sent=None, aborted=None):
        rate = min((self.capacity_Bps[c] for c in channels), default=math.inf)
        transfer = _Transfer(channels, size_bytes, latency_s, callback, payload, aborted, rate, self.env.now)
        if rate <= 0.0:
            transfer.state = ABORTED
            self.env.timeout(0.0).callbacks.append(lambda _e: tell_aborted(transfer))
            return transfer
        for c in channels:
            self.crossing[c].append(transfer)
        seconds = size_bytes / rate if size_bytes > 0 else 0.0

        def left(_event: Any) -> None:
            if transfer.state != SENDING:
                return
            for c in channels:
                self.crossing[c].remove(transfer)
                self.bytes_carried[c] += size_bytes
                self.busy_s[c] += seconds
            transfer.state, transfer.remaining, transfer.last = PROPAGATING, 0.0, self.env.now
            if sent is not None and size_bytes > 0:
                sent(payload)
            self._deliver_after(transfer)

        self.env.timeout(seconds).callbacks.append(left)
        return transfer

    def _rerate(self, channel: int) -> None:
        pass  # a circuit keeps the rate it was set up with

    def _stop(self, transfer: Any) -> None:
        carried = sent_bytes(transfer, self.env.now)
        for c in transfer.channels:
            self.crossing[c].remove(transfer)
            self.bytes_carried[c] += carried

    def close_statistics(self) -> None:
        pass


@dataclass(frozen=True)
class Outage:
    node: str
    at_s: float
    for_s: float


class NodeOutage:
    """``{kind: node-outage, node: NAME, at: TIME, for: TIME}``: a node down for a while (a toy kind)."""

    name = "node-outage"

    def parse(self, entry: SpecReader) -> Outage:
        entry.keys(required=("node", "at", "for"))
        return Outage(
            entry.node("node"), entry.quantity("at", "time"), entry.quantity("for", "time", positive=True)
        )

    def timeline(self, spec: Outage, rng: Any) -> Iterator[tuple[float, WorldChange]]:
        yield spec.at_s, SetNodeUp(spec.node, False)
        yield spec.at_s + spec.for_s, SetNodeUp(spec.node, True)


@pytest.fixture
def plugins():
    register_link_model("dedicated-circuits", DedicatedCircuits)
    register_link_model("derived-circuits", DerivedCircuits)
    register_dynamics(NodeOutage())
    yield
    unregister_link_model("dedicated-circuits")
    unregister_link_model("derived-circuits")
    unregister_dynamics("node-outage")


# Two phones upload 1 MB each at 1 s over one shared 8 Mbps uplink to the edge (1 ms compute there).
SCENARIO = """
name: toy-links
duration: 10 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, cores: 2}}
links:
  - {between: [phone-*, ap], bandwidth: 100 Mbps, latency: 1 ms}
  - {between: [ap, edge], bandwidth: 8 Mbps, latency: 4 ms}
applications:
  job: {stages: [{work: 0.1 GFLOP}], input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone-*, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [edge]}
"""


def run(tmp_path, extra: str, times: str):
    (tmp_path / "trace.csv").write_text("time,source\n" + times)
    return simulate(load_scenario_text(SCENARIO + extra, source="<test>", base_dir=tmp_path))


def test_a_plug_in_link_model_carries_a_scenario(tmp_path, plugins):
    times = "1.0,phone-0\n1.0,phone-1\n"
    shared = run(tmp_path, "", times).tasks["latency"]
    circuits = run(tmp_path, "network: {model: dedicated-circuits}\n", times).tasks["latency"]
    # Dedicated: each 1 MB at the 1 MB/s bottleneck, alone: 1 s + 5 ms + 1 ms compute + 5 ms back.
    assert list(circuits) == pytest.approx([1.0 + 0.005 + 0.001 + 0.005] * 2, rel=1e-12)
    # Max-min fair: the two share the uplink, so both take twice as long on it.
    assert list(shared) == pytest.approx([2.0 + 0.005 + 0.001 + 0.005] * 2, rel=1e-9)


def test_a_link_model_derived_from_channel_model_runs_in_either_build(tmp_path, plugins):
    """docs/architecture.md offers ChannelModel to derive from: the engine compiled by mypyc refused
    a Python class deriving from its compiled class ("interpreted classes cannot inherit from
    compiled"); the circuits on its bookkeeping carry a scenario as the toy written from scratch does,
    a link going down included."""
    times = "1.0,phone-0\n1.0,phone-1\n"
    derived = run(tmp_path, "network: {model: derived-circuits}\n", times)
    scratch = run(tmp_path, "network: {model: dedicated-circuits}\n", times)
    assert list(derived.tasks["latency"]) == list(scratch.tasks["latency"])
    assert list(derived.links["bytes"]) == list(scratch.links["bytes"])
    outage = "dynamics: [{kind: node-outage, node: ap, at: 1.5 s, for: 2 s}]\n"
    down = run(tmp_path, "network: {model: derived-circuits}\n" + outage, "1.0,phone-0\n4.0,phone-1\n").tasks
    assert list(down["status"]) == ["failed", "completed"]


def test_a_plug_in_kind_of_change_takes_a_node_down_for_a_while(tmp_path, plugins):
    raw = run(
        tmp_path,
        "dynamics: [{kind: node-outage, node: ap, at: 1.5 s, for: 2 s}]\n",
        "1.0,phone-0\n2.0,phone-1\n4.0,phone-1\n",
    )
    tasks = raw.tasks
    assert list(tasks["status"]) == ["failed", "dropped", "completed"]
    assert tasks["reason"][0] == "ap went down"  # the router its upload crossed, not a link


def test_an_unknown_link_model_is_a_scenario_error(tmp_path):
    from offloadsim.world import WorldError, build_world

    (tmp_path / "trace.csv").write_text("time,source\n1.0,phone-0\n")
    scenario = load_scenario_text(
        SCENARIO + "network: {model: max-mim}\n", source="<test>", base_dir=tmp_path
    )
    with pytest.raises(
        WorldError, match=r'^network.model: unknown link model "max-mim" \(did you mean "max-min"\?\)'
    ):
        build_world(scenario)


def _odd_links(member: str, value: Any) -> Callable[..., Any]:
    """A toy link model whose ``member`` (bytes_carried_now or capacity_bit_seconds) says ``value``.

    Derived from the toy, not the engine's FlowNetwork: a build compiled by mypyc lets no Python
    class derive from that.
    """

    class OddLinks(DedicatedCircuits):
        def bytes_carried_now(self) -> Any:
            carried = super().bytes_carried_now()
            return [value] * len(carried) if member == "bytes_carried_now" else carried

        def capacity_bit_seconds(self, channel: int, start: float, end: float) -> Any:
            if member == "capacity_bit_seconds":
                return value
            return super().capacity_bit_seconds(channel, start, end)

    return lambda env, capacity_bps: OddLinks(env, capacity_bps)


@pytest.mark.parametrize(
    ("member", "value", "said"),
    [
        (
            "bytes_carried_now",
            "1 kB",
            'bytes_carried_now() was "1 kB" at simulated time 0 s; expected bytes, a finite number >= 0 '
            "that never decreases",
        ),
        (
            "bytes_carried_now",
            float("nan"),
            "bytes_carried_now() was nan at simulated time 0 s; expected bytes",
        ),
        ("capacity_bit_seconds", -1.0, "capacity_bit_seconds() from 0 s to 2 s was -1.0; expected bit-"),
        ("capacity_bit_seconds", "x", 'capacity_bit_seconds() from 0 s to 2 s was "x"; expected bit-'),
    ],
)
def test_a_link_counter_that_is_no_number_at_least_0_ends_the_run_in_one_line(
    member, value, said, tiny_scenario, tmp_path, capsys
):
    """A str was an internal error (TypeError, exit 1); NaN or a negative capacity was written to
    links.parquet as the link's bytes or utilisation, exit 0."""
    from offloadsim.cli import main

    register_link_model("odd-links", _odd_links(member, value))
    try:
        argv = [
            "run",
            str(tiny_scenario),
            "--set",
            "network={model: odd-links}",
            "--out",
            str(tmp_path / "o"),
        ]
        assert main([*argv, "-q"]) == 2
    finally:
        unregister_link_model("odd-links")
    err = capsys.readouterr().err
    assert err.startswith(
        f'offloadsim: error: link model "odd-links" ({__name__}._odd_links.<locals>.OddLinks), link phone -> '
        f"edge: its {said}"
    ), err
    assert err.count("\n") == 1 and not (tmp_path / "o").exists()


class _AsksBandwidth:
    """Runs every task on the edge after asking the view what a transfer there takes."""

    def decide(self, task: Any, view: Any) -> Any:
        from offloadsim.policies.base import Plan

        view.transfer_time_s(task.source, "edge", 1e6)
        view.route_bandwidth_bps(task.source, "edge")
        return Plan.run_on("edge")


@pytest.mark.parametrize(
    ("member", "value", "shown"), [("share_Bps", float("nan"), "nan"), ("capacity_Bps_now", "fast", '"fast"')]
)
def test_a_rate_a_policy_reads_that_is_no_number_at_least_0_ends_the_run_in_one_line(
    member, value, shown, tiny_scenario, tmp_path, capsys
):
    """A str was an internal error in the view (TypeError, exit 1); NaN priced every transfer NaN."""
    from offloadsim.cli import main
    from offloadsim.policies.registry import register_policy, unregister_policy

    class OddRates(DedicatedCircuits):  # not FlowNetwork, which a compiled build lets none derive from
        pass

    setattr(OddRates, member, lambda self, *args: value)
    register_link_model("odd-rates", lambda env, capacity_bps: OddRates(env, capacity_bps))
    register_policy("asks-bandwidth")(_AsksBandwidth)
    try:
        argv = [
            "run",
            str(tiny_scenario),
            "--set",
            "network={model: odd-rates}",
            "--policy",
            "asks-bandwidth",
        ]
        assert main([*argv, "--out", str(tmp_path / "o"), "-q"]) == 2
    finally:
        unregister_link_model("odd-rates")
        unregister_policy("asks-bandwidth")
    model = f"{__name__}.{OddRates.__qualname__}"
    assert capsys.readouterr().err == (
        f'offloadsim: error: link model "odd-rates" ({model}): its {member}() said {shown}; '
        "expected bytes/s >= 0\n"
    )


# A phone walks from ap-0's cell to ap-1's at 8 s, its 8 MB upload from 1 s still going.
WALK = """
name: toy-walk
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {count: 2, tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, ap-0], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [phone, ap-1], bandwidth: 8 Mbps, latency: 10 ms}
  - {between: [ap-*, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {stages: [{work: 1 GFLOP}], input: 8 MB, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: arrivals.csv}
policy: {name: fixed, nodes: [edge]}
network: {model: dedicated-circuits}
dynamics:
  - kind: mobility
    devices: phone
    access_points:
      - {node: ap-0, position: [0 m, 0 m], radius: 60 m}
      - {node: ap-1, position: [100 m, 0 m], radius: 60 m}
    file: walk.csv
    update: 1 s
    in_flight: RULE
"""


@pytest.mark.parametrize("verb", ["run", "validate"])
def test_a_link_model_lacking_what_a_handover_asks_is_refused_at_its_key(verb, tmp_path, plugins, capsys):
    """A plug-in link model without sending_over and move (which PLUGIN_MEMBERS leaves out: only a
    handover asks them) ended a run of a mobility entry at its first handover in an internal error
    (AttributeError, exit 1); under in_flight: fail, which moves no flow, it runs."""
    from offloadsim.cli import main

    (tmp_path / "arrivals.csv").write_text("time\n1.0\n")
    (tmp_path / "walk.csv").write_text("time,node,x,y\n0,phone,10,0\n8,phone,90,0\n")
    path = tmp_path / "walk.yaml"
    path.write_text(WALK.replace("RULE", "continue"))
    out = ["--out", str(tmp_path / "o"), "-q"] if verb == "run" else []
    assert main([verb, str(path), *out]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f'offloadsim: error: {path}: network.model: link model "dedicated-circuits" ({__name__}.'
        "DedicatedCircuits) built a link model of class DedicatedCircuits, which lacks sending_over, move "
        "(what offloadsim.engine.network.LinkModel declares for a handover: those of dynamics[0] move the "
        "flows in flight; in_flight: fail moves none)"
    ), line
    assert not (tmp_path / "o").exists()
    path.write_text(WALK.replace("RULE", "fail"))
    assert main([verb, str(path), *out]) == 0
