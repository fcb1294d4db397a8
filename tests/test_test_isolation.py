"""The suite leaves nothing behind: the scratch space of the libraries it uses is under pytest's tmp dirs."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_hypothesis_keeps_its_examples_under_pytests_tmp_dirs(tmp_path_factory):
    """It wrote ``.hypothesis/`` into the directory the tests ran from (the repository)."""
    from hypothesis import settings
    from hypothesis.configuration import storage_directory

    base = tmp_path_factory.getbasetemp()
    assert base in storage_directory("examples").path.parents
    database = settings.default.database
    where = getattr(database, "path", None)
    assert where is None or base in Path(where).parents, database


def test_dask_keeps_its_scratch_space_under_pytests_tmp_dirs(tmp_path_factory):
    """Its workers made ``/tmp/dask-scratch-space`` (``$TMPDIR``), and no test removed it."""
    dask = pytest.importorskip("dask")
    base = tmp_path_factory.getbasetemp()
    assert base in Path(dask.config.get("temporary-directory")).parents
