"""A small Dask cluster in the test's own process, for tests of jobs sent to a scheduler."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import pytest


@contextlib.contextmanager
def local_cluster(n_workers: int = 1, config: dict[str, Any] | None = None) -> Iterator[Any]:
    """A Dask cluster of ``n_workers`` one-thread workers (threads of this process), closed after.

    ``config``: Dask settings its scheduler starts with (``distributed.scheduler.allowed-failures``).
    """
    distributed = pytest.importorskip("distributed")
    import dask

    with warnings.catch_warnings(), dask.config.set(config or {}):
        warnings.simplefilter("ignore")  # the cluster's own start-up chatter is not ours to police
        cluster = distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            protocol="tcp://",
            host="127.0.0.1",
        )
    try:
        yield cluster
    finally:
        with (
            warnings.catch_warnings(),
            contextlib.suppress(Exception),
        ):  # a test may have closed its scheduler
            warnings.simplefilter("ignore")
            cluster.close()
