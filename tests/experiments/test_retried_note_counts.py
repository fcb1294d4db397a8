"""The note of tasks recovery ran again writes thousands with separators, as the figures' ticks do."""

from offloadsim.analysis.notes import _retried_note


def test_thousands_of_retried_tasks_are_written_with_separators():
    run = ["policy", "replication"]
    rows = [{"policy": "edge", "replication": r} for r in range(2)]
    manifest = {"retried": [{**row, "retried": 1200, "recovered": 900} for row in rows]}
    note = _retried_note(manifest, rows, ["policy"], run)
    assert note.endswith(": 2,400 tasks in 2 of its 2 runs, 1,800 of them completed"), note
