import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from offloadsim import outdir
from offloadsim.engine.records import RawRun
from offloadsim.engine_build import engine_build
from offloadsim.records import results, schema
from offloadsim.records.results import (
    RUN_FILES,
    ResultsError,
    RunResult,
    read_run,
    scenario_hash,
    write_run,
)
from offloadsim.scenario.model import LinkSpec, NodeSpec, PolicySpec, ProcessorSpec, Scenario

NAN = float("nan")


def _scenario() -> Scenario:
    return Scenario(
        name="tiny",
        nodes=(
            NodeSpec("phone-0", "phone", "device", ProcessorSpec(speed_flops=1e10)),
            NodeSpec("edge", "edge", "edge", ProcessorSpec(speed_flops=1e11, cores=2)),
        ),
        links=(LinkSpec("phone-0", "edge", 20e6, 20e6, 0.003),),
        applications={},
        workload=(),
        policy=PolicySpec("edge", {"fallback": "drop"}),
        seed=3,
        duration_s=10.0,
        warmup_s=1.0,
        source="tiny.yaml",
        document={"name": "tiny", "seed": 3, "nodes": {"edge": {"tier": "edge"}}},
    )


def _raw(n: int = 4) -> RawRun:
    """A run's records as the engine writes them: 0, not NaN, in the times and energy of unfinished tasks."""
    status = np.array(["completed", "dropped", "in_flight", "completed"] * n, dtype=object)[:n]
    done = status == "completed"
    latency = np.where(done, 0.05 + 0.01 * np.arange(n), NAN)
    return RawRun(
        tasks={
            "task_id": np.arange(n, dtype=np.int64),
            "app": np.full(n, "job", dtype=object),
            "source": np.full(n, "phone-0", dtype=object),
            "policy": np.full(n, "edge", dtype=object),
            "replication": np.zeros(n, dtype=np.int64),
            "seed": np.full(n, 3, dtype=np.int64),
            "arrival": 1.0 + np.arange(n, dtype=float),
            "start": np.where(done, 1.0 + np.arange(n), NAN),
            "finish": np.where(done, 1.0 + np.arange(n) + latency, NAN),
            "latency": latency,
            "wait": np.where(done, 0.001, 0.0),
            "compute_time": np.where(done, 0.01, 0.0),
            "transfer_time": np.where(done, 0.03, 0.0),
            "bytes_sent": np.where(done, 154e3, 0.0),
            "placement": np.where(done, "edge", "").astype(object),
            "split": np.zeros(n, dtype=np.int64),
            "deadline": np.full(n, 0.055),
            "deadline_met": np.where(done, (latency <= 0.055).astype(float), 0.0),
            "status": status,
            "device_energy": np.where(done, 0.08, 0.0),
            "raw_input_offloaded": np.where(done, 1.0, 0.0),
            "reason": np.where(status == "dropped", "queue full at edge", "").astype(object),
        },
        nodes={
            "node": ["phone-0", "edge"],
            "tier": ["device", "edge"],
            "processor": ["cpu", "cpu"],
            "cores": [1, 2],
            "busy_s": [0.0, 0.4],
            "utilisation": [0.0, 0.04],
            "stages_completed": [0, 2],
            "energy_j": [5.0, 0.0],
        },
        links={
            "a": ["phone-0", "edge"],
            "b": ["edge", "phone-0"],
            "bytes": [300e3, 8e3],
            "busy_s": [0.12, 0.003],
            "utilisation": [0.024, 0.0006],
        },
        warmup_s=1.0,
        duration_s=10.0,
        end_s=11.0,
        wall_s=0.25,
        scenario_name="tiny",
        policy_name="edge",
        seed=3,
        replication=0,
    )


def _result(n: int = 4) -> RunResult:
    return RunResult.from_raw(_raw(n), _scenario(), command=["offloadsim", "run", "tiny.yaml"])


def test_from_raw_columns_and_dtypes():
    r = _result()
    assert tuple(r.tasks.columns) == schema.TASK_COLUMNS[: len(r.tasks.columns)]
    dtypes = r.tasks.dtypes
    for name in ("task_id", "replication", "seed", "split"):
        assert dtypes[name] == np.int64, name
    for name in ("app", "source", "policy", "placement", "status"):
        assert isinstance(dtypes[name], pd.CategoricalDtype), name
    assert list(r.tasks["status"].cat.categories) == ["completed", "dropped", "failed", "in_flight"]
    assert dtypes["deadline_met"] == "boolean"
    assert r.tasks["deadline_met"].tolist() == [True, False, False, False]
    for name in ("arrival", "latency", "bytes_sent", "device_energy", "raw_input_offloaded"):
        assert dtypes[name] == np.float64, name
    assert tuple(r.nodes.columns) == schema.NODE_COLUMNS[: len(r.nodes.columns)]
    assert r.nodes["cores"].dtype == np.int64
    assert tuple(r.links.columns) == ("a", "b", "bytes", "busy_s", "utilisation")
    assert r.summary.completed == 2 and r.summary.dropped == 1 and r.summary.in_flight == 1


def test_manifest():
    r = _result()
    m = r.manifest
    assert m["scenario"] == "tiny" and m["scenario_file"] == "tiny.yaml"
    canonical = json.dumps(_scenario().document, sort_keys=True, separators=(",", ":"))
    assert m["scenario_hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert (m["seed"], m["replication"], m["wall_s"]) == (3, 0, 0.25)
    assert m["policy"] == {"name": "edge", "params": {"fallback": "drop"}}  # the scenario's own policy
    assert m["command"] == "offloadsim run tiny.yaml"
    for key in ("offloadsim_version", "python_version", "host", "platform", "started_utc"):
        assert m[key], key
    assert m["engine_build"] == engine_build() == "python"  # the default tests run the pure engine
    assert m["started_utc"].endswith("+00:00")
    json.dumps(m)  # plain JSON


def test_scenario_hash_ignores_key_order():
    assert scenario_hash({"a": 1, "b": [1, 2]}) == scenario_hash({"b": [1, 2], "a": 1})
    assert scenario_hash({"a": 1}) != scenario_hash({"a": 2})


@pytest.mark.parametrize("n", [4, 0])
def test_write_read_round_trip(tmp_path, n):
    r = _result(n)
    out = write_run(r, tmp_path / "run")
    assert out == tmp_path / "run" and r.path == out
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    back = read_run(out)
    pd.testing.assert_frame_equal(back.tasks, r.tasks)
    pd.testing.assert_frame_equal(back.nodes, r.nodes)
    pd.testing.assert_frame_equal(back.links, r.links)
    assert back.summary.to_dict() == r.summary.to_dict()
    assert back.manifest == r.manifest
    assert (out / "summary.txt").read_text().startswith("tiny: policy edge(fallback=drop), seed 3")
    # The Parquet file alone (as other tools read it) keeps the column order and dtypes.
    raw = pd.read_parquet(out / "tasks.parquet")
    assert tuple(raw.columns) == tuple(r.tasks.columns)
    assert raw["deadline_met"].dtype == "boolean"


def test_only_categorical_columns_are_dictionary_encoded(tmp_path):
    # A dictionary of a float column's distinct values is built, found too large and dropped in every
    # row group: half of a task table's writing time (issue 12). Categorical columns keep theirs.
    import pyarrow.parquet as pq

    from offloadsim import api

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "run"
    api.run(root / "scenarios" / "quickstart.yaml", overrides=["duration=3 s"], out=out)  # engine writers
    for name in ("tasks", "nodes", "links"):
        meta = pq.ParquetFile(out / f"{name}.parquet")
        row_group = meta.metadata.row_group(0)
        for i, field in enumerate(meta.schema_arrow):
            encoded = row_group.column(i).has_dictionary_page
            assert encoded == (str(field.type).startswith("dictionary")), (name, field.name)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.parametrize("error", [RuntimeError("disk on fire"), KeyboardInterrupt()])
def test_failure_mid_write_leaves_nothing(tmp_path, monkeypatch, error):
    calls = []

    def failing_write_text(path, text):
        calls.append(path.name)
        if path.name == "summary.txt":  # after the Parquet files and summary.json
            raise error
        Path(path).write_text(text)

    monkeypatch.setattr(results, "_write_text", failing_write_text)
    with pytest.raises(type(error)):
        write_run(_result(), tmp_path / "deep" / "er" / "run")
    assert calls == ["summary.json", "summary.txt"]
    assert _leftovers(tmp_path) == []  # no run dir, no temporary dir, no parents we created


def test_a_directory_holding_no_result_is_an_error_even_with_overwrite(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "mine.txt").write_text("precious")
    for overwrite in (False, True):
        with pytest.raises(ResultsError, match=r"holds no offloadsim result but mine\.txt"):
            write_run(_result(), out, overwrite=overwrite)
        assert _leftovers(out) == ["mine.txt"]
    write_run(_result(1), out.with_name("first"))
    write_run(_result(), out.with_name("first"), overwrite=True)  # a result is replaced
    assert sorted(p.name for p in out.with_name("first").iterdir()) == sorted(RUN_FILES)
    assert _leftovers(tmp_path) == ["first", "run"]  # the old one is gone, no backup or temp left


def test_empty_existing_directory_is_used(tmp_path):
    (tmp_path / "run").mkdir()
    write_run(_result(), tmp_path / "run")
    assert (tmp_path / "run" / "manifest.json").is_file()


def test_failed_overwrite_keeps_the_old_result(tmp_path, monkeypatch):
    out = tmp_path / "run"
    write_run(_result(4), out)
    before = (out / "manifest.json").read_text()

    def broken_parquet(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("offloadsim.records.arrow.write_frame", broken_parquet)  # how frames are written
    with pytest.raises(ResultsError, match="No space left on device"):
        write_run(_result(2), out, overwrite=True)
    assert (out / "manifest.json").read_text() == before
    assert _leftovers(tmp_path) == ["run"]


def test_failed_final_rename_restores_the_old_result(tmp_path, monkeypatch):
    out = tmp_path / "run"
    write_run(_result(4), out)
    real_rename = os.rename
    renames = []

    def flaky_rename(src, dst):
        renames.append(Path(dst).name)
        # Interrupted once the old result has been moved aside, just before the new one lands.
        if Path(dst) == out and Path(src).name.startswith(".run.partial-") and not out.exists():
            raise KeyboardInterrupt
        real_rename(src, dst)

    monkeypatch.setattr(outdir.os, "rename", flaky_rename)
    with pytest.raises(KeyboardInterrupt):
        write_run(_result(2), out, overwrite=True)
    assert "run.old-1" in renames  # the old result was moved aside, then put back
    assert read_run(out).summary.arrived == 4
    assert _leftovers(tmp_path) == ["run"]


def test_out_path_that_is_a_file_or_under_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ResultsError, match="not a directory"):
        write_run(_result(), tmp_path / "file")
    with pytest.raises(ResultsError, match="not a directory"):
        write_run(_result(), tmp_path / "file" / "run")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_parent(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ResultsError, match="not writable"):
            write_run(_result(), locked / "run")
    finally:
        locked.chmod(0o700)


def test_read_run_errors(tmp_path):
    with pytest.raises(ResultsError, match="no run directory"):
        read_run(tmp_path / "nope")
    out = write_run(_result(), tmp_path / "run")
    (out / "links.parquet").unlink()
    with pytest.raises(ResultsError, match=r"missing links\.parquet"):
        read_run(out)


@pytest.mark.parametrize("name", ["processors.parquet", "stages.parquet"])
def test_read_run_refuses_a_folder_where_an_optional_table_goes(tmp_path, name):
    """A folder at processors.parquet was read as no table (result.processors had no rows), where
    ``plot`` of the same directory refused it; a folder at stages.parquet as no stages."""
    out = write_run(_result(), tmp_path / "run")
    (out / name).unlink(missing_ok=True)
    (out / name).mkdir()
    with pytest.raises(ResultsError) as caught:
        read_run(out)
    assert str(caught.value) == f"{out} is incomplete: {name} is a directory, not a table file"


@pytest.mark.parametrize("kind", ["compare", "sweep"])
def test_read_run_names_a_compare_or_sweep_directory_and_the_reader_it_needs(tmp_path, kind):
    """A comparison's directory used to be 'not a complete run directory (missing links.parquet, ...)',
    which reads as a broken run."""
    out = tmp_path / kind
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"format": f"offloadsim-{kind}/1"}), encoding="utf-8")
    with pytest.raises(
        ResultsError, match=rf"is a {kind} directory, not a run's: read it with .*read_results"
    ):
        read_run(out)
    (tmp_path / "s.yaml").write_text("name: s\n", encoding="utf-8")
    with pytest.raises(ResultsError, match="is a file, not a run directory"):
        read_run(tmp_path / "s.yaml")


def test_stored_results_repr_is_short(tmp_path):
    from offloadsim.records.stored import read_results

    out = write_run(_result(), tmp_path / "run")
    text = repr(read_results(out))
    assert text.startswith("Results('run', path=") and "rows" in text and "\n" not in text


def test_repr_is_short():
    text = repr(_result())
    assert text.startswith("RunResult('tiny: policy edge") and "\n" not in text


def test_a_result_reads_its_own_records_after_a_later_run_takes_its_place(tmp_path):
    """A later run to the same directory moves this one aside (NAME.old-1): its records follow it."""
    import offloadsim

    quickstart = Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml"
    out = tmp_path / "run"
    first = offloadsim.run(quickstart, policy="edge", overrides=["duration=5 s"], stages=True, out=out)
    second = offloadsim.run(quickstart, policy="local", overrides=["duration=5 s"], stages=True, out=out)
    assert set(first.tasks["policy"].astype(str)) == {"edge"}
    assert first.path == tmp_path / "run.old-1" and second.path == out  # found where it was moved
    assert set(second.tasks["policy"].astype(str)) == {"local"}
    assert "transfer" in set(first.stages["kind"].astype(str))  # edge offloads; local never transfers
    unread = offloadsim.run(quickstart, policy="edge", overrides=["duration=5 s"], out=out, overwrite=True)
    offloadsim.run(quickstart, policy="local", overrides=["duration=5 s"], out=out, overwrite=True)
    with pytest.raises(ResultsError, match="replaced or removed after it was written"):
        unread.tasks  # noqa: B018  (deleted by the overwrite: an error, never the later run's records)


def test_a_result_whose_table_was_deleted_or_overwritten_in_its_directory_says_so_in_one_line(tmp_path):
    """The directory still there but tasks.parquet or stages.parquet deleted (or written over) in it
    ended in pyarrow's FileNotFoundError or ArrowInvalid, with a traceback, on first use."""
    import offloadsim

    quickstart = Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml"
    out = tmp_path / "run"
    result = offloadsim.run(quickstart, policy="edge", overrides=["duration=2 s"], stages=True, out=out)
    (out / "tasks.parquet").unlink()
    with pytest.raises(ResultsError, match=r"tasks\.parquet: no longer there \(deleted since"):
        result.tasks  # noqa: B018
    (out / "stages.parquet").write_bytes(b"garbage")
    with pytest.raises(ResultsError, match=r"cannot read .*stages\.parquet: .*not as offloadsim writes it"):
        result.stages  # noqa: B018


@pytest.mark.parametrize("given", [5, None, ["run"]])
def test_read_run_and_read_results_refuse_what_is_no_path_in_one_line(given):
    """read_run(5) and read_results(None) ended in pathlib's TypeError, with a traceback."""
    from offloadsim.records.stored import ExperimentError, read_results

    kind = type(given).__name__
    with pytest.raises(ResultsError, match=rf"^run_dir: expected a directory path, got {kind} "):
        read_run(given)
    with pytest.raises(ExperimentError, match=rf"^directory: expected a results directory path, got {kind} "):
        read_results(given)


def test_a_result_built_from_dataframes_is_written_with_the_engines_dictionary_rule(tmp_path):
    """The Python API path (frames, written through pandas' to_parquet) tried a dictionary for every
    column; it now keeps the engine writers' rule, and the files read back as pandas' did."""
    import pyarrow.parquet as pq

    r = _result(40)
    stages = pd.DataFrame(
        {"task_id": np.arange(3, dtype=np.int64), "kind": pd.Categorical(["compute", "transfer", "compute"])}
    )
    built = RunResult(
        tasks=r.tasks.copy(),
        nodes=r.nodes.copy(),
        links=r.links.copy(),
        summary=r.summary,
        manifest=dict(r.manifest),
        stages=stages,
    )
    out = write_run(built, tmp_path / "built")
    for name, frame in (("tasks", r.tasks), ("nodes", r.nodes), ("links", r.links), ("stages", stages)):
        file = pq.ParquetFile(out / f"{name}.parquet")
        row_group = file.metadata.row_group(0)
        for i, field in enumerate(file.schema_arrow):
            encoded = row_group.column(i).has_dictionary_page
            assert encoded == pa_is_dictionary(field.type), (name, field.name)
        pandas_file = tmp_path / f"{name}-pandas.parquet"
        frame.to_parquet(pandas_file, index=False)
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"), pd.read_parquet(pandas_file))
        assert file.schema_arrow.equals(pq.read_schema(pandas_file), check_metadata=True), name


def pa_is_dictionary(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_dictionary(kind)


def test_write_run_names_an_argument_that_is_no_run_result(tmp_path):
    from offloadsim.errors import RunError

    with pytest.raises(RunError, match=r"result: expected a RunResult .*got str 'x'"):
        write_run("x", tmp_path / "run")  # was AttributeError: 'str' object has no attribute 'manifest'
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("notes", [3, "no", None])
def test_format_table_refuses_notes_of_another_type(notes):
    from offloadsim.errors import RunError

    with pytest.raises(RunError, match="notes: expected True or False"):
        _result().format_table(notes=notes)  # 3 and "no" were read as true
