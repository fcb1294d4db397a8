"""A link model's parameters, declared as keys, given under ``network``; its rates checked as it sets them.

The toy model, on ChannelModel's public names only (``set_rate``, ``deliver_after``, ``stop``,
``rerate``), sends each transfer alone at its route's bottleneck divided by its key ``slowdown``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from offloadsim.cli import main
from offloadsim.engine import simulate
from offloadsim.engine.channels import PROPAGATING, SENDING, ChannelModel
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.keys import key
from offloadsim.scenario.link_models import register_link_model, unregister_link_model


@dataclass(frozen=True)
class Slowdown:
    slowdown: float = key(1.0, ge=1, doc="What each transfer's bottleneck rate is divided by.")


class _Transfer:
    def __init__(self, channels, size, latency_s, callback, payload, aborted, now):
        self.channels, self.size, self.remaining, self.latency_s = channels, size, size, latency_s
        self.callback, self.payload, self.aborted = callback, payload, aborted
        self.rate, self.last, self.state = 0.0, now, SENDING


class SlowCircuits(ChannelModel):
    """Each transfer alone at its route's bottleneck / slowdown."""

    parameters = Slowdown

    def __init__(self, env: Any, capacity_bps: Any, parameters: Slowdown):
        super().__init__(env, capacity_bps)
        self.slowdown = parameters.slowdown
        self.busy_s = [0.0] * len(self.capacity_Bps)

    def rate_Bps(self, channels: Any) -> float:
        return min(self.capacity_Bps[c] for c in channels) / self.slowdown

    def start(self, channels, size_bytes, latency_s, callback, payload, sent=None, aborted=None):
        transfer = _Transfer(channels, size_bytes, latency_s, callback, payload, aborted, self.env.now)
        for c in channels:
            self.crossing[c].append(transfer)
        seconds = self.set_rate(transfer, self.rate_Bps(channels))
        self.env.timeout(seconds).callbacks.append(lambda _e: self._left(transfer))
        return transfer

    def _left(self, transfer: _Transfer) -> None:
        if transfer.state == SENDING:
            self.stop(transfer)
            transfer.state = PROPAGATING
            self.deliver_after(transfer)

    def rerate(self, channel: int) -> None:
        pass  # a circuit keeps its rate

    def stop(self, transfer: Any) -> None:
        self.set_rate(transfer, 0.0)
        for c in transfer.channels:
            self.crossing[c].remove(transfer)
            self.bytes_carried[c] += transfer.size - transfer.remaining

    def close_statistics(self) -> None:
        pass


class NanAfterOneSecond(SlowCircuits):
    """Its rates are NaN from 1 s on: its transfers would stall."""

    def rate_Bps(self, channels: Any) -> float:
        return math.nan if self.env.now >= 1.0 else super().rate_Bps(channels)


class NoParameters(SlowCircuits):
    """The same circuits without keys: built with two arguments, as before."""

    parameters = None

    def __init__(self, env: Any, capacity_bps: Any):
        super().__init__(env, capacity_bps, Slowdown(1.0))


@pytest.fixture
def models():
    registered = {"slow": SlowCircuits, "nan-after-1s": NanAfterOneSecond, "plain-circuits": NoParameters}
    for name, factory in registered.items():
        register_link_model(name, factory)
    try:
        yield
    finally:
        for name in registered:
            unregister_link_model(name)


# One phone uploads 1 MB at 0.5 s and at 2 s over an 8 Mbps link to the edge (about 1 s each).
SCENARIO = """
name: slow-links
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 8 Mbps, latency: 1 ms}
applications:
  job: {stages: [{work: 0.1 GFLOP}], input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone, arrivals: periodic, period: 1.5 s, start: 0.5 s}
policy: {name: fixed, nodes: [edge]}
"""


def _latencies(network: str) -> list[float]:
    scenario = load_scenario_text(SCENARIO + f"network: {network}\n", source="<test>")
    return list(simulate(scenario).tasks["latency"])


def test_the_scenario_s_value_reaches_the_model_and_its_default_stands_without_one(models):
    once, twice, plain = (
        _latencies(n) for n in ("{model: slow}", "{model: slow, slowdown: 2}", "{model: plain-circuits}")
    )
    assert once == plain  # the declared default, 1, is what a model without keys does
    done = [(a, b) for a, b in zip(once, twice, strict=True) if math.isfinite(b)]
    assert len(done) >= 3
    # 1 MB over 8 Mbps: 1 s of upload at slowdown 1, 2 s at 2; the rest of the latency the same.
    assert [b - a for a, b in done] == pytest.approx([1.0] * len(done), rel=1e-9)


@pytest.mark.parametrize(
    ("network", "said"),
    [
        ("{model: slow, slowdwn: 2}", 'network: unknown key "slowdwn" (did you mean "slowdown"?)'),
        ("{model: slow, slowdown: fast}", 'network.slowdown: expected a number, got "fast"'),
        ("{model: slow, slowdown: 0.5}", "network.slowdown: expected a value at least 1.0, got 0.5"),
        ("{model: fifo, slowdown: 2}", 'network.slowdown: "slowdown" is a key of link model'),
    ],
)
def test_a_key_the_model_does_not_take_as_given_is_refused_in_one_line(
    network, said, models, tmp_path, capsys
):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + f"network: {network}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"offloadsim: error: {path}: {said}"), err
    assert err.count("\n") == 1


def test_the_keys_are_set_written_back_and_hashed_as_the_scenario_s_own(models, tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + "network: {model: slow}\n", encoding="utf-8")
    hashes = []
    for slowdown in ("2", "3"):
        out = tmp_path / slowdown
        assert main(["run", str(path), "--set", f"network.slowdown={slowdown}", "--out", str(out), "-q"]) == 0
        assert f"slowdown: {slowdown}" in (out / "scenario.yaml").read_text(encoding="utf-8")
        hashes.append((out / "manifest.json").read_text(encoding="utf-8").split('"scenario_hash": ')[1][:66])
    assert hashes[0] != hashes[1]  # what a resumed sweep's job key reads: each value runs again
    capsys.readouterr()


def test_link_models_lists_each_model_with_its_keys(models, capsys):
    assert main(["link-models"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(out) if line.startswith("slow "))
    assert "Each transfer alone" in out[at]
    assert out[at + 1].split()[:3] == ["slowdown", "(default", "1.0)"]
    assert out[at + 1].endswith("What each transfer's bottleneck rate is divided by.")
    assert any(line.startswith("max-min ") for line in out) and any(line.startswith("fifo ") for line in out)


def test_a_nan_rate_ends_the_run_where_it_is_set_naming_the_model_and_the_time(models, tmp_path, capsys):
    """It was said only at the run's end, by bytes_carried_now(), its transfers stalled since."""
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + "network: {model: nan-after-1s}\n", encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "-q"]) == 2
    err = capsys.readouterr().err
    model = f'link model "nan-after-1s" ({__name__}.NanAfterOneSecond)'
    said = re.fullmatch(
        rf"offloadsim: error: {re.escape(model)}: its set_rate\(\) was given nan at simulated time (\S+) s; "
        r"expected a rate in bytes/s, a finite number >= 0\n",
        err,
    )
    assert said is not None, err
    assert 1.0 <= float(said[1]) < 2.0  # its first transfer after 1 s, not the run's end (10 s)
    assert err.count("\n") == 1 and not (tmp_path / "o").exists()


class WritesItsRate(SlowCircuits):
    """Writes each transfer's rate itself, past set_rate's check: ``bad`` from 1 s, as ``when`` says.

    ``start``: the rate of a transfer as it starts; ``timer``: its first transfer's rate, in its own
    timer 0.1 s after it started well (no call of the engine's returns meanwhile).
    """

    bad = math.nan
    when = "start"
    timed = False

    def start(self, channels, size_bytes, latency_s, callback, payload, sent=None, aborted=None):
        transfer = _Transfer(channels, size_bytes, latency_s, callback, payload, aborted, self.env.now)
        for c in channels:
            self.crossing[c].append(transfer)
        rate = self.rate_Bps(channels)
        if self.when == "start" and self.env.now >= 1.0:
            rate = self.bad
        transfer.rate = rate  # not through set_rate()
        seconds = transfer.remaining / rate if rate > 0 else math.inf
        if math.isfinite(seconds):
            self.env.timeout(seconds).callbacks.append(lambda _e: self._left(transfer))
        if self.when == "timer" and not self.timed:  # its first transfer's rate, 0.1 s on
            self.timed = True
            self.env.timeout(0.1).callbacks.append(lambda _e: setattr(transfer, "rate", self.bad))
        return transfer


class NegativeFromStart(WritesItsRate):
    bad = -1000.0


class NanInItsTimer(WritesItsRate):
    when = "timer"


def _refused(model: type, name: str, more: str, tmp_path: Path, capsys: Any) -> str:
    """What `run` says (exit 2, no results) of SCENARIO and ``more`` under ``model`` as ``name``."""
    register_link_model(name, model)
    try:
        path = tmp_path / "s.yaml"
        path.write_text(SCENARIO + f"network: {{model: {name}}}\n{more}\n", encoding="utf-8")
        assert main(["run", str(path), "--out", str(tmp_path / "o"), "-q"]) == 2
    finally:
        unregister_link_model(name)
    assert not (tmp_path / "o").exists()
    return str(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("model", "bad", "lo", "hi"),
    [
        (WritesItsRate, "nan", 1.0, 2.0),  # the first transfer it starts after 1 s
        (NegativeFromStart, "-1000.0", 1.0, 2.0),  # its bytes were clamped to 0 silently
        (NanInItsTimer, "nan", 1.0, 10.0),  # as it books or delivers, or a later call returns
    ],
)
def test_a_rate_written_without_set_rate_is_refused_naming_the_model_the_link_and_the_time(
    model, bad, lo, hi, tmp_path, capsys
):
    err = _refused(model, "writes-rates", "", tmp_path, capsys)
    words = f'link model "writes-rates" ({__name__}.{model.__qualname__}), link phone -> edge'
    said = re.fullmatch(
        rf"offloadsim: error: {re.escape(words)}: a transfer's rate was {re.escape(bad)} at simulated time "
        r"(\S+) s, written without set_rate\(\) \(which refuses it\); "
        r"expected a rate in bytes/s, a finite number >= 0\n",
        err,
    )
    assert said is not None, err
    assert lo <= float(said[1]) < hi


def test_a_capacity_written_without_set_capacity_is_refused_where_a_share_reads_it():
    """ChannelModel's share_Bps passed a NaN capacity over (min), reading another channel's share."""
    import simpy

    from offloadsim.engine.plugin_adapters import PluginLinkModel
    from offloadsim.engine.plugin_faults import PluginFailed

    env = simpy.Environment()
    plugin = SlowCircuits(env, [8e6, 8e6], Slowdown(1.0))
    model = PluginLinkModel(
        plugin, 'link model "slow" (SlowCircuits)', env, [("phone", "edge"), ("edge", "phone")]
    )
    assert model.share_Bps((0, 1)) == 1e6
    plugin.capacity_Bps[1] = math.nan
    assert plugin.share_Bps((0, 1)) == 1e6  # the bare model's share: the NaN passed over
    with pytest.raises(
        PluginFailed, match=r"link edge -> phone: its capacity_Bps was nan at simulated time 0 s"
    ):
        model.share_Bps((0, 1))


class HalvesItsCapacity(SlowCircuits):
    """Takes a new capacity as half of it, written into capacity_Bps past set_capacity (HO46).

    The engine's utilisation divided the bytes carried by the capacity set_capacity logged (the
    full one), so a link run at the capacity this model shared out read half as busy.
    """

    def set_capacity(self, channel: int, capacity_bps: float) -> None:
        self.capacity_Bps[channel] = capacity_bps / 16.0  # not through set_capacity()
        self.rerate(channel)


class ShapesInItsTimer(SlowCircuits):
    """Writes a channel's capacity in its own timer, 2.5 s on, where no call of the engine's returns."""

    def __init__(self, env: Any, capacity_bps: Any, parameters: Slowdown):
        super().__init__(env, capacity_bps, parameters)
        env.timeout(2.5).callbacks.append(lambda _e: self.capacity_Bps.__setitem__(0, 5e5))


@pytest.mark.parametrize(
    ("model", "shown", "lo", "hi"),
    [(HalvesItsCapacity, "250000", 3.0, 3.0), (ShapesInItsTimer, "500000", 2.5, 10.0)],
)
def test_a_capacity_written_without_set_capacity_is_refused_where_the_engine_reads_it(
    model, shown, lo, hi, tmp_path, capsys
):
    schedule = "dynamics: [{kind: link-schedule, link: [phone, edge], steps: [{at: 3 s, bandwidth: 4 Mbps}]}]"
    err = _refused(model, "writes-capacities", schedule, tmp_path, capsys)
    words = f'link model "writes-capacities" ({__name__}.{model.__qualname__}), link phone -> edge'
    said = re.fullmatch(
        rf"offloadsim: error: {re.escape(words)}: its capacity_Bps was {shown} bytes/s at simulated time "
        r"(\S+) s, written without set_capacity\(\) \(which set \S+ bytes/s and logs what link "
        r"utilisation is counted against\); "
        r"expected a capacity changed through set_capacity\(channel, capacity_bps\)\n",
        err,
    )
    assert said is not None, err
    assert lo <= float(said[1]) <= hi
