"""A closed loop whose users all wait on long requests says its task throughput is their pace.

One user of Llama 3.1 8B split over three Jetsons (128 output tokens an answer, some 10 s each)
completed 0.092 tasks/s, each Jetson a third busy, and nothing said why: a reader took the number
for what the nodes could serve.  The user sends again only once answered, so the loop completes
users ÷ (latency + think) tasks a second (the response-time law).  The run warns so (``closed_loop``),
with the numbers to check, and its throughput rows (tasks and output tokens) point at it; a loop
whose users think most of the time, an open arrival process, or a node busy all the time (whose
capacity the throughput then is) gives no such warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pipeline_scenario import SCENARIO

import offloadsim
from offloadsim.cli import main
from offloadsim.scenario.arrivals import (
    ArrivalProcess,
    ArrivalRun,
    Closed,
    ClosedLoop,
    register_arrival_process,
    unregister_arrival_process,
)
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.keys import key

LOOP = "arrivals: closed, users: USERS"


def _run(tmp_path, text: str, name: str):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return offloadsim.run(path)


def _said(summary) -> list[str]:
    return [
        w for w, f in zip(summary.warnings, summary.warning_facts, strict=True) if f.kind == "closed_loop"
    ]


def test_one_user_waiting_on_a_pipeline_is_said_to_pace_the_throughput(tmp_path, capsys):
    result = _run(tmp_path, SCENARIO.replace("USERS", "1"), "one")
    summary = result.summary
    (text,) = _said(summary)
    done = result.tasks[result.tasks["status"] == "completed"]
    latency = float(done["latency"].mean())
    # The response-time law, by hand: one user, no think time, one request per latency.
    assert summary.throughput_per_s == pytest.approx(1 / latency, rel=0.15)
    assert f"mean latency {latency:.3g} s" in text and f"{summary.throughput_per_s:.3g} tasks/s" in text
    (facts,) = [f for f in summary.warning_facts if f.kind == "closed_loop"]
    assert dict(facts.numbers) == {"phone/chat": pytest.approx(summary.throughput_per_s)}
    assert max(result.nodes["utilisation"]) < 0.5  # no node the limit: each Jetson about a third busy
    path = tmp_path / "one.yaml"
    assert main(["run", str(path), "--out", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out.splitlines()
    (row,) = [line for line in out if line.startswith("throughput ")]
    assert row.endswith("(a closed loop's users' pace: see its warning)")
    # The output token throughput is the same pace times the tokens an answer: an LLM reader's
    # headline figure (the a100's 593 tokens/s for one user of a 1B model, 75 % busy) read as a
    # capacity while only the task row said whose pace it was.
    (tokens,) = [line for line in out if line.startswith("output token throughput ")]
    assert tokens.endswith("(a closed loop's users' pace: see its warning)")


@pytest.mark.parametrize(
    "replacement",
    [
        "arrivals: closed, users: 1, think: 60 s",  # the user thinks most of the time: not all waiting
        "arrivals: poisson, rate: 2 /min",  # no loop
        "arrivals: closed, users: 20",  # the first Jetson busy all the time: its capacity sets the pace
    ],
    ids=["thinking", "open", "saturated"],
)
def test_no_such_warning_where_the_users_do_not_set_the_pace(tmp_path, replacement):
    summary = _run(tmp_path, SCENARIO.replace(LOOP, replacement), "other").summary
    assert not _said(summary)


@dataclass(frozen=True, slots=True)
class Clients(ArrivalProcess):
    """A plug-in's closed loop, its keys named its own way: ``clients`` each pausing ``pause``."""

    kind = "clients"

    clients: int = key(ge=1, le=100, doc="Clients: concurrent clients per source.")
    pause_s: float = key(0.0, yaml="pause", unit="time", ge=0.0, default_doc="0 s", doc="Clients: pause.")

    def start(self, run: ArrivalRun) -> None:
        def again(_done: object = None) -> None:
            if run.clock.now + self.pause_s < run.stop:
                run.at(self.pause_s, submit)

        def submit(_event: object = None) -> None:
            task = run.arrive()
            if task is None:
                again()
            else:
                task.on_done = again

        for _ in range(self.clients):
            run.at(run.start + self.pause_s, submit)

    def closed_loop(self) -> ClosedLoop:
        return ClosedLoop(self.clients, self.pause_s)


@pytest.fixture
def clients():
    register_arrival_process(Clients)
    yield Clients
    unregister_arrival_process("clients")


def test_a_plug_in_closed_loop_is_one_by_its_contract_alone(tmp_path, clients):
    """A closed loop is told by the arrival contract's ``closed_loop``, not by keys named ``users`` and
    ``think``: a plug-in's loop of other names was paced (``served_arrivals``) but never warned of, so
    one of its clients waiting on the pipeline read 0.09 tasks/s with no word of why."""
    one = _run(tmp_path, SCENARIO.replace(LOOP, "arrivals: clients, clients: 1"), "clients").summary
    (text,) = _said(one)
    assert text.startswith("closed loop paced by its users: chat from phone (1 user waiting 100% of the time")
    # The same one answer paces it: twenty clients keep the first Jetson busy all run, at capacity
    # and not past it, so no overloaded warning; and the size checks bound its arrivals by it.
    many = _run(tmp_path, SCENARIO.replace(LOOP, "arrivals: clients, clients: 20"), "many")
    assert float(many.nodes.set_index("node").loc["edge-0", "utilisation"]) >= 0.99
    assert not [w for w in many.summary.warnings if w.startswith("overloaded")]
    bound = Clients(clients=20, pause_s=1.0).served_arrivals(2, 100.0, lambda: (1.0, 1))
    assert bound == Closed(users=20, think=Dist.fixed(1.0)).served_arrivals(2, 100.0, lambda: (1.0, 1))
    assert bound == 40 + 100.0  # one core, 1 s a request: 100 in the window, plus one a user


UPLINK_BOUND = """
name: uplink-bound
seed: 1
duration: 20 s
warmup: 2 s
nodes:
  cam: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  cloud: {tier: cloud, processor: {profile: a100, cores: 1}}
links:
  - {between: [cam, ap], bandwidth: 1 Gbps, latency: 2 ms}
  - {between: [ap, cloud], bandwidth: 1 Gbps, latency: 20 ms}
applications:
  vit: {model: vit_b_16}
workload:
  - {app: vit, sources: cam, arrivals: closed, users: USERS}
policy: cloud
"""


def test_a_full_uplink_sets_the_pace_not_the_users(tmp_path):
    # 16 users of ViT-B/16 (0.6 MB an input) on a 1 Gbit/s uplink: the cloud is about 95 % busy, no
    # node all the time, but the uplink carries its capacity, so more users add only latency.  The
    # warning had said "more users raise it" of a throughput that 64 users read the same.
    runs = {
        users: _run(tmp_path, UPLINK_BOUND.replace("USERS", str(users)), f"u{users}") for users in (16, 64)
    }
    for result in runs.values():
        assert not _said(result.summary)
        assert max(result.nodes["utilisation"]) < 0.99  # no node set the pace
        assert max(result.links["utilisation"]) >= 0.99  # the uplink did
    few, many = (runs[u].summary.throughput_per_s for u in (16, 64))
    assert many == pytest.approx(few, rel=0.02)  # four times the users, the same throughput
    # One user leaves the uplink idle most of the time: its pace is the user's, and said so.
    assert _said(_run(tmp_path, UPLINK_BOUND.replace("USERS", "1"), "u1").summary)
