"""A scheduled change or failures the run never reaches is a warning from validate and run.

An edge outage from 500 s to 600 s in a 100 s run (``at`` in minutes meant, or counted from the
end of the warm-up, which it is not) left the results those of a world that never fails, and
``validate`` said ``ok`` without a word.
"""

from __future__ import annotations

import pytest
import yaml
from scenario_testkit import small_document

from offloadsim.cli import main


def _scenario(tmp_path, *dynamics):
    document = small_document()
    document["warmup"] = "10 s"
    document["duration"] = "30 s"  # the run ends at 40 s
    document["policy"] = "edge"
    document["dynamics"] = list(dynamics)
    path = tmp_path / "late.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _outage(down, up):
    return {
        "kind": "node-schedule",
        "node": "edge",
        "steps": [{"at": down, "up": False}, {"at": up, "up": True}],
    }


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            _outage("500 s", "600 s"),
            "dynamics[0].steps[0].at: 500 s is at or after the run's end at 40 s (warm-up included): "
            "the run never reaches this step or those after it",
        ),
        (
            {
                "kind": "link-schedule",
                "link": 0,
                "steps": [{"at": "20 s", "bandwidth": "2 Mbps"}, {"at": 40, "up": False}],
            },
            "dynamics[0].steps[1].at: 40 s is at or after the run's end at 40 s (warm-up included): "
            "the run never reaches this step",
        ),
        (  # a 30 s outage cut short: the run never sees the edge come back
            _outage("30 s", "60 s"),
            "dynamics[0].steps[1].at: 60 s is at or after the run's end at 40 s (warm-up included): "
            "the run never reaches this step",
        ),
        (
            {"kind": "failures", "nodes": "edge", "mtbf": "5 s", "mttr": "1 s", "start": "1 min"},
            "dynamics[0].start: 60 s is at or after the run's end at 40 s (warm-up included): "
            "nothing fails in the run",
        ),
    ],
)
def test_a_change_past_the_end_of_the_run_is_a_warning(tmp_path, capsys, entry, expected):
    path = _scenario(tmp_path, entry)
    line = f"offloadsim: warning: {path}: {expected} [late-dynamics]"
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [line]


@pytest.mark.parametrize(
    "entry",
    [
        _outage("30 s", "39 s"),
        _outage("5 s", "8 s"),  # within the warm-up: it loads the system before measurement
        {"kind": "failures", "nodes": "edge", "mtbf": "5 s", "mttr": "1 s", "start": "39 s"},
    ],
)
def test_a_change_the_run_reaches_is_not_warned_of(tmp_path, capsys, entry):
    path = _scenario(tmp_path, entry)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_the_warning_names_the_set_that_moved_the_step(tmp_path, capsys):
    path = _scenario(tmp_path, _outage("30 s", "35 s"))
    assert main(["validate", str(path), "--set", "dynamics[0].steps[1].at=45 s"]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"offloadsim: warning: {path}: dynamics[0].steps[1].at: 45 s is at or after")
    assert err.rstrip().endswith('(set by --set "dynamics[0].steps[1].at=45 s") [late-dynamics]')


def test_the_warning_names_the_set_of_duration_that_ended_the_run_before_the_step(tmp_path, capsys):
    """The step is where it was; a shorter run left it behind: the --set of duration is named."""
    path = _scenario(tmp_path, _outage("30 s", "35 s"))
    assert main(["validate", str(path), "--set", "duration=20 s"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: dynamics[0].steps[0].at: 30 s is at or after the run's end at 30 s "
        "(warm-up included): the run never reaches this step or those after it "
        '(set by --set "duration=20 s") [late-dynamics]'
    ]


@pytest.mark.parametrize("run", [False, True])
def test_a_sweep_over_duration_warns_of_a_late_step_at_its_grid_key(tmp_path, capsys, run):
    """It warned at the base scenario's dynamics key, which no point changed, naming no grid key."""
    path = _scenario(tmp_path, _outage("30 s", "35 s"))
    sweep = tmp_path / "sw.yaml"
    grid = {"duration": ["60 s", "20 s"]}
    sweep.write_text(yaml.safe_dump({"name": "sw", "base": path.name, "grid": grid}), encoding="utf-8")
    argv = ["--workers", "1", "--quiet"] if run else ["--dry-run"]
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), *argv]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "warning" in line] == [
        f"offloadsim: warning: {sweep}: grid.duration: {path}: dynamics[0].steps[0].at: 30 s is at or "
        "after the run's end at 30 s (warm-up included): the run never reaches this step or those after "
        "it (point 1: duration=20 s) [late-dynamics]"
    ]
