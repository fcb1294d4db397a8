"""A sweep's merged task table, written a job at a time, is the table built whole from every job."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from offloadsim.experiments.merge import merged_frame, write_merged
from offloadsim.experiments.storage import write_job_file
from offloadsim.records.results import tasks_frame


def _job(tmp_path, name, apps, statuses, splits, extra=None):
    columns = {
        "task_id": np.arange(len(apps), dtype=np.int64),
        "app": apps,
        "status": statuses,
        "split": pd.array(splits, dtype="Int64"),
        "latency": np.linspace(0.1, 1.0, len(apps)),
        "deadline_met": [1.0, np.nan, 0.0][: len(apps)] + [1.0] * max(0, len(apps) - 3),
        **(extra or {}),
    }
    frame = tasks_frame(columns)
    return write_job_file(tmp_path / f"{name}.parquet", frame, {"policy": "p", "seed": 1})


def _same_file(tmp_path, files, inserts):
    streamed = tmp_path / "streamed.parquet"
    whole = tmp_path / "whole.parquet"
    rows = write_merged(files, inserts, streamed)
    merged_frame(files, inserts).to_parquet(whole, index=False)
    pd.testing.assert_frame_equal(pd.read_parquet(streamed), pd.read_parquet(whole))
    assert pq.read_schema(streamed).equals(pq.read_schema(whole), check_metadata=True)
    assert rows == pq.ParquetFile(whole).metadata.num_rows
    return pq.ParquetFile(streamed).metadata.num_row_groups


def test_jobs_with_other_categories_and_a_missing_integer_merge_as_the_whole_table(tmp_path):
    """Categories: the union, sorted; an integer column nullable because one job misses a value."""
    files = [
        _job(tmp_path, "a", ["b-app", "b-app", "c-app"], ["completed", "dropped", "completed"], [0, 1, 2]),
        _job(tmp_path, "b", ["a-app", "c-app"], ["failed", "completed"], [None, 3]),
        _job(tmp_path, "c", [], [], []),  # a job with no records in the measured window
        _job(tmp_path, "d", ["d-app"] * 4, ["completed"] * 4, [1, 1, 1, 1]),
    ]
    inserts = [
        (0, "links[0].bandwidth", np.array(["5 Mbps", "5 Mbps", "50 Mbps", "50 Mbps"], dtype=object)),
        (1, "point", np.array([0, 0, 1, 1], dtype=np.int64)),
    ]
    assert _same_file(tmp_path, files, inserts) == 3  # a row group per job with records
    merged = pd.read_parquet(tmp_path / "streamed.parquet")
    assert list(merged["app"].cat.categories) == ["a-app", "b-app", "c-app", "d-app"]
    assert str(merged["split"].dtype) == "Int64" and merged["split"].isna().sum() == 1


@pytest.mark.parametrize("case", ["no rows", "an undeclared column"])
def test_what_cannot_be_written_a_job_at_a_time_is_built_whole(tmp_path, case):
    if case == "no rows":
        files = [_job(tmp_path, "a", [], [], []), _job(tmp_path, "b", [], [], [])]
    else:
        extra = {"my_plugin_column": np.array([1.5, 2.5])}
        files = [_job(tmp_path, "a", ["x", "y"], ["completed"] * 2, [0, 0], extra)]
    _same_file(tmp_path, files, [(0, "point", np.arange(len(files), dtype=np.int64))])


def test_a_comparison_written_again_is_the_same_bytes(tmp_path):
    """The first write merges the runs' files a row group each; a second write of the same result
    wrote the table in one row group, as pandas does: the same table, other bytes."""
    import filecmp
    from pathlib import Path

    from offloadsim.experiments.compare import compare

    quickstart = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
    text = quickstart.read_text(encoding="utf-8").replace("duration: 120 s", "duration: 3 s")
    (tmp_path / "q.yaml").write_text(text.replace("count: 20", "count: 3"), encoding="utf-8")
    result = compare(tmp_path / "q.yaml", ["local", "edge"], 2, workers=1, out=tmp_path / "first")
    first = tmp_path / "first"
    assert pq.ParquetFile(first / "tasks.parquet").metadata.num_row_groups == 4  # a run's file each
    result.write(tmp_path / "again")
    assert len(result.tasks)  # the table in memory, written from it
    result.write(tmp_path / "loaded")
    for again in ("again", "loaded"):
        names = sorted(p.name for p in first.iterdir())
        assert names == sorted(p.name for p in (tmp_path / again).iterdir())
        _, differ, errors = filecmp.cmpfiles(first, tmp_path / again, names, shallow=False)
        assert differ == [] and errors == [], (again, differ, errors)


def test_a_sweep_written_again_to_its_folder_is_the_same_bytes(tmp_path):
    """As a comparison's second write: a sweep run again into its folder reuses every job and
    merges them again; each file it writes is the first write's bytes, but for the manifest's
    ``resumed`` entry, which says that it ran again (when, from what, reusing how many jobs)."""
    import filecmp
    import json
    import shutil
    from pathlib import Path

    from offloadsim.experiments.sweep import sweep

    quickstart = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
    text = quickstart.read_text(encoding="utf-8").replace("duration: 120 s", "duration: 3 s")
    (tmp_path / "q.yaml").write_text(text.replace("count: 20", "count: 3"), encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "name: s\nbase: q.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, 20 Mbps]\n"
        "policies: [local, edge]\nreplications: 2\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    sweep(tmp_path / "s.yaml", out=out, workers=1)
    shutil.copytree(out, tmp_path / "first")
    first = tmp_path / "first"
    again = sweep(tmp_path / "s.yaml", out=out, workers=1)
    assert (again.ran, again.reused) == (0, 8)
    for folder in (Path("."), Path("points")):
        names = sorted(p.name for p in (first / folder).iterdir() if p.is_file())
        assert names == sorted(p.name for p in (out / folder).iterdir() if p.is_file())
        _, differ, errors = filecmp.cmpfiles(first / folder, out / folder, names, shallow=False)
        assert differ == (["manifest.json"] if folder == Path(".") else []) and errors == [], (differ, errors)
    before, after = (
        json.loads((where / "manifest.json").read_text(encoding="utf-8")) for where in (first, out)
    )
    resumed = after.pop("resumed")
    assert after == before and [entry["jobs_reused"] for entry in resumed] == [8]


def test_values_the_jobs_metadata_holds_have_each_job_read_once_for_the_same_bytes(tmp_path, monkeypatch):
    """The first pass learnt each categorical column's values, and each integer column's missing ones,
    by reading every job's records: the merge read them twice.  Held in each job's metadata, and
    counted in its footer, they leave one read a row group, the one written, and the same file."""
    from offloadsim.experiments.storage import CATEGORIES, read_job_meta

    files = [
        _job(tmp_path, "a", ["b-app", "b-app", "c-app"], ["completed", "dropped", "completed"], [0, 1, 2]),
        _job(tmp_path, "b", ["a-app", "c-app"], ["failed", "completed"], [None, 3]),
        _job(tmp_path, "c", [], [], []),
        _job(tmp_path, "d", ["d-app"] * 4, ["completed"] * 4, [1, 1, 1, 1]),
    ]
    inserts = [(0, "point", np.array([0, 0, 1, 1], dtype=np.int64))]
    held = [read_job_meta(file)[1][CATEGORIES] for file in files]
    assert held[1] == {"app": ["a-app", "c-app"], "status": ["completed", "failed"]}
    reads: list[object] = []
    real = pq.ParquetFile.read_row_group
    monkeypatch.setattr(
        pq.ParquetFile,
        "read_row_group",
        lambda self, i, **kw: reads.append(kw.get("columns")) or real(self, i, **kw),
    )
    write_merged(files, inserts, tmp_path / "twice.parquet")
    twice = len(reads)
    reads.clear()
    write_merged(files, inserts, tmp_path / "once.parquet", categories=held)
    row_groups = sum(pq.ParquetFile(file).metadata.num_row_groups for file in files)
    assert reads == [None] * row_groups and twice == 2 * row_groups  # every column, once
    assert (tmp_path / "once.parquet").read_bytes() == (tmp_path / "twice.parquet").read_bytes()
    merged = pd.read_parquet(tmp_path / "once.parquet")
    assert str(merged["split"].dtype) == "Int64" and merged["split"].isna().sum() == 1


def test_a_comparison_reads_each_runs_records_once_to_merge_them(tmp_path, monkeypatch):
    """A comparison's run files hold their categorical columns' values in their metadata as a sweep's
    job files do: its merge learnt them by reading every run's records again (and its notes read the
    runs' applications a third time); now its runs are read once to count their ends, once as written."""
    from experiment_data import TWO_APPS

    from offloadsim.experiments import compare

    monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", 7)  # several row groups a run
    path = tmp_path / "two.yaml"
    path.write_text(TWO_APPS, encoding="utf-8")
    reads: list[object] = []
    real_group, real_read = pq.ParquetFile.read_row_group, pq.ParquetFile.read
    monkeypatch.setattr(
        pq.ParquetFile,
        "read_row_group",
        lambda self, i, **kw: reads.append(kw.get("columns")) or real_group(self, i, **kw),
    )
    monkeypatch.setattr(
        pq.ParquetFile,
        "read",
        lambda self, **kw: reads.append(("file", kw.get("columns"))) or real_read(self, **kw),
    )
    compare(path, ["local", "edge"], 2, workers=1, out=tmp_path / "out")
    written = pq.ParquetFile(tmp_path / "out" / "tasks.parquet")
    groups = written.num_row_groups  # a row group per run's row group
    assert groups > 4
    assert reads == [["policy", "status", "reason"]] * groups + [None] * groups
    assert list(written.read(columns=["app"]).to_pandas()["app"].cat.categories) == ["big", "small"]
