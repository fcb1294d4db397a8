"""Jobs sent to a Dask scheduler with no workers, or that goes away mid-run: one line, not a hang."""

from __future__ import annotations

import threading
import time

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


def _sleeps(job):
    """A job that outlives the test's scheduler (its thread holds the cluster's close as long)."""
    time.sleep(15)


def test_a_scheduler_lost_mid_run_is_one_line_not_every_job_failed(sweep_file):
    """Jobs Dask cancels as its scheduler goes are lost, not failed (each was a traceback in failures.log)."""
    from offloadsim.experiments import load_sweep, plan_sweep
    from offloadsim.experiments.dask_cluster import SchedulerLost
    from offloadsim.experiments.executors import execute

    jobs = plan_sweep(load_sweep(sweep_file))[:2]
    with local_cluster() as cluster:
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
    assert str(lost.value) == (
        f"lost the connection to the Dask scheduler at {address} (it stopped, or the network to it did); "
        "start it and its workers again before you rerun the command"
    )
    assert took < 12, took  # not the jobs' 15 s: the loss ends the run
