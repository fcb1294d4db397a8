"""A job goes to a worker without the result folder its scenario was rerun from (``Scenario.rerun``).

A sweep rerun from its result's folder (its ``sweep.yaml`` copy) loads each point's scenario with the
result's whole manifest, which lists every job's notes and warnings: every job pickled it again for
a worker that never reads it.  The job sent holds the same scenario but for it, and the sweep run
on two workers from the folder gives the tables the first run gave.
"""

from __future__ import annotations

import pickle

import pandas as pd

from offloadsim.experiments import plan_sweep, sweep
from offloadsim.experiments.jobs import sent_to_worker
from offloadsim.experiments.sweep_spec import load_sweep


def test_a_job_of_a_rerun_goes_to_its_worker_without_the_results_manifest(sweep_file, tmp_path):
    first = sweep(sweep_file, out=tmp_path / "first", workers=1)
    jobs = plan_sweep(load_sweep(tmp_path / "first" / "sweep.yaml"))
    assert all(job.scenario.rerun is not None for job in jobs)  # the folder's manifest, as loaded
    sent = [sent_to_worker(job) for job in jobs]
    assert all(job.scenario.rerun is None for job in sent)
    assert [(j.key, j.scenario.document, j.scenario.base_dir) for j in sent] == [
        (j.key, j.scenario.document, j.scenario.base_dir) for j in jobs
    ]
    assert all(len(pickle.dumps(s)) < len(pickle.dumps(j)) for s, j in zip(sent, jobs, strict=True))

    again = sweep(tmp_path / "first" / "sweep.yaml", out=tmp_path / "again", workers=2)
    assert again.ran == 8
    for name in ("tasks", "summary"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name), obj=name)
