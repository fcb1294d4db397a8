"""A scheduled change or failures the run never reaches is a warning from validate and run.

An edge outage from 500 s to 600 s in a 100 s run (``at`` in minutes meant, or counted from the
end of the warm-up, which it is not) left the results those of a world that never fails, and
``validate`` said ``ok`` without a word.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from scenario_testkit import small_document

from offloadsim.cli import main
from offloadsim.world.dynamics import (
    LINKS_ONLY,
    SetLatency,
    change_time_keys,
    register_dynamics,
    unregister_dynamics,
)


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


class _Spikes:
    """A plug-in kind (``{kind: spikes, link: N, from: TIME, spikes: [{at: TIME, latency: TIME}]}``).

    It declares the keys of its change times as a kind does (``change_time_keys``), and what a run
    that ends before one misses (``missed_changes``), or, each None, not at all.  It does not keep
    its spikes in time order, as the built-in schedules do.
    """

    name = "spikes"

    def __init__(self, change_time_keys=None, missed_changes=None):
        if change_time_keys is not None:
            self.change_time_keys = change_time_keys
        if missed_changes is not None:
            self.missed_changes = missed_changes

    def parse(self, entry):
        entry.keys(required=("link", "spikes"), optional=("from",))
        links = entry.links("link")
        begin = entry.quantity("from", "time") if entry.has("from") else 0.0
        spikes = [(s.quantity("at", "time"), s.quantity("latency", "time")) for s in entry.mappings("spikes")]
        return links, begin, tuple(sorted(spikes))

    def node_changes(self, spec):
        return LINKS_ONLY

    def timeline(self, spec, rng):
        links, begin, spikes = spec
        for at, latency in spikes:
            for link, _ in links:
                if at >= begin:
                    yield at, SetLatency(link, latency)


def _spikes(*times, begin=None):
    entry = {"kind": "spikes", "link": 0, "spikes": [{"at": at, "latency": "50 ms"} for at in times]}
    return entry if begin is None else {**entry, "from": begin}


@pytest.fixture
def spikes(request):
    register_dynamics(_Spikes(*request.param))
    yield request.param
    unregister_dynamics("spikes")


WHY = "is at or after the run's end at 40 s (warm-up included)"


@pytest.mark.parametrize(
    ("spikes", "entry", "expected"),
    [
        (
            [("spikes[].at",)],
            _spikes("20 s", "45 s", "50 s"),
            f"dynamics[0].spikes[1].at: 45 s {WHY}: the run never reaches this step or those after it",
        ),
        (  # not in time order: the spike after it comes in the run
            [("spikes[].at",)],
            _spikes("45 s", "20 s"),
            f"dynamics[0].spikes[0].at: 45 s {WHY}: the run never reaches this step",
        ),
        (  # the first key declared that is late, though a later one is late too
            [("from", "spikes[].at")],
            _spikes("20 s", "50 s", begin="1 min"),
            f"dynamics[0].from: 60 s {WHY}: the run never reaches this change",
        ),
        (
            [("from", "spikes[].at"), {"from": "no spike comes in the run"}],
            _spikes("20 s", begin="1 min"),
            f"dynamics[0].from: 60 s {WHY}: no spike comes in the run",
        ),
    ],
    indirect=["spikes"],
)
def test_a_plug_in_kind_s_late_change_is_warned_of_at_the_keys_it_declares(
    tmp_path, capsys, spikes, entry, expected
):
    """The check names no kind: a plug-in's change after the run's end was missed without a word."""
    path = _scenario(tmp_path, entry)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: {expected} [late-dynamics]"
    ]


@pytest.mark.parametrize("spikes", [[], [("spikes[].at",)]], indirect=True)
def test_a_plug_in_kind_is_left_alone_where_it_declares_no_late_change(tmp_path, capsys, spikes):
    """Undeclared, ``from`` and ``spikes[].at`` mean what the plug-in says; declared, none is late."""
    late = _spikes("20 s", "50 s", begin="1 min")
    path = _scenario(tmp_path, late if not spikes else _spikes("20 s", "39 s", begin="1 min"))
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "declared",
    [
        {"change_time_keys": ("spikes[0].at",)},
        {"change_time_keys": "from"},
        {"change_time_keys": (3,)},
        {"change_time_keys": ("from",), "missed_changes": {"until": "no spike comes in the run"}},
        {"change_time_keys": ("from",), "missed_changes": {"from": ""}},
        {"change_time_keys": ("from",), "missed_changes": ("from",)},
        {"missed_changes": {"from": "no spike comes in the run"}},
    ],
)
def test_a_kind_that_declares_its_change_times_wrongly_is_refused_at_registration(declared):
    kind = _Spikes(declared.get("change_time_keys"), declared.get("missed_changes"))
    attribute = "missed_changes" if "missed_changes" in declared else "change_time_keys"
    try:
        with pytest.raises(ValueError, match=f"kind of dynamics 'spikes': {attribute}"):
            register_dynamics(kind)
        assert change_time_keys("spikes") == {}  # not registered
    finally:
        unregister_dynamics("spikes")


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        (
            {
                "kind": "link-schedule",
                "link": 0,
                "steps": [{"at": "500 s", "bandwidth": "2 Mbps"}, {"at": "600 s", "bandwidth": "abc"}],
            },
            'dynamics[0].steps[1].bandwidth: expected a bandwidth like "20 Mbps", got "abc"',
        ),
        (
            {"kind": "failures", "nodes": "edge", "mtbf": "abc", "mttr": "10 s", "start": "1 h"},
            'dynamics[0].mtbf: expected a time like "5 ms", got "abc"',
        ),
    ],
    ids=["link-schedule", "failures"],
)
def test_an_entry_the_kind_refuses_gets_its_error_alone_not_a_warning_of_its_late_change(
    tmp_path, capsys, entry, error
):
    """A step at 500 s in a 40 s run was warned of, then the run refused the entry: one line now."""
    path = _scenario(tmp_path, entry)
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"offloadsim: error: {path}: {error}"]


@pytest.mark.parametrize(
    ("rows", "late"),
    [
        ("100,1 Mbps\n200,2 Mbps\n", "100 s"),  # it starts after the run's end
        ("0,1 Mbps\n1000,2 Mbps\n2000,3 Mbps\n", "1000 s"),  # times written in milliseconds
        ("0 s,1 Mbps\n1 min,2 Mbps\n", "60 s"),
    ],
)
def test_a_trace_that_changes_nothing_after_its_start_is_a_warning(tmp_path, capsys, rows, late):
    (tmp_path / "up.csv").write_text("# a comment\ntime,bandwidth\n" + rows)
    path = _scenario(tmp_path, {"kind": "link-trace", "link": 0, "file": "up.csv", "loop": True})
    line = (
        f"offloadsim: warning: {path}: dynamics[0].file: {late} is at or after the run's end at 40 s "
        "(warm-up included): the trace's rows from then on come after it, so the link keeps the values "
        "it starts with throughout the run (a trace's times are seconds from the run's start) [late-dynamics]"
    )
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [line]


def test_a_trace_s_times_are_read_in_the_unit_its_header_states(tmp_path, capsys):
    """``time (ms)``: 1000 is 1 s, which the run sees; 40000, 40 s, at the run's end, is warned of."""
    path = _scenario(tmp_path, {"kind": "link-trace", "link": 0, "file": "up.csv"})
    (tmp_path / "up.csv").write_text("time (ms),bandwidth\n0,1 Mbps\n1000,2 Mbps\n")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""
    (tmp_path / "up.csv").write_text("Time [ms],bandwidth\n0,1 Mbps\n40000,2 Mbps\n")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.startswith(
        f"offloadsim: warning: {path}: dynamics[0].file: 40 s is at or after the run's end at 40 s"
    )


@pytest.mark.parametrize("rows", ["0,1 Mbps\n", "0,1 Mbps\n39,2 Mbps\n500,3 Mbps\n", "5,1 Mbps\n"])
def test_a_trace_the_run_sees_change_is_not_warned_of(tmp_path, capsys, rows):
    (tmp_path / "up.csv").write_text("time,bandwidth\n" + rows)
    path = _scenario(tmp_path, {"kind": "link-trace", "link": 0, "file": "up.csv"})
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_a_looped_trace_with_a_random_offset_is_not_warned_of_however_late_its_rows(tmp_path, capsys):
    """``offset: random`` starts each run at its own point of the loop: the file's times are not the run's.

    A 180 s loop (rows at 0, 60 and 120 s) in a 40 s run: the warning said the link kept its first
    values throughout, while three of four replications' links changed within the run.
    """
    (tmp_path / "up.csv").write_text("time,bandwidth\n0,50 Mbps\n60,5 Mbps\n120,50 Mbps\n")
    entry = {"kind": "link-trace", "link": 0, "file": "up.csv", "loop": True, "offset": "random"}
    path = _scenario(tmp_path, entry)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""
    out = tmp_path / "out"
    assert (
        main(["compare", str(path), "--policies", "edge", "--replications", "4", "--out", str(out), "-q"])
        == 0
    )
    assert "late-dynamics" not in capsys.readouterr().err
    changes = pd.read_parquet(out / "link_changes.parquet")
    # the runs' links did change within the run, after its start: the warning would have been false
    assert (changes.time > 0).any()


# --------------------------------------------------------------------------- early-dynamics


def test_an_outage_wholly_inside_the_warm_up_is_a_warning_from_validate_and_run(tmp_path, capsys):
    """HB35's trial: node-schedule steps at 50 ms and 80 ms (seconds meant) took the edge down and
    up inside the 10 s warm-up; validate and run said nothing, the results a world that never failed."""
    path = _scenario(tmp_path, _outage("50 ms", "80 ms"))
    line = (
        f"offloadsim: warning: {path}: dynamics[0].steps[1].at: all its changes (0.05 s to 0.08 s) fall "
        "inside the warm-up, which ends at 10 s: none is measured, only what they leave (its state, "
        "a backlog; times are from the run's start, warm-up included; seconds where ms were written?) "
        "[early-dynamics]"
    )
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    # A --set warm-up that made it early is named as what did.
    path = _scenario(tmp_path, _outage("5 s", "8 s"))
    assert main(["validate", str(path), "--set", "warmup=9s"]) == 0
    err = capsys.readouterr().err
    assert '(set by --set "warmup=9s") [early-dynamics]' in err, err


@pytest.mark.parametrize(
    "entry",
    [
        _outage("5 s", "15 s"),  # back up in the measured time: measured
        {"kind": "link-schedule", "link": 0, "steps": [{"at": "1 s", "bandwidth": "2 Mbps"}]},  # for good
        {"kind": "failures", "nodes": "edge", "mtbf": "5 s", "mttr": "1 s", "start": "1 s"},
        _outage("10 s", "12 s"),  # at the warm-up's end: measured
    ],
)
def test_a_change_the_measured_time_sees_is_no_early_warning(tmp_path, capsys, entry):
    path = _scenario(tmp_path, entry)
    assert main(["validate", str(path)]) == 0
    assert "early-dynamics" not in capsys.readouterr().err
