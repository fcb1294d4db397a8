"""compare and sweep say their runs' summary warnings (overloaded, too short to settle) in their notes.

``offloadsim run`` prints a run's summary warnings; compare and sweep averaged them away.
``compare-load``'s ``local`` leaves its phones about 85 % busy for 60 s, too short for their queues
to settle (the summary's settling warning); ``edge`` leaves its edge 82 % busy with 27 ms tasks,
which settle in well under a second: only ``local`` warns, and the note names it alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from offloadsim.analysis.warning_notes import run_warnings_notes
from offloadsim.cli import main
from offloadsim.experiments.storage import read_job_file, write_job_file
from offloadsim.records.stored import read_results

ROOT = Path(__file__).resolve().parents[2]
SETTLE = re.compile(
    r"^note: too short to settle in (?P<where>.*?) \((?=\d+ nodes in a run|\S+ \d+% busy)"
    r".*relaxation time up to (?P<tau>[\d,]+) s\): "
    r"latencies likely read low; run (?P<run>[\d,]+) s or longer$"
)


def _settle_lines(printed: str) -> list[re.Match[str]]:
    return [m for line in printed.splitlines() if (m := SETTLE.match(line))]


def test_compare_says_local_runs_too_short_to_settle_and_not_edge(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", str(ROOT / "scenarios/compare-load.yaml"), "--policies", "edge,local", "-n", "2"]
    assert main([*args, "--out", str(out)]) == 0
    (line,) = _settle_lines(capsys.readouterr().out)
    assert line["where"] == "2 of 2 runs of policy=local"
    manifest = read_results(out).manifest
    warned = manifest["run_warnings"]
    assert {row["policy"] for row in warned} == {"local"}
    assert sorted(row["replication"] for row in warned) == [0, 1]
    # the longest of the runs' asks, and its relaxation time a fifth of it
    asks = [int(re.search(r"run ([\d,]+) s or longer", row["warning"])[1].replace(",", "")) for row in warned]
    assert int(line["run"].replace(",", "")) == max(asks)
    assert abs(int(line["tau"].replace(",", "")) - max(asks) / 5) <= 1
    assert line.string[len("note: ") :] in manifest["notes"]  # the result keeps what the CLI prints


def _sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "sweep.yaml").write_text(
        f"base: {ROOT / 'scenarios/compare-load.yaml'}\n"
        "grid:\n  links[0].bandwidth: [20 Mbps, 50 Mbps]\npolicies: [edge, local]\nreplications: 2\n"
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--out", str(tmp_path / "s")]) == 0
    return capsys.readouterr().out


def test_sweep_says_local_points_too_short_to_settle_and_old_job_files_read_as_none(tmp_path, capsys):
    (line,) = _settle_lines(_sweep(tmp_path, capsys))
    # both points of local said at once
    assert line["where"] == "2 of 2 runs of policy.name=local (each links[0].bandwidth)"
    assert "edge" not in line["where"]
    # a job file of an older offloadsim, without its summary's warnings: it reads as none
    files = sorted((tmp_path / "s" / "points").glob("*.parquet"))
    for file in files:
        tasks, meta = read_job_file(file)
        del meta["warnings"]
        file.unlink()
        write_job_file(file, tasks, meta)
    printed = _sweep(tmp_path, capsys)
    assert "8 reused" in printed and not _settle_lines(printed)
    assert read_results(tmp_path / "s").manifest["run_warnings"] == []


BACKLOG = (
    "the tasks in the system grew through the run (1 -> 20 -> 40 -> 60 at the end of each quarter) and "
    "30.0% were still in flight at the end: it looks overloaded, or too short to settle, and its "
    "latencies depend on how long it ran"
)
FULL = "stages dropped because the queue was full (processor.queue_limit): edge (12)"


def test_a_backlog_warning_is_not_said_again_where_the_in_flight_note_says_it():
    metrics = pd.DataFrame({"policy": ["edge", "edge", "local"], "replication": [0, 1, 0]})
    rows = [{"policy": "edge", "replication": 0, "warning": w} for w in (BACKLOG, FULL)]
    manifest = {"run_warnings": [*rows, {"policy": "edge", "replication": 1, "warning": FULL}]}
    said = run_warnings_notes(manifest, metrics, ["policy"], ["policy", "replication"], in_flight_said=True)
    assert said == [f"{FULL.split(':')[0]} in 2 of 2 runs of policy=edge (first: edge (12))"]
    unsaid = run_warnings_notes(
        manifest, metrics, ["policy"], ["policy", "replication"], in_flight_said=False
    )
    assert unsaid[0].startswith("the tasks in the system grew all run in 1 of 2 runs of policy=edge")


def _settling(busy: int, relaxation: int) -> str:
    """A settling warning as the summary words it (analysis/summary.py's ``_settling_warnings``)."""
    return (
        f"too short to settle: phone-0 {busy}% busy, 0.538 s a task, relaxation time {relaxation} s "
        "(S / (c (1 - sqrt(load))^2), as of an M/M/1 queue started empty), more than a fifth of the "
        f"30 s measured: latencies likely read low; run {5 * relaxation:,} s or longer"
    )


def test_a_sweeps_points_alike_are_said_at_once_and_the_longest_ask_kept():
    """local warns at every bandwidth, least-loaded at the lowest only, edge nowhere (sweep-bandwidth's)."""
    points = [(b, p) for b in ("2 Mbps", "5 Mbps", "10 Mbps") for p in ("local", "edge", "least-loaded")]
    metrics = pd.DataFrame(
        [
            {"links[0].bandwidth": b, "policy.name": p, "point": i, "replication": 0}
            for i, (b, p) in enumerate(points)
        ]
    )
    warned = [i for i, (b, p) in enumerate(points) if p == "local" or (p, b) == ("least-loaded", "2 Mbps")]
    manifest = {
        "run_warnings": [{"point": i, "replication": 0, "warning": _settling(80 + i, 10 + i)} for i in warned]
    }
    (note,) = run_warnings_notes(
        manifest,
        metrics,
        ["links[0].bandwidth", "policy.name"],
        ["point", "replication"],
        in_flight_said=True,
    )
    assert note.startswith(
        "too short to settle in 1 of 1 runs of policy.name=local (each links[0].bandwidth) and "
        "1 of 1 runs of links[0].bandwidth=2 Mbps, policy.name=least-loaded "
        "(phone-0 86% busy, relaxation time up to 16 s)"
    ), note
    assert note.endswith("run 80 s or longer")
