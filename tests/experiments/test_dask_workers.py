"""A sweep sent to a Dask scheduler that has no workers: one line and exit 2, not a silent hang."""

from __future__ import annotations

import contextlib
import threading
import time
import warnings

import pytest


def test_a_scheduler_without_workers_is_refused_not_waited_on_for_good(
    sweep_file, tmp_path, monkeypatch, cli_main, capsys
):
    """Dask holds submitted jobs until a worker joins: the sweep sat at 0 jobs, forever, without a word."""
    distributed = pytest.importorskip("distributed")
    from offloadsim.experiments import dask_cluster

    monkeypatch.setattr(dask_cluster, "DASK_CONNECT_TIMEOUT_S", 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cluster's own start-up chatter is not ours to police
        cluster = distributed.LocalCluster(
            n_workers=0, processes=False, dashboard_address=None, protocol="tcp://", host="127.0.0.1"
        )
    try:
        out = tmp_path / "nobody"
        started = time.monotonic()
        status = cli_main(
            ["sweep", str(sweep_file), "--out", str(out), "--scheduler", cluster.scheduler_address]
        )
        took = time.monotonic() - started
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cluster.close()
    err = capsys.readouterr().err.splitlines()
    assert status == 2, err
    assert len(err) == 1, err
    assert f"the Dask scheduler at {cluster.scheduler_address} has no workers: none joined in 2 s" in err[0]
    assert f"dask worker {cluster.scheduler_address}" in err[0]
    assert took < 30, took
    assert not out.exists()


def _sleeps(job):
    """A job that outlives the test's scheduler (its thread holds the cluster's close as long)."""
    time.sleep(15)


def test_a_scheduler_lost_mid_run_is_one_line_not_every_job_failed(sweep_file):
    """Jobs Dask cancels as its scheduler goes are lost, not failed (each was a traceback in failures.log)."""
    distributed = pytest.importorskip("distributed")
    from offloadsim.experiments import load_sweep, plan_sweep
    from offloadsim.experiments.dask_cluster import SchedulerLost
    from offloadsim.experiments.executors import execute

    jobs = plan_sweep(load_sweep(sweep_file))[:2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            protocol="tcp://",
            host="127.0.0.1",
        )
    address = cluster.scheduler_address
    stop = threading.Timer(2.0, lambda: cluster.sync(cluster.scheduler.close))
    stop.start()
    started = time.monotonic()
    try:
        with pytest.raises(SchedulerLost) as lost:
            execute(jobs, lambda job, result: None, scheduler=address, runner=_sleeps)
        took = time.monotonic() - started
    finally:
        stop.cancel()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.suppress(Exception):
                cluster.close()
    assert str(lost.value) == (
        f"lost the connection to the Dask scheduler at {address} (it stopped, or the network to it did); "
        "start it and its workers again before you rerun the command"
    )
    assert took < 12, took  # not the jobs' 15 s: the loss ends the run
