"""A campaign's kept runs that cannot be tabulated: one line naming the file (and key), exit 2.

``campaign --tables-only`` (and a resumed campaign) reads each kept run's ``summary.json``
instead of running it again; one cut short, emptied, made a folder or edited was an internal
error (exit 1), and one without the key that marks its kind was left out of the tables
without a word. No root needed: nothing runs.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main
from offloadsim.testbed import campaign

TINY = ["testbed", "campaign", "--tiny", "--tables-only", "--results"]
KEPT = f"{campaign.tiny_plan()[0].id}/rep0"  # a split-inference run of the tiny plan


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "",
            "cannot be read as JSON (Expecting value: line 1 column 1 (char 0)), expected the run's summary "
            "(a JSON object, in UTF-8); cut short or edited?",
        ),
        (
            '{"pattern": "clo',
            "cannot be read as JSON (Unterminated string starting at: line 1 column 13 (char 12))",
        ),
        ("[]", "is an empty list, expected the run's summary (a JSON object, in UTF-8)"),
        (
            b"\xff\xfe{\x00}\x00",
            "not UTF-8 text: it is UTF-16 (it begins with its byte-order mark), expected the run's summary",
        ),
        (None, "is a directory, expected the run's summary (a JSON object, in UTF-8)"),
        ("{}", "pattern: expected text (as the testbed writes a split-inference run's), it is missing"),
        (
            '{"flows": 4}',
            "pattern: expected text (as the testbed writes a split-inference run's), it is missing",
        ),
        (
            '{"pattern": "closed", "model": "mobilenet_v2", "split": "middle", "k": 9, "rate_mbps": 18.9, '
            '"measured_median_ms": "12 ms"}',
            "measured_median_ms: expected a number or null (as the testbed writes a split-inference run's), "
            'got "12 ms"',
        ),
        (
            '{"pattern": "closed", "model": "mobilenet_v2", "split": "middle", "k": null}',
            "k: expected a number (as the testbed writes a split-inference run's), got nothing (null)",
        ),
    ],
)
def test_a_kept_summary_the_tables_cannot_read_is_one_line_naming_it(tmp_path, capsys, content, problem):
    summary = tmp_path / KEPT / "summary.json"
    if content is None:
        summary.mkdir(parents=True)
    else:
        summary.parent.mkdir(parents=True)
        summary.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert main([*TINY, str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: {summary}: {problem}")
    assert line.endswith(f" remove {summary.parent} and run the campaign again to repeat the run")
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEPT.split("/")[0]]  # no table written


def test_a_kept_manifest_read_to_predict_again_is_one_line_naming_it(tmp_path, capsys):
    run = tmp_path / KEPT
    run.mkdir(parents=True)
    (run / "summary.json").write_text('{"link_model": "fifo"}')  # predicted with another model: read again
    (run / "manifest.json").write_text("")
    (run / "measured.csv").write_text("latency\n0.1\n")
    (run / "scenario.yaml").write_text("name: t\n")
    assert main([*TINY, str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    manifest = run / "manifest.json"
    assert line.startswith(f"offloadsim: error: {manifest}: cannot be read as JSON (Expecting value")


@pytest.mark.parametrize(
    ("measured", "problem"),
    [
        ("", "cannot be read as CSV (No columns to parse from file): cut short or edited"),
        ("a,b\n1,2\n", 'no "latency" column (the testbed writes latency, device_compute, upload, '),
        (
            "latency,device_compute,upload,edge_compute,download,device_cpu,edge_cpu\n0.1,0.1,x,0.1,0.1,0.1,0.1\n",
            'column "upload" holds values that are not numbers',
        ),
    ],
)
def test_a_kept_measurement_read_to_predict_again_is_one_line_naming_it(tmp_path, capsys, measured, problem):
    run = tmp_path / KEPT
    run.mkdir(parents=True)
    (run / "summary.json").write_text('{"link_model": "fifo"}')
    (run / "manifest.json").write_text('{"kind": "inference"}')
    (run / "measured.csv").write_text(measured)
    (run / "scenario.yaml").write_text("name: t\n")
    assert main([*TINY, str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"offloadsim: error: {run / 'measured.csv'}: {problem}"), line
