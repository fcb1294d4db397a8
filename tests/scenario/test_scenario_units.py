"""Unit-bearing values: every quantity kind, plain SI numbers, bad units, and distributions."""

from __future__ import annotations

from pathlib import Path

import pytest

from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.quantities import FieldProblem, parse_dist, parse_si
from offloadsim.scenario.units import UnitError, parse_quantity


@pytest.mark.parametrize(
    ("kind", "text", "si"),
    [
        ("time", "5 ms", 0.005),
        ("time", "2 min", 120.0),
        ("time", "1 d", 86400.0),  # a day on battery: it was refused while "24 h" was read
        ("time", "1.5 day", 129600.0),
        ("time", "2 days", 172800.0),
        ("time", "250 us", 250e-6),
        ("size", "150 KB", 150e3),
        ("size", "1 KiB", 1024.0),
        ("size", "8 Mb", 1e6),
        ("bandwidth", "20 Mbps", 20e6),
        ("bandwidth", "1 GB/s", 8e9),
        ("bandwidth", "20 Mb/s", 20e6),  # bits, as the size "Mb" is; it was refused as "did you mean MB/s?"
        ("bandwidth", "512 kb/s", 512e3),
        ("time", "100 msec", 0.1),  # it was refused as "did you mean sec?"
        ("time", "20 usec", 20e-6),
        ("rate", "2 /s", 2.0),
        ("rate", "30 /min", 0.5),
        ("rate", "2 /d", 2 / 86400),  # per day, as durations take "d": it was refused
        ("rate", "3 /day", 3 / 86400),
        ("power", "3 W", 3.0),
        ("power", "500 mW", 0.5),
        ("work", "2 GFLOP", 2e9),
        ("speed", "50 GFLOP/s", 50e9),
        ("byte_rate", "50 GB/s", 50e9),
        ("number", "64", 64.0),
    ],
)
def test_every_quantity_kind_reads_unit_strings(kind: str, text: str, si: float):
    assert parse_si(text, kind) == pytest.approx(si)


@pytest.mark.parametrize("kind", ["time", "size", "bandwidth", "rate", "power", "work", "speed", "byte_rate"])
def test_plain_numbers_are_si(kind: str):
    assert parse_si(3, kind) == 3.0
    assert parse_si(2.5e6, kind) == 2.5e6


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("bandwidth", "fast", 'expected a bandwidth like "20 Mbps", got "fast"'),
        ("bandwidth", "20 Mbs", 'unknown unit "Mbs"'),
        ("time", "5", 'expected a time like "5 ms" (a number with a unit), got "5"'),
        ("time", "5 MB", 'unknown unit "MB"'),
        ("size", True, "expected a size like"),
        ("size", [1], "expected a size like"),
        ("time", "-1 s", 'expected a non-negative time like "5 ms", got "-1 s"'),
        ("power", float("inf"), "not finite"),
        # An int of 400 digits (YAML reads any length) has no float: an internal error before.
        (
            "time",
            10**400,
            'expected a time like "5 ms", got 1000000000000000000000000000000000000000... (401 digits) '
            "(too large a number)",
        ),
        # Read as 12 s and 12 Mbps: the number's pattern matched any script's digits.
        ("time", "\u0661\u0662 s", 'expected a time like "5 ms", got "\u0661\u0662 s"'),
        ("bandwidth", "\uff11\uff12 Mbps", 'expected a bandwidth like "20 Mbps", got "\uff11\uff12 Mbps"'),
        # It rounded to 0 s without a word, where 5e-324 s is refused as below the least.
        ("time", "1e-400 s", 'got "1e-400 s": below 1e-30 s, the smallest time but 0'),
        ("time", "1e-320 ns", 'got "1e-320 ns": below 1e-30 s, the smallest time but 0'),
        ("energy", "3000 mAh", 'expected an energy like "10 Wh"'),  # was "a energy"
        # It suggested "mWh", 3.85x off for a phone's 3.85 V battery.
        ("energy", "3000 mAh", 'unknown unit "mAh" (a charge, not an energy: times the battery\'s voltage'),
        # A USB meter's or a power monitor's reading: it said only the power units, as if a typo.
        # It said 4000 mAh's 15.4 Wh whatever the number: a drone's 18000 mAh 6S pack reads its own
        # number at one cell, and that a pack of cells in series holds as many times more.
        ("energy", "18000 mAh", "18000 mAh at 3.85 V, one lithium-ion cell's, is 69.3 Wh; a pack of N cells"),
        ("energy", "5.2 Ah", "5.2 Ah at 3.85 V, one lithium-ion cell's, is 20 Wh"),
        ("power", "350 mA", 'unknown unit "mA" (a current, not a power: times the supply\'s voltage'),
        ("power", "1.2 A", 'unknown unit "A" (a current, not a power: times the supply\'s voltage'),
        (
            "rate",
            "2 /days",
            'unknown unit "/days" (did you mean "/day"?); known: /d, /day, /h, /min, /s, Hz, /ms',
        ),
    ],
)
def test_bad_values_say_what_was_expected(kind: str, value: object, message: str):
    with pytest.raises(FieldProblem) as caught:
        parse_si(value, kind)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("value", "written"), [("4 TOPS", "4 TFLOP/s"), ("26 TOP/s", "26 TFLOP/s"), ("500 GOPS", "500 GFLOP/s")]
)
def test_an_npu_s_tops_is_told_how_a_speed_counts_operations(value: str, written: str):
    """An NPU's data sheet says TOPS, and a dry run prints an int8 rate as "4 TOP/s"; the speed it
    refused only asked "did you mean TFLOPS?", without saying that the number stands (an int8
    operation counts as one FLOP) or that a peak is not what a processor sustains."""
    with pytest.raises(FieldProblem) as caught:
        parse_si(value, "speed")
    message = caught.value.message
    assert (
        f'an operation rate: a speed counts an integer operation as one FLOP, so write "{written}"' in message
    )
    assert "not a data sheet's peak TOPS: docs/profiles.md#hardware-without-a-profile" in message


@pytest.mark.parametrize(("value", "unit"), [("20 mb/s", "Mb/s"), ("100 MSEC", "msec")])
def test_a_unit_spelt_in_the_wrong_case_is_offered_at_its_own_magnitude(value: str, unit: str):
    kind = "bandwidth" if "/" in value else "time"
    with pytest.raises(FieldProblem) as caught:
        parse_si(value, kind)
    assert f'(did you mean "{unit}"?)' in caught.value.message


def test_positive_refuses_zero():
    with pytest.raises(FieldProblem, match="expected a positive bandwidth"):
        parse_si("0 Mbps", "bandwidth", positive=True)


@pytest.mark.parametrize(
    ("value", "dist"),
    [
        ("2 GFLOP", Dist("deterministic", (2e9,))),
        (5e8, Dist("deterministic", (5e8,))),
        ({"deterministic": "1 GFLOP"}, Dist("deterministic", (1e9,))),
        ({"exponential": "2 GFLOP"}, Dist("exponential", (2e9,))),
        ({"exponential": {"mean": "2 GFLOP"}}, Dist("exponential", (2e9,))),
        ({"lognormal": {"mean": "1 GFLOP", "sigma": 0.5}}, Dist("lognormal", (1e9, 0.5))),
        ({"uniform": ["1 GFLOP", "3 GFLOP"]}, Dist("uniform", (1e9, 3e9))),
        ({"uniform": {"low": 0, "high": "1 MFLOP"}}, Dist("uniform", (0.0, 1e6))),
        ({"empirical": ["1 MFLOP", 2e6, "3 MFLOP"]}, Dist("empirical", (1e6, 2e6, 3e6))),
    ],
)
def test_distribution_forms(value: object, dist: Dist):
    assert parse_dist(value, "work", Path(".")) == dist


def test_empirical_csv_with_header_units_and_comments(tmp_path: Path):
    (tmp_path / "samples.csv").write_text(
        "# measured on a Pixel 7\nservice\n5 ms\n0.01\n\n20 ms\n", encoding="utf-8"
    )
    dist = parse_dist({"empirical": "samples.csv"}, "time", tmp_path)
    assert dist == Dist("empirical", (0.005, 0.01, 0.02))


def test_every_kind_resolves_to_si_in_a_scenario():
    scenario = load_scenario_text(
        """
name: kinds
nodes:
  phone:
    tier: device
    processor: {speed: 10 GFLOP/s, memory_bandwidth: 20 GB/s, cores: 4, queue_limit: 8}
    power: {idle: 500 mW, busy: 3 W, transmit: 1.3 W, receive: 1 W, tail: 200 ms}
  edge: {tier: edge, processor: {speed: 1e12}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, reverse_bandwidth: 5e6, latency: 3 ms}
applications:
  llm:
    service: {exponential: 40 ms}
    input: 2 KB
    output: 1 KiB
    deadline: 1 s
  chat:
    model: llama-3.2-1b
    prompt_tokens: {uniform: [64, 512]}
    output_tokens: 32
workload:
  - {app: llm, sources: phone, rate: 30 /min, start: 1 s, stop: 10 s}
"""
    )
    phone = scenario.node("phone")
    assert phone.processor is not None and phone.power is not None
    assert phone.processor.speed_flops == 10e9
    assert phone.processor.memory_bandwidth_Bps == 20e9
    assert (phone.processor.cores, phone.processor.queue_limit) == (4, 8)
    assert phone.power.idle_w == 0.5 and phone.power.tail_s == pytest.approx(0.2)
    assert scenario.node("edge").processor.speed_flops == 1e12  # type: ignore[union-attr]
    (link,) = scenario.links
    assert (link.bandwidth_bps, link.reverse_bandwidth_bps, link.latency_s) == (20e6, 5e6, 0.003)
    app = scenario.applications["llm"]
    assert app.input == Dist.fixed(2000.0) and app.output == Dist.fixed(1024.0)
    assert app.deadline_s == 1.0
    chat = scenario.applications["chat"]
    assert chat.prompt_tokens == Dist("uniform", (64.0, 512.0)) and chat.output_tokens == Dist.fixed(32.0)
    assert app.stages[0].service == Dist("exponential", (0.04,))
    (entry,) = scenario.workload
    assert entry.arrivals.rate_per_s == pytest.approx(0.5)
    assert (entry.start_s, entry.stop_s) == (1.0, 10.0)


def test_the_units_table_of_the_docs_lists_every_unit_bearing_quantity():
    """scenario-format.md's table had no energy row, though a battery takes one."""
    from offloadsim.scenario.units import QUANTITIES

    docs = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"
    text = docs.read_text(encoding="utf-8").split("## Quantities and units", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    for kind, quantity in QUANTITIES.items():
        if not quantity.si_unit or kind == "gain":  # plain numbers; the dB ratio's row is "ratio"
            continue
        assert quantity.name in rows, f"no row for {quantity.name} ({kind})"
        assert f"| {quantity.si_unit} |" in rows[quantity.name], rows[quantity.name]


def test_the_units_table_of_the_docs_lists_every_rate_unit():
    """A per-day rate was added to the units; the table must say it, as every other rate unit."""
    from offloadsim.scenario.units import QUANTITIES

    docs = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"
    (row,) = [line for line in docs.read_text(encoding="utf-8").splitlines() if line.startswith("| rate |")]
    listed = {unit for cell in row.split("|")[3].split("`")[1::2] for unit in cell.split()}
    assert listed == set(QUANTITIES["rate"].units)


def test_rates_written_per_day_keep_their_unit_on_an_axis():
    from offloadsim.scenario.units import axis_unit_texts, stated_unit, written_unit

    assert written_unit("rate", ["2 /d", "12 /day"]) == (1 / 86400, "per day")
    assert axis_unit_texts([2 / 86400, 12 / 86400], "rate", ["2 /d", "12 /day"]) == ["2 /day", "12 /day"]
    assert (
        stated_unit("uploads per day", "rate") == stated_unit("uploads/d", "rate") == (1 / 86400, "per day")
    )


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("speed", "1e-300 FLOP/s", "below 1e-30 FLOP/s, the smallest speed but 0"),
        ("speed", 1e31, "above 1e30 FLOP/s, the largest speed"),
        ("byte_rate", "1e-40 GB/s", "below 1e-30 B/s"),
        ("size", "1e28 TB", "above 1e30 B"),
        ("number", 1e300, "above 1e30, the largest number"),
    ],
)
def test_magnitudes_past_the_bounds_are_refused(kind: str, value: object, message: str):
    with pytest.raises(FieldProblem) as caught:
        parse_si(value, kind)
    assert message in caught.value.message
    assert "offloadsim computes with" in caught.value.message


@pytest.mark.parametrize("kind", ["time", "size", "bandwidth", "rate", "power", "work", "speed", "byte_rate"])
def test_zero_and_the_bounds_themselves_are_read(kind: str):
    assert [parse_si(v, kind) for v in (0, 1e-30, 1e30)] == [0.0, 1e-30, 1e30]


def test_decibels_are_bounded_either_way():
    assert parse_quantity("-300 dBm", "level") == -300.0 and parse_quantity("300 dB", "gain") == 300.0
    for value in ("1e300 dBm", "-301 dBm"):
        with pytest.raises(UnitError, match="outside -300 to 300 dBm"):
            parse_quantity(value, "level")


def test_a_csv_sample_past_the_bounds_names_its_line(tmp_path: Path):
    (tmp_path / "samples.csv").write_text("service\n5 ms\n1e-40\n", encoding="utf-8")
    with pytest.raises(FieldProblem, match=r"samples.csv, line 3: got .*1e-40.*below 1e-30 s"):
        parse_dist({"empirical": "samples.csv"}, "time", tmp_path)
