"""Fleet size as a sweep axis: a group's ``count`` swept gives each point the fleet a plain run of
that ``count`` simulates, record for record, and a count that is no fleet size is refused at its point."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from experiment_data import TINY

import offloadsim
from offloadsim.cli import main
from offloadsim.experiments import sweep

COUNTS = (1, 5)
SHORT = TINY.replace("duration: 20 s", "duration: 5 s")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as values: a sweep's categoricals hold every point's categories, a run's its own."""
    columns = {
        name: frame[name].astype(object)
        for name in frame.columns
        if isinstance(frame[name].dtype, pd.CategoricalDtype)
    }
    return frame.assign(**columns).reset_index(drop=True)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> tuple[Path, offloadsim.experiments.sweep_merge.SweepResult]:
    folder = tmp_path_factory.mktemp("fleet")
    (folder / "tiny.yaml").write_text(SHORT, encoding="utf-8")
    counts = ", ".join(map(str, COUNTS))
    (folder / "sweep.yaml").write_text(
        f"base: tiny.yaml\ngrid:\n  nodes.phone.count: [{counts}]\n", encoding="utf-8"
    )
    return folder, sweep(folder / "sweep.yaml", out=folder / "out", workers=1)


@pytest.mark.parametrize("count", COUNTS)
def test_a_swept_count_gives_the_records_of_a_plain_run_of_that_count(fleet, count):
    folder, swept = fleet
    (folder / f"plain-{count}.yaml").write_text(
        SHORT.replace("phone: {count: 3,", f"phone: {{count: {count},"), encoding="utf-8"
    )
    plain = offloadsim.run(folder / f"plain-{count}.yaml")
    assert plain.tasks["source"].nunique() == count  # the plain run is the fleet it names
    for table in ("tasks", "nodes"):
        of_point = getattr(swept, table)
        of_point = of_point[of_point["nodes.phone.count"] == count]
        own = getattr(plain, table)
        assert len(own) > 0
        pd.testing.assert_frame_equal(_plain(of_point[list(own.columns)]), _plain(own), obj=table)


def test_the_tables_name_each_point_by_its_count(fleet):
    _, swept = fleet
    assert swept.manifest["swept"] == ["nodes.phone.count"]
    assert sorted(swept.summary["nodes.phone.count"].unique()) == list(COUNTS)
    devices = swept.nodes[swept.nodes["tier"] == "device"].groupby("nodes.phone.count")["node"].nunique()
    assert devices.to_dict() == {count: count for count in COUNTS}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "expected a value at least 1, got 0"),
        ("2.5", "expected an integer, got 2.5"),
        ("ten", 'expected an integer, got "ten"'),
    ],
)
def test_a_count_that_is_no_fleet_size_is_refused_at_its_point(tmp_path, capsys, value, expected):
    (tmp_path / "tiny.yaml").write_text(SHORT, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        f"base: tiny.yaml\ngrid:\n  nodes.phone.count: [2, {value}]\n", encoding="utf-8"
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "out")]) == 2
    said = f'{tmp_path / "sweep.yaml"}: grid["nodes.phone.count"]: {expected} (point 1: nodes.phone.count='
    line = capsys.readouterr().err.strip()
    assert line.startswith(f"offloadsim: error: {said}") and "\n" not in line, line
    assert "tiny.yaml" not in line  # the bad value is the sweep file's: the base holds a good one
    assert not (tmp_path / "out").exists()


def test_the_offered_load_is_checked_at_each_count(tmp_path, capsys):
    """More phones offer the edge more: 1 and 10 phones at 2 /s offer its 25 ms a task 5 % and 50 %,
    50 phones 250 %, and the warning names that point alone with its own load."""
    (tmp_path / "tiny.yaml").write_text(SHORT, encoding="utf-8")
    grid = "set: {policy: edge}\ngrid:\n  nodes.phone.count: [1, 10, 50]\n"
    (tmp_path / "sweep.yaml").write_text(f"base: tiny.yaml\n{grid}", encoding="utf-8")
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--dry-run"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "[offered-load]" in line]
    assert len(warnings) == 1
    assert (
        'edge is offered 250 % of its "cpu" (1 core) under policy "edge": 100 tasks/s x 25 ms' in warnings[0]
    )
    assert warnings[0].endswith("(at point 2) [offered-load]")
