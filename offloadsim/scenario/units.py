"""Parse quantities with units ("20 Mbps", "5 ms", "150 KB") into SI floats.

This is the only place that knows about unit strings: everything past the
scenario boundary works in seconds, bytes, bits per second, FLOP, FLOP/s,
watts and joules.  Each quantity kind has its own table so that a time can
never be mistaken for a size.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from offloadsim.field_values import FieldValues
from offloadsim.scenario.errors import describe
from offloadsim.suggest import did_you_mean_key, quoted

__all__ = [
    "UnitError",
    "NUMBER",
    "QUANTITIES",
    "LARGEST",
    "SMALLEST",
    "parse_quantity",
    "unit_factor",
    "format_quantity",
    "axis_unit",
    "axis_unit_texts",
    "written_unit",
    "stated_unit",
    "grouped",
    "number_text",
    "unit_after_number",
    "charge_as_energy",
]


class UnitError(ValueError):
    """A value could not be read as the expected kind of quantity."""


# Every quantity is 0 or within [SMALLEST, LARGEST] of its SI unit (dB and dBm within +-300, the same
# ratio): far past anything physical, and near enough to 1 that what is computed from a few such values
# (a time as work over speed, an energy as power times time, their sums and squares) stays finite.
LARGEST = 1e30
SMALLEST = 1e-30
_WHY = "offloadsim computes with (past it, what is computed from it overflows)"


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Quantity(FieldValues):
    """One kind of quantity: its units, an example for error messages.

    ``common`` are the units an error message lists (all of them when empty);
    every unit in ``units`` is accepted.  ``whole``: only whole numbers
    (token counts).  ``signed``: negative values mean something (dBm, dB).
    ``largest`` bounds the magnitude, ``smallest`` any magnitude but 0 (SI).
    """

    name: str
    units: dict[str, float]
    example: str
    si_unit: str
    common: tuple[str, ...] = ()
    whole: bool = False
    signed: bool = False
    largest: float = LARGEST
    smallest: float = SMALLEST

    @property
    def a_name(self) -> str:
        """The name with its indefinite article, for messages: "a time", "an energy"."""
        return f"{'an' if self.name[0] in 'aeiou' else 'a'} {self.name}"

    def known(self) -> str:
        """The units to list in a message, smallest first."""
        if self.common:
            return ", ".join(self.common) + ", ..."
        return ", ".join(sorted(self.units, key=lambda u: (self.units[u], u)))

    def out_of_range(self, number: float) -> str | None:
        """Why ``number`` (SI, finite) is past what offloadsim computes with, or None if it is not.

        A negative value of an unsigned kind is left to the caller, which refuses it as negative.
        """
        unit = f" {self.si_unit}" if self.si_unit else ""
        size = abs(number) if self.signed else number
        if size > self.largest:
            if self.signed:
                return f"outside -{_power(self.largest)} to {_power(self.largest)}{unit}, the range {_WHY}"
            return f"above {_power(self.largest)}{unit}, the largest {self.name} {_WHY}"
        if 0 < size < self.smallest:
            return f"below {_power(self.smallest)}{unit}, the smallest {self.name} but 0 {_WHY}"
        return None


def _power(limit: float) -> str:
    """A bound as people write it: ``1e30``, ``1e-30``, ``300``."""
    return f"{limit:g}".replace("e+", "e")


_SI_PREFIX = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15}

_TIME = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    # "sec" is accepted, so its prefixed forms are too: refused, "msec" was "did you mean sec?", 1000x off.
    "nsec": 1e-9,
    "usec": 1e-6,
    "msec": 1e-3,
    "min": 60.0,
    "h": 3600.0,
    # A day's battery life is a scenario's natural span: "24 h" was taken and "1 d" refused.
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
}

# Sizes use decimal prefixes (KB = 1000 B) as networking and model papers do;
# binary prefixes (KiB) are accepted too.  Lower-case "b" means bits.
_SIZE: dict[str, float] = {"B": 1.0, "bit": 0.125, "b": 0.125}
for _p, _f in _SI_PREFIX.items():
    if _p:
        _SIZE[f"{_p}B"] = _f
        _SIZE[f"{_p}b"] = _f / 8.0
        _SIZE[f"{_p}bit"] = _f / 8.0
for _p, _e in {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4}.items():
    _SIZE[f"{_p}B"] = 1024.0**_e

# "Mb/s" is megabits, as the size "Mb" is and as papers write it (refused, it was "did you mean MB/s?").
_BANDWIDTH: dict[str, float] = {"bps": 1.0, "bit/s": 1.0, "b/s": 1.0, "B/s": 8.0, "Bps": 8.0}
for _p, _f in _SI_PREFIX.items():
    if _p:
        _BANDWIDTH[f"{_p}bps"] = _f
        _BANDWIDTH[f"{_p}bit/s"] = _f
        _BANDWIDTH[f"{_p}b/s"] = _f
        _BANDWIDTH[f"{_p}B/s"] = _f * 8.0
        _BANDWIDTH[f"{_p}Bps"] = _f * 8.0

# A day, as durations take it: a phone's uploads or updates "2 /d" were refused where "12 h" was taken.
_RATE = {
    "/s": 1.0,
    "Hz": 1.0,
    "/min": 1 / 60.0,
    "/h": 1 / 3600.0,
    "/d": 1 / 86400.0,
    "/day": 1 / 86400.0,
    "/ms": 1e3,
}

_POWER = {"W": 1.0, "mW": 1e-3, "kW": 1e3, "uW": 1e-6}
# A battery's charge, as phones state it: an energy only times the battery's voltage.
_CHARGE = {"mAh": 1e-3, "Ah": 1.0}
#: A lithium-ion cell's nominal voltage, at which a refused charge is said as the energy it holds.
CELL_VOLTS = 3.85
# A draw in amperes, as a power monitor or a USB meter shows it: a power only times the voltage.
_CURRENT = ("uA", "µA", "mA", "A")
_CURRENT_HINT = " (a current, not a power: times the supply's voltage, 350 mA at 3.85 V is 1.35 W)"
# An NPU's data sheet states TOPS: a speed counts an integer operation as one FLOP (a profile's
# int8 peak is in OP/s, and dry runs print int8 rates as "TOP/s"), so the number stands as FLOP/s.
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_OPS = r"(?P<prefix>[kKMGTP]?)OP(?:S|s|/s)"
_NPU_SECTION = "docs/profiles.md#hardware-without-a-profile-an-npu-an-fpga-a-phone-gpu"
_ENERGY = {"J": 1.0, "mJ": 1e-3, "kJ": 1e3, "Wh": 3600.0, "mWh": 3.6, "kWh": 3.6e6}

# A radio's power per unit of throughput (the slope of a linear power model, Huang et al.'s alpha),
# which is an energy per bit moved: 1 mW/Mbps = 1 nJ/bit.  SI: J/bit.
_POWER_PER_RATE: dict[str, float] = {
    "J/bit": 1.0,
    "mJ/bit": 1e-3,
    "uJ/bit": 1e-6,
    "µJ/bit": 1e-6,
    "nJ/bit": 1e-9,
    "pJ/bit": 1e-12,
}
for _w, _wf in {"W": 1.0, "mW": 1e-3, "uW": 1e-6}.items():
    for _p, _f in _SI_PREFIX.items():
        if _p in ("", "k", "M", "G"):
            _POWER_PER_RATE[f"{_w}/{_p}bps"] = _wf / _f
            _POWER_PER_RATE[f"{_w}/{_p}bit/s"] = _wf / _f

# Places and motion (mobility), radio channels and signal levels (dB: a logarithmic scale, kept as dB).
_LENGTH = {"mm": 1e-3, "cm": 1e-2, "m": 1.0, "km": 1e3}
_VELOCITY = {"m/s": 1.0, "km/h": 1 / 3.6, "mph": 0.44704}
_FREQUENCY = {"Hz": 1.0, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9}
_LEVEL = {"dBm": 1.0}
_GAIN = {"dB": 1.0}

_WORK: dict[str, float] = {}
_SPEED: dict[str, float] = {}
for _p, _f in _SI_PREFIX.items():
    _WORK[f"{_p}FLOP"] = _f
    _WORK[f"{_p}FLOPs"] = _f
    _SPEED[f"{_p}FLOP/s"] = _f
    _SPEED[f"{_p}FLOPS"] = _f

# Memory bandwidth is a byte rate; reuse the byte-per-second part of _BANDWIDTH.
_BYTE_RATE = {k: v / 8.0 for k, v in _BANDWIDTH.items() if "B" in k}

QUANTITIES: dict[str, Quantity] = {
    "time": Quantity("time", _TIME, '"5 ms"', "s"),
    "size": Quantity(
        "size", _SIZE, '"150 KB"', "B", ("B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "bit", "kb", "Mb")
    ),
    "bandwidth": Quantity(
        "bandwidth",
        _BANDWIDTH,
        '"20 Mbps"',
        "bit/s",
        ("bps", "kbps", "Mbps", "Gbps", "Tbps", "B/s", "KB/s", "MB/s", "GB/s", "Mbit/s", "MBps"),
    ),
    "rate": Quantity("rate", _RATE, '"2 /s"', "1/s"),
    "power": Quantity("power", _POWER, '"3 W"', "W"),
    "energy": Quantity("energy", _ENERGY, '"10 Wh"', "J"),
    "power_per_rate": Quantity(
        "power per rate",
        _POWER_PER_RATE,
        '"438 mW/Mbps"',
        "J/bit",
        ("pJ/bit", "nJ/bit", "uJ/bit", "J/bit", "mW/Mbps", "W/Mbps", "mW/kbps"),
    ),
    "work": Quantity(
        "work", _WORK, '"2 GFLOP"', "FLOP", ("FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP", "GFLOPs")
    ),
    "speed": Quantity(
        "speed", _SPEED, '"50 GFLOP/s"', "FLOP/s", ("FLOP/s", "MFLOP/s", "GFLOP/s", "TFLOP/s", "GFLOPS")
    ),
    "byte_rate": Quantity(
        "memory bandwidth", _BYTE_RATE, '"50 GB/s"', "B/s", ("B/s", "KB/s", "MB/s", "GB/s", "TB/s", "GBps")
    ),
    "length": Quantity("length", _LENGTH, '"150 m"', "m"),
    "velocity": Quantity("velocity", _VELOCITY, '"1.4 m/s"', "m/s"),
    "frequency": Quantity("frequency", _FREQUENCY, '"20 MHz"', "Hz"),
    "level": Quantity("power level", _LEVEL, '"23 dBm"', "dBm", signed=True, largest=300.0, smallest=0.0),
    "gain": Quantity("ratio in decibels", _GAIN, '"40 dB"', "dB", signed=True, largest=300.0, smallest=0.0),
    "number": Quantity("number", {"": 1.0}, "3.5", ""),
    "tokens": Quantity("token count", {"": 1.0}, "256", "", whole=True),
}

#: A number as a quantity's string writes it, before its unit (``12.5`` of ``12.5 Mbit/s``).  ASCII
#: digits: ``\d`` matched any script's, so ``"١٢ s"`` (Arabic-Indic) was read as 12 s while a seed
#: of ``١٢`` was refused.
NUMBER = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_NUMBER_UNIT = re.compile(rf"^\s*({NUMBER})\s*(\S*)\s*$")


def parse_quantity(value: object, kind: str) -> float:
    """Return ``value`` in SI units of ``kind`` ("time", "size", "bandwidth", ...).

    A plain number is taken as already in SI units.  Raises :class:`UnitError`
    with a message saying what was expected.

    >>> parse_quantity("20 Mbps", "bandwidth")
    20000000.0
    >>> parse_quantity("5 ms", "time")
    0.005
    >>> parse_quantity(3, "power")
    3.0
    """
    quantity = QUANTITIES[kind]
    try:
        return _parse_quantity(value, quantity, kind)
    except _Refused as refused:
        # Said only for a refused value: shown eagerly, a schedule of 500,000 steps spent a
        # second of `validate` on messages never raised (docs/performance.md, "Long schedules").
        expected = f"expected {quantity.a_name} like {quantity.example}"
        shown = describe(value)  # as every message shows a user's value: "23 W" in double quotes
        raise UnitError(refused.say(expected, shown)) from None


class _Refused(Exception):
    """A value :func:`parse_quantity` refuses: what its message says around the value shown.

    The message is ``{expected}{between}, got {shown}{after}``; ``expected`` replaces the
    quantity's own "expected a time like 5 ms" where given.
    """

    def __init__(self, after: str = "", between: str = "", expected: str | None = None):
        super().__init__(after)
        self.after = after
        self.between = between
        self.expected = expected

    def say(self, expected: str, shown: str) -> str:
        """The whole message."""
        return f"{self.expected or expected}{self.between}, got {shown}{self.after}"


def _parse_quantity(value: object, quantity: Quantity, kind: str) -> float:
    """:func:`parse_quantity`'s reading; raises :class:`_Refused` for a value it refuses."""
    if isinstance(value, bool):
        raise _Refused()
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int of hundreds of digits: no float holds it
            raise _Refused(" (too large a number)") from None
    elif isinstance(value, str):
        match = _NUMBER_UNIT.match(value)
        if match is None:
            raise _Refused(between=_DECIMAL_COMMA if re.match(_COMMA_NUMBER, value) else "")
        number_text, unit = match.groups()
        if unit == "" and quantity.units != {"": 1.0}:
            raise _Refused(between=" (a number with a unit)")
        factor = quantity.units.get(unit)
        if factor is None and quantity.units == {"": 1.0}:
            raise _Refused(between=" (a plain number, no unit)")
        if factor is None:
            hint = _unknown_unit_hint(unit, quantity, kind, number_text)
            raise _Refused(f": unknown unit {quoted(unit)}{hint}; known: {quantity.known()}")
        number = float(number_text) * factor
        if number == 0 and re.search("[1-9]", re.split("[eE]", number_text)[0]):
            # "1e-400 s" rounded to 0 s without a word, where "5e-324 s" is refused as below the least
            least = quantity.out_of_range(5e-324) or "too small a number: it rounds to 0"
            raise _Refused(f": {least}")
    else:
        raise _Refused()
    if not math.isfinite(number):
        raise _Refused(" (not finite)")
    beyond = quantity.out_of_range(number)
    if beyond is not None:
        raise _Refused(f": {beyond}")
    if quantity.whole and not number.is_integer():
        raise _Refused(expected=f"expected a whole {quantity.name} like {quantity.example}")
    return number


def _unknown_unit_hint(unit: str, quantity: Quantity, kind: str, number_text: str = "1") -> str:
    """What a refusal of ``unit`` (not one of ``quantity``'s) adds: whose unit it is, or a near one.

    ``number_text``: the number written before it, which an operation rate's hint writes again.
    """
    other = [q.a_name for q in QUANTITIES.values() if unit in q.units and q.name != "number"]
    hint = (
        f" ({other[0]} unit)"
        if other
        else _octet_hint(unit, quantity) or did_you_mean_key(unit, quantity.units)
    )
    if kind == "energy" and unit in _CHARGE:
        hint = _charge_hint(number_text, unit)  # not "did you mean mWh?": an energy only at a voltage
    if kind == "power" and unit in _CURRENT:
        hint = _CURRENT_HINT  # not "did you mean mW?": a current is a power only at a voltage
    if kind == "speed" and (ops := re.fullmatch(_OPS, unit)):
        # not "did you mean TFLOPS?" alone: say that the number stands, and that a peak is not it
        as_flops = f"{number_text} {ops['prefix']}FLOP/s"
        hint = (
            f" (an operation rate: a speed counts an integer operation as one FLOP, so write "
            f"{quoted(as_flops)}; give what the processor sustains in your model's precision, "
            f"not a data sheet's peak TOPS: {_NPU_SECTION})"
        )
    return hint


def _charge_hint(number_text: str, unit: str) -> str:
    """What a refused charge adds: :func:`charge_as_energy` of its own number, in parentheses."""
    try:
        float(number_text)
    except ValueError:
        number_text, unit = "4000", "mAh"
    return f" ({charge_as_energy(float(number_text) * _CHARGE[unit] * 1e3, number_text, unit)})"


def charge_as_energy(mah: float, number_text: str | None = None, unit: str = "mAh") -> str:
    """A charge of ``mah`` milliampere-hours said as the energy it holds at one cell's voltage, and a pack's.

    One wording for the refusal of ``mAh`` and ``Ah`` and the ``plain-batteries`` warning of a bare
    number (issue HL45): a drone's pack is several cells in series (a 6S pack's 22.2 V), so one
    cell's watt-hours alone would read a sixth of it.  ``number_text`` and ``unit``: the charge as
    written (default: ``mah`` in mAh).

    >>> print(charge_as_energy(5200, "5.2", "Ah"))
    ... # doctest: +NORMALIZE_WHITESPACE
    a charge, not an energy: times the battery's voltage, 5.2 Ah at 3.85 V, one lithium-ion cell's,
    is 20 Wh; a pack of N cells in series, N times that
    """
    written = f"{number_text if number_text is not None else f'{mah:g}'} {unit}"
    return (
        f"a charge, not an energy: times the battery's voltage, {written} at {CELL_VOLTS:g} V,"
        f" one lithium-ion cell's, is {mah * 1e-3 * CELL_VOLTS:.3g} Wh; a pack of N cells in series,"
        " N times that"
    )


def unit_factor(unit: str, kind: str) -> float:
    """The factor from ``unit`` to SI units of ``kind``: what a table's header states of a column's cells.

    A CSV trace's ``bandwidth [Mbps]`` reads each bare cell of its column in Mbit/s; a unit
    ``kind`` does not take is refused with :func:`parse_quantity`'s words for a cell's.

    >>> unit_factor("Mbps", "bandwidth"), unit_factor("ms", "time")
    (1000000.0, 0.001)
    >>> unit_factor("ms", "bandwidth")
    Traceback (most recent call last):
    ...
    offloadsim.scenario.units.UnitError: expected a unit of bandwidth, got "ms" (a time unit); known: bps, ...
    """
    quantity = QUANTITIES[kind]
    factor = quantity.units.get(unit)
    if factor is not None and unit:
        return factor
    if quantity.units == {"": 1.0}:
        raise UnitError(f"expected no unit (its cells are plain numbers), got {quoted(unit)}")
    hint = _unknown_unit_hint(unit, quantity, kind) if unit else ""
    raise UnitError(
        f"expected a unit of {quantity.name}, got {quoted(unit)}{hint}; known: {quantity.known()}"
    )


#: A number written with a comma ("0,1 s", "1,000 ms"): a decimal comma, or a thousands separator.
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_COMMA_NUMBER = r"^\s*[-+]?[0-9]*,[0-9]"
_DECIMAL_COMMA = " (a comma in a number: write the decimal mark as '.', and no thousands separator)"


def _octet_hint(unit: str, quantity: Quantity) -> str:
    """``' (did you mean "MB/s"? ...)'`` for an octet unit (French ``Mo/s``, ``Ko``), or ``""``.

    "Mo/s" is megaoctets, megabytes, a second: spelling alone offered "Mb/s", megabits, 8x off.

    >>> print(_octet_hint("Mo/s", QUANTITIES["bandwidth"]))
     (did you mean "MB/s"? "o", an octet, is a byte: B)
    >>> _octet_hint("Mbs", QUANTITIES["bandwidth"])
    ''
    """
    byte_unit = re.sub(r"^([kKmMgGtT]?i?)o(?=$|/s$|ps$)", lambda m: m[1].capitalize() + "B", unit)
    if byte_unit == unit or byte_unit not in quantity.units:
        return ""
    return f' (did you mean {quoted(byte_unit)}? "o", an octet, is a byte: B)'


def format_rate(ops_per_s: float, precision: str = "") -> str:
    """``19.5 TFLOP/s``; integer precisions count operations, not floating-point ones: ``624 TOP/s``."""
    rate = format_quantity(ops_per_s, "speed")
    return rate.replace("FLOP/s", "OP/s") if precision.startswith("int") else rate


def format_quantity(value: float, kind: str) -> str:
    """Format an SI value for people: ``format_quantity(2e7, "bandwidth") == "20 Mbps"``."""
    tables = {
        "time": [(1.0, "s"), (1e-3, "ms"), (1e-6, "us")],
        "size": [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB"), (1.0, "B")],
        "bandwidth": [(1e12, "Tbps"), (1e9, "Gbps"), (1e6, "Mbps"), (1e3, "kbps"), (1.0, "bps")],
        "speed": [(1e12, "TFLOP/s"), (1e9, "GFLOP/s"), (1e6, "MFLOP/s"), (1.0, "FLOP/s")],
        "work": [(1e12, "TFLOP"), (1e9, "GFLOP"), (1e6, "MFLOP"), (1.0, "FLOP")],
    }
    for factor, unit in tables.get(kind, [(1.0, QUANTITIES[kind].si_unit)]):
        if abs(value) >= factor or factor == tables.get(kind, [(1.0, "")])[-1][0]:
            return f"{value / factor:.4g} {unit}".rstrip()
    return f"{value:.4g}"


# One unit for several values of a kind, the one their axis shows: a figure's ticks and the notes
# under it (a swept value, a sweep's speeds), which wrote "1,000 GFLOP/s" on the axis and
# "1 TFLOP/s" in the note beneath, each with its own formatter (format_quantity is one value's).

# Display units for axes: (SI factor, unit label) per kind.
_AXIS_UNITS = {
    "bandwidth": (1e6, "Mbit/s"),
    "time": (1e-3, "ms"),
    "size": (1e3, "kB"),
    "rate": (1.0, "per s"),  # "(per min)" on an axis; "2 /min" after a number (unit_after_number)
    "power": (1.0, "W"),
    "energy": (1.0, "J"),
    "work": (1e9, "GFLOP"),
    "speed": (1e9, "GFLOP/s"),
    "byte_rate": (1e9, "GB/s"),
    "frequency": (1e6, "MHz"),
}
#: Swept times up to this many seconds are shown in ms, longer ones in s.
_SECONDS_FROM = 10.0


#: The axis unit of a rate written in each unit a scenario takes ("/ms", which no axis reads, has none).
_WRITTEN_RATES = {
    "/s": (1.0, "per s"),
    "Hz": (1.0, "per s"),
    "/min": (1 / 60, "per min"),
    "/h": (1 / 3600, "per h"),
    "/d": (1 / 86400, "per day"),
    "/day": (1 / 86400, "per day"),
}


#: The axis units a label may already state, in words or symbol, by kind: (SI factor, unit, ways).
_STATED_UNITS = {
    "rate": (
        (1.0, "per s", ("per second", "per s", "per sec", "/s", "/sec", "Hz")),
        (1 / 60, "per min", ("per minute", "per min", "/min")),
        (1 / 3600, "per h", ("per hour", "per h", "/h")),
        (1 / 86400, "per day", ("per day", "/day", "/d")),
    ),
    "time": ((1e-3, "ms", ("ms", "milliseconds")), (1.0, "s", ("seconds",))),
    "bandwidth": ((1e6, "Mbit/s", ("Mbit/s", "Mbps", "megabits per second")),),
}


def _stated(way: str) -> str:
    """``way`` as a whole word of a label (a symbol such as ``/s`` may follow a word: ``frames/s``).

    A string: re compiles (and caches) it at first use, not at import, as a run seldom draws a
    sweep's axis (issue 12 e: the 0-task run compiled all 18 and used none).
    """
    return (r"\b" if way[0].isalnum() else "") + re.escape(way) + r"(?![\w/])"


_STATED_WAYS = {
    kind: tuple((factor, unit, tuple(_stated(way) for way in ways)) for factor, unit, ways in units)
    for kind, units in _STATED_UNITS.items()
}


def stated_unit(label: str, kind: str | None = None) -> tuple[float, str] | None:
    """The axis unit of ``kind`` (default: any) that ``label`` already states, in words or symbol.

    A sweep's ``labels:`` may name a rate "frames per second per phone": its axis read "frames per
    second per phone (per s)", the unit twice.  Such a label keeps its own words, and its axis the
    unit they state (not per minute below 1 /s, which the label's words would contradict).

    >>> stated_unit("frames per second per phone", "rate"), stated_unit("uploads/min", "rate")
    ((1.0, 'per s'), (0.016666666666666666, 'per min'))
    >>> stated_unit("chat arrival rate per source", "rate"), stated_unit("frames per second", "time")
    (None, None)
    >>> stated_unit("uplink in Mbps"), stated_unit("edge's queue")
    ((1000000.0, 'Mbit/s'), None)
    """
    kinds = [kind] if kind is not None else list(_STATED_WAYS)
    for each in kinds:
        for factor, unit, ways in _STATED_WAYS.get(each, ()):
            if any(re.search(way, label, re.IGNORECASE) for way in ways):
                return factor, unit
    return None


def written_unit(kind: str, written: Sequence[object]) -> tuple[float, str] | None:
    """The axis unit of rates ``written`` all in one unit (a plain number is SI, per s), else None.

    A sweep's table writes each rate as the user did (``30 /min``); its axis read ``(per s)`` and
    0.5 where every value was written per minute, and ``(per min)`` with 30 over a table's
    ``0.5 /s``: one quantity, two units on one page.  Rates written in several units have none.

    >>> written_unit("rate", ["30 /min", "120 /min"]), written_unit("rate", ["0.5 /s", 1.0, "2 Hz"])
    ((0.016666666666666666, 'per min'), (1.0, 'per s'))
    >>> written_unit("rate", ["30 /min", "1 /s"]), written_unit("time", ["5 ms"]), written_unit("rate", [])
    (None, None, None)
    """
    if kind != "rate" or not written:
        return None
    units = set()
    for value in written:
        match = _NUMBER_UNIT.match(str(value)) if isinstance(value, str | int | float) else None
        unit = _WRITTEN_RATES.get(match.group(2) or "/s") if match else None
        if unit is None:
            return None
        units.add(unit)
    return units.pop() if len(units) == 1 else None


def axis_unit(kind: str, largest: float | None, written: Sequence[object] = ()) -> tuple[float, str]:
    """The factor from SI and the unit an axis of quantities of ``kind`` shows (largest value SI).

    Rates ``written`` (as the scenario or sweep wrote them) all in one unit read in it
    (:func:`written_unit`), as the sweep's table writes them.  Otherwise a rate whose values are all
    below 1 /s reads per minute (per hour below 1 /min): requests swept at ``[0.5 /min, 2 /s]``
    read 0.5 and 120, not 0.00833333 and 2.

    >>> axis_unit("rate", 2.0), axis_unit("rate", 5 / 60), axis_unit("rate", 1 / 3600)
    ((1.0, 'per s'), (0.016666666666666666, 'per min'), (0.0002777777777777778, 'per h'))
    >>> axis_unit("rate", 2.0, ["30 /min", "120 /min"]), axis_unit("rate", 0.5, ["0.25 /s", "0.5 /s"])
    ((0.016666666666666666, 'per min'), (1.0, 'per s'))
    """
    found = written_unit(kind, written)
    if found is not None:
        return found
    factor, unit = _AXIS_UNITS.get(kind, (1.0, QUANTITIES[kind].si_unit))
    if kind == "time" and largest is not None and largest >= _SECONDS_FROM:
        factor, unit = 1.0, "s"
    if kind == "rate" and largest is not None and 0 < largest < 1.0:
        factor, unit = (1 / 60, "per min") if largest >= 1 / 60 else (1 / 3600, "per h")
    return factor, unit


def axis_unit_texts(values: list[float], kind: str, written: Sequence[object] = ()) -> list[str]:
    """Each of ``values`` (SI, of ``kind``) with the one unit an axis of them shows (:func:`axis_unit`).

    How a note under a figure writes the values its axis shows, and a note naming several values of
    one key (a sweep's speeds), so that neither reads ``1 TFLOP/s`` where the axis reads 1,000 GFLOP/s.
    ``written``: the values as the user wrote them, whose one rate unit the axis keeps.

    >>> axis_unit_texts([5e11, 1e12, 2e12], "speed"), axis_unit_texts([2 / 60, 12 / 60], "rate")
    (['500 GFLOP/s', '1,000 GFLOP/s', '2,000 GFLOP/s'], ['2 /min', '12 /min'])
    """
    factor, unit = axis_unit(kind, max(values) if values else None, written)
    after = unit_after_number(unit)
    return [f"{number_text(value / factor)} {after}" for value in values]


#: A whole number of four digits or more in a text (not the digits after a decimal point).
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_LONG_WHOLE = r"(?<![\d.,])\d{4,}"


def grouped(text: str) -> str:
    """``text`` with each whole number of four digits or more written with thousands separators.

    How every axis writes its tick labels, log and linear alike, and the notes under a figure
    write its swept values (:func:`axis_unit_texts`): a sweep's figure read ``1000`` and ``10,000`` on
    its axes and ``10000 Mbit/s`` in its notes, three ways on one page; now ``1,000``,
    ``10,000`` and ``10,000 Mbit/s``.

    >>> grouped("10000"), grouped("−250000"), grouped("1000"), grouped("12345.678"), grouped("0.000012")
    ('10,000', '−250,000', '1,000', '12,345.678', '0.000012')
    >>> grouped("999"), grouped("2.5")
    ('999', '2.5')
    """
    return re.sub(_LONG_WHOLE, lambda match: f"{int(match.group()):,}", text)


def number_text(value: float) -> str:
    """A number as a figure writes it: six significant digits, never an exponent, :func:`grouped`.

    >>> number_text(10000.0), number_text(0.5), number_text(1e6), number_text(0.005)
    ('10,000', '0.5', '1,000,000', '0.005')
    """
    import numpy as np  # not at start-up: a scenario is read without it

    return grouped(
        np.format_float_positional(float(value), precision=6, unique=False, fractional=False, trim="-")
    )


def unit_after_number(unit: str) -> str:
    """An axis's unit as it reads after a number: a rate as a scenario writes it, others unchanged.

    An axis of rates reads ``(per min)``; a note of its values, ``2–12 /min`` (it read ``2–12 1/min``).

    >>> unit_after_number("per min"), unit_after_number("Mbit/s")
    ('/min', 'Mbit/s')
    """
    return f"/{unit.removeprefix('per ')}" if unit.startswith("per ") else unit
