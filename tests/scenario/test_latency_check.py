"""``plain-latencies``: a link latency written as a bare number of 1 or more is warned of.

A bare number is a quantity in its SI unit, so ``latency: 20`` ran with links of 20 seconds, without
a word: its writer meant 20 ms.  Only the plain document tells ``20`` from ``"20 s"`` (the loaded
scenario holds seconds either way); a value with a unit says what its writer meant.
"""

from __future__ import annotations

import pytest
import yaml
from scenario_testkit import SHIPPED, check_warnings, small_document, trace_command, write_document

from offloadsim import api
from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.latency_check import plain_latencies
from offloadsim.world.dynamics import (
    LINKS_ONLY,
    SetLatency,
    quantity_keys,
    register_dynamics,
    unregister_dynamics,
)

_write = write_document


def _warnings(path):
    return check_warnings(path, "plain-latencies")


def test_a_bare_latency_of_20_is_warned_of_naming_file_key_and_the_unit_to_write(tmp_path, capsys):
    document = small_document()
    document["links"][0]["latency"] = 20
    path = _write(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: links[0].latency: a bare number is read as seconds: 20 s, not "
        'milliseconds; write "20 ms" if milliseconds were meant, or "20 s" to say seconds [plain-latencies]'
    ]


@pytest.mark.parametrize(
    ("latency", "warned"),
    [
        (20, True),
        (1, True),  # a second is no link's latency either
        (2.5, True),
        (1e3, True),
        ("1 s", False),  # with a unit: what its writer meant
        ("20 s", False),
        ("20 ms", False),
        (0.02, False),  # 20 ms in seconds, as the format says
        (0.999, False),
        (0, False),
    ],
)
def test_only_a_bare_number_of_at_least_1_is_warned_of(tmp_path, latency, warned):
    document = small_document()
    document["links"][1]["latency"] = latency
    found = _warnings(_write(tmp_path, document))
    assert [line.split(": ")[1] for line in found] == (["links[1].latency"] if warned else [])


def test_the_latencies_a_dynamics_entry_sets_are_read_too(tmp_path):
    document = small_document()
    document["dynamics"] = [
        {
            "kind": "link-schedule",
            "link": 1,
            "steps": [{"at": "1 s", "latency": "5 ms"}, {"at": "2 s", "latency": 40}],
        },
        {
            "kind": "gilbert-elliott",
            "link": 0,
            "good": {"mean": "1 s", "latency": 0.004},
            "bad": {"mean": "1 s", "latency": 90},
        },
    ]
    path = _write(tmp_path, document)
    said = (
        '{}: {}: a bare number is read as seconds: {} s, not milliseconds; write "{} ms" if '
        'milliseconds were meant, or "{} s" to say seconds [plain-latencies]'
    )
    assert _warnings(path) == [
        said.format(path, "dynamics[0].steps[1].latency", *["40"] * 3),
        said.format(path, "dynamics[1].bad.latency", *["90"] * 3),
    ]


def test_a_link_traces_bare_latency_cell_is_warned_of_at_its_file_with_the_line(tmp_path, capsys):
    """A trace's cells are SI numbers too: a latency column of ``20`` is 20 s, meant as 20 ms."""
    (tmp_path / "uplink.csv").write_text(
        "time,bandwidth,latency\n0,12 Mbps,20 ms\n1,4.5 Mbps,0.035\n2,9000000,25\n3,1e6,30\n"
    )
    document = small_document()
    document["dynamics"] = [{"kind": "link-trace", "link": 0, "file": "uplink.csv", "loop": True}]
    path = _write(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [  # the first such cell, once per file
        f"offloadsim: warning: {path}: dynamics[0].file: uplink.csv, line 4: a bare latency is read as "
        'seconds: 25 s, not milliseconds; write "25 ms" if milliseconds were meant, or "25 s" to say '
        "seconds [plain-latencies]"
    ]
    (tmp_path / "uplink.csv").write_text("time,bandwidth,latency\n0,12 Mbps,20 ms\n1,4.5 Mbps,0.035\n")
    assert _warnings(path) == []


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ("0,25,0\n1,abc,0\n", 'line 3, column "latency": expected a time like "5 ms", got "abc"'),
        ("0,25,0\n1,30 ms,2\n", "line 3: loss 2 is above 1"),  # refused by the kind, not the cell reader
    ],
    ids=["not-a-number", "loss-above-1"],
)
@pytest.mark.parametrize("command", [["validate"], ["run", "--out", "{out}"]], ids=["validate", "run"])
def test_a_trace_the_kind_refuses_gets_its_error_alone_not_a_warning_of_its_latencies(
    tmp_path, capsys, rows, error, command
):
    """Line 2's bare 25 was warned of, then the run refused line 3: one line says what is wrong."""
    path, code = trace_command(tmp_path, "time,latency,loss\n" + rows, command)
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: error: {path}: dynamics[0].file: uplink.csv, {error}"
    ]


def test_a_set_that_writes_a_bare_latency_is_named_and_the_check_can_be_skipped(tmp_path, capsys):
    path = _write(tmp_path, small_document())
    assert main(["validate", str(path), "--set", "links[0].latency=20"]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith('(set by --set "links[0].latency=20") [plain-latencies]'), err
    skip = ["--set", "skip_checks=[plain-latencies]"]
    assert main(["validate", str(path), "--set", "links[0].latency=20", *skip]) == 0
    assert capsys.readouterr().err == ""
    document = small_document()
    document["links"][0]["latency"] = 20
    document["skip_checks"] = ["plain-latencies"]
    assert _warnings(_write(tmp_path, document, "skips.yaml")) == []


def test_a_bare_deadline_of_seconds_is_not_warned_of(tmp_path):
    """Deadlines of seconds are common (an LLM request); one too long for the run has its own check."""
    document = small_document()
    document["applications"]["job"]["deadline"] = 2
    path = _write(tmp_path, document)
    scenario = load_scenario(path)
    assert api.scenario_warnings(scenario.policy, scenario) == []


def test_an_integer_too_large_for_a_float_is_left_to_the_kind_to_refuse(tmp_path):
    """``latency: 1000...0`` (401 digits) raised OverflowError in the check, an internal error."""
    document = small_document()
    steps = [{"at": "1 s", "latency": 10**400}]
    document["dynamics"] = [{"kind": "link-schedule", "link": 0, "steps": steps}]
    scenario = load_scenario(_write(tmp_path, document))
    run = CheckedRun(scenario, scenario.policy, lambda: None, quantity_keys=quantity_keys)
    assert plain_latencies(run) == []


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_writes_a_bare_latency(path):
    scenario = load_scenario(path)
    run = CheckedRun(scenario, scenario.policy, lambda: None, quantity_keys=quantity_keys)
    assert plain_latencies(run) == []


def test_a_sweep_value_that_is_a_bare_latency_is_warned_of_at_its_grid_key(tmp_path, capsys):
    _write(tmp_path, small_document(), "base.yaml")
    sweep = tmp_path / "sw.yaml"
    sweep.write_text(yaml.safe_dump({"base": "base.yaml", "grid": {"links[0].latency": ["5 ms", 20]}}))
    assert main(["sweep", str(sweep), "--dry-run", "--out", str(tmp_path / "dry")]) == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f'offloadsim: warning: {sweep}: grid["links[0].latency"]: '), line
    assert line.endswith("(point 1: links[0].latency=20) [plain-latencies]"), line


class _Jitter:
    """A plug-in kind (``{kind: jitter, link: N, spread: TIME, bursts: [{at: TIME, latency: TIME}]}``).

    It declares its latencies as a kind does (``quantity_keys``), or, ``declares`` false, not at all.
    """

    name = "jitter"

    def __init__(self, declares):
        if declares:
            self.quantity_keys = {"latency": ("spread", "bursts[].latency")}

    def parse(self, entry):
        entry.keys(required=("link", "spread", "bursts"))
        links = entry.links("link")
        entry.quantity("spread", "time")
        bursts = [(b.quantity("at", "time"), b.quantity("latency", "time")) for b in entry.mappings("bursts")]
        return links, tuple(bursts)

    def node_changes(self, spec):
        return LINKS_ONLY

    def timeline(self, spec, rng):
        links, bursts = spec
        for at, latency in bursts:
            for link, _ in links:
                yield at, SetLatency(link, latency)


@pytest.fixture
def jitter(request):
    register_dynamics(_Jitter(request.param))
    yield request.param
    unregister_dynamics("jitter")


@pytest.mark.parametrize("jitter", [True, False], indirect=True)
def test_a_plug_in_kind_s_latencies_are_read_as_it_declares_them(tmp_path, jitter):
    """The check names no kind: a new one is read by what it declares, a built-in one likewise."""
    document = small_document()
    bursts = [{"at": "1 s", "latency": "5 ms"}, {"at": "2 s", "latency": 30}]
    document["dynamics"] = [{"kind": "jitter", "link": 0, "spread": 2, "bursts": bursts}]
    found = _warnings(_write(tmp_path, document))
    if not jitter:
        assert found == []  # nothing declared: its keys mean what the plug-in says
        return
    assert [line.split(": ", 2)[1:] for line in found] == [
        [
            "dynamics[0].spread",
            'a bare number is read as seconds: 2 s, not milliseconds; write "2 ms" if milliseconds '
            'were meant, or "2 s" to say seconds [plain-latencies]',
        ],
        [
            "dynamics[0].bursts[1].latency",
            'a bare number is read as seconds: 30 s, not milliseconds; write "30 ms" if milliseconds '
            'were meant, or "30 s" to say seconds [plain-latencies]',
        ],
    ]


@pytest.mark.parametrize(
    "declared",
    [
        {"latency": ("steps[0].latency",)},
        {"latency": ("a..b",)},
        {"latency": "spread"},
        {"latency": (3,)},
        {"bandwidth": ("file:",)},  # a column of the file: a plain name after the ':'
        {"bandwidth": ("file:rate[]",)},
        {"bandwidth": ("file:rate:up",)},
        {"latncy": ("spread",)},  # no check reads it: a typo, silent otherwise
        {"time": ("bursts[].at",)},
        ("latency", ("spread",)),
    ],
)
def test_a_kind_that_declares_quantity_keys_not_as_key_patterns_by_quantity_is_refused_at_registration(
    declared,
):
    kind = _Jitter(True)
    kind.quantity_keys = declared
    try:
        with pytest.raises(ValueError, match="kind of dynamics 'jitter': quantity_keys"):
            register_dynamics(kind)
        assert quantity_keys("jitter") == {}  # not registered
    finally:
        unregister_dynamics("jitter")


def test_the_registry_s_reading_of_declared_quantity_keys_is_as_its_docstring_says():
    import doctest

    from offloadsim.world.dynamics import registry

    result = doctest.testmod(registry)
    assert result.attempted > 0 and result.failed == 0
