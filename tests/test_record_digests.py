"""The records of every shipped scenario and benchmark, at a fixed seed, are what they were.

Each scenario runs shortened and writes its run directory; every column of
``tasks.parquet``, ``nodes.parquet``, ``links.parquet`` and ``link_changes.parquet`` (as read back,
and as ``result.tasks`` in memory) and every number of ``summary.json`` is
reduced to a SHA-256 digest and compared with the one stored in
``tests/data/record_digests.json``.  Digests are per column, so a column
added to the schema leaves the others' digests alone; a stored column
that disappears, or whose dtype, values or row order change, fails.

The digests hash the tables' *content* (dtype, categories, values, row
order), not the file's bytes: how the file is cut into row groups does not
change them.  Each case also runs with the engine spilling its records to
disk every 97 rows, so the streamed path is checked against the same
digests.  To record new digests after an intended change of the records,
run ``python tests/test_record_digests.py`` and say why in the commit.

The records do not depend on the CPU (docs/architecture.md, "Same records on
every CPU"): the stored digests were recorded on AVX2 hosts and hold on
AVX-512 ones.  :func:`test_records_do_not_depend_on_the_cpu` guards that on
any host with AVX-512: it runs the cases that once differed again with
numpy's AVX-512 loops and OpenBLAS's AVX-512 kernels turned off.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import offloadsim

ROOT = Path(__file__).resolve().parents[1]
STORED = ROOT / "tests" / "data" / "record_digests.json"

# Shortened so the whole file runs in seconds (a few hundred tasks at least, thousands for the
# benchmarks); the LLM assistant and Neurosurgeon's few large tasks need longer.
_LONGER = {"llm-assistant": "duration=300 s", "neurosurgeon": "duration=200 s"}
CASES: dict[str, tuple[Path, tuple[str, ...]]] = {
    **{
        p.stem: (p, (_LONGER.get(p.stem, "duration=40 s"), "warmup=5 s"))
        for p in sorted((ROOT / "scenarios").glob("*.yaml"))
        if not p.name.startswith("sweep-")
    },
    "bench-mm1": (ROOT / "benchmarks" / "scenarios" / "mm1.yaml", ("duration=3000 s",)),
    "bench-city": (ROOT / "benchmarks" / "scenarios" / "city.yaml", ("duration=2 s",)),
}


def _digest(parts: list[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _column_digest(series: pd.Series) -> str:
    """SHA-256 of one column's dtype and values, in row order (NaN and NA canonical)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = [str(c) for c in dtype.categories]
        codes = series.cat.codes
        kind = f"category[{codes.dtype}, {dtype.categories.dtype}]".encode()
        return _digest([kind, "\x1f".join(categories).encode(), codes.to_numpy(dtype=np.int64).tobytes()])
    if str(dtype) == "boolean":
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        return _digest([b"boolean", np.where(np.isnan(values), -1.0, values).tobytes()])
    if dtype == np.float64:
        values = series.to_numpy(dtype=np.float64)
        return _digest([b"float64", np.where(np.isnan(values), np.nan, values).tobytes()])
    if dtype == np.int64:
        return _digest([b"int64", series.to_numpy(dtype=np.int64).tobytes()])
    text = "\x1f".join("\x00" if v is None or v is pd.NA else str(v) for v in series.tolist())
    return _digest([str(dtype).encode(), text.encode()])


def _table_digests(frame: pd.DataFrame) -> dict[str, str]:
    return {
        "__columns__": ",".join(frame.columns),
        "__rows__": str(len(frame)),
        **{name: _column_digest(frame[name]) for name in frame.columns},
    }


def _summary_digests(summary: dict[str, Any]) -> dict[str, str]:
    """One digest per number (per entry of a table such as ``node_utilisation``), so new ones add."""
    flat: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return {key: _digest([json.dumps(value, sort_keys=True).encode()]) for key, value in flat.items()}


def digests(name: str, out: Path) -> dict[str, dict[str, str]]:
    """Run case ``name`` into ``out`` and digest what it wrote and what it returned."""
    path, overrides = CASES[name]
    return run_digests(path, overrides, out)


def run_digests(path: Path, overrides: tuple[str, ...], out: Path) -> dict[str, dict[str, str]]:
    """Run scenario ``path`` with ``overrides`` into ``out`` and digest what it wrote and returned."""
    result = offloadsim.run(path, overrides=overrides, out=out, overwrite=True)
    return {
        "tasks.parquet": _table_digests(pd.read_parquet(out / "tasks.parquet")),
        "result.tasks": _table_digests(result.tasks),
        "nodes.parquet": _table_digests(pd.read_parquet(out / "nodes.parquet")),
        "links.parquet": _table_digests(pd.read_parquet(out / "links.parquet")),
        "link_changes.parquet": _table_digests(pd.read_parquet(out / "link_changes.parquet")),
        "summary.json": _summary_digests(json.loads((out / "summary.json").read_text(encoding="utf-8"))),
    }


@pytest.mark.parametrize("chunk", [None, 97], ids=["in-memory", "spilled-every-97"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_records_are_as_stored(name, chunk, tmp_path, monkeypatch):
    """Also when the engine spills its records every 97 rows: many row groups, energy charged late."""
    if chunk is not None:
        monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", chunk)
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    assert name in stored, f"no stored digests for {name}: run python {Path(__file__).relative_to(ROOT)}"
    now = digests(name, tmp_path / "run")
    for part, expected in stored[name].items():
        got = now[part]
        # A column a later change declared is new, not different; its absence from the store is fine.
        changed = {k: (v, got.get(k)) for k, v in expected.items() if k != "__columns__" and got.get(k) != v}
        assert not changed, f"{name} {part}: changed {sorted(changed)}"
        if "__columns__" in expected:
            old = expected["__columns__"].split(",")
            new = got["__columns__"].split(",")
            assert [c for c in new if c in old] == old, f"{name} {part}: stored columns missing or reordered"


# What numpy calls its AVX-512 dispatch targets (numpy 2: X86_V4, AVX512_ICL, ...; numpy 1: AVX512F,
# AVX512_SKX, ...); NPY_DISABLE_CPU_FEATURES turns those off, leaving the AVX2 and baseline loops.
def _cpu_features() -> tuple[dict[str, bool], list[str]]:
    """numpy's CPU features (found and not turned off) and its dispatch targets."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # numpy 1
        from numpy.core import _multiarray_umath as umath
    return {k: bool(v) for k, v in umath.__cpu_features__.items()}, list(umath.__cpu_dispatch__)


def _avx512_targets() -> list[str]:
    found, dispatch = _cpu_features()
    return [t for t in dispatch if found.get(t) and (t.startswith("AVX512") or t == "X86_V4")]


# The cases whose records once changed with the CPU: commute's link capacities come from the
# radio's logarithms (offloadsim/world/radio.py), quickstart's compute_time from a calibrated
# profile's cost model (offloadsim/world/profiles/cost_model.py).
_ACROSS_CPUS = ("commute", "quickstart")

_ELSEWHERE = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import test_record_digests as t
out = Path(sys.argv[2])
cases = {name: t.digests(name, out / name) for name in sys.argv[3:]}
print(json.dumps({"features": t._cpu_features()[0], "cases": cases}))
"""


def test_records_do_not_depend_on_the_cpu(tmp_path):
    """The same records with numpy's AVX-512 loops and OpenBLAS's AVX-512 kernels off (a Haswell's)."""
    targets = _avx512_targets()
    if not targets:
        pytest.skip(
            "numpy dispatches to no AVX-512 here (the CPU has none, or NPY_DISABLE_CPU_FEATURES"
            " turned it off): nothing to turn off"
        )
    env = {
        **os.environ,
        "NPY_DISABLE_CPU_FEATURES": " ".join(targets),
        "OPENBLAS_CORETYPE": "Haswell",  # the AVX2 kernels (this CPU has AVX2, as it has AVX-512)
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    done = subprocess.run(
        [sys.executable, "-c", _ELSEWHERE, str(Path(__file__).parent), str(tmp_path / "off"), *_ACROSS_CPUS],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    there = json.loads(done.stdout.splitlines()[-1])
    assert not any(there["features"].get(t) for t in targets), f"{targets} were not turned off"
    for name in _ACROSS_CPUS:
        here = digests(name, tmp_path / "here" / name)
        for part, table in here.items():
            changed = sorted(k for k, v in table.items() if there["cases"][name][part].get(k) != v)
            assert not changed, f"{name} {part}: {changed} differ without AVX-512 ({' '.join(targets)})"


if __name__ == "__main__":  # record the digests of this tree
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        table = {name: digests(name, Path(tmp) / name) for name in sorted(CASES)}
    STORED.parent.mkdir(exist_ok=True)
    STORED.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {STORED} ({len(table)} cases)", file=sys.stderr)
