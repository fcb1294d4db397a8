"""One test per guarantee of docs/cli.md, section "Guarantees", in its order.

Exit status; all-or-nothing writing (a kill, a full disk); reruns; what is
hashed; signals and worker processes; locks.  Each test runs the command
line (in this process, or as a subprocess where a signal is involved).
"""

from __future__ import annotations

import atexit
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from experiment_data import SWEEP, TINY

from offloadsim import engine, outdir
from offloadsim.experiments import load_sweep, plan_sweep, read_results, storage, sweep
from offloadsim.experiments.storage import ExperimentError
from offloadsim.outdir import directory_lock

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def cli(cli_main, capsys, *argv) -> tuple[int, str, str]:
    code = cli_main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str, *fragments: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, err)
    return lines[0]


def everything(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*"))


def hidden(directory: Path) -> list[str]:
    """Temporary and partial files or directories left anywhere under ``directory``."""
    return [p for p in everything(directory) if ".partial-" in p or ".tmp-" in p]


# --------------------------------------------------------------------------- exit status


def test_exit_status_0_ok_2_user_error_1_bug_130_interrupted(cli_main, capsys, tiny, monkeypatch):
    folder = tiny.parent
    code, _, err = cli(cli_main, capsys, "run", tiny, "--out", folder / "ok", "-q", "--set", "duration=2 s")
    assert code == 0, err
    before = everything(folder)
    code, out, err = cli(cli_main, capsys, "run", tiny, "--out", folder / "x", "--set", "duration=soon")
    assert code == 2 and out == "" and everything(folder) == before
    one_error_line(err, "duration")

    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(engine, "simulate", bug)
    code, _, err = cli(cli_main, capsys, "run", tiny, "--out", folder / "x")
    assert code == 1 and "internal error: ZeroDivisionError" in err and "--debug" in err
    assert everything(folder) == before

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "simulate", ctrl_c)
    code, _, err = cli(cli_main, capsys, "run", tiny, "--out", folder / "x")
    assert code == 130 and err.strip() == "offloadsim: interrupted"
    assert everything(folder) == before


def test_a_closed_stdout_is_exit_141_silent_and_leaves_the_result_whole(tiny):
    """``offloadsim run ... | head -0``: the reader stopped reading; not a bug (1), and the run is on disk."""
    out = tiny.parent / "piped"
    command = [
        sys.executable,
        "-m",
        "offloadsim",
        "run",
        str(tiny),
        "--out",
        str(out),
        "--set",
        "duration=2 s",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, cwd=ROOT)
    assert process.stdout is not None
    process.stdout.close()  # before the run prints anything, so its first write finds the pipe closed
    _, err = process.communicate(timeout=120)
    assert process.returncode == 141, err
    assert err == b"", err
    assert (out / "manifest.json").is_file() and hidden(tiny.parent) == []


# --------------------------------------------------------------------------- all or nothing


KILLED_WHILE_WRITING = """
import sys, time
from offloadsim.records import results
from offloadsim.cli import main
real = results._write_files
def stalled(result, directory):
    (directory / "tasks.parquet").write_bytes(b"PAR1")  # a file begun, then the writer stalls
    print("writing", flush=True)
    time.sleep(600)
results._write_files = stalled
sys.exit(main(sys.argv[1:]))
"""


def test_a_run_killed_while_writing_leaves_only_a_hidden_partial_that_the_next_run_removes(
    cli_main, capsys, tiny
):
    folder = tiny.parent
    argv = ["run", str(tiny), "--out", str(folder / "results" / "run"), "-q", "--set", "duration=2 s"]
    with subprocess.Popen(
        [sys.executable, "-c", KILLED_WHILE_WRITING, *argv],
        cwd=folder,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as writer:
        try:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        finally:
            writer.kill()
    left = everything(folder / "results")
    assert len(left) == 2 and ".run.partial-" in left[0]  # the partial directory and its 4-byte file
    assert read_results_fails(folder / "results" / "run")

    code, _, err = cli(cli_main, capsys, *argv)
    assert code == 0
    assert "offloadsim: note: removed 1 unfinished result directory left by killed runs" in err
    assert hidden(folder) == [] and (folder / "results" / "run" / "manifest.json").is_file()


def read_results_fails(path: Path) -> bool:
    try:
        read_results(path)
    except ExperimentError:
        return True
    return False


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")


@pytest.mark.parametrize("verb", ["run", "compare"])
def test_a_full_disk_is_exit_2_one_line_and_nothing_written(cli_main, capsys, tiny, monkeypatch, verb):
    import pyarrow.parquet as pq

    folder = tiny.parent
    monkeypatch.setattr(pd.DataFrame, "to_parquet", no_space)
    monkeypatch.setattr(pq.ParquetWriter, "write_table", no_space)  # run writes with pyarrow alone
    argv = [verb, tiny, "--out", folder / "out", "--set", "duration=2 s"]
    if verb == "compare":
        argv += ["--policies", "local,edge", "-n", "1", "--workers", "1"]
    code, out, err = cli(cli_main, capsys, *argv)
    assert code == 2 and out == ""
    if verb == "run":
        one_error_line(err, f"cannot write results to {folder / 'out'}: No space left on device")
    else:  # the first to fail is keeping a run's task records on disk until the comparison is written
        one_error_line(err, "cannot write results to ", "the runs' task records", "No space left on device")
    assert everything(folder) == ["tiny.yaml"]


def test_a_sweep_on_a_full_disk_is_exit_2_one_line_and_keeps_what_finished(
    cli_main, capsys, sweep_file, monkeypatch
):
    import shutil

    real = shutil.move
    calls = []

    def fills_up(*args, **kwargs):  # the disk fills up as the third job's file goes into out/points
        calls.append(1)
        if len(calls) == 3:
            no_space()
        return real(*args, **kwargs)

    monkeypatch.setattr(shutil, "move", fills_up)
    out = sweep_file.parent / "out"
    code, _, err = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1", "-q")
    assert code == 2
    one_error_line(err, f"cannot write results to {out}: No space left on device", "finished jobs saved: 2;")
    assert hidden(out) == [] and not (out / "manifest.json").exists()
    assert len(list((out / "points").glob("*.parquet"))) == 2

    monkeypatch.setattr(shutil, "move", real)
    code, out_text, err = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1")
    assert code == 0 and "6 run, 2 reused" in out_text


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A 64 KiB file system (root only: mounting needs privileges)."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.fixture
def unforeseen(monkeypatch):
    """The disk fills after the check before the run found room (another writer): the writes must cope."""
    from offloadsim.scenario import refusal

    monkeypatch.setattr(refusal, "shortfall", lambda needs: None)


def test_a_run_foreseen_not_to_fit_a_real_file_system_is_refused_first(cli_main, capsys, tiny, tiny_tmpfs):
    out = tiny_tmpfs / "run"
    code, _, err = cli(cli_main, capsys, "run", tiny, "--out", out, "--set", "duration=600 s")
    assert code == 2
    # 64 KiB holds not even a run of no tasks by the estimate: no key of the scenario can make room
    one_error_line(err, "a run of this scenario writes about ", " kB", f"to {out} (", "is free there")
    one_error_line(err, "that is too little for any run", "free space or write elsewhere (--out)")
    assert "duration" not in err
    assert everything(tiny_tmpfs) == []


def test_a_real_full_disk_is_exit_2_one_line_and_nothing_half_written(
    cli_main, capsys, tiny, tiny_tmpfs, unforeseen
):
    out = tiny_tmpfs / "run"
    code, _, err = cli(cli_main, capsys, "run", tiny, "--out", out, "--set", "duration=600 s")
    assert code == 2  # about 0.5 MB of records for a 64 KiB file system
    one_error_line(err, f"cannot write results to {out}: No space left on device")
    assert everything(tiny_tmpfs) == []


def test_a_sweep_on_a_real_full_disk_is_exit_2_one_line_and_keeps_whole_jobs(
    cli_main, capsys, sweep_file, tiny_tmpfs, unforeseen
):
    out = tiny_tmpfs / "sweep"
    code, _, err = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1", "-q")
    assert code == 2
    one_error_line(err, f"cannot write results to {out}: No space left on device", "finished jobs saved: ")
    assert hidden(out) == [] and not (out / "manifest.json").exists()
    for file in (out / "points").glob("*.parquet"):  # what was saved is whole
        assert len(storage.read_job_file(file)[0]) > 0


# --------------------------------------------------------------------------- reruns


def test_rerunning_run_keeps_the_earlier_result_and_says_where(cli_main, capsys, tiny, monkeypatch):
    monkeypatch.chdir(tiny.parent)
    argv = ["run", "tiny.yaml", "--set", "duration=2 s", "-q"]
    code, out, err = cli(cli_main, capsys, *argv)
    assert code == 0 and err == ""
    first = json.loads((Path(out.strip()) / "manifest.json").read_text())
    code, out, err = cli(cli_main, capsys, *argv, "--seed", "5", "--out", out.strip())
    assert code == 0
    where = Path(out.strip())
    assert err == f"offloadsim: note: the earlier result in {where} was moved to {where}.old-1\n"
    assert json.loads((where / "manifest.json").read_text())["seed"] == 5
    assert json.loads(Path(f"{where}.old-1", "manifest.json").read_text()) == first


def test_rerunning_compare_with_other_policies_keeps_the_earlier_comparison(cli_main, capsys, tiny):
    out = tiny.parent / "cmp"
    common = ["compare", tiny, "--out", out, "-n", "1", "--workers", "1", "--set", "duration=2 s", "-q"]
    assert cli(cli_main, capsys, *common, "--policies", "local,edge")[0] == 0
    code, _, err = cli(cli_main, capsys, *common, "--policies", "edge,least-loaded")
    assert code == 0 and f"moved to {out}.old-1" in err
    assert read_results(out).metrics["policy"].unique().tolist() == ["edge", "least-loaded"]
    assert read_results(f"{out}.old-1").metrics["policy"].unique().tolist() == ["local", "edge"]


def test_overwrite_discards_and_a_directory_that_is_no_result_is_refused(cli_main, capsys, tiny):
    out = tiny.parent / "out"
    argv = ["run", tiny, "--out", out, "--set", "duration=2 s", "-q"]
    assert cli(cli_main, capsys, *argv)[0] == 0
    code, _, err = cli(cli_main, capsys, *argv, "--overwrite")
    assert code == 0 and err == "" and everything(tiny.parent).count("out") == 1
    assert not Path(f"{out}.old-1").exists()
    mine = tiny.parent / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    for overwrite in ([], ["--overwrite"]):
        code, _, err = cli(cli_main, capsys, "run", tiny, "--out", mine, *overwrite)
        assert code == 2
        one_error_line(err, "holds no offloadsim result but notes.txt", "remove it yourself")
        assert everything(mine) == ["notes.txt"]


def test_rerunning_a_sweep_resumes(cli_main, capsys, sweep_file):
    out = sweep_file.parent / "sw"
    argv = ["sweep", sweep_file, "--out", out, "--workers", "1"]
    code, text, _ = cli(cli_main, capsys, *argv)
    assert code == 0 and "8 run, 0 reused" in text
    code, text, _ = cli(cli_main, capsys, *argv)
    assert code == 0 and "0 run, 8 reused" in text


# --------------------------------------------------------------------------- what is hashed

WORK_SCENARIO = TINY.replace("work: {exponential: {mean: 1 GFLOP}}", "work: {empirical: work.csv}")
WORK_SWEEP = SWEEP.replace("base: tiny.yaml", "base: work.yaml")


def test_a_resumed_sweep_reruns_jobs_whose_files_changed(tmp_path):
    (tmp_path / "work.yaml").write_text(WORK_SCENARIO)
    (tmp_path / "sweep.yaml").write_text(WORK_SWEEP)
    (tmp_path / "work.csv").write_text("work\n0.1 GFLOP\n")
    before = sweep(tmp_path / "sweep.yaml", out=tmp_path / "out", workers=1)
    again = sweep(tmp_path / "sweep.yaml", out=tmp_path / "out", workers=1)
    assert (again.ran, again.reused) == (0, 8)

    (tmp_path / "work.csv").write_text("work\n2 GFLOP\n")  # 20x the work, the phones still stable
    after = sweep(tmp_path / "sweep.yaml", out=tmp_path / "out", workers=1)
    assert (after.ran, after.reused) == (8, 0)
    local = after.metrics["policy"] == "local"
    ratio = after.metrics.loc[local, "latency_mean_s"] / before.metrics.loc[local, "latency_mean_s"]
    assert (ratio > 10).all()  # 20x the work on the device; reusing the old jobs would give 1
    fresh = sweep(tmp_path / "sweep.yaml", out=tmp_path / "fresh", workers=1)
    pd.testing.assert_frame_equal(after.metrics.drop(columns="job"), fresh.metrics.drop(columns="job"))
    [item] = after.manifest["inputs"]
    assert item["key"] == "applications.job.work.empirical" and item["path"].endswith("work.csv")


ONNX_PROFILE_SCENARIO = """
name: files
duration: 2 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {profile: mine.json}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 2 ms}
applications:
  net: {onnx: net.onnx, input: 10 KB, output: 1 KB}
  job: {work: 1 GFLOP, input: 1 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: arrivals.csv}
policy: edge
"""


def test_the_hash_covers_every_file_the_scenario_reads(tmp_path):
    from offloadsim import api
    from offloadsim.records.results import scenario_hash
    from offloadsim.scenario.input_hashes import input_files

    (tmp_path / "files.yaml").write_text(ONNX_PROFILE_SCENARIO)
    (tmp_path / "net.onnx").write_bytes(b"not read until the run")
    (tmp_path / "arrivals.csv").write_text("time\n0.5\n")
    from offloadsim.world.profiles import SHIPPED_PROFILE_DIR

    shipped = SHIPPED_PROFILE_DIR / "xeon-ort-1t.json"
    (tmp_path / "mine.json").write_text(shipped.read_text())

    def current() -> tuple[str, list[str]]:
        scenario = api.load(tmp_path / "files.yaml")
        inputs = input_files(scenario)
        return scenario_hash(scenario.document, inputs), [i.key for i in inputs]

    first, keys = current()
    assert keys == ["applications.net.onnx", "nodes.edge.processor.profile", "workload[0].trace"]
    seen = {first}
    for name, extra in (("net.onnx", b"!"), ("arrivals.csv", b"1.5\n"), ("mine.json", b"\n")):
        with open(tmp_path / name, "ab") as handle:
            handle.write(extra)
        digest, _ = current()
        assert digest not in seen, name
        seen.add(digest)


def test_a_sweep_moved_with_its_files_resumes(tmp_path):
    """A sweep directory moved elsewhere (another checkout, machine) reuses its jobs; keys held paths."""
    import shutil

    here = tmp_path / "here"
    here.mkdir()
    (here / "work.yaml").write_text(WORK_SCENARIO)
    (here / "sweep.yaml").write_text(WORK_SWEEP)
    (here / "work.csv").write_text("work\n0.1 GFLOP\n")
    sweep(here / "sweep.yaml", out=here / "out", workers=1)
    shutil.copytree(here, tmp_path / "there")
    moved = sweep(tmp_path / "there" / "sweep.yaml", out=tmp_path / "there" / "out", workers=1)
    assert (moved.ran, moved.reused) == (0, 8)


def test_the_hash_does_not_depend_on_where_offloadsim_is_installed(tmp_path):
    """Another install of the same offloadsim (a second checkout, a venv) hashes quickstart alike.

    Quickstart reads the built-in profiles' files, which lie under the package: where that is
    must not enter its hash, nor a sweep's job keys (a sweep moved to another checkout resumes).
    """
    import shutil

    import offloadsim
    from offloadsim import api
    from offloadsim.experiments.jobs import job_key
    from offloadsim.records.results import scenario_hash
    from offloadsim.scenario.input_hashes import input_files

    scenario_file = Path(__file__).parents[2] / "scenarios" / "quickstart.yaml"
    package = Path(offloadsim.__file__).parent
    shutil.copytree(package, tmp_path / "copy" / "offloadsim", ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import sys, offloadsim\n"
        "from offloadsim import api\n"
        "from offloadsim.experiments.jobs import job_key\n"
        "from offloadsim.records.results import scenario_hash\n"
        "from offloadsim.scenario.input_hashes import input_files\n"
        "s = api.load(sys.argv[1]); i = input_files(s)\n"
        "print(offloadsim.__file__, scenario_hash(s.document, i), job_key(s.document, 0, inputs=i))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "copy")}
    done = subprocess.run(
        [sys.executable, "-c", code, str(scenario_file)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    where, copied_hash, copied_key = done.stdout.split()
    assert Path(where).is_relative_to(tmp_path)  # the copy ran, reading its own profile files
    scenario = api.load(scenario_file)
    inputs = input_files(scenario)
    assert any(Path(i.path).is_relative_to(package) for i in inputs)  # built-in files are hashed
    assert copied_hash == scenario_hash(scenario.document, inputs)
    assert copied_key == job_key(scenario.document, 0, inputs=inputs)


def test_a_scenario_moved_with_its_files_keeps_its_hash(tmp_path):
    """A scenario directory moved elsewhere (another machine) hashes alike; its files' bytes still count."""
    from offloadsim import api
    from offloadsim.records.results import scenario_hash
    from offloadsim.scenario.input_hashes import input_files
    from offloadsim.world.profiles import SHIPPED_PROFILE_DIR

    def made(directory: Path) -> str:
        directory.mkdir()
        (directory / "files.yaml").write_text(ONNX_PROFILE_SCENARIO)
        (directory / "net.onnx").write_bytes(b"not read until the run")
        (directory / "arrivals.csv").write_text("time\n0.5\n")
        (directory / "mine.json").write_text((SHIPPED_PROFILE_DIR / "xeon-ort-1t.json").read_text())
        scenario = api.load(directory / "files.yaml")
        return scenario_hash(scenario.document, input_files(scenario))

    here = made(tmp_path / "here")
    assert made(tmp_path / "there") == here
    with open(tmp_path / "there" / "arrivals.csv", "a") as handle:
        handle.write("1.5\n")
    scenario = api.load(tmp_path / "there" / "files.yaml")
    assert scenario_hash(scenario.document, input_files(scenario)) != here


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_hashing_never_opens_what_is_not_a_regular_file(tmp_path):
    from offloadsim.scenario import input_hashes

    os.mkfifo(tmp_path / "pipe")  # opening it to read would block until someone writes
    assert input_hashes._sha256(tmp_path / "pipe") == "not a regular file"
    assert input_hashes._sha256(tmp_path / "nothing") == "missing"


def test_a_file_rewritten_within_one_timestamp_tick_is_hashed_again(tmp_path):
    """A file system stamps files with a coarse clock (a kernel tick, 1-10 ms, before Linux 6.13).

    An input rewritten in place with as many bytes within one tick keeps its size, mtime and
    inode, the key of the hash cache: a resumed sweep in the same process would take the old
    hash, and reuse jobs run on the old file.  Setting both mtimes alike here is that tick.
    """
    from offloadsim.scenario import input_hashes

    path = tmp_path / "arrivals.csv"
    tick = time.time_ns()
    path.write_text("time\n0.5\n")
    os.utime(path, ns=(tick, tick))
    first = input_hashes._sha256(path)
    path.write_text("time\n0.7\n")
    os.utime(path, ns=(tick, tick))
    assert input_hashes._sha256(path) != first
    old = tick - 60 * 10**9  # a file left alone for a minute is read once
    os.utime(path, ns=(old, old))
    input_hashes._sha256(path)
    reads = input_hashes._hash_file.cache_info().hits
    input_hashes._sha256(path)
    assert input_hashes._hash_file.cache_info().hits == reads + 1


def test_a_scenario_that_reads_no_file_keeps_the_hash_of_its_document(tiny):
    from offloadsim import api
    from offloadsim.records.results import scenario_hash
    from offloadsim.scenario.input_hashes import input_files

    scenario = api.load(tiny)
    assert input_files(scenario) == ()
    text = json.dumps(scenario.document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    import hashlib

    assert scenario_hash(scenario.document) == hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- merging


def test_a_merge_killed_midway_never_reads_as_a_valid_mixed_result(sweep_file, monkeypatch):
    out = sweep_file.parent / "out"
    sweep(sweep_file, out=out, workers=1)
    sweep_file.write_text(SWEEP.replace("replications: 2", "replications: 3"))
    real = os.replace
    replaced = []

    def killed_after_the_first_table(src, dst):
        if Path(dst).parent == out:  # a merged table, not a job file in points/
            if replaced:
                raise KeyboardInterrupt
            replaced.append(dst)
        real(src, dst)

    monkeypatch.setattr(outdir.os, "replace", killed_after_the_first_table)
    with pytest.raises(KeyboardInterrupt):
        sweep(sweep_file, out=out, workers=1)
    assert [Path(p).name for p in replaced] == ["tasks.parquet"]
    with pytest.raises(ExperimentError, match=r"no manifest\.json"):
        read_results(out)  # new tasks, old metrics: refused, not read as valid
    assert hidden(out) == []

    monkeypatch.setattr(outdir.os, "replace", real)
    resumed = sweep(sweep_file, out=out, workers=1)
    assert (resumed.ran, resumed.reused) == (0, 12)
    fresh = sweep(sweep_file, out=sweep_file.parent / "fresh", workers=1)
    back = read_results(out)
    pd.testing.assert_frame_equal(back.tasks, fresh.tasks)
    pd.testing.assert_frame_equal(back.metrics, fresh.metrics)


def test_tables_that_disagree_with_their_manifest_are_refused(sweep_file):
    out = sweep(sweep_file, out=sweep_file.parent / "out", workers=1).path
    tasks = pd.read_parquet(out / "tasks.parquet")
    tasks.iloc[: len(tasks) // 2].to_parquet(out / "tasks.parquet")  # as an older version could leave it
    with pytest.raises(ExperimentError, match=r"inconsistent: manifest.json counts \d+ rows of tasks"):
        read_results(out)


# --------------------------------------------------------------------------- signals and workers

SLOW_SWEEP = SWEEP.replace("replications: 2", "replications: 6").replace(
    "base: tiny.yaml", "base: tiny.yaml\nset: {duration: 300 s}"
)


def session_processes(session: int) -> list[str]:
    """Live processes (zombies excluded) in process group ``session``, as ``pid cmdline``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if int(fields[2]) == session and fields[0] not in ("Z", "X"):
            found.append(f"{entry.name} {command[:100]}")
    return found


def _short_temporary(folder: Path) -> Path:
    """``folder/tmp``, a link to a new folder of a short path (removed as the test process ends).

    multiprocessing's forkserver listens on a socket in ``$TMPDIR``, whose path must fit in 107
    bytes: a test's own folder under xdist's base (``/tmp/pytest-of-root/pytest-100/popen-gw1/...``)
    did not once the base's number reached three digits, and the command failed to start workers.
    The command now makes that folder in ``/tmp`` instead, but these tests keep it short: so that
    multiprocessing's ``pymp-*`` folder stays in this one, where they look for what was left behind
    (and what a killed command leaves goes with it, not loose in the machine's ``/tmp``).
    """
    short = Path(tempfile.mkdtemp(prefix="ofs-", dir="/tmp" if Path("/tmp").is_dir() else None))
    atexit.register(shutil.rmtree, short, True)
    (folder / "tmp").symlink_to(short, target_is_directory=True)
    return folder / "tmp"


class Watched:
    """A command in its own session with its stdout and stderr piped, and when each pipe closed."""

    def __init__(self, argv: list[str], cwd: Path):
        # Its own $TMPDIR: what a killed command cannot remove (its scratch folder, multiprocessing's)
        # stays in a folder of its own, not loose in the machine's /tmp.
        temporary = cwd / "tmp" if (cwd / "tmp").exists() else _short_temporary(cwd)
        self.process = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-m", "offloadsim", *argv],
            cwd=cwd,
            env={**ENV, "TMPDIR": str(temporary.resolve())},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.closed: list[float] = []
        self.stderr: list[bytes] = []
        threading.Thread(target=self._drain, args=(self.process.stdout, []), daemon=True).start()
        threading.Thread(target=self._drain, args=(self.process.stderr, self.stderr), daemon=True).start()

    def _drain(self, pipe, keep: list[bytes]) -> None:
        keep.append(pipe.read())
        self.closed.append(time.monotonic())

    def wait_until_gone(self, within_s: float) -> float:
        """Seconds until both pipes reached EOF and no process of the session is left."""
        start = time.monotonic()
        while time.monotonic() - start < within_s:
            if len(self.closed) == 2 and not session_processes(self.process.pid):
                return time.monotonic() - start
            time.sleep(0.05)
        left = session_processes(self.process.pid)
        if self.process.poll() is None:  # show where it is stuck: faulthandler dumps every thread
            os.kill(self.process.pid, signal.SIGABRT)
            time.sleep(2)
        for line in session_processes(self.process.pid):
            os.kill(int(line.split()[0]), signal.SIGKILL)
        time.sleep(1)
        err = b"".join(self.stderr).decode(errors="replace")[-6000:]
        raise AssertionError(f"after {within_s} s: {len(self.closed)}/2 pipes closed, left: {left}\n{err}")


def start_sweep(folder: Path) -> Watched:
    """A two-worker sweep, once its first job has finished."""
    (folder / "slow.yaml").write_text(SLOW_SWEEP)
    watched = Watched(["sweep", "slow.yaml", "--out", "out", "--workers", "2", "-q"], folder)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and watched.process.poll() is None:
        if list((folder / "out" / "points").glob("*.parquet")):
            break
        time.sleep(0.02)
    assert watched.process.poll() is None, "the sweep ended before it could be killed"
    return watched


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, 143)])
def test_a_killed_sweep_closes_the_callers_pipes_leaves_no_process_and_keeps_its_jobs(
    tmp_path, sweep_file, signum, status
):
    sweep_command = start_sweep(tmp_path)
    with sweep_command.process as process:
        process.send_signal(signum)
        sweep_command.wait_until_gone(within_s=10)
    assert process.returncode == status
    out = tmp_path / "out"
    assert not (out / "manifest.json").exists()
    keys = {job.key for job in plan_sweep(load_sweep(tmp_path / "slow.yaml"))}
    finished = sorted((out / "points").glob("*.parquet"))
    assert 1 <= len(finished) < len(keys)
    if signum == signal.SIGTERM:  # cleaned up like Ctrl-C; SIGKILL's leftovers go at the next sweep
        said = re.fullmatch(
            r"offloadsim: terminated; (\d+) of (\d+) jobs saved in (.+): the same command resumes them\n",
            b"".join(sweep_command.stderr).decode(),
        )
        assert said, b"".join(sweep_command.stderr)
        assert (int(said[1]), int(said[2])) == (len(finished), len(keys))
        assert (tmp_path / said[3]).resolve() == out.resolve()
        assert hidden(out) == []
    for file in finished:  # whole job files of this sweep: a rerun reuses them
        assert file.stem in keys and len(storage.read_job_file(file)[0]) > 0


BIG_RESULTS = """
import sys
from offloadsim.experiments.executors import execute
from offloadsim.experiments.jobs import Job

def big(job):
    return b"x" * (30 << 20)  # sent back through a pipe in many pieces

def first(job, result):
    raise KeyboardInterrupt  # as Ctrl-C would, while the other worker is still sending

if __name__ == "__main__":
    jobs = [Job(key=str(i), index=i, replication=0, scenario=None) for i in range(6)]
    try:
        execute(jobs, first, workers=2, runner=big)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""


def test_stopping_the_pool_while_a_worker_sends_its_result_does_not_hang_the_exit(tmp_path):
    (tmp_path / "big_results.py").write_text(BIG_RESULTS)
    env = {**ENV, "PYTHONPATH": os.pathsep.join([ENV["PYTHONPATH"], str(tmp_path)])}
    with subprocess.Popen(
        [sys.executable, "big_results.py"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None and process.stdout.readline() == "interrupted\n"
            process.wait(timeout=30)  # hung for ever on Python's exit-time join of the pool's thread
        finally:
            process.kill()
    assert process.returncode == 0


def test_sigterm_message_is_one_line(cli_main, capsys, tiny, monkeypatch):
    def terminated(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends

    monkeypatch.setattr(engine, "simulate", terminated)
    code, _, err = cli(cli_main, capsys, "run", tiny, "--out", tiny.parent / "x")
    assert code == 143 and err == "offloadsim: terminated\n"
    assert everything(tiny.parent) == ["tiny.yaml"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored after the command


# --------------------------------------------------------------------------- locks


def test_a_second_sweep_on_a_directory_in_use_is_refused_and_touches_nothing(cli_main, capsys, sweep_file):
    out = sweep_file.parent / "out"
    (out / "points").mkdir(parents=True)
    theirs = out / "points" / ".0123456789abcdef.parquet.tmp-aaaaaaaaaaaa"
    theirs.write_bytes(b"being written by the first sweep")
    with directory_lock(out, "sweep first.yaml"):
        code, _, err = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1")
        assert code == 2
        one_error_line(
            err, f"{out} is in use by another offloadsim process (sweep first.yaml, pid {os.getpid()}"
        )
        assert theirs.exists()
        code, _, err = cli(cli_main, capsys, "run", sweep_file.parent / "tiny.yaml", "--out", out)
        assert code == 2
        one_error_line(err, "in use by another offloadsim process")
    code, _, _ = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1", "-q")
    assert code == 0 and not theirs.exists()  # the lock is free: what is left there is stale


def test_a_sweep_refused_by_the_lock_leaves_the_folders_the_holder_works_in(sweep_file, monkeypatch):
    """Two sweeps of one new folder started together: the first made out/ (and points/) and locked it.

    The refused one removed the empty folders it had made (points/, the holder's, before its first
    job was saved), and the holder failed at its first job: 'cannot write results ... No such file'.
    Now a sweep makes its folders under the lock, and one refused removes only empty ones.
    """
    import importlib

    from offloadsim.outdir import DirectoryLockedError

    module = importlib.import_module("offloadsim.experiments.sweep")
    out = sweep_file.parent / "new" / "out"
    real = module.directory_lock
    first: list[object] = []

    def taken_first(directory: Path, what: str, *created):
        if not first:  # the other sweep, just before our lock
            first.append(real(directory, "sweep first.yaml", outdir.missing_directories(directory)))
            first[0].__enter__()
            (directory / "points").mkdir(exist_ok=True)  # as a sweep does under its lock
        return real(directory, what, *created)

    monkeypatch.setattr(module, "directory_lock", taken_first)
    try:
        with pytest.raises(DirectoryLockedError, match=r"sweep first\.yaml"):
            sweep(sweep_file, out=out, workers=1)
        assert (out / "points").is_dir()  # where the first sweep saves its jobs
    finally:
        for lock in first:
            lock.__exit__(None, None, None)
    monkeypatch.undo()
    assert sweep(sweep_file, out=out, workers=1).ran == 8


def test_a_sweep_that_fails_before_any_job_leaves_the_folders_of_one_that_locks_after_it(
    sweep_file, monkeypatch
):
    """Sweep A of a new folder fails before any job (no scheduler, say); sweep C started with it locks after.

    A made out/ and out/points/, C found them made; A let go of the lock and then removed them (empty):
    C failed to take the lock ('cannot lock ...: No such file or directory') or, locked between the two,
    at its first job.  Now a sweep removes what it made only while holding the lock, and one that
    locks after makes again what went.
    """
    import importlib

    module = importlib.import_module("offloadsim.experiments.sweep")
    out = sweep_file.parent / "new" / "out"
    real_lock, real_execute = module.directory_lock, module.execute
    a_prepared, c_prepared = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def lock(directory: Path, what: str, *created):
        if threading.current_thread().name == "A":
            a_prepared.set()
            assert c_prepared.wait(30)  # C made (found) its folders too
        else:
            c_prepared.set()
            a.join(30)  # A locks, fails before any job and cleans up, all before C locks
            assert not a.is_alive()
        return real_lock(directory, what, *created)

    def execute(*args, **kwargs):
        if threading.current_thread().name == "A":
            raise ExperimentError("cannot connect to the Dask scheduler at tcp://127.0.0.1:9")
        return real_execute(*args, **kwargs)

    def sweep_a():
        try:
            sweep(sweep_file, out=out, workers=1)
        except BaseException as error:
            failed.append(error)

    monkeypatch.setattr(module, "directory_lock", lock)
    monkeypatch.setattr(module, "execute", execute)
    a = threading.Thread(target=sweep_a, name="A")
    a.start()
    assert a_prepared.wait(30)
    assert sweep(sweep_file, out=out, workers=1).ran == 8
    assert len(failed) == 1 and "Dask scheduler" in str(failed[0])
    assert len(list((out / "points").iterdir())) == 8 and (out / "manifest.json").is_file()


@pytest.mark.parametrize("moment", ["moved", "moved and made again"])
def test_two_sweeps_on_a_run_result_move_it_aside_once(cli_main, capsys, sweep_file, monkeypatch, moment):
    """Two sweeps started together on a folder that holds a run: the other one moves it aside first.

    'moved': between this sweep's "it holds a run" and its move, the rename found nothing and the
    sweep ended in a traceback (FileNotFoundError).  'moved and made again': the other one has also
    made its new out/points/ there, which this sweep then moved aside as if it were the run.
    """
    import importlib

    from offloadsim.outdir import move_aside

    module = importlib.import_module("offloadsim.experiments.sweep")
    out = sweep_file.parent / "out"
    code, _, _ = cli(cli_main, capsys, "run", sweep_file.parent / "tiny.yaml", "--out", out)
    assert code == 0 and (out / "manifest.json").is_file()
    real = module.is_result_directory
    moved: list[Path] = []

    def the_other_moves_it_first(directory: Path) -> bool:
        holds = real(directory)
        if not moved:
            moved.append(move_aside(directory))  # the other sweep, at this moment
            if moment == "moved and made again":
                (directory / "points").mkdir(parents=True)
        return holds

    monkeypatch.setattr(module, "is_result_directory", the_other_moves_it_first)
    code, _, err = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1", "-q")
    assert code == 0, err
    assert moved == [out.with_name("out.old-1")] and (moved[0] / "manifest.json").is_file()  # the run
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith("out")) == ["out", "out.old-1"]
    assert len(list((out / "points").iterdir())) == 8


def test_two_sweeps_on_a_run_result_take_turns_at_the_move(cli_main, capsys, sweep_file, monkeypatch):
    """The other sweep, started together, moves the run aside and makes its own folder just before this
    sweep's move (after its last look).

    This sweep then moved the other's new folder, locked and working, to out.old-2 from under it.
    Now a sweep looks and moves holding the folder's lock: the other one is refused at that moment
    (or, locking first, this one is), and the run is moved once.
    """
    import importlib

    from offloadsim.outdir import DirectoryLockedError, move_aside

    module = importlib.import_module("offloadsim.experiments.sweep")
    out = sweep_file.parent / "out"
    code, _, _ = cli(cli_main, capsys, "run", sweep_file.parent / "tiny.yaml", "--out", out)
    assert code == 0 and (out / "manifest.json").is_file()
    other: list = []

    def the_other_sweep_first(directory: Path) -> Path:
        if not other:  # the other sweep, following the same steps as this one would
            try:
                with directory_lock(directory, "sweep other.yaml"):
                    moved = move_aside(directory)
                (moved / outdir.LOCK_FILE).unlink()  # the lock file went with the run it locked
            except DirectoryLockedError:
                other.append("refused")
            else:
                lock = directory_lock(directory, "sweep other.yaml", outdir.missing_directories(directory))
                lock.__enter__()
                (directory / "points").mkdir()
                other.append(lock)
        return move_aside(directory)

    monkeypatch.setattr(module, "move_aside", the_other_sweep_first)
    try:
        code, _, err = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1", "-q")
        assert other == ["refused"]
        assert code == 0, err
    finally:
        for lock in other:
            if lock != "refused":
                lock.__exit__(None, None, None)
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith("out")) == ["out", "out.old-1"]
    formats = [
        json.loads((d / "manifest.json").read_text())["format"] for d in (out.with_name("out.old-1"), out)
    ]
    assert [f.split("/")[0] for f in formats] == ["offloadsim-run", "offloadsim-sweep"], formats
    assert len(list((out / "points").iterdir())) == 8


def test_a_run_that_lands_in_a_sweeps_new_folder_before_its_lock_is_moved_aside_whole(
    cli_main, capsys, sweep_file, monkeypatch
):
    """A run into a new folder finishes just as a sweep of it starts, before the sweep locks it.

    The sweep had made out/points/ before locking: the run moved that aside as a result (out.old-1,
    an empty points/), took the name, and the sweep worked in the run's result, its manifest and
    tables replaced by the sweep's.  Now the sweep makes its folder and looks at it holding the lock:
    the run, found there, goes to out.old-1 whole.
    """
    import importlib

    module = importlib.import_module("offloadsim.experiments.sweep")
    out = sweep_file.parent / "out"
    real = module.directory_lock
    ran: list[int] = []

    def a_run_lands_first(directory: Path, what: str, *created):
        if not ran:
            ran.append(cli(cli_main, capsys, "run", sweep_file.parent / "tiny.yaml", "--out", out, "-q")[0])
        return real(directory, what, *created)

    monkeypatch.setattr(module, "directory_lock", a_run_lands_first)
    code, _, err = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1", "-q")
    assert ran == [0] and code == 0, err
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith("out")) == ["out", "out.old-1"]
    run = out.with_name("out.old-1")
    assert json.loads((run / "manifest.json").read_text())["format"].startswith("offloadsim-run")
    assert not (run / "points").exists() and len(list((out / "points").iterdir())) == 8


@pytest.mark.parametrize("error", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_a_sweep_whose_lock_file_cannot_be_made_says_why_in_one_line_and_leaves_nothing(
    cli_main, capsys, sweep_file, monkeypatch, error
):
    """Permission denied, a read-only file system, a full disk: the folders it made were left behind."""
    out = sweep_file.parent / "new" / "out"
    before = everything(sweep_file.parent)
    real = os.open

    def refused(path, flags, *args, **kwargs):
        if str(path).endswith(outdir.LOCK_FILE) and flags & os.O_CREAT:
            raise OSError(error, os.strerror(error), str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    code, out_text, err = cli(cli_main, capsys, "sweep", sweep_file, "--out", out, "--workers", "1")
    monkeypatch.undo()
    assert code == 2 and out_text == ""
    one_error_line(err, f"cannot lock {out}: {os.strerror(error)}")
    assert everything(sweep_file.parent) == before


def _compare_in_temporary(folder: Path, workers: int, verb: str = "compare") -> tuple[subprocess.Popen, Path]:
    """A long compare (or sweep) of two runs of M/M/1 in its own session, with ``$TMPDIR`` in ``folder``."""
    temporary = _short_temporary(folder)
    mm1 = ROOT / "benchmarks" / "scenarios" / "mm1.yaml"
    if verb == "compare":
        argv = ["compare", str(mm1), "--policies", "local,random", "--replications", "1"]
        argv += ["--set", "duration=1e6 s"]
    else:
        (folder / "long.yaml").write_text(
            f"base: {mm1}\nset: {{duration: 1e6 s}}\npolicies: [local, random]\nreplications: 1\n"
        )
        argv = ["sweep", "long.yaml"]
    argv += ["--workers", str(workers), "--out", "out", "-q"]
    process = subprocess.Popen(
        [sys.executable, "-m", "offloadsim", *argv],
        cwd=folder,
        env={**ENV, "TMPDIR": str(temporary.resolve())},
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_hears_ctrl_c,
    )
    return process, temporary


def _hears_ctrl_c() -> None:
    """SIGINT back to its default in the command, which Python then turns into KeyboardInterrupt.

    A command started in the background by a shell without job control (CI run with ``&``) inherits
    SIGINT ignored, and Python leaves an ignored SIGINT ignored: the interrupt these tests send would
    go unheard and the command run to its end.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(found, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not found() and process.poll() is None:
        time.sleep(0.01)
    if not found():
        process.kill()
        raise AssertionError(f"{what} never happened")


@pytest.mark.parametrize("verb", ["compare", "sweep"])
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_experiment_leaves_nothing_in_the_temporary_directory(tmp_path, signum, workers, verb):
    """The command ends with os._exit (no exit handlers): its scratch directory is removed first.

    Jobs spill their records into the command's scratch directory, in worker processes too, and
    the command removes it (with what the stopped workers left) and multiprocessing's own
    ``pymp-*`` directory before it exits.
    """
    if verb == "sweep" and workers == 1 and signum == signal.SIGTERM:
        pytest.skip("covered by the other cases: the sweep's scratch is removed in the same finally")
    process, temporary = _compare_in_temporary(tmp_path, workers, verb)
    with process:
        _wait_for(lambda: list(temporary.glob("**/chunk-*.arrays")), "a spilled chunk of records", process)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    assert process.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[signum]
    assert err.decode().strip() in ("offloadsim: interrupted", "offloadsim: terminated")
    _wait_for(lambda: not session_processes(process.pid), "the end of every worker", process)
    assert sorted(p.name for p in temporary.iterdir()) == []
    if verb == "compare":
        assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_while_the_workers_start_prints_one_line(tmp_path):
    """The terminal's Ctrl-C reaches the whole process group, the forkserver importing its modules too."""
    process, temporary = _compare_in_temporary(tmp_path, 2)
    with process:
        forkserver = lambda: [p for p in session_processes(process.pid) if "forkserver" in p]  # noqa: E731
        _wait_for(forkserver, "the forkserver's start", process)
        os.killpg(process.pid, signal.SIGINT)  # as the terminal does: every process of the group
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.decode() == "offloadsim: interrupted\n"
    _wait_for(lambda: not session_processes(process.pid), "the end of every worker", process)
    assert sorted(p.name for p in temporary.iterdir()) == []


# --------------------------------------------------------------------------- a long $TMPDIR

# The command, telling at its exit (before multiprocessing's own exit handler removes it) which
# folder multiprocessing made for the forkserver's socket, and its mode.
TELLS_ITS_SOCKET_FOLDER = """
import atexit, os, sys
from offloadsim.experiments.socket_folder import made_folder

def tell():
    folder = made_folder()
    print("socket folder:", folder, oct(os.stat(folder).st_mode & 0o777), file=sys.stderr)

atexit.register(tell)  # after multiprocessing's: so run before it
from offloadsim.cli.main import entry
entry()
"""


def _long_temporary(folder: Path) -> Path:
    """A folder under ``folder`` whose path is too long for a socket in multiprocessing's folder there."""
    long = folder / ("t" * 90)
    long.mkdir()
    return long


@pytest.mark.parametrize("verb", ["compare", "sweep"])
def test_workers_start_under_a_long_tmpdir_and_leave_nothing_behind(
    cli_main, capsys, tiny, monkeypatch, verb
):
    """A long ``$TMPDIR`` (a cluster's job folder) made both exit 1 before any worker started."""
    from offloadsim.experiments.socket_folder import SYSTEM_FOLDERS

    folder = tiny.parent
    long = _long_temporary(folder)
    argv = [verb, "tiny.yaml", "--policies", "local,edge", "--replications", "1", "--set", "duration=5 s"]
    if verb == "sweep":
        (folder / "short.yaml").write_text("base: tiny.yaml\nset: {duration: 5 s}\npolicies: [local, edge]\n")
        argv = [verb, "short.yaml"]
    process = subprocess.run(
        [sys.executable, "-c", TELLS_ITS_SOCKET_FOLDER, *argv, "--workers", "2", "--out", "long", "-q"],
        cwd=folder,
        env={**ENV, "TMPDIR": str(long)},
        capture_output=True,
        timeout=300,
    )
    err = process.stderr.decode()
    assert process.returncode == 0, err
    said, socket_folder, mode = err.strip().splitlines()[-1].rsplit(" ", 2)
    assert said == "socket folder:" and mode == "0o700"
    assert Path(socket_folder).parent in {Path(f) for f in SYSTEM_FOLDERS}
    assert not Path(socket_folder).exists()  # removed as the command ended
    assert list(long.iterdir()) == []
    monkeypatch.chdir(folder)
    code, _, err = cli(cli_main, capsys, *argv, "--workers", "1", "--out", "short", "-q")
    assert code == 0, err
    for table in ("tasks.parquet", "summary.parquet"):
        records = pd.read_parquet(folder / "long" / table)
        assert len(records) > 0
        pd.testing.assert_frame_equal(records, pd.read_parquet(folder / "short" / table))


# The command, with the short folder it may make multiprocessing's in (its first argument) in place of
# the system's /tmp: one of the test's own, so that what is left behind there is the command's alone.
SOCKET_FOLDER_IN = """
import sys
from offloadsim.experiments import socket_folder
socket_folder.SYSTEM_FOLDERS = (sys.argv.pop(1),)
from offloadsim.cli.main import entry
entry()
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_of_compare_with_workers_under_a_long_tmpdir_leaves_no_folder_behind(tmp_path):
    """docs/cli.md's Ctrl-C row where ``$TMPDIR`` is too long for the workers' socket: exit 130, one
    line, no result, and neither the scratch in ``$TMPDIR`` nor the ``pymp-*`` folder made in the
    short one (``/tmp``'s stand-in) left behind, nor a worker.  The command ends with ``os._exit``:
    multiprocessing's exit handler never runs, so the command's own removes that folder."""
    long = _long_temporary(tmp_path)
    short = Path(tempfile.mkdtemp(prefix="ofl-", dir="/tmp" if Path("/tmp").is_dir() else None))
    mm1 = ROOT / "benchmarks" / "scenarios" / "mm1.yaml"
    argv = ["compare", str(mm1), "--policies", "local,random", "--replications", "1"]
    argv += ["--set", "duration=1e6 s", "--workers", "2", "--out", "out", "-q"]
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", SOCKET_FOLDER_IN, str(short), *argv],
            cwd=tmp_path,
            env={**ENV, "TMPDIR": str(long)},
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_hears_ctrl_c,
        )
        with process:
            _wait_for(lambda: list(long.glob("**/chunk-*.arrays")), "a spilled chunk of records", process)
            assert [p.name.split("-")[0] for p in short.iterdir()] == ["pymp"]  # the socket's, made there
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=120)
        assert process.returncode == 130
        assert err.decode() == "offloadsim: interrupted\n"
        deadline = time.monotonic() + 60  # the stopped workers' exit, after the command's
        while session_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert session_processes(process.pid) == []
        assert list(long.iterdir()) == [] and list(short.iterdir()) == []
        assert not (tmp_path / "out").exists()
    finally:
        shutil.rmtree(short, ignore_errors=True)


def test_a_long_tmpdir_and_no_short_folder_is_exit_2_one_line(cli_main, capsys, tiny, monkeypatch):
    from offloadsim.errors import shown_path
    from offloadsim.experiments import socket_folder

    long = _long_temporary(tiny.parent)
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    monkeypatch.setattr(socket_folder, "SYSTEM_FOLDERS", (str(tiny.parent / "gone"),))
    monkeypatch.setattr(socket_folder, "made_folder", lambda: None)  # as in a fresh command
    argv = ["compare", tiny, "--policies", "local,edge", "--replications", "1", "--workers", "2"]
    code, out, err = cli(cli_main, capsys, *argv, "--out", tiny.parent / "out")
    assert code == 2 and out == ""
    one_error_line(err, f"$TMPDIR ({shown_path(long)}) is too long", "TMPDIR to a shorter", "--workers 1")
    assert not (tiny.parent / "out").exists() and not (tiny.parent / "gone").exists()
    assert list(long.iterdir()) == []
