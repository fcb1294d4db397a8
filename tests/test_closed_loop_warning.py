"""A closed loop whose users all wait on long requests says its task throughput is their pace.

One user of Llama 3.1 8B split over three Jetsons (128 output tokens an answer, some 10 s each)
completed 0.092 tasks/s, each Jetson a third busy, and nothing said why: a reader took the number
for what the nodes could serve.  The user sends again only once answered, so the loop completes
users ÷ (latency + think) tasks a second (the response-time law).  The run warns so (``closed_loop``),
with the numbers to check, and its throughput row points at it; a loop whose users think most of
the time, an open arrival process, or a node busy all the time (whose capacity the throughput then
is) gives no such warning.
"""

from __future__ import annotations

import pytest
from pipeline_scenario import SCENARIO

import offloadsim
from offloadsim.cli import main

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
    (row,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("throughput ")]
    assert row.endswith("(a closed loop's users' pace: see its warning)")


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
