"""The one spilled table: chunks appended in order, read back, and removed with their directory."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest

from offloadsim.records.spill import ArraysFile, SpilledTable, save_arrays


def test_a_temporary_table_makes_its_directory_on_the_first_chunk_and_removes_it(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    table = SpilledTable(prefix="offloadsim-test-")
    assert table.location is None and not list(tmp_path.iterdir())  # nothing made before a chunk
    for i in range(3):
        table.append_arrays({"x": np.arange(i + 1)})
    assert [p.name for p in table] == ["chunk-000000.arrays", "chunk-000001.arrays", "chunk-000002.arrays"]
    np.testing.assert_array_equal(ArraysFile(table.chunks[2])["x"], [0, 1, 2])
    directory = table.location
    assert directory is not None and directory.parent == tmp_path
    assert directory.name.startswith("offloadsim-test-")
    table.discard()
    assert not table.chunks and not directory.exists()


def test_a_temporary_table_is_removed_when_it_is_collected(tmp_path, monkeypatch):
    """What an interrupted command relies on: unwinding drops the table, collecting it removes its files."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    table = SpilledTable()
    table.append_arrays({"x": np.zeros(4)})
    directory = table.location
    assert directory is not None and directory.is_dir()
    del table
    gc.collect()
    assert not directory.exists()


def test_a_given_directory_is_made_when_needed_and_removed_only_when_made_and_empty(tmp_path):
    given = tmp_path / "run" / "stages"
    table = SpilledTable(given, stem="stages")
    assert table.location == given and not given.exists()
    table.append_arrays({"x": np.ones(2)})
    assert table.chunks == [given / "stages-000000.arrays"]
    table.discard()
    assert not given.exists() and (tmp_path / "run").is_dir()  # only what the table made goes

    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "theirs").write_text("x")
    other = SpilledTable(kept)
    other.append_arrays({"x": np.ones(2)})
    other.discard()
    assert sorted(p.name for p in kept.iterdir()) == ["theirs"]


def test_a_failed_write_leaves_no_partial_chunk(tmp_path):
    table = SpilledTable(tmp_path / "t", suffix=".parquet")

    def fail(path):
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        table.append(fail, "run-1")
    assert not table.chunks and not list((tmp_path / "t").iterdir())


def test_chunks_named_by_the_caller_or_written_by_another_process_are_kept_and_removed(tmp_path):
    table = SpilledTable(tmp_path / "runs", suffix=".parquet")
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    path = table.append(lambda p: frame.to_parquet(p, index=False), "000001-000000")
    assert path.name == "000001-000000.parquet"
    written = table.directory / "by-a-worker.parquet"  # as a job in a worker process writes its file
    frame.to_parquet(written, index=False)
    table.adopt(written)
    assert list(table) == [path, written] and len(table) == 2
    pd.testing.assert_frame_equal(pd.read_parquet(table.chunks[1]), frame)
    table.discard()
    assert not (tmp_path / "runs").exists()


def test_a_chunk_of_arrays_reads_back_every_array_as_written(tmp_path):
    """Dtypes, shapes (a record a row, empty ones too) and values come back exactly, each read alone."""
    rng = np.random.default_rng(7)
    arrays = {
        "f": rng.random((13, 5)),
        "c.ids": np.arange(13, dtype=np.int64),
        "c.small": np.array([1, -2, 3], dtype=np.int8),  # not a multiple of the alignment
        "s.nan": np.full(3, np.nan),
        "strided": rng.random((6, 4))[:, 1],  # written contiguous
        "empty": np.empty(0, dtype=np.int32),
    }
    path = tmp_path / "chunk.arrays"
    save_arrays(path, arrays)
    stored = ArraysFile(path)
    assert stored.files == list(arrays) and "f" in stored and "g" not in stored
    assert stored.shape("f") == (13, 5)
    for name, values in arrays.items():
        got = stored[name]
        assert got.dtype == values.dtype and got.shape == values.shape
        np.testing.assert_array_equal(got, values)
        assert got.flags.writeable  # the reader applies later changes in place
    (tmp_path / "other").write_bytes(b"PK\x03\x04 not ours")
    with pytest.raises(ValueError, match="not a chunk of arrays"):
        ArraysFile(tmp_path / "other")
