"""A run whose ``link_changes`` frame was read before it was written still writes (he31's table)."""

from pathlib import Path

import pandas as pd

from offloadsim import api
from offloadsim.records.results import write_files

ROOT = Path(__file__).resolve().parents[2]


def test_link_changes_read_before_writing_is_written_as_read(tmp_path):
    result = api.run(ROOT / "scenarios" / "quickstart.yaml", overrides=["duration=5 s"])
    read_first = result.link_changes  # builds the DataFrame: the writer then holds a frame, not columns
    write_files(result, tmp_path)
    written = pd.read_parquet(tmp_path / "link_changes.parquet")
    assert list(written.columns) == list(read_first.columns)
    assert len(written) == len(read_first) == 0
