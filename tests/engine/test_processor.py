"""Exact event logs for the FIFO multi-core processor."""

import pytest
import simpy

from offloadsim.engine.processor import Processor


def run_jobs(cores, durations, submit_at=None, queue_limit=None):
    env = simpy.Environment()
    proc = Processor(env, "n", "cpu", cores, 1.0, queue_limit)
    log = []
    accepted = []

    def done(name, wait, service):
        log.append((name, env.now, wait, service))

    submit_at = submit_at or [0.0] * len(durations)
    for i, (t, d) in enumerate(zip(submit_at, durations, strict=True)):

        def submit(_ev, i=i, d=d):
            accepted.append(proc.submit(d, done, f"j{i}"))

        env.timeout(t).callbacks.append(submit)
    env.run()
    return log, accepted, proc


def test_single_core_is_fifo():
    log, _, proc = run_jobs(1, [1.0, 2.0, 3.0])
    assert log == [("j0", 1.0, 0.0, 1.0), ("j1", 3.0, 1.0, 2.0), ("j2", 6.0, 3.0, 3.0)]
    assert proc.busy_core_seconds() == pytest.approx(6.0)
    assert proc.completed == 3


def test_two_cores_serve_in_parallel_then_fifo():
    log, _, proc = run_jobs(2, [1.0, 2.0, 3.0, 1.0])
    assert log == [
        ("j0", 1.0, 0.0, 1.0),
        ("j1", 2.0, 0.0, 2.0),
        ("j3", 3.0, 2.0, 1.0),
        ("j2", 4.0, 1.0, 3.0),
    ]
    assert proc.busy_core_seconds() == pytest.approx(7.0)


def test_queue_limit_refuses_beyond_waiting_room():
    log, accepted, _ = run_jobs(1, [1.0, 1.0, 1.0, 1.0], queue_limit=2)
    assert accepted == [True, True, True, False]
    assert [name for name, *_ in log] == ["j0", "j1", "j2"]


def test_expected_wait_counts_remaining_and_backlog():
    env = simpy.Environment()
    proc = Processor(env, "n", "cpu", 1, 1.0)
    noop = lambda *a: None  # noqa: E731
    proc.submit(4.0, noop, None)
    proc.submit(2.0, noop, None)
    seen = []
    env.timeout(1.0).callbacks.append(lambda _e: seen.append(proc.expected_wait_s()))
    env.run()
    assert seen == [pytest.approx(3.0 + 2.0)]
    assert proc.expected_wait_s() == 0.0


@pytest.mark.parametrize("light", [True, False])
def test_in_service_tells_what_each_stage_ran_when_the_node_goes_down(light):
    """At 2.5 s two cores serve j1 (from 0 s, of 4 s) and j2 (from 1 s, of 3 s, after 1 s waiting); j3
    waits.  An earlier outage's abandoned stage is not among them; the aborted ones never call back."""
    from offloadsim.engine.environment import RunEnvironment

    env = RunEnvironment() if light else simpy.Environment()
    proc = Processor(env, "n", "cpu", 2, 1.0)
    log = []

    def done(name, wait, service):
        log.append(name)

    proc.submit(9.0, done, "j0")
    proc.abort()  # j0 is abandoned at 0 s; the node is back at once
    proc.up = True
    proc.submit(4.0, done, "j1")
    proc.submit(1.0, done, "j-short")
    proc.submit(3.0, done, "j2")  # waits for j-short's core, from 0 s to 1 s
    proc.submit(5.0, done, "j3")
    seen = []

    def down(_):
        seen.extend(sorted(proc.in_service(), key=lambda stage: stage[1]))
        proc.abort()

    env.timeout(2.5).callbacks.append(down)
    env.run()
    assert [(payload, wait, ran) for _, payload, wait, ran in seen] == [
        ("j1", 0.0, pytest.approx(2.5)),
        ("j2", 1.0, pytest.approx(1.5)),
    ]
    assert all(callback is done for callback, *_ in seen)
    assert log == ["j-short"]
