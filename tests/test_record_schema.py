"""The record schema is the one declaration the engine, the results and the docs agree with."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from offloadsim import api
from offloadsim.records import schema

ROOT = Path(__file__).resolve().parents[1]


def test_every_declared_column_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for table in ("tasks", "nodes", "links", "stages"):
        missing = [c.name for c in schema.columns_of(table) if f"`{c.name}`" not in text]
        assert not missing, f"{table} columns not documented in docs/cli.md: {missing}"
    for status in schema.STATUSES:
        assert f"`{status}`" in text, status


def test_a_run_writes_exactly_the_declared_columns_with_their_dtypes(tmp_path):
    api.run(
        "scenarios/quickstart.yaml",
        overrides=("duration=5 s", "warmup=1 s"),
        out=tmp_path / "r",
        stages=True,
    )
    expected = {"category": pd.CategoricalDtype, "int64": np.dtype("int64"), "float64": np.dtype("float64")}
    for table in ("tasks", "nodes", "links", "stages"):
        frame = pd.read_parquet(tmp_path / "r" / f"{table}.parquet")
        assert tuple(frame.columns) == tuple(c.name for c in schema.columns_of(table)), table
        for col in schema.columns_of(table):
            dtype = frame[col.name].dtype
            if col.dtype == "category":
                assert isinstance(dtype, pd.CategoricalDtype), (table, col.name)
            elif col.dtype == "boolean":
                assert dtype == "boolean", (table, col.name)
            elif col.dtype == "string":
                assert pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype), (
                    table,
                    col.name,
                )
            else:
                assert dtype == expected[col.dtype], (table, col.name, dtype)
    tasks = pd.read_parquet(tmp_path / "r" / "tasks.parquet")
    assert list(tasks["status"].cat.categories) == list(schema.STATUSES)
    assert "failed" in schema.STATUSES and set(schema.STATUS_DOCS) == set(schema.STATUSES)
