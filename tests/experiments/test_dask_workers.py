"""Jobs sent to a Dask scheduler with no workers, or that goes away mid-run: one line, not a hang."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from dask_helpers import local_cluster


def test_a_scheduler_without_workers_is_refused_not_waited_on_for_good(
    sweep_file, tmp_path, monkeypatch, cli_main, capsys
):
    """Dask holds submitted jobs until a worker joins: the sweep sat at 0 jobs, forever, without a word."""
    from offloadsim.experiments import dask_cluster

    monkeypatch.setattr(dask_cluster, "DASK_CONNECT_TIMEOUT_S", 2.0)
    out = tmp_path / "nobody"
    with local_cluster(n_workers=0) as cluster:
        address = cluster.scheduler_address
        started = time.monotonic()
        status = cli_main(["sweep", str(sweep_file), "--out", str(out), "--scheduler", address])
        took = time.monotonic() - started
    err = capsys.readouterr().err.splitlines()
    assert status == 2, err
    assert len(err) == 1, err
    assert f"the Dask scheduler at {address} has no workers: none joined in 2 s" in err[0]
    assert f"dask worker {address}" in err[0]
    assert took < 30, took
    assert not out.exists()


#: How long each job of the lost scheduler's test runs: well past the scheduler's loss at 1 s (the
#: run must end before it), and held by the cluster's close after (its thread), so no longer.
_JOB_S = 5.0


def _sleeps(job):
    """A job that outlives the test's scheduler."""
    time.sleep(_JOB_S)


def test_a_scheduler_lost_mid_run_is_one_line_not_every_job_failed(sweep_file, capfd):
    """Jobs Dask cancels as its scheduler goes are lost, not failed (each was a traceback in failures.log)."""
    dask = pytest.importorskip("dask")
    from offloadsim.experiments import load_sweep, plan_sweep
    from offloadsim.experiments.dask_cluster import SchedulerLost
    from offloadsim.experiments.executors import execute

    jobs = plan_sweep(load_sweep(sweep_file))[:2]
    # The workers' close tries their lost scheduler for Dask's connect timeout (30 s): the test's wait.
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), local_cluster() as cluster:
        address = cluster.scheduler_address
        stop = threading.Timer(1.0, lambda: cluster.sync(cluster.scheduler.close))
        stop.start()
        started = time.monotonic()
        try:
            with pytest.raises(SchedulerLost) as lost:
                execute(jobs, lambda job, result: None, scheduler=address, runner=_sleeps)
            took = time.monotonic() - started
        finally:
            stop.cancel()
    assert str(lost.value) == (
        f"lost the connection to the Dask scheduler at {address} (it stopped, or the network to it did); "
        "start it and its workers again before you rerun the command"
    )
    assert took < _JOB_S - 1, took  # not the jobs' time: the loss ends the run
    err = capfd.readouterr().err
    # Dask's client's log of the lost connection (its failed reconnection, 3 s on): kept off stderr
    assert "distributed.client" not in err and "Traceback" not in err, err


#: Each one-thread worker holds the one job it runs, none queued beside it: a worker's death is
#: then blamed on that job alone; Dask gives up on a job at its first worker's death (not its fourth).
_ONE_JOB_A_WORKER = {
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.scheduler.allowed-failures": 0,
}


def _kill_own_worker() -> None:
    """Close the Dask worker running this job, as a kill -9 would end it: not a retirement it asked for."""
    from distributed import get_worker

    worker = get_worker()
    worker.loop.add_callback(worker.close, nanny=False, executor_wait=False)
    time.sleep(2)  # the worker goes meanwhile, and what this job does next is not read
    raise RuntimeError("the job's worker outlived its close")


def _killing_first_job(monkeypatch, once: Path | None = None) -> None:
    """Have the sweep's Dask job of point 0, replication 0 kill its worker (only the first time, ``once``)."""
    from offloadsim.experiments import executors

    real = executors.run_job_packed

    def killing(job, describe=None):
        if job.index == 0 and job.replication == 0 and (once is None or not once.exists()):
            if once is not None:
                once.touch()
            _kill_own_worker()
        return real(job, describe)

    monkeypatch.setattr(executors, "run_job_packed", killing)


def _swept_on_two_workers(cli_main, capfd, sweep_file, out, config) -> tuple[int, list[str]]:
    """``offloadsim sweep`` on a cluster of two workers whose scheduler has ``config``: status, stderr."""
    with local_cluster(n_workers=2, config=config) as cluster:
        status = cli_main(
            ["sweep", str(sweep_file), "--out", str(out), "--scheduler", cluster.scheduler_address]
        )
    return status, capfd.readouterr().err.splitlines()


def test_a_job_that_kills_every_worker_it_runs_on_is_one_line_naming_it(
    sweep_file, tmp_path, monkeypatch, cli_main, capfd
):
    """It ended as Dask's KilledWorker of task 'run_carrying-…', a traceback in failures.log, unnamed."""
    _killing_first_job(monkeypatch)
    out = tmp_path / "killed"
    status, err = _swept_on_two_workers(cli_main, capfd, sweep_file, out, _ONE_JOB_A_WORKER)
    assert status == 2, err
    assert err == [
        "offloadsim: error: 1 of 8 jobs failed (first: point 0 (links[0].bandwidth=5 Mbps, "
        "policy.name=local), replication 0: DaskWorkersDied: the Dask worker process that ran it died "
        "running it (killed, out of memory, or a crash in native code; Dask's allowed-failures is 0)); "
        "the 7 that finished are saved, errors in "
        f"{out / 'failures.log'}; rerun the same command to run only what is missing"
    ], err
    log = (out / "failures.log").read_text(encoding="utf-8")
    assert log.startswith("== point 0 (links[0].bandwidth=5 Mbps, policy.name=local), replication 0 (job ")
    assert "KilledWorker" not in log.split("== Dask's own log of the run")[0]
    assert "marked as failed because 1 workers died" in log  # Dask's own log, kept off stderr
    assert len(list((out / "points").glob("*.parquet"))) == 7


def test_a_job_rerun_after_its_worker_died_is_said_once(sweep_file, tmp_path, monkeypatch, cli_main, capfd):
    """Dask gives a dead worker's job to another worker unasked: the sweep said nothing of it."""
    _killing_first_job(monkeypatch, once=tmp_path / "killed-once")
    out = tmp_path / "rerun"
    status, err = _swept_on_two_workers(
        cli_main, capfd, sweep_file, out, {"distributed.scheduler.worker-saturation": 1.0}
    )
    assert status == 0, err
    assert err == [
        "offloadsim: note: 1 job was rerun on another Dask worker after the worker it was given died or left "
        "(Dask does so unasked; the records are the same)"
    ], err
    assert len(list((out / "points").glob("*.parquet"))) == 8


def test_a_scheduler_lost_while_waiting_for_workers_is_lost_not_an_internal_error(sweep_file, monkeypatch):
    """A scheduler killed before any worker joined ended the sweep as an internal error (CommClosedError)."""
    dask = pytest.importorskip("dask")
    from offloadsim.experiments import dask_cluster, load_sweep, plan_sweep
    from offloadsim.experiments.executors import execute

    monkeypatch.setattr(dask_cluster, "DASK_CONNECT_TIMEOUT_S", 10.0)
    jobs = plan_sweep(load_sweep(sweep_file))[:1]
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}), local_cluster(n_workers=0) as cluster:
        stop = threading.Timer(1.0, lambda: cluster.sync(cluster.scheduler.close))
        stop.start()
        try:
            with pytest.raises(dask_cluster.SchedulerLost):
                execute(jobs, lambda job, result: None, scheduler=cluster.scheduler_address, runner=_sleeps)
        finally:
            stop.cancel()
