"""Bare numbers where a unit was surely meant: what the ``plain-*`` checks read, and how they say it.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so
``latency: 20`` is 20 s and ``bandwidth: 20`` is 20 bit/s: values no network of the edge or the
cloud has, whose writer meant "20 ms" and "20 Mbps"; a radio's ``tail: 200`` is 200 s, where
"200 ms" was meant; an application's ``input: 150`` is 150 bytes, where "150 KB" was meant; a
phone's ``power: {busy: 3000}`` is 3 kW, where "3000 mW" was meant; its ``battery: 3000`` is
3 kJ, where 3000 mAh (about 41.6 kJ at 3.85 V) was meant; an application's ``deadline: 50`` is
50 s, where "50 ms" was meant.
Only the plain document tells a bare number from a string with a unit (the loaded scenario
holds SI numbers either way), so the checks read ``Scenario.document`` and, for a CSV file it
names, the file's cells as written.

:data:`PLAIN` says, for each quantity, which bare numbers are suspect and in which words a check
warns of one.  Where each is written: a node's processors' keys (:data:`PROCESSOR_KEYS`) and
its ``power`` keys (:data:`POWER_KEYS`), an application's sizes and deadline (:data:`APP_KEYS`, a
deadline read by whether the application is an LLM, :attr:`Plain.llm_suspect`), a link's own
keys (:data:`LINK_KEYS`), and in each
``dynamics`` entry the places its kind declares by quantity (``quantity_keys``, as the world's
registry gives them through ``CheckedRun.quantity_keys``): a key pattern (``steps[].latency``),
or one followed by ``:COLUMN`` for that column of the CSV file whose path the key holds
(``file:latency``, :func:`~offloadsim.scenario.errors.key_place`).  Nothing here names a kind.
A file is read once a run, for every quantity declared in its columns, and kept in
``CheckedRun.shared`` for the check that reads it next.  The checks:
:mod:`~offloadsim.scenario.latency_check`, :mod:`~offloadsim.scenario.bandwidth_check`,
:mod:`~offloadsim.scenario.speed_check`, :mod:`~offloadsim.scenario.tail_check`,
:mod:`~offloadsim.scenario.rate_check`, :mod:`~offloadsim.scenario.size_check`,
:mod:`~offloadsim.scenario.power_check`, :mod:`~offloadsim.scenario.battery_check` and
:mod:`~offloadsim.scenario.deadline_unit_check`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offloadsim.field_values import FieldValues
from offloadsim.scenario.errors import Problem, format_path, key_place, values_at
from offloadsim.scenario.units import charge_as_energy

if TYPE_CHECKING:
    from offloadsim.scenario.checks import CheckedRun

__all__ = [
    "APP_KEYS",
    "DEVICE_ONLY",
    "PLAIN_BATTERY_BELOW_J",
    "LINK_KEYS",
    "PLAIN",
    "PLAIN_BANDWIDTH_BELOW",
    "PLAIN_DEADLINE_FROM_S",
    "PLAIN_DEVICE_POWER_FROM_W",
    "PLAIN_LATENCY_FROM_S",
    "PLAIN_LLM_DEADLINE_FROM_S",
    "PLAIN_PROCESSOR_RATE_BELOW",
    "PROCESSOR_RATES",
    "PLAIN_SIZE_BELOW",
    "PLAIN_TAIL_FROM_S",
    "POWER_KEYS",
    "PROCESSOR_KEYS",
    "QUANTITIES",
    "Plain",
    "plain_warnings",
]

#: A bare latency from this many seconds up is warned of: no link's is a second or more.
PLAIN_LATENCY_FROM_S = 1.0

#: A bare bandwidth (bit/s) or band (Hz) below this is warned of: no network of the edge or the
#: cloud is slower than 10 kbit/s, and a number of Mb/s or MHz written bare is below it.
PLAIN_BANDWIDTH_BELOW = 1e4

#: A bare processor speed (FLOP/s) or memory bandwidth (B/s) below this is warned of: no processor
#: computes or reads memory a million times a second or less, and a number of GFLOP/s or GB/s
#: written bare is below it.
PLAIN_PROCESSOR_RATE_BELOW = 1e6

#: A bare size (bytes) below this is warned of: what an application uploads or returns is a frame, a
#: tensor or a result of some kilobytes, and a number of KB or MB written bare (``input: 150``, the
#: quickstart's 150 KB frame read as 150 B) is below it.  A result of a few bytes (a class index) is
#: said with its unit: ``output: 4 B``.
PLAIN_SIZE_BELOW = 1e4

#: A bare radio tail from this many seconds up is warned of: it is longer than any cellular radio's
#: measured tail (LTE's about 11.6 s, Huang et al., "A Close Examination of Performance and Power
#: Characteristics of 4G LTE Networks", MobiSys 2012; 3G's up to about 15 s, Qian et al., "TOP:
#: Tail Optimization Protocol for Cellular Radio Resource Allocation", ICNP 2010), and a number of
#: milliseconds written bare (``tail: 200``, a Wi-Fi radio's) is above it.  A bare tail of a few
#: seconds (``tail: 11.6``, LTE's in seconds) is what SI numbers are for.
PLAIN_TAIL_FROM_S = 20.0

#: A bare radio power per rate (J/bit) from this up is warned of: 1 mJ/bit is 1 kW at 1 Mbit/s, a
#: thousand times any radio's slope (Huang et al.'s fitted uplink slopes are below 1 uJ/bit), and a
#: number of mW/Mbps written bare (``transmit_per_rate: 438.39``) is above it.
PLAIN_PER_RATE_FROM_J_PER_BIT = 1e-3

#: A bare power (W) of a device (``tier: device``) from this up is warned of: no phone, tablet,
#: wearable or single-board computer draws 100 W (a phone a few watts busy, a Raspberry Pi 4 B
#: 6.4 W under load), and a number of milliwatts written bare, as power monitors and data sheets
#: give them (``busy: 3000``, ``transmit: 1400``), is above it.  A server's hundreds of watts are
#: not read: an edge or cloud node's bare ``busy: 300`` is what SI numbers are for.
PLAIN_DEVICE_POWER_FROM_W = 100.0

#: A bare battery capacity (J) below this is warned of: no phone's or tablet's battery holds under
#: 10 kJ (2.8 Wh; a phone's 4000 mAh at 3.85 V is 15.4 Wh, 55 kJ), and a number of milliampere-hours
#: written bare, as phones state their batteries (``battery: 3000``), or of watt-hours
#: (``battery: 15``) is below it.  A watch's or a sensor's smaller battery, or one made small so that
#: a short run drains it, is said with its unit: ``battery: 4 kJ``.
PLAIN_BATTERY_BELOW_J = 1e4

#: A bare deadline (s) of an application that is not an LLM from this up is warned of: a vision
#: model's request is due within a frame or a reaction time (tens to a few hundred milliseconds, a
#: 30 fps camera's 33 ms), a speech model's within a second or a few, and no single inference
#: request waits 10 s; a number of milliseconds written bare (``deadline: 50``, 50 ms read as
#: 50 s, which ``unmissable-deadlines`` says nothing of once the run lasts longer) is above it.
#: A bare deadline of a few seconds (``deadline: 2``) is what SI numbers are for.
PLAIN_DEADLINE_FROM_S = 10.0

#: A bare deadline (s) of an LLM application (``kind: llm``, or a decoder-only LLM of the zoo as its
#: ``model``) from this up is warned of: an LLM's deadline is on its last token, and an answer
#: takes seconds to tens of seconds (a few hundred tokens at the tens of tokens a second a phone
#: or an edge GPU decodes), so a bare ``deadline: 60`` is what SI numbers are for; none waits five
#: minutes, and a number of milliseconds written bare (``deadline: 2000``) is above it.
PLAIN_LLM_DEADLINE_FROM_S = 300.0


Part = str | int


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Plain(FieldValues):
    """How one quantity's bare numbers are read: which are suspect, and what a warning of one says.

    ``suspect``: whether a bare number (in the SI unit) was surely meant in another unit.  The
    warning reads ``a bare number is read as {read_as}: 20 {unit}, not {instead}; write
    "20 {meant}" if {meant_words} were meant, or "20 {said}" to say {said_words}`` (``a bare
    COLUMN`` for a CSV file's cell, after the file and its line).
    """

    suspect: Callable[[float], bool]
    read_as: str
    unit: str
    instead: str
    meant: str
    meant_words: str
    said: str
    said_words: str
    #: What the warning adds of the number (None: nothing): how a battery's mAh are written.
    also: Callable[[float], str] | None = None
    #: Which bare numbers are suspect in an LLM application (None: ``suspect``'s, in every
    #: application): a deadline, which an LLM's answer makes longer.
    llm_suspect: Callable[[float], bool] | None = None


def _charge(mah: float) -> str:
    """How a capacity in milliampere-hours is written: as the refusal of ``mAh`` says it."""
    return f"milliampere-hours are {charge_as_energy(mah)}"


def _low(value: float) -> bool:
    """Above 0 (a stalled link is 0 in any unit) and below :data:`PLAIN_BANDWIDTH_BELOW`."""
    return 0 < value < PLAIN_BANDWIDTH_BELOW


def _small(value: float) -> bool:
    """Above 0 (no bytes is 0 in any unit) and below :data:`PLAIN_SIZE_BELOW`."""
    return 0 < value < PLAIN_SIZE_BELOW


def _slow(value: float) -> bool:
    """Above 0 and below :data:`PLAIN_PROCESSOR_RATE_BELOW`."""
    return 0 < value < PLAIN_PROCESSOR_RATE_BELOW


def _in_seconds(suspect: Callable[[float], bool], llm: Callable[[float], bool] | None = None) -> Plain:
    """A time whose ``suspect`` bare numbers (``llm``'s in an LLM application) were surely meant in ms."""
    return Plain(
        suspect,
        read_as="seconds",
        unit="s",
        instead="milliseconds",
        meant="ms",
        meant_words="milliseconds",
        said="s",
        said_words="seconds",
        llm_suspect=llm,
    )


#: Each quantity the checks read, and how: a latency (a time surely under a second), a link's
#: bandwidth (bit/s), a frequency (a radio's band, Hz), which a kind may declare places of
#: (``quantity_keys``), a processor's speed (FLOP/s) and memory bandwidth (B/s), which only a
#: node's processors hold (:data:`PROCESSOR_KEYS`), and a radio's tail (a time surely under
#: :data:`PLAIN_TAIL_FROM_S`), its power per rate (J/bit, surely under
#: :data:`PLAIN_PER_RATE_FROM_J_PER_BIT`) and its battery's capacity (J, surely not under
#: :data:`PLAIN_BATTERY_BELOW_J`), which only a node's ``power`` holds (:data:`POWER_KEYS`), a
#: device's power (W, surely under :data:`PLAIN_DEVICE_POWER_FROM_W`), which its ``power`` and its
#: processors' ``busy`` hold (:data:`DEVICE_ONLY`), and a size (bytes, surely above
#: :data:`PLAIN_SIZE_BELOW`) and a deadline (a time surely under :data:`PLAIN_DEADLINE_FROM_S`, or
#: :data:`PLAIN_LLM_DEADLINE_FROM_S` for an LLM), which only an application holds (:data:`APP_KEYS`).
PLAIN: Mapping[str, Plain] = {
    "latency": _in_seconds(lambda seconds: seconds >= PLAIN_LATENCY_FROM_S),
    "bandwidth": Plain(
        _low,
        read_as="bit/s",
        unit="bit/s",
        instead="Mbit/s",
        meant="Mbps",
        meant_words="megabits per second",
        said="bps",
        said_words="bits",
    ),
    "frequency": Plain(
        _low,
        read_as="Hz",
        unit="Hz",
        instead="MHz",
        meant="MHz",
        meant_words="megahertz",
        said="Hz",
        said_words="hertz",
    ),
    "speed": Plain(
        _slow,
        read_as="FLOP/s",
        unit="FLOP/s",
        instead="GFLOP/s",
        meant="GFLOP/s",
        meant_words="GFLOP/s",
        said="FLOP/s",
        said_words="FLOP/s",
    ),
    "memory_bandwidth": Plain(
        _slow,
        read_as="B/s",
        unit="B/s",
        instead="GB/s",
        meant="GB/s",
        meant_words="gigabytes per second",
        said="B/s",
        said_words="bytes per second",
    ),
    "tail": _in_seconds(lambda seconds: seconds >= PLAIN_TAIL_FROM_S),
    "deadline": _in_seconds(
        lambda seconds: seconds >= PLAIN_DEADLINE_FROM_S,
        llm=lambda seconds: seconds >= PLAIN_LLM_DEADLINE_FROM_S,
    ),
    "size": Plain(
        _small,
        read_as="bytes",
        unit="B",
        instead="kilobytes",
        meant="KB",
        meant_words="kilobytes",
        said="B",
        said_words="bytes",
    ),
    "power": Plain(
        lambda watts: watts >= PLAIN_DEVICE_POWER_FROM_W,
        read_as="watts",
        unit="W",
        instead="milliwatts",
        meant="mW",
        meant_words="milliwatts",
        said="W",
        said_words="watts",
    ),
    "power_per_rate": Plain(
        lambda joules: joules >= PLAIN_PER_RATE_FROM_J_PER_BIT,
        read_as="joules per bit",
        unit="J/bit",
        instead="mW/Mbps",
        meant="mW/Mbps",
        meant_words="milliwatts per Mbit/s",
        said="J/bit",
        said_words="joules per bit",
    ),
    "battery": Plain(
        lambda joules: 0 < joules < PLAIN_BATTERY_BELOW_J,
        read_as="joules",
        unit="J",
        instead="milliampere-hours or watt-hours",
        meant="Wh",
        meant_words="watt-hours",
        said="J",
        said_words="joules",
        also=_charge,
    ),
}

#: The keys of a processor (``nodes.NAME.processor``, or each of ``nodes.NAME.processors``) that
#: hold each quantity.
PROCESSOR_KEYS: Mapping[str, tuple[str, ...]] = {
    "speed": ("speed",),
    "memory_bandwidth": ("memory_bandwidth",),
    "power": ("busy",),
}

#: The quantities of a processor the ``plain-speeds`` check warns of: what its compute times are
#: priced from, so a bare one makes its nominal offered load (``offered-load``) and the least
#: compute time of what it may run (``unmeetable-deadlines``) those of a processor its writer
#: surely did not mean (which is why ``plain-speeds`` explains them: ``checks.EXPLAINED_BY``).
PROCESSOR_RATES = ("speed", "memory_bandwidth")

#: The keys of a node's ``power`` (``nodes.NAME.power``) that hold each quantity.
POWER_KEYS: Mapping[str, tuple[str, ...]] = {
    "tail": ("tail",),
    "power": ("idle", "busy", "transmit", "receive", "down"),
    "power_per_rate": ("transmit_per_rate", "receive_per_rate"),
    "battery": ("battery",),
}

#: The quantities read on a device's nodes alone (``tier: device``): a server's watts are its own.
DEVICE_ONLY = frozenset({"power"})

#: The keys of an application (``applications.NAME``) that hold each quantity.
APP_KEYS: Mapping[str, tuple[str, ...]] = {
    "size": ("input", "output", "stages[].output"),
    "deadline": ("deadline",),
}

#: The quantities a kind may declare places of, which ``register_dynamics`` holds it to.
QUANTITIES = tuple(
    quantity for quantity in PLAIN if quantity not in {**PROCESSOR_KEYS, **POWER_KEYS, **APP_KEYS}
)

#: The keys of a ``links`` entry that hold each quantity, as a kind declares its entries'.
LINK_KEYS: Mapping[str, tuple[str, ...]] = {
    "latency": ("latency",),
    "bandwidth": ("bandwidth", "reverse_bandwidth"),
}

#: Where in ``CheckedRun.shared`` the first suspect cells of each file read are kept.
_SHARED = "plain-numbers"


def plain_warnings(run: CheckedRun, quantity: str) -> list[Problem]:
    """One warning per suspect bare number of ``quantity`` (of :data:`PLAIN`), at its key path.

    The links' first, then each ``dynamics`` entry's in turn, at its places in the order its kind
    declares them.  A CSV file's column is warned of once, at its first suspect cell, at the key
    that names the file (``dynamics[0].file: uplink.csv, line 4: a bare latency is read as ...``).
    """
    plain = PLAIN[quantity]
    warnings = []
    for path, value, cell in _bare_numbers(run, quantity):
        shown = f"{value:g}"
        lead = "a bare number" if cell is None else f"{cell[0]}, line {cell[2]}: a bare {cell[1]}"
        also = f"; {plain.also(value)}" if plain.also is not None else ""
        warnings.append(
            Problem(
                run.scenario.source,
                format_path(path),
                f"{lead} is read as {plain.read_as}: {shown} {plain.unit}, not {plain.instead}; "
                f'write "{shown} {plain.meant}" if {plain.meant_words} were meant, '
                f'or "{shown} {plain.said}" to say {plain.said_words}{also}',
            )
        )
    return warnings


#: A bare number found: its key path, its value, and, for a cell of a CSV file, the file as
#: written, the column and the line (None for the document's own value).
_Found = tuple[tuple[Part, ...], float, tuple[str, str, int] | None]


def _bare_numbers(run: CheckedRun, quantity: str) -> Iterator[_Found]:
    """Each suspect bare number of ``quantity``: nodes' (processors, power), applications', links', dynamics'.

    Those of an entry the world refuses are dropped by the check runner
    (:func:`~offloadsim.scenario.checks.run_scenario_checks`), as every check's warnings of it are.
    """
    document = run.scenario.document
    nodes = document.get("nodes")
    for name, node in nodes.items() if isinstance(nodes, Mapping) else ():
        if not isinstance(node, Mapping) or (quantity in DEVICE_ONLY and node.get("tier") != "device"):
            continue
        if isinstance(node.get("processor"), Mapping):
            yield from _at(run, node["processor"], ("nodes", name, "processor"), PROCESSOR_KEYS, quantity)
        processors = node.get("processors")
        for key, processor in processors.items() if isinstance(processors, Mapping) else ():
            if isinstance(processor, Mapping):
                yield from _at(run, processor, ("nodes", name, "processors", key), PROCESSOR_KEYS, quantity)
        if isinstance(node.get("power"), Mapping):
            yield from _at(run, node["power"], ("nodes", name, "power"), POWER_KEYS, quantity)
    applications = document.get("applications")
    llm_suspect = PLAIN[quantity].llm_suspect
    for name, app in applications.items() if isinstance(applications, Mapping) else ():
        if isinstance(app, Mapping):
            llm = llm_suspect is not None and _is_llm(run, name)
            yield from _at(run, app, ("applications", name), APP_KEYS, quantity, llm_suspect if llm else None)
    links = document.get("links")
    for i, link in enumerate(links if isinstance(links, list) else ()):
        yield from _at(run, link, ("links", i), LINK_KEYS, quantity)
    dynamics = document.get("dynamics")
    for i, entry in enumerate(dynamics if isinstance(dynamics, list) else ()):
        kind = entry.get("kind") if isinstance(entry, Mapping) else None
        declared = run.quantity_keys(kind) if isinstance(kind, str) else {}
        yield from _at(run, entry, ("dynamics", i), declared, quantity)


def _at(
    run: CheckedRun,
    value: Any,
    path: tuple[Part, ...],
    declared: Mapping[str, Sequence[str]],
    quantity: str,
    suspect: Callable[[float], bool] | None = None,
) -> Iterator[_Found]:
    """The suspect bare numbers of ``quantity`` at the places ``declared`` below ``value`` (at ``path``).

    In the order declared; a file's cells where its first column of ``quantity`` is declared.
    ``suspect``: which are suspect there, where not those :data:`PLAIN` says (an LLM's deadline).
    """
    suspect = suspect or PLAIN[quantity].suspect
    read: set[tuple[str | None, ...]] = set()
    for parts, column in map(key_place, declared.get(quantity, ())):
        if column is None:
            for at, written in values_at(value, parts, path):
                number = _bare(written)
                if number is not None and suspect(number):
                    yield at, number, None
        elif parts not in read:
            read.add(parts)
            yield from _cells(run, value, parts, path, declared, quantity)


def _is_llm(run: CheckedRun, name: str) -> bool:
    """Whether the scenario says application ``name`` is an LLM: ``kind: llm``, or a zoo LLM as ``model``.

    Read from the loaded application (its ``model`` the zoo's name for it, ``Llama 3.2 1B`` read as
    ``llama-3.2-1b``); a plug-in's kind of work is not an LLM here.
    """
    app = run.scenario.applications.get(name)
    if app is None or app.kind is not None:
        return app is not None and app.kind == "llm"
    if app.model is None:
        return False
    # loading already imported it to check an LLM's keys (scenario/resolve.py), for any zoo model
    from offloadsim.models.zoo.llm import LLM_CONFIGS

    return app.model in LLM_CONFIGS


def _bare(written: Any) -> float | None:
    """``written`` as a float where it is a bare number; None for anything else.

    A string (with a unit, or refused elsewhere), a boolean, or an integer too large for a
    float, which the kind refuses with its own message.
    """
    if isinstance(written, bool) or not isinstance(written, int | float):
        return None
    try:
        return float(written)
    except OverflowError:
        return None


def _cells(
    run: CheckedRun,
    value: Any,
    parts: tuple[str | None, ...],
    path: tuple[Part, ...],
    declared: Mapping[str, Sequence[str]],
    quantity: str,
) -> Iterator[_Found]:
    """The first suspect bare cell of each column of ``quantity`` in each CSV file named at ``parts``.

    A file is read once for the columns of every quantity ``declared`` at ``parts``, its cells
    kept in ``run.shared`` for the next check.
    """
    columns: dict[str, str] = {}  # the quantity of each column of the file, as first declared
    for other, places in declared.items():
        for key, column in map(key_place, places):
            if key == parts and column is not None:
                columns.setdefault(column, other)
    kept: dict[tuple[tuple[Part, ...], str], dict[str, tuple[int, float]]] = run.shared.setdefault(
        _SHARED, {}
    )
    folder = run.scenario.base_dir
    for at, shown in values_at(value, parts, path):
        if not isinstance(shown, str) or not shown:
            continue  # refused by the kind, with its own message
        if (at, shown) not in kept:
            from offloadsim.scenario.csvdata import first_bare  # read where a file is named

            suspects = {column: PLAIN[of].suspect for column, of in columns.items()}
            kept[at, shown] = first_bare((Path(folder) if folder else Path()) / shown, shown, suspects)
        for column, (line, number) in kept[at, shown].items():
            if columns[column] == quantity:
                yield at, number, (shown, column, line)
