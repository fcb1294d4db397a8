"""Job keys name the code that made a job's records: a sweep resumed after an edit runs its jobs again.

The keys hashed ``__version__``, which read 0.1.0 for thousands of commits: a sweep resumed after
``CPU_EFFICIENCY`` changed reused its finished jobs and merged two codes' rows in one table.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from offloadsim.experiments import sweep
from offloadsim.experiments.jobs import job_key
from offloadsim.provenance import code_fingerprint, package_fingerprint

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "offloadsim"


def _sweep_file(folder: Path) -> Path:
    from experiment_data import TINY

    (folder / "tiny.yaml").write_text(TINY.replace("duration: 20 s", "duration: 4 s"), encoding="utf-8")
    path = folder / "sweep.yaml"
    path.write_text("base: tiny.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n", encoding="utf-8")
    return path


def test_a_sweep_resumed_by_other_code_runs_its_jobs_again(tmp_path, monkeypatch):
    path = _sweep_file(tmp_path)
    first = sweep(path, out=tmp_path / "out", workers=1)
    assert (first.ran, first.reused) == (2, 0)
    assert first.manifest["code_fingerprint"] == code_fingerprint()
    same = sweep(path, out=tmp_path / "out", workers=1)
    assert (same.ran, same.reused) == (0, 2)  # the same code reuses every job
    monkeypatch.setattr("offloadsim.provenance.code_fingerprint", lambda: "0123456789abcdef")
    edited = sweep(path, out=tmp_path / "out", workers=1)
    assert (edited.ran, edited.reused) == (2, 0)  # an edit of the package: none of the old jobs reused
    # The top level keeps the first run's code with its command and jobs; the resume's is in its row.
    manifest = edited.manifest
    assert (manifest["code_fingerprint"], manifest["jobs_run"]) == (code_fingerprint(), 2)  # the first run's
    assert manifest.get("git") == first.manifest.get("git")
    assert manifest["resumed"][-1]["code_fingerprint"] == "0123456789abcdef"
    assert not [note for note in manifest["notes"] if "other code than this command's" in note]


def test_the_fingerprint_follows_the_package_files_not_where_they_lie(tmp_path):
    copy = tmp_path / "elsewhere" / "offloadsim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    assert package_fingerprint(copy) == package_fingerprint(PACKAGE) == code_fingerprint()
    (copy / "world" / "__pycache__").mkdir(exist_ok=True)
    (copy / "world" / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"\0byte code")
    (copy / "engine" / "x.so").write_bytes(b"\0compiled")  # mypyc's: made from the .py files
    assert package_fingerprint(copy) == code_fingerprint()
    module = copy / "world" / "build.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    edited = package_fingerprint(copy)
    assert edited != code_fingerprint()
    profile = next((copy / "world" / "profiles" / "data").glob("*.json"))
    profile.write_bytes(profile.read_bytes().replace(b"\n", b"\r\n"))  # a Windows checkout's line ends
    assert package_fingerprint(copy) == edited
    profile.write_bytes(profile.read_bytes() + b" ")  # shipped data decides numbers too
    assert package_fingerprint(copy) != edited


def test_a_job_key_is_the_same_in_another_process():
    document = {"name": "a", "seed": 3, "duration": "4 s"}
    script = textwrap.dedent(
        f"""
        from offloadsim.experiments.jobs import job_key
        print(job_key({document!r}, 1, "edge"))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == job_key(document, 1, "edge")


def test_each_job_file_says_the_code_that_ran_it(tmp_path):
    from offloadsim.experiments.storage import read_job_meta

    result = sweep(_sweep_file(tmp_path), out=tmp_path / "out", workers=1)
    assert result.manifest["job_code_fingerprints"] == {code_fingerprint(): 2}
    for file in (tmp_path / "out" / "points").glob("*.parquet"):
        assert read_job_meta(file)[1]["code_fingerprint"] == code_fingerprint()
    assert not [note for note in result.notes if "other code" in note]


def test_jobs_a_worker_ran_on_other_code_are_said():
    """A Dask worker's install may differ from the command's, whose fingerprint the keys hold."""
    from offloadsim.experiments.jobs import other_code_note

    manifest = {"code_fingerprint": "aaaa", "job_code_fingerprints": {"aaaa": 7, "bbbb": 3}}
    note = other_code_note(manifest)
    assert note is not None and note.startswith(
        "3 of 10 jobs ran on other code than this command's (aaaa): bbbb: 3"
    )
    assert other_code_note({**manifest, "job_code_fingerprints": {"aaaa": 10}}) is None


def test_a_resume_that_reruns_jobs_of_other_code_says_why(tmp_path, monkeypatch, capsys):
    """The trial: a resume after an edit said only "4 jobs: 4 run, 0 reused", not why none was reused."""
    from offloadsim.cli import main

    path = _sweep_file(tmp_path)
    out = str(tmp_path / "out")
    assert main(["sweep", str(path), "--out", out, "--workers", "1"]) == 0
    assert "2 jobs: 2 run, 0 reused" in capsys.readouterr().out  # nothing saved before: no reason
    monkeypatch.setattr("offloadsim.provenance.code_fingerprint", lambda: "0123456789abcdef")
    assert main(["sweep", str(path), "--out", out, "--workers", "1"]) == 0
    assert "2 jobs: 2 run (2 saved by other code), 0 reused" in capsys.readouterr().out
    assert main(["sweep", str(path), "--out", out, "--workers", "1"]) == 0
    assert "2 jobs: 0 run, 2 reused" in capsys.readouterr().out  # this code's files: reused


def test_a_resumed_rows_code_is_checked_as_the_top_levels(tmp_path):
    from offloadsim.records.manifest_check import manifest_problem

    row = {"command": "offloadsim sweep s.yaml", "started_utc": "2026-12-06T18:00:00", "wall_s": 1.0}
    row |= {"jobs_run": 2, "jobs_reused": 0, "code_fingerprint": "0123456789abcdef"}
    good = {"git": {"commit": "ba5d9038", "dirty": False}}
    assert manifest_problem(tmp_path / "manifest.json", {"resumed": [row | good]}) is None
    for bad in ({"code_fingerprint": 5}, {"git": "ba5d9038"}):
        problem = manifest_problem(tmp_path / "manifest.json", {"resumed": [row | bad]})
        assert problem is not None and "resumed" in problem


def test_a_resumes_count_of_jobs_of_other_code_is_in_its_resumed_row(tmp_path, monkeypatch):
    """The count was on the command's last line and SweepResult, not in the manifest a reader keeps."""
    path, out = _sweep_file(tmp_path), tmp_path / "out"
    first = sweep(path, out=out, workers=1)
    assert first.manifest["jobs_run_other_code"] == 0
    monkeypatch.setattr("offloadsim.provenance.code_fingerprint", lambda: "0123456789abcdef")
    sweep(path, out=out, workers=1)
    monkeypatch.undo()
    third = sweep(path, out=out, workers=1)  # the first code again: its files are there, of this code
    kept = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert kept["jobs_run_other_code"] == 0  # the first run's
    rows = [(row["jobs_run"], row["jobs_reused"], row["jobs_run_other_code"]) for row in kept["resumed"]]
    assert rows == [(2, 0, 2), (0, 2, 0)]
    assert third.other_code == 0 and kept == third.manifest


def test_a_resumed_rows_count_of_other_code_is_checked(tmp_path):
    from offloadsim.records.manifest_check import manifest_problem

    row = {"command": "offloadsim sweep s.yaml", "started_utc": "2026-12-06T18:00:00", "wall_s": 1.0}
    row |= {"jobs_run": 2, "jobs_reused": 0}
    file = tmp_path / "manifest.json"
    assert manifest_problem(file, {"resumed": [row | {"jobs_run_other_code": 2}]}) is None
    problem = manifest_problem(file, {"resumed": [row | {"jobs_run_other_code": "2"}]})
    assert problem is not None and "jobs_run_other_code as a whole number" in problem
    problem = manifest_problem(file, {"jobs_run_other_code": 1.5})
    assert problem is not None and "jobs_run_other_code: expected a whole number" in problem
