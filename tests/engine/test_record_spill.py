"""Records spilled to disk in chunks read back as the same values, late changes included."""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.engine.records import FLOAT_COLUMNS, RecordLog
from offloadsim.records import schema
from offloadsim.scenario import load_scenario_text

# A phone whose radio stays on (and is charged to the last task) for 2 s after each transfer:
# energy reaches a task's record after the task has ended, often after its row was spilled.
TAILED = """
name: tailed
duration: 60 s
nodes:
  phone:
    tier: device
    processor: {speed: 20 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.5 W, receive: 1 W, tail: 2 s}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 10 Mbps, latency: 5 ms}
applications:
  cnn: {model: alexnet}
workload:
  - {app: cnn, sources: phone, arrivals: poisson, rate: 2 /s}
policy: {name: edge}
"""


def _records(monkeypatch, chunk: int | None):
    if chunk is not None:
        monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", chunk)
    return simulate(load_scenario_text(TAILED, source="<t>")).tasks


@pytest.mark.parametrize("chunk", [1, 7])
def test_spilled_records_equal_the_buffered_ones_with_late_energy(monkeypatch, chunk):
    whole = _records(monkeypatch, None)
    assert not whole.log.chunks, "the reference run keeps its records in memory"
    spilled = _records(monkeypatch, chunk)
    assert len(spilled.log.chunks) >= whole.rows // chunk
    if chunk == 1:  # every row is spilled as it is recorded: each radio tail's charge comes late
        assert spilled.log.late.get("device_energy"), "some energy was charged after its row was spilled"
    assert spilled.rows == whole.rows > 100
    for name in whole:
        a, b = whole[name], spilled[name]
        assert a.dtype == b.dtype, name
        if a.dtype == np.float64:
            np.testing.assert_array_equal(a.view(np.int64) * ~np.isnan(a), b.view(np.int64) * ~np.isnan(b))
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)
    spilled.log.discard()
    assert not spilled.log.chunks


def test_set_and_add_reach_rows_already_spilled_in_the_order_made():
    toy = schema.Column("toy_score", "float64", "", "a value only the engine knows")
    with schema.task_column_added(toy):
        logs = [RecordLog(chunk_rows=2), RecordLog(chunk_rows=1000)]
        for log in logs:
            code = log.add_plan("app", "phone", "phone", 0, False)
            for task_id in range(5):
                log.values.extend([0.1] * len(FLOAT_COLUMNS))
                log.task_ids.append(task_id)
                log.plan_codes.append(code)
                log.status_codes.append(log.status_code("completed"))
                log.reason_codes.append(0)
                if len(log.task_ids) == log.chunk_rows:
                    log.flush()
            for row, value in ((0, 0.2), (3, 1e-17), (0, 0.3), (4, 0.7)):
                log.add("device_energy", row, value)
            log.set("toy_score", 1, 0.5)
            log.set("toy_score", 1, 0.25)
        spilled, whole = (log.columns("p", 0, 1) for log in logs)
        assert logs[0].chunks and not logs[1].chunks
        np.testing.assert_array_equal(spilled["device_energy"], whole["device_energy"])
        np.testing.assert_array_equal(spilled["toy_score"], [np.nan, 0.25, np.nan, np.nan, np.nan])
        np.testing.assert_array_equal(whole["toy_score"], spilled["toy_score"])
        assert spilled["device_energy"][0] == (0.1 + 0.2) + 0.3


def _stages(monkeypatch, chunk: int | None):
    if chunk is not None:
        monkeypatch.setattr("offloadsim.engine.records.CHUNK_ROWS", chunk)
    return simulate(load_scenario_text(TAILED, source="<t>"), record_stages=True).stages


@pytest.mark.parametrize("chunk", [1, 7])
def test_spilled_stages_equal_the_buffered_ones(monkeypatch, chunk):
    """--stages spills its rows in chunks as the task records do: the same columns read back."""
    whole = _stages(monkeypatch, None)
    assert not whole.log.chunks, "the reference run keeps its stages in memory"
    spilled = _stages(monkeypatch, chunk)
    assert spilled.rows == whole.rows > 200
    assert len(spilled.log.chunks) == spilled.rows // chunk  # full chunks on disk, the rest buffered
    assert len(spilled.log.ids) == spilled.rows % chunk < chunk
    assert list(spilled) == list(schema.STAGE_COLUMNS)
    for name in whole:
        a, b = whole[name], spilled[name]
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert set(whole["kind"]) == {"compute", "transfer"} and "phone>edge" in set(whole["where"])
    parts = list(spilled.blocks(coded=("kind",)))
    assert sum(len(block["task_id"]) for block in parts) == spilled.rows
    codes, labels = parts[0]["kind"]
    assert [labels[c] for c in codes] == list(whole["kind"][: len(codes)])
    directory = spilled.log.spill_dir
    assert directory is not None and directory.is_dir()
    spilled.discard()
    assert not spilled.log.chunks and not directory.exists()
