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

from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.backlog import BACKLOG as BACKLOG_KIND
from offloadsim.analysis.warning_kinds.busy_growing import BUSY_GROWING as BUSY_GROWING_KIND
from offloadsim.analysis.warning_kinds.settling import SETTLING
from offloadsim.analysis.warning_notes import run_warnings_notes
from offloadsim.cli import main
from offloadsim.experiments.storage import read_job_file, write_job_file
from offloadsim.records.stored import read_results

ROOT = Path(__file__).resolve().parents[2]
SETTLE = re.compile(
    r"^note: too short to settle in (?P<where>.*?) "
    r"\((?=(?:up to )?\d+ nodes too slow to settle in a run|\S+ \d+% (?:busy|offered))"
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
    # the longest of the runs' asks and relaxation times, as each run's warning kept them beside its text
    facts = [row["facts"] for row in warned]
    assert {f["kind"] for f in facts} == {"settling"}
    assert line["run"] == f"{max(f['length_s'] for f in facts):,.0f}"
    assert line["tau"] == f"{max(f['relaxation_s'] for f in facts):,.0f}"
    for row in warned:  # which are the numbers its text says
        assert row["warning"].endswith(f"run {row['facts']['length_s']:,.0f} s or longer")
    assert line.string[len("note: ") :] in manifest["notes"]  # the result keeps what the CLI prints


def test_the_length_asked_is_the_offered_loads_whatever_the_replications(tmp_path, capsys):
    """compare-load offers each phone 1.5 requests/s of 0.538 s each under local: a load of 0.81, whose
    queue relaxes in S / (1 - sqrt(0.81))^2, about 52 s.  Read from the busiest phone's busy share over
    60 s, the note asked for 2,518 s at 3 replications and 25,394 s at 5 (a phone 98 % busy in one of
    100 runs): the advice grew with the replications, not with the load."""
    asked = {}
    for n in (3, 5):
        out = tmp_path / f"n{n}"
        args = ["compare", str(ROOT / "scenarios/compare-load.yaml"), "--policies", "local", "-n", str(n)]
        assert main([*args, "--out", str(out)]) == 0
        (line,) = _settle_lines(capsys.readouterr().out)
        assert "81% offered" in line.string and "busy" not in line.string
        tasks = pd.read_parquet(out / "tasks.parquet")
        service = float(tasks.loc[tasks["status"] == "completed", "compute_time"].mean())
        closed = service / (1.0 - (1.5 * service) ** 0.5) ** 2
        tau, length = (float(line[k].replace(",", "")) for k in ("tau", "run"))
        assert tau == pytest.approx(closed, abs=0.5) and length == pytest.approx(5 * closed, abs=0.5)
        asked[n] = length
    assert asked[3] == asked[5]


def _sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "sweep.yaml").write_text(
        f"base: {ROOT / 'scenarios/compare-load.yaml'}\n"
        "grid:\n  links[0].bandwidth: [20 Mbps, 50 Mbps]\npolicies: [edge, local]\nreplications: 2\n"
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--out", str(tmp_path / "s")]) == 0
    printed = capsys.readouterr()
    return printed.out + printed.err


def _edit_job_files(directory: Path, edit) -> None:
    for file in sorted((directory / "points").glob("*.parquet")):
        tasks, meta = read_job_file(file)
        edit(meta)
        file.unlink()
        write_job_file(file, tasks, meta)


def test_sweep_says_local_points_too_short_to_settle_and_old_job_files_read_as_none(tmp_path, capsys):
    (line,) = _settle_lines(_sweep(tmp_path, capsys))
    # both points of local said at once
    assert line["where"] == "2 of 2 runs of policy.name=local (each links[0].bandwidth)"
    assert "edge" not in line["where"]
    # job files of an offloadsim that kept the warnings but not their numbers: said, without numbers
    _edit_job_files(tmp_path / "s", lambda meta: meta.pop("warning_facts"))
    printed = _sweep(tmp_path, capsys)
    assert "8 reused" in printed and not _settle_lines(printed)
    assert (
        "note: too short to settle in 2 of 2 runs of policy.name=local (each links[0].bandwidth): "
        "latencies likely read low (job files of an older offloadsim keep no length to run)"
    ) in printed.splitlines()
    # facts edited out of shape: that job is not reused but run again
    file = next(
        f for f in sorted((tmp_path / "s" / "points").glob("*.parquet")) if read_job_file(f)[1]["warnings"]
    )
    tasks, meta = read_job_file(file)
    file.unlink()
    write_job_file(file, tasks, {**meta, "warning_facts": [{"kind": 3}] * len(meta["warnings"])})
    printed = _sweep(tmp_path, capsys)
    assert "7 reused" in printed
    assert f"{file}: not reusable (warning_facts[0].kind: expected a text, got 3)" in printed
    # a job file of an older offloadsim still, without its summary's warnings: it reads as none
    _edit_job_files(tmp_path / "s", lambda meta: (meta.pop("warnings"), meta.pop("warning_facts", None)))
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
    """Rows of an older job file, the text alone: told apart by their openings."""
    metrics = pd.DataFrame({"policy": ["edge", "edge", "local"], "replication": [0, 1, 0]})
    rows = [{"policy": "edge", "replication": 0, "warning": w} for w in (BACKLOG, FULL)]
    manifest = {"run_warnings": [*rows, {"policy": "edge", "replication": 1, "warning": FULL}]}
    said = run_warnings_notes(manifest, metrics, ["policy"], ["policy", "replication"], in_flight_said=True)
    assert said == [f"{FULL.split(':')[0]} in 2 of 2 runs of policy=edge (first: edge (12))"]
    unsaid = run_warnings_notes(
        manifest, metrics, ["policy"], ["policy", "replication"], in_flight_said=False
    )
    assert unsaid[0].startswith("the tasks in the system grew all run in 1 of 2 runs of policy=edge")


def test_a_warnings_kind_is_its_facts_not_its_wording():
    """A backlog warning worded otherwise is still a backlog warning, said by the in-flight note."""
    metrics = pd.DataFrame({"policy": ["edge"], "replication": [0]})
    reworded = {
        "policy": "edge",
        "replication": 0,
        "warning": "backlog rising: 1 -> 60",
        "facts": {"kind": BACKLOG_KIND},
    }
    manifest = {"run_warnings": [reworded]}
    assert (
        run_warnings_notes(manifest, metrics, ["policy"], ["policy", "replication"], in_flight_said=True)
        == []
    )
    (note,) = run_warnings_notes(
        manifest, metrics, ["policy"], ["policy", "replication"], in_flight_said=False
    )
    assert note.startswith("the tasks in the system grew all run in 1 of 1 runs of policy=edge")


def _settling(point: int, busy: float, relaxation: float, *, text: str | None = None) -> dict[str, object]:
    """A run's settling warning as a manifest row: its text as the summary words it, and its facts."""
    said = (
        f"too short to settle: phone-0 {busy:.0%} busy, 0.538 s a task, relaxation time {relaxation:,.0f} s "
        "(S / (c (1 - sqrt(load))^2), as of an M/M/1 queue started empty), more than a fifth of the "
        f"30 s measured: latencies likely read low; run {5 * relaxation:,.0f} s or longer"
    )
    facts = WarningFacts(
        SETTLING, nodes=(("phone-0", busy),), node_count=1, relaxation_s=relaxation, length_s=5 * relaxation
    )
    return {
        "point": point,
        "replication": 0,
        "warning": said if text is None else text,
        "facts": facts.to_dict(),
    }


POINTS = [(b, p) for b in ("2 Mbps", "5 Mbps", "10 Mbps") for p in ("local", "edge", "least-loaded")]
#: local warns at every bandwidth, least-loaded at the lowest only, edge nowhere (sweep-bandwidth's).
WARNED = [i for i, (b, p) in enumerate(POINTS) if p == "local" or (p, b) == ("least-loaded", "2 Mbps")]


def _sweep_note(rows: list[dict[str, object]]) -> str:
    metrics = pd.DataFrame(
        [
            {"links[0].bandwidth": b, "policy.name": p, "point": i, "replication": 0}
            for i, (b, p) in enumerate(POINTS)
        ]
    )
    keys = ["links[0].bandwidth", "policy.name"]
    (note,) = run_warnings_notes(
        {"run_warnings": rows}, metrics, keys, ["point", "replication"], in_flight_said=True
    )
    return note


def test_a_sweeps_points_alike_are_said_at_once_and_the_longest_ask_kept():
    note = _sweep_note([_settling(i, (80 + i) / 100, 10 + i) for i in WARNED])
    assert note.startswith(
        "too short to settle in 1 of 1 runs of policy.name=local (each links[0].bandwidth) and "
        "1 of 1 runs of links[0].bandwidth=2 Mbps, policy.name=least-loaded "
        "(phone-0 86% busy, relaxation time up to 16 s)"
    ), note
    assert note.endswith("run 80 s or longer")


def test_the_notes_numbers_are_the_facts_whatever_the_wording():
    """The wording may change (here, every number reworded away); the note's numbers do not: the
    busiest share, the longest relaxation time and length asked, unrounded until said."""
    rows = [
        _settling(i, (80 + i) / 100 + 0.004, 10.4 + i, text="too short to settle, reworded") for i in WARNED
    ]
    note = _sweep_note(rows)
    assert note.endswith(
        "(phone-0 86% busy, relaxation time up to 16 s): latencies likely read low; run 82 s or longer"
    ), note


def test_a_note_says_which_loads_are_offered_and_which_busy():
    """A node a run named by its offered load says so in the note, one named by its busy share too."""
    rows = [_settling(i, 0.81, 10) for i in WARNED]
    rows[0]["facts"] = {**rows[0]["facts"], "nodes": {"phone-1": 0.9}, "offered_nodes": ["phone-1"]}
    note = _sweep_note(rows)
    assert "(20 nodes" not in note and "phone-1 90% offered, phone-0 81% busy, relaxation time" in note, note


def test_rows_without_facts_say_the_warning_without_numbers():
    """An older job file's rows have the text alone: the note says there is no length to give."""
    rows = [_settling(i, 0.8, 10) for i in WARNED]
    for row in rows:
        del row["facts"]
    assert _sweep_note(rows).endswith(
        "policy.name=least-loaded: latencies likely read low "
        "(job files of an older offloadsim keep no length to run)"
    )


@pytest.mark.parametrize("counts, said", [((20, 20), "20 nodes"), ((20, 12), "up to 20 nodes")])
def test_the_count_of_unsettled_nodes_says_what_it_counts(counts, said):
    """'(20 nodes in a run, among them ...)' read as the run's size: it counts nodes too slow to settle."""
    metrics = pd.DataFrame({"policy": ["local", "local"], "replication": [0, 1]})
    rows = []
    for replication, count in enumerate(counts):
        shown = tuple((f"phone-{i}", 0.81) for i in range(3))
        facts = WarningFacts(SETTLING, nodes=shown, node_count=count, relaxation_s=52.0, length_s=259.0)
        rows.append(
            {"policy": "local", "replication": replication, "warning": "too short", "facts": facts.to_dict()}
        )
    (note,) = run_warnings_notes(
        {"run_warnings": rows}, metrics, ["policy"], ["policy", "replication"], in_flight_said=True
    )
    assert f"({said} too slow to settle in a run, among them phone-0 81%, " in note, note


def test_a_critically_loaded_run_is_noted_as_such_not_given_a_length():
    """One run whose node was offered 99 % or more of its capacity: the sweep's note says no length
    settles it, rather than the longest length the other runs asked for (or none at all).

    Of that run's point alone: a note of both once said of every point warned "critically loaded",
    and a request-rate sweep's 12 /min points (79 % offered) read as its 15 /min ones."""
    critical = WarningFacts(SETTLING, nodes=(("phone-0", 0.9999),), node_count=1, critical_nodes=("phone-0",))
    row = {"point": WARNED[0], "replication": 0, "warning": "too short", "facts": critical.to_dict()}
    metrics = pd.DataFrame(
        [
            {"links[0].bandwidth": b, "policy.name": p, "point": i, "replication": 0}
            for i, (b, p) in enumerate(POINTS)
        ]
    )
    rows = [row] + [_settling(i, 0.8, 10) for i in WARNED[1:]]
    keys = ["links[0].bandwidth", "policy.name"]
    said = run_warnings_notes(
        {"run_warnings": rows}, metrics, keys, ["point", "replication"], in_flight_said=True
    )
    (note,) = [note for note in said if "critically" in note]
    assert note.startswith(
        "too short to settle in 1 of 1 runs of links[0].bandwidth=2 Mbps, policy.name=local:"
    )
    assert "phone-0 critically loaded (offered 99% or more per core" in note, note
    assert note.endswith("no practical run length settles; lower the rate or add capacity")
    assert "or longer" not in note
    # The other points warned for their own reason, and their note asks the length theirs ask.
    (other,) = [note for note in said if "critically" not in note]
    assert "2 Mbps, policy.name=local" not in other, other
    assert other.endswith("latencies likely read low; run 50 s or longer"), other


def test_a_sweeps_points_are_named_in_the_order_of_their_values_not_of_their_jobs():
    """The runs' warnings come in the order their jobs ended: a note named its rates 1.5, 6, 2, 3 in one
    run-on line of "N of M runs of workload[0].rate=..., policy=local and ...".  Sorted by value, the
    points of one policy said at once: the policy, then the rates."""
    rates = [0.5, 1.5, 2.0, 3.0, 6.0, 4.0]
    metrics = pd.DataFrame(
        [
            {"workload[0].rate": rate, "policy.name": "local", "point": i, "replication": r}
            for i, rate in enumerate(rates)
            for r in range(2)
        ]
    )
    busy = WarningFacts(BUSY_GROWING_KIND, nodes=(("cam", 1.0),), node_count=1).to_dict()
    ended = [(4, 0), (1, 1), (2, 0), (3, 1), (5, 0), (2, 1), (4, 1), (3, 0), (5, 1)]  # 1.5: one run of two
    rows = [
        {"point": i, "replication": r, "warning": "busy all run while their queue grew: cam", "facts": busy}
        for i, r in ended
    ]
    keys = ["workload[0].rate", "policy.name"]
    (note,) = run_warnings_notes(
        {"run_warnings": rows}, metrics, keys, ["point", "replication"], in_flight_said=True
    )
    assert note.startswith(
        "busy all run while their queue grew in 1 of 2 runs of workload[0].rate=1.5, policy.name=local and "
        "2 of 2 runs of policy.name=local (each of workload[0].rate=2.0, 3.0, 4.0, 6.0)"
    ), note
