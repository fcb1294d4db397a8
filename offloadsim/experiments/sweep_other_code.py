"""How many of a resumed sweep's jobs to run are saved already, by other code: why a resume reruns them.

A job's key hashes the code that runs it (:func:`~offloadsim.experiments.jobs.job_key`), so after
any edit a resume finds none of its files and reruns every job: "4 jobs: 4 run, 0 reused" said
nothing of why.  The files of the older code are still in ``points/`` under their own keys, each
naming its job (replication, point, policy) and the ``code_fingerprint`` that ran it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from offloadsim.experiments.jobs import Job
from offloadsim.experiments.storage import ExperimentError, JobMeta, read_job_meta
from offloadsim.experiments.sweep_merge import written_identity

__all__ = ["saved_by_other_code"]


def saved_by_other_code(
    points_dir: Path, todo: Sequence[Job], read: Mapping[str, JobMeta] | None = None
) -> int:
    """How many of ``todo`` (the jobs a sweep runs) have a file in ``points_dir`` of other code.

    Such a file names the job alike (replication, point and policy) under another key, and a
    ``code_fingerprint`` other than this code's (files of an older offloadsim keep none: not counted).
    ``read``: by key, the metadata of files the sweep read already (those it reuses), not read again.
    """
    from offloadsim.provenance import code_fingerprint

    if not todo or not points_dir.is_dir():
        return 0
    read = read or {}
    wanted = {_identity(**written_identity(job)) for job in todo}
    keys = {job.key for job in todo}
    mine, found = code_fingerprint(), set()
    for file in sorted(points_dir.glob("*.parquet")):
        if file.stem in keys:
            continue
        try:
            _, meta = read[file.stem] if file.stem in read else read_job_meta(file)
        except (OSError, ValueError, ExperimentError):  # not a job file: nothing it says
            continue
        code = meta.get("code_fingerprint")
        identity = _identity(meta.get("replication"), meta.get("point"), meta.get("policy"))
        if isinstance(code, str) and code and code != mine and identity in wanted:
            found.add(identity)
    return len(found)


def _identity(replication: object, point: object, policy: object) -> str:
    return json.dumps([replication, point, policy], default=str, sort_keys=True)
