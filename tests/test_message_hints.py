"""Messages the instructor trial's students met gave no hint of the fix.

``policy: neurosurgeon objective=latency`` was "unknown policy" with no word of the mapping (or
``neurosurgeon(objective=latency)``) form; ``run 'scenarios\\quickstart.yaml'``, a Windows path on
Linux, was "file not found"; ``--workers 0`` said "at most 9223372036854775807", no real bound.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from offloadsim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _error(capsys, *argv: str) -> str:
    assert main(list(argv)) == 2
    (line,) = capsys.readouterr().err.splitlines()
    return line


def test_a_policy_with_its_parameters_after_its_name_is_told_the_mapping_and_the_entry(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    line = _error(
        capsys, "validate", "scenarios/quickstart.yaml", "--set", "policy=neurosurgeon objective=latency"
    )
    assert 'unknown policy "neurosurgeon objective=latency": ' in line
    assert "policy: {name: neurosurgeon, objective: latency}" in line
    assert '--policy "neurosurgeon(objective=latency)"' in line
    # a name that is no policy, with words after it, gets the list as before
    line = _error(capsys, "validate", "scenarios/quickstart.yaml", "--set", "policy=nosuch objective=latency")
    assert "; known: " in line and "{name:" not in line


def test_run_policy_with_its_parameters_after_its_name_is_told_the_entry(capsys, monkeypatch):
    # Read as LABEL=ENTRY, "neurosurgeon objective=latency" asked for a policy "latency": "unknown
    # policy" without a word of the NAME(KEY=VALUE) form.
    monkeypatch.chdir(ROOT)
    line = _error(
        capsys, "run", "scenarios/quickstart.yaml", "--policy", "neurosurgeon objective=latency", "--dry-run"
    )
    assert line == (
        'offloadsim: error: --policy: "neurosurgeon objective=latency": a policy\'s parameters go in '
        'parentheses after its name, "neurosurgeon(objective=latency)" (read as LABEL=ENTRY it named a '
        'policy "latency")'
    )
    # a label with a space before a known policy is still a label
    assert main(["run", "scenarios/quickstart.yaml", "--policy", "near x=edge", "--dry-run"]) == 0


@pytest.mark.skipif(os.sep != "/", reason="a backslash separates folders there")
def test_a_windows_path_is_told_the_path_with_slashes(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    line = _error(capsys, "run", "scenarios\\quickstart.yaml")
    assert line == (
        "offloadsim: error: scenario file not found: scenarios\\quickstart.yaml "
        '(did you mean "scenarios/quickstart.yaml"? folders are separated by / here, not \\)'
    )
    line = _error(capsys, "run", "scenarios\\nothere.yaml")
    assert line.endswith("scenarios\\nothere.yaml (folders are separated by / here, not \\)")


def test_workers_0_says_the_real_range(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    line = _error(capsys, "compare", "scenarios/quickstart.yaml", "--workers", "0")
    assert "9223372036854775807" not in line
    assert (
        'expected a whole number of worker processes, 1 or more (past the jobs, one a job), got "0"' in line
    )


@pytest.mark.skipif(os.sep != "/", reason="a backslash separates folders there")
def test_a_windows_path_in_a_scenario_is_told_its_slashes_from_any_folder(tmp_path, capsys, monkeypatch):
    r"""``trace: traces\radio.csv`` was offered "traces/radio.csv" only when run from the scenario's
    folder: the path with slashes was looked for from the current directory, not beside the
    scenario. A doubled backslash (``traces\\radio.csv``, as a string escape) was offered
    ``traces//radio.csv`` (the HH36 trial)."""
    lab = tmp_path / "é lab"
    (lab / "traces").mkdir(parents=True)
    (lab / "traces" / "radio.csv").write_text("time\n1.0\n")
    text = (
        "name: x\nnodes:\n  phone: {tier: device, processor: {speed: 1 GFLOP/s}}\n"
        "applications:\n  job: {work: 1 GFLOP}\n"
        "workload:\n  - {app: job, sources: phone, arrivals: trace, trace: TRACE}\n"
    )
    monkeypatch.chdir(tmp_path)
    for written in ("traces\\radio.csv", "traces\\\\radio.csv"):
        (lab / "s.yml").write_text(text.replace("TRACE", written))
        line = _error(capsys, "validate", str(Path("é lab") / "s.yml"))
        assert line.endswith('(did you mean "traces/radio.csv"? folders are separated by / here, not \\)'), (
            line
        )


@pytest.mark.parametrize("ratio", ["0.25", '"25%"'])
def test_a_ratio_given_for_compression_is_told_the_codecs_and_input_s_size(
    tmp_path, capsys, monkeypatch, ratio
):
    """``compression: 0.25`` (a ratio where a codec is named) was told only the three names: now
    what each codec keeps, and that a smaller upload is ``input:``'s size, on one line, from the
    file and key path, by ``validate`` and ``run`` alike (exit 2)."""
    text = (ROOT / "scenarios" / "quickstart.yaml").read_text(encoding="utf-8")
    (tmp_path / "ratio.yaml").write_text(
        text.replace("    output: 4 KB\n", f"    output: 4 KB\n    compression: {ratio}\n"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    for verb in ("validate", "run"):
        line = _error(capsys, verb, "ratio.yaml")
        where = "offloadsim: error: ratio.yaml: applications.classify.compression: "
        assert line.startswith(f"{where}expected one of none, fp16, int8, got ")
        assert "not a ratio: fp16 keeps 1/2 and int8 1/4 of their bytes" in line
        assert "give input: its compressed size" in line
    assert not (tmp_path / "results").exists()  # nothing written
    # a misspelt codec is offered the name, not told of ratios
    line = _error(capsys, "validate", "ratio.yaml", "--set", "applications.classify.compression=int4")
    assert "not a ratio" not in line and 'did you mean "int8"' in line
