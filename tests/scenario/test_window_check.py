"""A workload that sends nothing into the measured window is a warning from validate and run.

Arrivals that stop by the end of the warm-up, or start at or after the run's
end, add no task to the results; without a word the run reads as an idle
system (0 tasks arrived, a table of dashes).
"""

from __future__ import annotations

import pytest
import yaml
from scenario_testkit import small_document

from offloadsim import api
from offloadsim.cli import main
from offloadsim.scenario import ScenarioWarning


def _scenario(tmp_path, **workload):
    document = small_document()
    document["warmup"] = "20 s"
    document["duration"] = "30 s"
    document["workload"][0].update(workload)
    path = tmp_path / "window.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("workload", "expected"),
    [
        ({"stop": "5 s"}, "workload[0].stop: its arrivals stop at 5 s, by the end of the warm-up at 20 s"),
        ({"stop": "20 s"}, "workload[0].stop: its arrivals stop at 20 s, by the end of the warm-up at 20 s"),
        (
            {"start": "50 s"},
            "workload[0].start: its first arrival is at 50 s, at or after the run's end at 50 s",
        ),
    ],
)
def test_a_workload_outside_the_measured_window_is_a_warning(tmp_path, capsys, workload, expected):
    path = _scenario(tmp_path, **workload)
    line = f"offloadsim: warning: {path}: {expected}: none of its tasks is measured [silent-workloads]"
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [line]


@pytest.mark.parametrize("workload", [{"stop": "20.5 s"}, {"start": "49 s"}, {}])
def test_a_workload_that_reaches_the_window_is_not_warned_of(tmp_path, capsys, workload):
    path = _scenario(tmp_path, **workload)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_the_warning_blames_the_override_that_moved_the_window(tmp_path):
    path = _scenario(tmp_path, stop="25 s")
    with pytest.warns(ScenarioWarning, match=r"stop at 25 s, by the end of the warm-up at 30 s"):
        api.run(path, overrides=["warmup=30 s", "duration=1 s"])
    with pytest.warns(ScenarioWarning, match=r'\(set by overrides="workload\[0\]\.stop=2 s"\)'):
        api.run(path, overrides=["workload[0].stop=2 s", "duration=1 s"])


@pytest.mark.parametrize(
    ("deadline", "warned"), [(100, True), ("30 s", True), ("29 s", False), ("100 ms", False)]
)
def test_a_deadline_no_shorter_than_the_measured_time_is_a_warning(tmp_path, capsys, deadline, warned):
    """``deadline: 100`` is 100 s, not 100 ms: in a 30 s measured window no task that completes or
    is still in flight can miss it, and the deadline misses read 0 % without a word."""
    document = small_document()
    document["warmup"] = "20 s"
    document["duration"] = "30 s"
    app = document["workload"][0]["app"]
    document["applications"][app]["deadline"] = deadline
    path = tmp_path / "deadline.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    if warned and deadline == 100:
        # a bare 100 is surely 100 ms: plain-deadlines says how to write it, and that explains
        # unmissable-deadlines' warning of the same key (one mistake, one warning)
        assert err.splitlines() == [
            f"offloadsim: warning: {path}: applications.{app}.deadline: a bare number is read as "
            'seconds: 100 s, not milliseconds; write "100 ms" if milliseconds were meant, or "100 s" '
            "to say seconds [plain-deadlines]"
        ]
    elif warned:
        assert err.splitlines() == [
            f"offloadsim: warning: {path}: applications.{app}.deadline: 30 s is no shorter than the "
            "30 s measured, so no task that completes or is still in flight can miss it "
            "[unmissable-deadlines]"
        ]
    else:
        assert err == ""


def test_a_scenario_with_no_workload_is_a_warning(tmp_path, capsys):
    """An empty workload ran to a table of dashes without a word."""
    document = small_document()
    document["workload"] = []
    path = tmp_path / "idle.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    line = (
        f"offloadsim: warning: {path}: workload: no entry: no task is sent, so the run measures nothing "
        "[silent-workloads]"
    )
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [line]


def _entry_scenario(tmp_path, **arrivals):
    """The window scenario with its workload's arrivals replaced by ``arrivals``."""
    document = small_document()
    document["warmup"] = "20 s"
    document["duration"] = "30 s"
    document["workload"] = [{"app": "job", "sources": "phone-*", **arrivals}]
    path = tmp_path / "window.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("think", "warned"),
    [
        ("60 s", True),
        ({"uniform": ["55 s", "70 s"]}, True),
        ("10 s", False),
        ({"exponential": "60 s"}, False),
    ],
)
def test_a_closed_loop_that_thinks_past_the_end_is_a_warning(tmp_path, capsys, think, warned):
    """A think time longer than the run sent nothing: 'tasks arrived 0', without a word."""
    path = _entry_scenario(tmp_path, arrivals="closed", users=2, think=think)
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    if warned:
        low = 60 if think == "60 s" else 55
        assert err.splitlines() == [
            f"offloadsim: warning: {path}: workload[0].think: its users think at least {low} s before "
            f"their first request, so none comes before {low} s, at or after the run's end at 50 s: "
            "none of its tasks is measured [silent-workloads]"
        ]
    else:
        assert err == ""


def test_a_trace_none_of_whose_times_falls_in_the_window_is_a_warning(tmp_path, capsys):
    """Times written in milliseconds, read as seconds, all fell after the run."""
    (tmp_path / "times.csv").write_text("time\n120\n250\n900\n", encoding="utf-8")
    path = _entry_scenario(tmp_path, arrivals="trace", trace="times.csv")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: workload[0].trace: none of its times (3 distinct, from 120 s to "
        "900 s) falls in [20 s, 50 s), the measured time its start and stop leave (times in "
        "milliseconds read as seconds?): none of its tasks is measured [silent-workloads]"
    ]
    (tmp_path / "times.csv").write_text("time\n12\n25\n90\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("think", "warmup", "warned"),
    [
        ("35 s", "40 s", True),  # first requests at 35 s, in the warm-up; the next at 70 s or later
        ({"uniform": ["36 s", "39 s"]}, "40 s", True),
        ("30 s", "40 s", False),  # a second request may come at 60 s, in the window to 70 s
        ({"uniform": ["36 s", "41 s"]}, "40 s", False),  # a first request may come at 40 s or after
        ({"exponential": "35 s"}, "40 s", False),
    ],
)
def test_a_closed_loop_whose_requests_all_fall_in_the_warm_up_is_a_warning(
    tmp_path, capsys, think, warmup, warned
):
    """Each user's first request fell in the warm-up and its second after the end: 'tasks arrived 0'."""
    path = _entry_scenario(tmp_path, arrivals="closed", users=2, think=think)
    assert main(["validate", str(path), "--set", f"warmup={warmup}"]) == 0
    err = capsys.readouterr().err
    if warned:
        first, least = (35, 35) if think == "35 s" else (39, 36)
        assert err.splitlines() == [
            f"offloadsim: warning: {path}: workload[0].think: its users' first requests all come by "
            f"{first} s, in the warm-up to 40 s, and each thinks at least {least} s again before the "
            f"next, so none comes before {2 * least} s, at or after the run's end at 70 s: none of its "
            'tasks is measured (set by --set "warmup=40 s") [silent-workloads]'  # the 20 s of the file: none
        ]
    else:
        assert err == ""


@pytest.mark.parametrize(
    ("arrivals", "sources", "warned"),
    [
        ({"period": 30}, "phone-0", "30 s"),  # a plain 30 meant as 30 ms
        ({"period": "45 s", "jitter": "10 s"}, "phone-0", "45 s less its jitter of 10 s"),
        ({"period": "45 s", "jitter": "16 s"}, "phone-0", None),  # two may come 29 s apart
        ({"period": "29 s"}, "phone-0", None),
        ({"period": 30}, "phone-*", None),  # three sources: up to three measured tasks
    ],
)
def test_one_periodic_source_slower_than_the_window_is_a_warning(tmp_path, capsys, arrivals, sources, warned):
    """``period: 30`` is 30 s: one source sent one task, or none, in a 30 s window, without a word."""
    document = yaml.safe_load(_entry_scenario(tmp_path, arrivals="periodic", **arrivals).read_text())
    document["workload"][0]["sources"] = sources
    path = tmp_path / "window.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    if warned:
        assert err.splitlines() == [
            f"offloadsim: warning: {path}: workload[0].period: {warned} is no shorter than the 30 s "
            "measured, so its one source sends at most one measured task, or none, as its random phase "
            "falls (a plain number is in seconds) [lone-arrivals]"
        ]
    else:
        assert err == ""


def test_a_trace_source_whose_own_times_all_miss_the_window_is_a_warning(tmp_path, capsys):
    """phone-0's rows all fell in the warm-up, phone-1's in the window: phone-0 measured nothing, unsaid."""
    (tmp_path / "times.csv").write_text(
        "time,source\n1,phone-0\n2,phone-0\n25,phone-1\n30,phone-2\n", encoding="utf-8"
    )
    path = _entry_scenario(tmp_path, arrivals="trace", trace="times.csv")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: warning: {path}: workload[0].trace: "phone-0" (1 of its 3 sources) has no time in '
        "[20 s, 50 s), the measured time its start and stop leave (its 2 times run from 1 s to 2 s), "
        "unlike the others: none of its tasks is measured [silent-workloads]"
    ]
    # Rows for every source (no source column), or a source with no rows at all: nothing to say.
    (tmp_path / "times.csv").write_text("time,source\n25,phone-1\n30,phone-2\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""
    (tmp_path / "times.csv").write_text("time\n1\n25\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


def _shortened(tmp_path, check):
    """A scenario (20 s warm-up, 30 s measured) that ``duration=20 s`` makes ``check`` warn of; the warning.

    The warned key is not ``duration`` but a workload's or an application's: a ``--set`` or a
    sweep's key of ``duration`` was not named, as if the file alone had warranted the warning.
    """
    if check == "silent-workloads":  # a first arrival at 45 s, after a run that ends at 40 s
        path = _scenario(tmp_path, start="45 s")
        said = (
            "workload[0].start: its first arrival is at 45 s, at or after the run's end at 40 s: "
            "none of its tasks is measured"
        )
    elif check == "lone-arrivals":  # one phone every 25 s: two may fall in 30 s, not in 20 s
        path = _entry_scenario(tmp_path, arrivals="periodic", period="25 s")
        document = yaml.safe_load(path.read_text())
        document["workload"][0]["sources"] = "phone-0"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        said = (
            "workload[0].period: 25 s is no shorter than the 20 s measured, so its one source sends at "
            "most one measured task, or none, as its random phase falls (a plain number is in seconds)"
        )
    else:  # a 25 s deadline, which a task measured for 20 s cannot miss
        path = _scenario(tmp_path)
        document = yaml.safe_load(path.read_text())
        document["applications"]["job"]["deadline"] = "25 s"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        said = (
            "applications.job.deadline: 25 s is no shorter than the 20 s measured, so no task that "
            "completes or is still in flight can miss it"
        )
    return path, said


CHECKS = ["silent-workloads", "lone-arrivals", "unmissable-deadlines"]


@pytest.mark.parametrize("check", CHECKS)
def test_the_warning_names_the_set_of_duration_that_made_it(tmp_path, capsys, check):
    """The warned key is as the file wrote it; ``--set duration=20 s`` made the warning, and is named."""
    path, said = _shortened(tmp_path, check)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""
    assert main(["validate", str(path), "--set", "duration=20 s"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: warning: {path}: {said} (set by --set "duration=20 s") [{check}]'
    ]


@pytest.mark.parametrize("check", CHECKS)
def test_a_sweep_over_duration_warns_at_its_grid_key(tmp_path, capsys, check):
    """It warned at the base scenario's key, which no point changed, naming no grid key."""
    path, said = _shortened(tmp_path, check)
    sweep = tmp_path / "sw.yaml"
    grid = {"duration": ["30 s", "20 s"]}
    sweep.write_text(yaml.safe_dump({"name": "sw", "base": path.name, "grid": grid}), encoding="utf-8")
    assert main(["sweep", str(sweep), "--dry-run", "--out", str(tmp_path / "out")]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "warning" in line] == [
        f"offloadsim: warning: {sweep}: grid.duration: {path}: {said} (point 1: duration=20 s) [{check}]"
    ]


@pytest.mark.parametrize(
    ("workload", "given", "said"),
    [
        (  # the run's end plays no part in arrivals that stop in the warm-up
            {"stop": "15 s"},
            ["warmup=16 s", "duration=20 s"],
            "workload[0].stop: its arrivals stop at 15 s, by the end of the warm-up at 16 s: none of its "
            'tasks is measured (set by overrides="warmup=16 s") [silent-workloads]',
        ),
        (  # a stop before the run's end sets the measured time's last edge, not duration
            {"arrivals": "periodic", "period": "25 s", "sources": "phone-0", "stop": "50 s"},
            ["workload[0].stop=35 s", "duration=60 s"],
            "workload[0].period: 25 s is no shorter than the 15 s measured, so its one source sends at most "
            "one measured task, or none, as its random phase falls (a plain number is in seconds) "
            '(set by overrides="workload[0].stop=35 s") [lone-arrivals]',
        ),
    ],
)
def test_only_a_key_that_sets_the_window_the_warning_is_about_is_named(tmp_path, workload, given, said):
    """From Python too; of two overrides of the window, the one that bears on the warning is named."""
    path = _scenario(tmp_path, **workload)
    if workload.get("arrivals"):
        document = yaml.safe_load(path.read_text())
        del document["workload"][0]["rate"]
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.warns(ScenarioWarning) as caught:
        api.run(path, overrides=given)
    assert [str(warning.message) for warning in caught] == [f"{path}: {said}"]


def test_a_deadline_warning_is_about_the_measured_time_not_the_warm_up(tmp_path, capsys):
    """A --set of warmup leaves the measured time, and so the warning, as the file made it: not named."""
    path, said = _shortened(tmp_path, "unmissable-deadlines")
    assert main(["validate", str(path), "--set", "duration=20 s", "--set", "warmup=5 s"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: warning: {path}: {said} (set by --set "duration=20 s") [unmissable-deadlines]'
    ]
    document = yaml.safe_load(path.read_text())
    document["duration"] = "20 s"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["validate", str(path), "--set", "warmup=5 s"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: {said} [unmissable-deadlines]"
    ]
