"""A pickled or copied comparison keeps its task records after the original is gone.

Until written, a comparison's task records are temporary files that its finaliser removes: a
notebook's ``pickle.loads(pickle.dumps(result))`` or ``copy.deepcopy(result)`` used to point at
them, and its ``tasks`` raised pyarrow's FileNotFoundError once the original was collected.
"""

from __future__ import annotations

import copy
import gc
import pickle
from pathlib import Path

import pandas as pd
import pytest


def _compare(tiny: Path, out: Path | None = None):
    from offloadsim.experiments import compare

    busy = tiny.read_text(encoding="utf-8").replace("cores: 1}", "cores: 1, queue_limit: 0}")
    tiny.write_text(busy.replace("rate: 2 /s", "rate: 10 /s"), encoding="utf-8")  # edge drops some
    return compare(tiny, ["local", "edge"], replications=2, workers=1, out=out)


@pytest.mark.parametrize("how", ["pickle", "deepcopy", "copy"])
def test_copy_keeps_the_records(tiny: Path, how: str) -> None:
    result = _compare(tiny)
    expected, drops = result.tasks.copy(), result.drop_lines()
    result._tasks = None  # as a fresh result: the records are still only in the runs' files
    scratch = result._runs._table.location
    made = {
        "pickle": lambda r: pickle.loads(pickle.dumps(r)),
        "deepcopy": copy.deepcopy,
        "copy": copy.copy,
    }[how](result)
    del result
    gc.collect()
    if how != "copy":  # the original's files went with it; a shallow copy shares (and keeps) them
        assert not scratch.exists()
    pd.testing.assert_frame_equal(made.tasks, expected)
    assert drops and made.drop_lines() == drops


def test_written_copy_reads_its_directory(tiny: Path, tmp_path: Path) -> None:
    result = _compare(tiny, out=tmp_path / "cmp")
    made = pickle.loads(pickle.dumps(result))
    assert made._tasks is None  # not loaded to be pickled: tasks.parquet is read back when asked for
    del result
    gc.collect()
    assert len(made.tasks) == len(pd.read_parquet(tmp_path / "cmp" / "tasks.parquet"))
