"""A resumed sweep reads each saved job file's metadata once: its check's read serves the merge.

The check (is the file reusable: its key, its code) and the merge each read every reused file's
metadata, and the count of jobs saved by other code read them a third time: about 0.1 s a job on
a loaded host, minutes for thousands of jobs.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from offloadsim.experiments import storage, sweep


def _count_reads(monkeypatch) -> Counter[str]:
    """Count, by file name, each call of the storage's metadata readers where a module imported them.

    Not in the storage module itself, where one reader calls the other: a read is counted once.
    """
    reads: Counter[str] = Counter()
    for name in ("read_job_meta", "read_job_footer"):
        original = getattr(storage, name, None)
        if original is None:
            continue

        def counted(path, *args, _original=original, **kwargs):
            reads[Path(path).name] += 1
            return _original(path, *args, **kwargs)

        for module in [m for n, m in sys.modules.items() if n.startswith("offloadsim") and m is not storage]:
            if getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, counted)
    return reads


def test_a_resumed_sweep_reads_each_saved_file_once(tmp_path, monkeypatch):
    from experiment_data import TINY

    (tmp_path / "tiny.yaml").write_text(TINY.replace("duration: 20 s", "duration: 4 s"), encoding="utf-8")
    path = tmp_path / "sweep.yaml"
    path.write_text("base: tiny.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n", encoding="utf-8")
    first = sweep(path, out=tmp_path / "out", workers=1)
    files = sorted((tmp_path / "out" / "points").glob("*.parquet"))
    assert len(files) == 2
    files[0].unlink()  # one job to run again, one to reuse
    reads = _count_reads(monkeypatch)
    resumed = sweep(path, out=tmp_path / "out", workers=1)
    assert (resumed.ran, resumed.reused) == (1, 1)
    assert reads == {files[0].name: 1, files[1].name: 1}  # the reused one read 3 times before
    pd.testing.assert_frame_equal(resumed.metrics, first.metrics)
    pd.testing.assert_frame_equal(resumed.tasks, first.tasks)
