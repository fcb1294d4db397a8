"""``plain-bandwidths``: a bandwidth written as a bare number below 10,000 is warned of.

A bare number is a quantity in its SI unit, so ``bandwidth: 20`` ran with a link of 20 bit/s: every
offloaded task was still uploading at the end, without a word.  Its writer meant 20 Mbps.  Only the
plain document tells ``20`` from ``"20 bps"`` (the loaded scenario holds bit/s either way); a value
with a unit says what its writer meant.
"""

from __future__ import annotations

import pytest
from scenario_testkit import ROOT, SHIPPED, check_warnings, small_document, trace_command, write_document

from offloadsim import api
from offloadsim.cli import main
from offloadsim.scenario import load_scenario
from offloadsim.scenario.bandwidth_check import plain_bandwidths
from offloadsim.scenario.checks import CheckedRun, run_scenario_checks
from offloadsim.scenario.csvdata import first_bare, read_series
from offloadsim.world.dynamics import (
    LINKS_ONLY,
    SetCapacity,
    directed,
    quantity_keys,
    register_dynamics,
    unregister_dynamics,
)

_write = write_document


def _warnings(path):
    return check_warnings(path, "plain-bandwidths")


def test_a_bare_bandwidth_of_20_is_warned_of_naming_file_key_and_the_unit_to_write(tmp_path, capsys):
    document = small_document()
    document["links"][0]["bandwidth"] = 20
    path = _write(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: links[0].bandwidth: a bare number is read as bit/s: 20 bit/s, not "
        'Mbit/s; write "20 Mbps" if megabits per second were meant, or "20 bps" to say bits '
        "[plain-bandwidths]"
    ]


@pytest.mark.parametrize(
    ("bandwidth", "warned"),
    [
        (20, True),
        (1, True),
        (9999, True),
        (0.5, True),
        (10000, False),  # 10 kbit/s written in bit/s: what SI numbers are for
        (20e6, False),
        ("20 bps", False),  # with a unit: what its writer meant
        ("20 Mbps", False),
    ],
)
def test_only_a_bare_number_above_0_and_below_10000_is_warned_of(tmp_path, bandwidth, warned):
    document = small_document()
    document["links"][0]["reverse_bandwidth"] = bandwidth
    assert bool(_warnings(_write(tmp_path, document))) is warned


def test_the_bandwidths_a_dynamics_entry_sets_are_read_too(tmp_path, capsys):
    """Of entries the world accepts: one it refuses is said by its error alone (the runner's rule).

    The walk starts at 2 Mbps, within [min, max]: from the link's 20 Mbps it was refused.  Each
    entry sets its own links' rates (two entries setting one are refused): the chain edge→ap's,
    the walk ap→edge's.
    """
    document = small_document()
    document["dynamics"] = [
        {
            "kind": "link-schedule",
            "link": 0,
            "steps": [
                {"at": "1 s", "bandwidth": 0},  # 0: stalled, on purpose
                {"at": "2 s", "bandwidth": 5},
                {"at": "3 s", "reverse_bandwidth": 7},
            ],
        },
        {
            "kind": "gilbert-elliott",
            "link": ["edge", "ap"],
            "good": {"mean": "1 s", "bandwidth": 2e7},
            "bad": {"mean": "1 s", "bandwidth": 2},
        },
        {
            "kind": "random-walk",
            "link": 1,
            "every": "1 s",
            "step": 1,
            "min": "1 Mbps",
            "max": "5 Mbps",
            "start": "2 Mbps",
        },
    ]
    path = _write(tmp_path, document)
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err  # every entry is one the run reads
    found = _warnings(path)
    assert [line.split(": ")[1] for line in found] == [
        "dynamics[0].steps[1].bandwidth",
        "dynamics[0].steps[2].reverse_bandwidth",
        "dynamics[1].bad.bandwidth",
        "dynamics[2].step",
    ]
    assert 'write "5 Mbps"' in found[0] and 'write "2 Mbps"' in found[2]


def test_a_set_that_writes_a_bare_bandwidth_is_named_and_the_check_can_be_skipped(tmp_path, capsys):
    path = _write(tmp_path, small_document())
    assert main(["validate", str(path), "--set", "links[0].bandwidth=20"]) == 0
    err = capsys.readouterr().err
    assert err.rstrip().endswith('(set by --set "links[0].bandwidth=20") [plain-bandwidths]'), err
    skip = ["--set", "skip_checks=[plain-bandwidths]"]
    assert main(["validate", str(path), "--set", "links[0].bandwidth=20", *skip]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_no_shipped_scenario_writes_a_bare_bandwidth(path):
    scenario = load_scenario(path)
    run = CheckedRun(scenario, scenario.policy, lambda: None, quantity_keys=quantity_keys)
    assert plain_bandwidths(run) == []


def test_a_link_traces_bare_bandwidth_cell_is_warned_of_at_its_file_with_the_line(tmp_path, capsys):
    """A trace's cells are SI numbers: 9000000 is 9 Mb/s, as meant, but 8 is 8 bit/s, meant as Mb/s."""
    (tmp_path / "uplink.csv").write_text("time,bandwidth\n0,12 Mbps\n1,9000000\n2,8\n3,4\n")
    document = small_document()
    document["dynamics"] = [{"kind": "link-trace", "link": 0, "file": "uplink.csv", "loop": True}]
    path = _write(tmp_path, document)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [  # the first such cell, once per column
        f"offloadsim: warning: {path}: dynamics[0].file: uplink.csv, line 4: a bare bandwidth is read as "
        'bit/s: 8 bit/s, not Mbit/s; write "8 Mbps" if megabits per second were meant, or "8 bps" to say '
        "bits [plain-bandwidths]"
    ]
    (tmp_path / "uplink.csv").write_text("time,bandwidth\n0,12 Mbps\n1,9000000\n2,0\n")
    assert _warnings(path) == []


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["run", "--out", "{out}"],
        ["run", "--dry-run"],
        ["compare", "--policies", "local,edge", "--out", "{out}"],
    ],
    ids=["validate", "run", "run-dry", "compare"],
)
def test_a_trace_the_kind_refuses_is_said_in_one_line_without_a_warning_of_its_cells(
    tmp_path, capsys, command
):
    """``0,8`` then ``1,abc``: the check warned of line 2 (8 bit/s), then the run refused line 3.

    The warning read the cells on its own terms, of a file the kind refuses: the error is all
    there is to say.  Once the row is fixed, the same file is warned of.
    """
    path, code = trace_command(tmp_path, "time,bandwidth\n0,8\n1,abc\n", command)
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: error: {path}: dynamics[0].file: uplink.csv, line 3: expected a bandwidth like "
        '"20 Mbps", got "abc"'
    ]
    assert _problems(path) == []  # without the world built: the entry is read alone, and refused
    (tmp_path / "uplink.csv").write_text("time,bandwidth\n0,8\n1,9 Mbps\n")
    assert main(["validate", str(path)]) == 0
    (warning,) = capsys.readouterr().err.splitlines()
    at = f"{path}: dynamics[0].file: uplink.csv, line 2: a bare bandwidth"
    assert warning.startswith(f"offloadsim: warning: {at}")


def test_a_refused_entry_is_not_warned_of_and_an_accepted_one_beside_it_is(tmp_path):
    """The check runner asks of each entry warned of, not of the world as a whole."""
    (tmp_path / "bad.csv").write_text("time,bandwidth\n0,8\n1,abc\n")
    (tmp_path / "good.csv").write_text("time,bandwidth\n0,7\n1,9 Mbps\n")
    document = small_document()
    document["dynamics"] = [
        {"kind": "link-trace", "link": 0, "file": "bad.csv"},
        {"kind": "link-trace", "link": 1, "file": "good.csv"},
    ]
    found = _warnings(_write(tmp_path, document))
    assert [line.split(": ")[1:3] for line in found] == [["dynamics[1].file", "good.csv, line 2"]]
    scenario = load_scenario(tmp_path / "s.yaml")
    asked = []
    refused = {0}.__contains__
    run = CheckedRun(
        scenario,
        scenario.policy,
        lambda: None,
        quantity_keys=quantity_keys,
        dynamics_refused=lambda i: asked.append(i) or refused(i),
    )
    assert [p.key_path for p in plain_bandwidths(run)] == ["dynamics[0].file", "dynamics[1].file"]
    assert asked == []  # the check warns of both; the runner drops those of the refused entry
    assert [p.key_path for p in run_scenario_checks(run) if p.check == "plain-bandwidths"] == [
        "dynamics[1].file"
    ]
    assert asked == [0, 1]


@pytest.mark.parametrize("command", [["validate"], ["run", "--dry-run"]], ids=["validate", "run-dry"])
def test_a_bare_bandwidth_beside_a_key_the_kind_refuses_is_not_warned_of(capsys, command):
    """commute's radio with ``bandwidth=20`` and ``exponent=abc``: a warning of 20 Hz, then the error.

    The entry is refused: its error is all the user reads; once ``exponent`` is a number, 20 Hz is
    warned of.
    """
    commute = str(ROOT / "scenarios" / "commute.yaml")
    radio = ["--set", "dynamics[0].radio.bandwidth=20", "--set", "dynamics[0].radio.exponent=abc"]
    assert main([command[0], commute, *command[1:], *radio]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: error: {commute}: dynamics[0].radio.exponent: expected a number like 3.5, got "abc" '
        '(set by --set "dynamics[0].radio.exponent=abc")'
    ]
    assert main(["validate", commute, *radio[:2], "--set", "dynamics[0].radio.exponent=3"]) == 0
    (warning,) = capsys.readouterr().err.splitlines()
    assert f"{commute}: dynamics[0].radio.bandwidth: a bare number is read as Hz" in warning


def test_a_trace_file_is_read_once_for_both_checks_and_each_is_skipped_alone(tmp_path, monkeypatch):
    """A trace of a million rows took 1.1 s a pass; its latency and bandwidth cells come of one."""
    from offloadsim.scenario import csvdata

    (tmp_path / "uplink.csv").write_text("time,bandwidth,latency\n0,12 Mbps,20 ms\n1,8,25\n")
    document = small_document()
    document["dynamics"] = [{"kind": "link-trace", "link": 0, "file": "uplink.csv"}]
    path = _write(tmp_path, document)
    reads = []
    # plain_numbers imports first_bare where a file is named (start-up, issue 12 e): patched at its home
    monkeypatch.setattr(csvdata, "first_bare", lambda *a: reads.append(a) or first_bare(*a))
    assert [p.check for p in _problems(path)] == ["plain-latencies", "plain-bandwidths"]
    assert [sorted(suspects) for _, _, suspects in reads] == [["bandwidth", "latency", "reverse_bandwidth"]]
    document["skip_checks"] = ["plain-latencies"]
    skipped = _problems(_write(tmp_path, document))
    said = [(p.check, p.message.split(": ")[0]) for p in skipped]
    assert said == [("plain-bandwidths", "uplink.csv, line 3")]


def _problems(path):
    scenario = load_scenario(path)
    return api.scenario_warnings(scenario.policy, scenario)


def test_a_mobility_radio_s_bare_band_is_warned_of_as_hertz(capsys):
    """``radio.bandwidth`` is a band in Hz: a bare 20 is 20 Hz, surely meant as 20 MHz."""
    path = ROOT / "scenarios" / "commute.yaml"
    assert main(["validate", str(path), "--set", "dynamics[0].radio.bandwidth=20"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: dynamics[0].radio.bandwidth: a bare number is read as Hz: 20 Hz, "
        'not MHz; write "20 MHz" if megahertz were meant, or "20 Hz" to say hertz (set by --set '
        '"dynamics[0].radio.bandwidth=20") [plain-bandwidths]'
    ]


class _Throttle:
    """A plug-in kind (``{kind: throttle, link: N, cap: BANDWIDTH, file: CSV}``), its CSV of rates and delays.

    It declares where its entries hold each quantity as a kind does (``quantity_keys``): a key of
    the entry, and columns of the file its ``file`` key names; or, ``declares`` false, nothing.
    """

    name = "throttle"

    def __init__(self, declares):
        if declares:
            self.quantity_keys = {"bandwidth": ("cap", "file:rate"), "latency": ("file:delay",)}

    def parse(self, entry):
        entry.keys(required=("link", "cap", "file"))
        links = entry.links("link")
        cap = entry.quantity("cap", "bandwidth", positive=True)
        path, shown = entry.file("file")
        rows = read_series(path, shown, {"rate": "bandwidth", "delay": "time"})
        rates = rows.values[rows.columns.index("rate")]
        return links, cap, tuple((time, min(cap, rate)) for time, rate in zip(rows.times, rates, strict=True))

    def node_changes(self, spec):
        return LINKS_ONLY

    def timeline(self, spec, rng):
        links, _, rows = spec
        for time, rate in rows:
            for link, forward in links:
                yield time, SetCapacity(directed(link, forward)[0], rate)


@pytest.fixture
def throttle(request):
    register_dynamics(_Throttle(request.param))
    yield request.param
    unregister_dynamics("throttle")


@pytest.mark.parametrize("throttle", [True, False], indirect=True)
def test_a_plug_in_kind_s_bandwidths_and_file_columns_are_read_as_it_declares_them(tmp_path, throttle):
    """The checks name no kind: a new one's keys and its file's columns are read by what it declares.

    Of a file the kind reads (one it refuses is said by its error alone).
    """
    (tmp_path / "rates.csv").write_text("time,rate,delay\n0,20 Mbps,5 ms\n1,12,0.004\n2,8,40\n")
    document = small_document()
    document["dynamics"] = [{"kind": "throttle", "link": 0, "cap": 30, "file": "rates.csv"}]
    path = _write(tmp_path, document)
    bandwidths, latencies = _warnings(path), check_warnings(path, "plain-latencies")
    if not throttle:
        assert bandwidths == latencies == []  # nothing declared: its keys mean what the plug-in says
        return
    assert [line.split(": ", 2)[1:] for line in bandwidths] == [
        [
            "dynamics[0].cap",
            'a bare number is read as bit/s: 30 bit/s, not Mbit/s; write "30 Mbps" if megabits per '
            'second were meant, or "30 bps" to say bits [plain-bandwidths]',
        ],
        [
            "dynamics[0].file",
            'rates.csv, line 3: a bare rate is read as bit/s: 12 bit/s, not Mbit/s; write "12 Mbps" if '
            'megabits per second were meant, or "12 bps" to say bits [plain-bandwidths]',
        ],
    ]
    assert [line.split(": ", 2)[1:] for line in latencies] == [
        [
            "dynamics[0].file",
            'rates.csv, line 4: a bare delay is read as seconds: 40 s, not milliseconds; write "40 ms" if '
            'milliseconds were meant, or "40 s" to say seconds [plain-latencies]',
        ]
    ]


def test_the_reader_of_a_csv_file_s_bare_cells_is_as_its_docstring_says():
    import doctest

    from offloadsim.scenario import csvdata

    result = doctest.testmod(csvdata)
    assert result.attempted > 0 and result.failed == 0
