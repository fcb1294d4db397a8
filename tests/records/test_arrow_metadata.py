"""records/arrow.py writes the ``pandas`` schema metadata by hand; it must be what pyarrow would write.

``offloadsim run`` writes its tables with pyarrow alone (no pandas on its
path), building the metadata that tells ``pandas.read_parquet`` each
column's dtype itself.  These tests take the DataFrames the results layer
builds for the same records and compare that metadata, key for key, with
what ``pyarrow.Schema.from_pandas`` (which ``DataFrame.to_parquet`` uses)
writes for them, on tables with few and many categories, text columns with
and without values, and no rows at all; and the stages read back as the
file pandas writes for their frame does.
"""

from __future__ import annotations

import email
import json
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from offloadsim import api
from offloadsim.outdir import ResultsError
from offloadsim.records import arrow
from offloadsim.records.results import write_files

ROOT = Path(__file__).resolve().parents[2]

# A short run of: a small world (categories coded in int8), the 1,000-device city (more than 127
# sources: int16 codes, text columns), and a run in which no task arrives (empty tables).
RUNS = {
    "quickstart": ("scenarios/quickstart.yaml", ("duration=5 s", "warmup=1 s")),
    "city": ("benchmarks/scenarios/city.yaml", ("duration=0.5 s",)),
    "no-tasks": ("benchmarks/scenarios/mm1.yaml", ("duration=1e-6 s",)),
}

TABLES = ("tasks", "nodes", "processors", "links", "stages")  # each run records its stages (--stages) too


def _pandas_metadata(schema: pa.Schema) -> dict[str, object]:
    return json.loads(schema.metadata[b"pandas"])


def _as_pandas_writes_it(frame: pd.DataFrame) -> pa.Schema:
    """The schema ``frame.to_parquet(index=False)`` would write (pandas calls exactly this)."""
    return pa.Schema.from_pandas(frame, preserve_index=False)


@pytest.fixture(scope="module", params=sorted(RUNS))
def written(request, tmp_path_factory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """A run's directory, and the DataFrames the results layer built from its records in memory."""
    scenario, overrides = RUNS[request.param]
    result = api.run(ROOT / scenario, overrides=overrides, stages=True)
    assert result.records is not None  # not written yet: the frames come from the engine's records
    frames = {table: getattr(result, table) for table in TABLES}
    out = tmp_path_factory.mktemp(request.param)
    write_files(result, out)
    return out, frames


@pytest.mark.parametrize("table", TABLES)
def test_hand_built_pandas_metadata_is_what_pyarrow_writes_for_the_same_frame(written, table):
    directory, frames = written
    ours = pq.read_schema(directory / f"{table}.parquet")
    expected = _as_pandas_writes_it(frames[table])
    assert _pandas_metadata(ours) == _pandas_metadata(expected)
    assert ours.names == expected.names


@pytest.mark.parametrize("table", TABLES)
def test_written_arrow_types_are_those_pandas_writes_but_for_the_width_of_category_labels(written, table):
    """Same Arrow types, except that pandas 3 stores category labels as large strings.

    The hand-built files store them as ``string`` (32-bit offsets); pandas
    reads both back as the same categorical dtype (tests/test_record_digests.py
    digests the categories' dtype), so only the physical width differs.
    """
    directory, frames = written
    expected = _as_pandas_writes_it(frames[table])
    for ours, theirs in zip(pq.read_schema(directory / f"{table}.parquet"), expected, strict=True):
        kind = theirs.type
        if pa.types.is_dictionary(kind) and pa.types.is_large_string(kind.value_type):
            kind = pa.dictionary(kind.index_type, pa.string(), kind.ordered)
        assert ours.type == kind, (table, ours.name, ours.type, theirs.type)


def test_the_city_needs_wider_category_codes_than_the_small_world(tmp_path):
    """The parametrised cases cover both code widths (so the index-width rule is really compared)."""
    widths = {}
    for name in ("quickstart", "city"):
        scenario, overrides = RUNS[name]
        api.run(ROOT / scenario, overrides=overrides, out=tmp_path / name)
        source = pq.read_schema(tmp_path / name / "tasks.parquet").field("source").type
        widths[name] = source.index_type
    assert widths == {"quickstart": pa.int8(), "city": pa.int16()}


def test_stages_written_without_pandas_read_back_as_the_frame_pandas_writes(written, tmp_path):
    directory, frames = written
    frames["stages"].to_parquet(tmp_path / "by-pandas.parquet", index=False)  # as the run wrote them before
    expected = pd.read_parquet(tmp_path / "by-pandas.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(directory / "stages.parquet"), expected)


def test_stages_spilled_in_chunks_are_written_a_row_group_each_as_the_whole_table(monkeypatch, tmp_path):
    """--stages spills its rows every CHUNK_ROWS stages; the file reads back as the unspilled run's frame.

    After the write, ``result.stages`` reads the file back, and the run's
    directory holds no spilled chunk.
    """
    scenario, overrides = RUNS["quickstart"]
    whole = api.run(ROOT / scenario, overrides=overrides, stages=True)
    expected = whole.stages
    monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", 7)
    result = api.run(ROOT / scenario, overrides=overrides, stages=True, out=tmp_path / "run")
    written = tmp_path / "run" / "stages.parquet"
    assert pq.ParquetFile(written).metadata.num_row_groups == -(-len(expected) // 7) > 10
    pd.testing.assert_frame_equal(pd.read_parquet(written), expected)
    pd.testing.assert_frame_equal(result.stages, expected)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == sorted(
        [
            "manifest.json",
            "summary.json",
            "summary.txt",
            "scenario.yaml",
            "link_changes.parquet",
            *(f"{t}.parquet" for t in TABLES),
        ]
    )


def test_stages_written_and_let_go_are_read_back_from_the_run_directory(tmp_path):
    """Once written, the engine's stages are let go: read back from ``result.path`` (an error without)."""
    scenario, overrides = RUNS["quickstart"]
    result = api.run(ROOT / scenario, overrides=overrides, stages=True)
    expected = api.run(ROOT / scenario, overrides=overrides, stages=True).stages
    write_files(result, tmp_path)
    with pytest.raises(ResultsError, match="stages were written"):
        _ = result.stages
    result.path = tmp_path
    pd.testing.assert_frame_equal(result.stages, expected)


def test_the_pandas_version_is_read_from_the_metadata_head_alone(monkeypatch):
    # Every table's metadata names the pandas version; importlib's version() parsed pandas' whole
    # metadata file with the email parser for it (start-up, issue 12 e). Same answer, no parse.
    expected = metadata.version("pandas")
    arrow._pandas_version.cache_clear()

    def no_parse(*args, **kwargs):
        raise AssertionError("the whole metadata file was parsed")

    monkeypatch.setattr(email, "message_from_string", no_parse)
    try:
        assert arrow._pandas_version() == expected == pd.__version__
    finally:
        arrow._pandas_version.cache_clear()
