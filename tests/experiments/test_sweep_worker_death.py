"""A worker process that dies (killed, out of memory, ``os._exit``) fails its own job, not the sweep.

A plug-in policy kills the process that runs it while a marker file exists: every job of its
entry dies, every ``local`` job finishes.  The sweep runs them all, keeps what finished, names in
``failures.log`` exactly the jobs whose worker died and how (the same file whatever the worker
count), exits 2 in one line, and, the marker gone, the same command runs only the failed jobs and
merges tables equal to those of a sweep run on one worker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from experiment_data import SWEEP as STANDARD_SWEEP

ROOT = Path(__file__).resolve().parents[2]

POLICY = '''
import os
import signal
from pathlib import Path

from offloadsim.policies import Plan, register_policy


@register_policy("dying")
class Dying:
    """Run every task on its source, or end this process first while the marker file is there."""

    def decide(self, task, view):
        if Path(os.environ["DYING_MARKER"]).exists():
            HOW
        return Plan.run_on(task.source)
'''

HOW = {"kill": "os.kill(os.getpid(), signal.SIGKILL)", "exit": "os._exit(3)"}

SCRIPT = """
import sys

if __name__ == "__main__":
    import dying_policy  # noqa: F401  (registers it; the workers import it again)
    from offloadsim.cli import main

    sys.exit(main(sys.argv[1:]))
"""

SWEEP = STANDARD_SWEEP.replace("policies: [local, edge]", "policies: [local, dying]")  # 4 of 8 jobs die


def _command(folder: Path, how: str) -> tuple[Callable[..., subprocess.CompletedProcess[str]], Path]:
    """What runs ``offloadsim ARGS`` in ``folder`` with the dying policy registered, and its marker file."""
    (folder / "site").mkdir()
    (folder / "site" / "dying_policy.py").write_text(POLICY.replace("HOW", HOW[how]), encoding="utf-8")
    script = folder / "offloadsim_dying.py"
    script.write_text(SCRIPT, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    marker = folder / "die"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(folder / "site")]),
        "DYING_MARKER": str(marker),
    }

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(script), *argv],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run, marker


def _sweeper(folder: Path, how: str) -> tuple[Callable[[str, int], subprocess.CompletedProcess[str]], Path]:
    """What runs the sweep into ``out`` on ``workers`` workers, and the marker file."""
    command, marker = _command(folder, how)

    def run(out: str, workers: int) -> subprocess.CompletedProcess[str]:
        return command("sweep", "sweep.yaml", "--out", out, "--workers", str(workers), "--quiet")

    return run, marker


def _ran_and_reused(out: Path) -> tuple[int, int]:
    """The jobs the latest run into ``out`` ran and reused, as its manifest says them."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    latest = (manifest.get("resumed") or [manifest])[-1]
    return latest["jobs_run"], latest["jobs_reused"]


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in ("tasks", "metrics", "summary")}


@pytest.mark.parametrize(
    ("how", "ended"),
    [
        ("kill", "killed by SIGKILL: kill -9, or the out-of-memory killer"),
        ("exit", "it exited with status 3, no Python error: os._exit, or a crash in native code"),
    ],
)
def test_a_dead_worker_fails_its_job_alone_and_the_rerun_runs_only_it(tiny, how, ended):
    folder = tiny.parent
    run, marker = _sweeper(folder, how)
    marker.touch()
    died = run("two", 2)
    assert died.returncode == 2, died.stderr[-3000:]
    said = died.stderr.strip().splitlines()
    assert len(said) == 1, died.stderr
    assert said[0].startswith("offloadsim: error: 4 of 8 jobs failed (first: "), said[0]
    assert f"its worker process died running it ({ended})); the 4 that finished" in said[0]
    assert "the 4 that finished are saved, errors in two/failures.log; rerun the same command" in said[0]
    assert len(list((folder / "two" / "points").glob("*.parquet"))) == 4
    assert not (folder / "two" / "manifest.json").exists()
    log = (folder / "two" / "failures.log").read_text(encoding="utf-8")
    heads = [line for line in log.splitlines() if line.startswith("== ")]
    assert len(heads) == 4 and all("policy.name=dying" in head for head in heads), log
    assert log.count(ended) == 4 and "Traceback" not in log

    if how != "kill":  # how it died is said: the rest is as above
        return
    assert run("three", 3).returncode == 2  # the same jobs fail, said alike, on three workers
    assert (folder / "three" / "failures.log").read_text(encoding="utf-8") == log

    marker.unlink()
    rerun = run("two", 2)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _ran_and_reused(folder / "two") == (4, 4)
    assert not (folder / "two" / "failures.log").exists()
    whole = run("one", 1)
    assert whole.returncode == 0, whole.stderr[-3000:]
    for name, table in _tables(folder / "one").items():
        pd.testing.assert_frame_equal(_tables(folder / "two")[name], table, obj=name)


def test_on_one_worker_a_job_that_kills_the_process_ends_the_sweep_and_loses_nothing_finished(tiny):
    """One worker runs the jobs in the command's own process: a job killing it kills the command."""
    folder = tiny.parent
    run, marker = _sweeper(folder, "kill")
    marker.touch()
    died = run("one", 1)
    assert died.returncode == -9
    saved = len(list((folder / "one" / "points").glob("*.parquet")))
    assert 1 <= saved < 8 and not (folder / "one" / "manifest.json").exists()
    marker.unlink()
    rerun = run("one", 1)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _ran_and_reused(folder / "one") == (8 - saved, saved)


def test_a_comparison_whose_worker_dies_names_the_run_in_one_line(tiny):
    run, marker = _command(tiny.parent, "kill")
    marker.touch()
    died = run("compare", "tiny.yaml", "--policies", "local,dying", "-n", "2", "--workers", "2", "--quiet")
    assert died.returncode == 2, died.stderr[-3000:]
    assert died.stderr == (
        "offloadsim: error: point 1 (policy=dying), replication 0: its worker process died running it "
        "(killed by SIGKILL: kill -9, or the out-of-memory killer)\n"
    )
