"""A sweep sent to a Dask scheduler that has no workers: one line and exit 2, not a silent hang."""

from __future__ import annotations

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
