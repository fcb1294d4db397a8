"""Swept values as table columns and plot axes: one dtype per column, unit strings to SI numbers.

A swept value is kept in the tables as the user wrote it (``"20 Mbps"``);
:func:`quantity_kind` finds which kind of quantity a column holds, so a
plot can put it on a numeric axis in SI units with :func:`to_si`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray

from offloadsim.scenario.errors import yaml_text
from offloadsim.scenario.overrides import PathError, parse_path
from offloadsim.scenario.units import (
    QUANTITIES,
    UnitError,
    axis_unit,
    axis_unit_texts,
    grouped,
    number_text,
    parse_quantity,
    stated_unit,
    unit_after_number,
)

__all__ = [
    "NO_PARAMETER",
    "NO_PARAMETER_LINE",
    "shown_value",
    "grouped",
    "number_text",
    "time_text",
    "OLD_NULL",
    "nulls_read_back",
    "typed_column",
    "distinct",
    "value_text",
    "texts",
    "matching_texts",
    "where_matches",
    "quantity_kind",
    "to_si",
    "axis_label_for",
    "source_count",
    "table_heading",
    "key_kind",
    "on_decibels",
    "axis_texts",
    "unit_after_number",
    "label_unit",
    "default_label",
    "policy_label_shows",
]

# Kinds tried in this order; the first that reads every value wins.
_KINDS = (
    "bandwidth",
    "time",
    "size",
    "rate",
    "power",
    "energy",
    "work",
    "speed",
    "byte_rate",
    "frequency",
    "velocity",
    "length",
    "level",
    "gain",
)


def typed_column(values: Sequence[Any]) -> np.ndarray | ExtensionArray:
    """One column for swept values: int64, float64 or bool when they all are, else strings.

    Values beside None (a policy parameter one entry gives and another's policy has not) keep
    their type with a null where None (null in Parquet, an empty cell in CSV): whole numbers are
    pandas' nullable ``Int64`` (``4``, not ``4.0``), booleans its nullable ``boolean``, other
    numbers float64 with NaN, text pandas' ``string`` with ``<NA>`` (it was the text ``null``,
    which ``isna()`` did not find; :func:`nulls_read_back` reads an older table's so).  Each
    reads back as written and ``--where`` picks it by value; :func:`value_text` writes the null
    ``null``.  Containers are written as JSON so that every cell is a plain value.

    >>> typed_column([1, 2]).dtype, typed_column([1, 2.5]).dtype, typed_column(["5 Mbps", 3]).tolist()
    (dtype('int64'), dtype('float64'), ['5 Mbps', '3'])
    >>> typed_column([0.5, None]).tolist(), typed_column(["edge", None]).tolist()
    ([0.5, nan], ['edge', <NA>])
    >>> typed_column([4, None]).dtype, typed_column([True, None]).dtype
    (Int64Dtype(), BooleanDtype)
    >>> str(typed_column(["edge", None]).dtype)
    'string'
    """
    items = list(values)
    given = [v for v in items if v is not None]
    complete = len(given) == len(items)
    if given and all(isinstance(v, bool) for v in given):
        return np.asarray(items, dtype=bool) if complete else pd.array(items, dtype="boolean")
    if given and all(_int64(v) for v in given):
        return np.asarray(items, dtype=np.int64) if complete else pd.array(items, dtype="Int64")
    if given and all(isinstance(v, int | float) and not isinstance(v, bool) for v in given):
        return np.asarray([math.nan if v is None else v for v in items], dtype=np.float64)
    if not complete:  # one string dtype for every job's rows: a job's all-None rows were Arrow's null type
        return pd.array([None if v is None else _text(v) for v in items], dtype=pd.StringDtype())
    return pd.Series([_text(v) for v in items], dtype=object).to_numpy()


#: How a figure writes a policy parameter's null (``policy.objective`` of ``local`` beside
#: ``neurosurgeon(objective=energy)``): the policy has no such parameter, or its default is none
#: (``least-loaded``'s ``tiers``: every tier).  A default that is a value is recorded as that value
#: (:func:`~offloadsim.policies.registry.params_in_effect`).  ``--where policy.KEY=null`` picks these,
#: and so does ``--where policy.KEY=–``, the value as the figure wrote it (:func:`matching_texts`).
NO_PARAMETER = "–"
#: The line under sweep's table where a cell shows :data:`NO_PARAMETER` (``null`` there read as a lost value).
NO_PARAMETER_LINE = (
    f"{NO_PARAMETER} : not applicable, the row's policy has no such parameter (or its default is none)"
)

#: How a table written before :func:`typed_column` stored a text column's null: the text ``null``.
#: A value that is the text "null" is written quoted (``'null'``), so this one never is a value.
OLD_NULL = "null"


def nulls_read_back(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """``frame`` with an older table's text ``null`` in the text columns ``keys`` read as missing.

    A swept key's (or policy parameter's) text column stored a run without a value as the text
    ``null`` before :func:`typed_column` stored a null: such a results directory reads as one written now.
    """
    for key in keys:
        if key in frame.columns and pd.api.types.is_string_dtype(frame[key].dtype):
            old = frame[key] == OLD_NULL
            if old.any():
                frame[key] = frame[key].astype(pd.StringDtype()).mask(old.to_numpy(dtype=bool))
    return frame


def _int64(value: Any) -> bool:
    """Whether ``value`` is a whole number (no bool) that an int64 column holds; a larger one is a float."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def distinct(values: Sequence[Any]) -> list[Any]:
    """The values once each, in the order first seen; lists and mappings compared by their JSON text.

    >>> distinct([["a"], 2, ["a"], 2.0, "x"])
    [['a'], 2, 'x']
    """
    firsts: dict[Any, Any] = {}
    for value in values:
        firsts.setdefault(_text(value) if isinstance(value, dict | list | tuple) else value, value)
    return list(firsts.values())


def _text(value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, sort_keys=True, default=str)
    return yaml_text(value)


def value_text(value: Any) -> str:
    """A swept value as the sweep file writes it: ``true``, ``null``, ``5 Mbps``, ``2.5``, ``{cores: 2}``.

    How the summary table, a figure's titles and legends, and ``--where`` show a stored value
    (a table's bool is numpy's, which Python's ``str`` would print as ``True``); the same text
    as the sweep's progress and messages (:func:`offloadsim.scenario.errors.yaml_text`).  A mapping
    or list, which a table holds as JSON (:func:`typed_column`), reads as YAML's flow form too, its
    keys in the table's (sorted) order: ``{cores: 2, speed: 4 TFLOP/s}``, not ``{"cores": 2, ...}``.

    A numeric column's NaN, and a nullable column's ``<NA>``, is a value none was given
    (:func:`typed_column`): ``null``.

    >>> value_text(np.True_), value_text(None), value_text(np.int64(3)), value_text("5 Mbps")
    ('true', 'null', '3', '5 Mbps')
    >>> value_text(np.float64("nan")), value_text(pd.NA)
    ('null', 'null')
    >>> value_text('{"cores": 2, "speed": "4 TFLOP/s"}'), value_text('["edge-0", "edge-1"]')
    ('{cores: 2, speed: 4 TFLOP/s}', '[edge-0, edge-1]')
    """
    if isinstance(value, str):
        stored = _stored_container(value)
        return value if stored is None else yaml_text(stored)
    plain = value.item() if isinstance(value, np.generic) else value
    return "null" if _absent(plain) else yaml_text(plain)


def shown_value(key: str, value: Any) -> str:
    """Swept ``key``'s ``value`` as sweep's table shows it: a policy parameter's null as :data:`NO_PARAMETER`.

    Else :func:`value_text`: ``local`` has no ``objective``, and ``null`` beside it read as a lost value.

    >>> shown_value("policy.objective", None), shown_value("nodes.phone.count", None)
    ('–', 'null')
    """
    text = value_text(value)
    return NO_PARAMETER if text == "null" and key.startswith("policy.") else text


def _absent(value: Any) -> bool:
    """Whether a table's cell is the null of a column of numbers or booleans: NaN or pandas' ``<NA>``."""
    return value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _stored_container(cell: str) -> dict[str, Any] | list[Any] | None:
    """The mapping or list whose JSON a table's ``cell`` is (as :func:`typed_column` writes one), or None.

    Only a cell that is exactly that JSON (keys sorted, its spacing): a name a user wrote with a
    brace in it stays the text it is.
    """
    if cell[:1] not in ("{", "["):
        return None
    try:
        read = json.loads(cell)
    except ValueError:
        return None
    if isinstance(read, dict | list) and _text(read) == cell:
        return read
    return None


def texts(column: pd.Series) -> np.ndarray:
    """Each cell of ``column`` as :func:`value_text` writes it (each distinct value written once)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    written = np.asarray([value_text(value) for value in uniques], dtype=object)
    return written[codes] if len(codes) else np.asarray([], dtype=object)


def matching_texts(given: str) -> set[str]:
    """The cell texts (:func:`texts`) that ``--where COLUMN=given`` keeps.

    ``given`` itself, and where YAML reads it as true, false or null (as ``--set`` and a sweep
    file read it), that value as YAML writes it: ``True`` and ``yes`` keep a stored true. Where
    it reads as a mapping or a list, that value as the column stores one (:func:`typed_column`:
    JSON, keys sorted) and as the tables and figures show one (:func:`value_text`), so the form
    ``sweep --dry-run`` lists a point's value in keeps its rows, and so does the form a refusal lists.

    >>> sorted(matching_texts("{speed: 4 TFLOP/s, cores: 2}"))
    ['{"cores": 2, "speed": "4 TFLOP/s"}', '{cores: 2, speed: 4 TFLOP/s}', '{speed: 4 TFLOP/s, cores: 2}']
    >>> sorted(matching_texts("True")), sorted(matching_texts("20 Mbps"))
    (['True', 'true'], ['20 Mbps'])

    :data:`NO_PARAMETER` (``–``, an en dash), which a figure writes for a policy parameter's
    null, keeps the null too: a value read off a figure picks its rows.

    >>> sorted(matching_texts("–"))
    ['null', '–']
    """
    import yaml

    from offloadsim.scenario.yamlio import ScenarioLoader

    if given.strip() == NO_PARAMETER:
        return {given, "null"}
    if not given.strip():
        return {given}  # an empty value is a string to --set, not YAML's null
    try:
        read = yaml.load(given, Loader=ScenarioLoader)
    except yaml.YAMLError:
        return {given}
    if isinstance(read, dict | list):
        return {given, _text(read), value_text(_text(read))}
    return {given, yaml_text(read)} if read is None or isinstance(read, bool) else {given}


def where_matches(column: pd.Series, key: str, given: str) -> np.ndarray:
    """Which cells of ``column`` (the swept ``key``) ``--where key=given`` keeps.

    As text (:func:`matching_texts`); and where the column holds quantities of
    one kind (:func:`quantity_kind`; plain numbers are SI values of the kind
    the key's last part names) and ``given`` reads as that kind too, by value:
    ``20 Mbit/s`` keeps the rows written ``20 Mbps``, ``1000 ms`` those of ``1 s``.
    A plain number is read as ``--set`` reads it: ``2e7`` is 20 Mbps, in SI units.  A column of
    plain numbers at a key of no kind (``policy.queue_limit``) keeps the cells of the number
    given: ``4`` keeps the 4.0 of a column of floats, ``4.0`` the 4 of one of whole numbers, where
    some run had none (:func:`typed_column`); ``null`` keeps those.

    >>> column = pd.Series(["20 Mbps", "5 Mbps", "20 Mbps"])
    >>> where_matches(column, "links[0].bandwidth", "20 Mbit/s").tolist()
    [True, False, True]
    >>> where_matches(pd.Series([2e7, 5e6]), "links[0].bandwidth", "20 Mbps").tolist()
    [True, False]
    >>> where_matches(pd.Series([4.0, np.nan]), "policy.queue_limit", "4").tolist()
    [True, False]
    >>> where_matches(pd.Series([4, None], dtype="Int64"), "policy.queue_limit", "4.0").tolist()
    [True, False]
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    matching = matching_texts(given)
    keep = np.asarray([value_text(value) in matching for value in uniques], dtype=bool)
    kind = quantity_kind(list(uniques))
    if kind == "number":
        kind = key_kind(key)
        number = _scalar(given)
        if kind is None and isinstance(number, int | float):
            keep |= np.asarray([_same_value(value, float(number), "number") for value in uniques], dtype=bool)
    try:
        wanted = parse_quantity(_scalar(given), kind) if kind is not None else None
    except UnitError:
        wanted = None
    if kind is not None and wanted is not None:
        keep |= np.asarray([_same_value(value, wanted, kind) for value in uniques], dtype=bool)
    return keep[codes] if len(codes) else np.zeros(0, dtype=bool)


def _scalar(given: str) -> Any:
    """``given`` as ``--set`` reads it: ``5e6`` a number (SI units), ``5 Mbps`` a string."""
    import yaml

    from offloadsim.scenario.yamlio import ScenarioLoader

    try:
        read = yaml.load(given, Loader=ScenarioLoader)
    except yaml.YAMLError:
        return given
    return read if isinstance(read, int | float | str) and not isinstance(read, bool) else given


def _same_value(value: Any, wanted: float, kind: str) -> bool:
    """Whether a cell reads as ``wanted`` SI units of ``kind`` (NaN and unreadable cells do not).

    ``kind`` ``"number"``: a plain number, equal to ``wanted``.
    """
    if kind == "number":
        plain = value.item() if isinstance(value, np.generic) else value
        return isinstance(plain, int | float) and not isinstance(plain, bool) and plain == wanted
    try:
        number = parse_quantity(value.item() if isinstance(value, np.generic) else value, kind)
    except UnitError:
        return False
    return math.isclose(number, wanted, rel_tol=1e-9, abs_tol=0.0)


def quantity_kind(values: Sequence[Any]) -> str | None:
    """The kind of quantity (``"bandwidth"``, ``"time"``, ...) every value reads as; ``"number"``, or None.

    >>> quantity_kind(["5 Mbps", "1 Gbps"]), quantity_kind([1, 2.5]), quantity_kind(["edge", "local"])
    ('bandwidth', 'number', None)
    """
    items = [v for v in values if not _absent(v)]
    if not items:
        return None
    if all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool) for v in items):
        return "number"
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in items):
        return None
    for kind in _KINDS:
        try:
            for v in items:
                parse_quantity(v, kind)
        except UnitError:
            continue
        if any(isinstance(v, str) for v in items):
            return kind
    return None


def to_si(values: Sequence[Any], kind: str) -> np.ndarray:
    """The values as SI floats (``kind`` from :func:`quantity_kind`)."""
    if kind == "number":
        return np.asarray([float(v) for v in values], dtype=float)
    return np.asarray([parse_quantity(v, kind) for v in values], dtype=float)


# What a plain number means for a key, from the key's last part (scenario numbers are SI).
_KEY_KINDS = {
    "bandwidth": "bandwidth",
    "latency": "time",
    "duration": "time",
    "warmup": "time",
    "deadline": "time",
    "rate": "rate",
    "input": "size",
    "output": "size",
    "speed": "speed",
    "work": "work",
    # keys of dynamics entries (and of recovery) that hold times
    "mtbf": "time",
    "mttr": "time",
    "at": "time",
    "update": "time",
    "pause": "time",
    "period": "time",
    "timeout": "time",
    "backoff": "time",
    "memory_bandwidth": "byte_rate",
}
#: Where a key's last two parts say more than its last alone: a radio's ``bandwidth`` is a band (Hz);
#: a node's ``power`` states are watts, its ``battery`` joules and its radio ``tail`` a time; a
#: Gilbert-Elliott state's ``mean`` is its mean sojourn (s).
_KEY_PAIR_KINDS = {
    "radio.bandwidth": "frequency",
    **{f"power.{state}": "power" for state in ("idle", "busy", "transmit", "receive", "down")},
    "power.battery": "energy",
    "power.tail": "time",
    "good.mean": "time",
    "bad.mean": "time",
}
#: What a key's last part means under a ``dynamics`` entry where it means another thing elsewhere,
#: or nothing: a mobility model's ``speed`` is how fast a device walks (m/s), a node's is its
#: processor's (FLOP/s); an access point's ``position`` and ``radius``, a walk's ``area`` and a
#: radio's ``reference_distance`` are lengths (m); a radio's (or an access point's)
#: ``transmit_power`` and its ``noise`` are power levels (dBm), not watts nor a processor's
#: ``noise`` switch, and its ``reference_loss`` a ratio (dB).
_DYNAMICS_KEY_KINDS = {
    "speed": "velocity",
    "position": "length",
    "radius": "length",
    "area": "length",
    "reference_distance": "length",
    "transmit_power": "level",
    "noise": "level",
    "reference_loss": "gain",
    "every": "time",
}
_COUNT_KEYS = ("count", "cores", "queue_limit", "seed")
#: Counts of tokens: a swept prompt length reads "(tokens)" on its axis and "2048 tokens" at a line's
#: end, where "(count)" had the energy figure label a point "2048 count".
_TOKEN_KEYS = ("prompt_tokens", "output_tokens")


def axis_label_for(
    key: str,
    kind: str | None,
    name: str | None = None,
    largest: float | None = None,
    written: Sequence[Any] = (),
) -> tuple[str, float]:
    """An axis label with its unit for a swept key, and the factor from SI to the shown unit.

    ``name`` is what the label says (default: the key path itself; see
    :func:`default_label` for a readable one); the unit comes from the
    quantity kind.  Plain numbers are SI values in scenarios; their unit is
    taken from the key's last part (``bandwidth``, ``latency``, ``rate``,
    ``count``...).  Times are shown in ms, or in s where the ``largest`` value (SI) is
    10 s or more: an outage swept from 45 s to 70 s reads 45 to 70, not 45000 to 70000.

    >>> axis_label_for("links[0].bandwidth", "bandwidth")
    ('links[0].bandwidth (Mbit/s)', 1000000.0)
    >>> axis_label_for("links[0].bandwidth", "bandwidth", "phone–ap bandwidth")
    ('phone–ap bandwidth (Mbit/s)', 1000000.0)
    >>> axis_label_for("nodes.phone.count", "number")
    ('nodes.phone.count (count)', 1.0)
    >>> axis_label_for("applications.chat.prompt_tokens", "number", "chat prompt tokens")
    ('chat prompt (tokens)', 1.0)
    >>> axis_label_for("duration", "time", largest=0.5), axis_label_for("duration", "time", largest=45.0)
    (('duration (ms)', 0.001), ('duration (s)', 1.0))
    >>> axis_label_for("dynamics[0].mttr", "number", "failures MTTR", 20.0)
    ('failures MTTR (s)', 1.0)
    >>> axis_label_for("dynamics[0].radio.bandwidth", "number", "mobility radio bandwidth")
    ('mobility radio bandwidth (MHz)', 1000000.0)

    A workload entry's ``rate`` is each source's (a poisson rate, per source): its axis says so,
    where "chat arrival rate (per min)" over five phones read as their total.

    >>> axis_label_for("workload[0].rate", "rate", "chat arrival rate", 0.1)
    ('chat arrival rate per source (per min)', 0.016666666666666666)

    Rates ``written`` all in one unit (the swept values as the user wrote them) keep it, as the
    sweep's table does (:func:`~offloadsim.scenario.units.written_unit`):

    >>> axis_label_for("workload[0].rate", "rate", "chat arrival rate", 2.0, ["30 /min", "120 /min"])
    ('chat arrival rate per source (per min)', 0.016666666666666666)

    A name that already states its unit (a sweep's ``labels:``, in words or symbol) is not given it
    again, and its axis reads in the unit it states (:func:`~offloadsim.scenario.units.stated_unit`):

    >>> axis_label_for("workload[0].rate", "rate", "frames per second per phone at each of 10 sources", 0.5)
    ('frames per second per phone at each of 10 sources', 1.0)
    """
    name = name or key
    if _per_source(key) and "source" not in name:
        name = f"{name} per source"
    last = key.rsplit(".", 1)[-1].split("[", 1)[0]
    if kind == "number":
        if last in _COUNT_KEYS:
            return _with_unit(name, "count"), 1.0
        if last in _TOKEN_KEYS:
            return _with_unit(name, "tokens"), 1.0
        kind = key_kind(key)
    if kind is None:
        return name, 1.0
    stated = stated_unit(name, kind)
    if stated is not None:
        return name, stated[0]
    factor, unit = axis_unit(kind, largest, written)
    return _with_unit(name, unit), factor


def source_count(key: str, document: Mapping[str, Any] | None) -> int | None:
    """How many sources send a workload entry's tasks, for its ``rate`` key (``workload[0].rate``).

    Read from the scenario ``document``: the nodes its ``sources`` select (a group's name, a node's,
    or a glob), each group's ``count`` expanding it as the scenario does.  None where ``key`` is no
    entry's rate or the document does not say.

    >>> doc = {"nodes": {"phone": {"count": 5}, "edge": {}}, "workload": [{"app": "a", "sources": "phone-*"}]}
    >>> source_count("workload[0].rate", doc), source_count("links[0].bandwidth", doc)
    (5, None)
    """
    from offloadsim.scenario.patterns import NodeIndex, expand_group

    if not _per_source(key) or not isinstance(document, Mapping):
        return None
    nodes, entry = document.get("nodes"), _item(document.get("workload"), int(parse_path(key)[1]))
    if not isinstance(nodes, Mapping):
        return None
    groups = {}
    for name, spec in nodes.items():
        count = spec.get("count") if isinstance(spec, Mapping) else None
        groups[str(name)] = expand_group(str(name), count if isinstance(count, int) else None)
    patterns = entry.get("sources")
    patterns = [patterns] if isinstance(patterns, str) else patterns
    if not isinstance(patterns, list) or not patterns:
        return None
    index = NodeIndex(groups)
    found = {name for pattern in patterns for name in index.match(str(pattern))}
    return len(found) or None


def _per_source(key: str) -> bool:
    """Whether ``key`` is a workload entry's arrival ``rate``: requests per second of each source."""
    try:
        parts = parse_path(key)
    except PathError:
        return False
    return len(parts) == 3 and parts[0] == "workload" and isinstance(parts[1], int) and parts[2] == "rate"


def _with_unit(name: str, unit: str) -> str:
    """``name (unit)``, the unit said once: ``chat prompt (tokens)``, not ``chat prompt tokens (tokens)``.

    A name whose last word is its unit (the default label of ``prompt_tokens``, or of a node
    group's ``count``) loses that word; the unit stays in the parentheses, where the notes and a
    line's end labels read it (:func:`label_unit`).

    >>> _with_unit("chat prompt tokens", "tokens"), _with_unit("edge count", "count")
    ('chat prompt (tokens)', 'edge (count)')
    >>> _with_unit("count", "count"), _with_unit("phone uplink", "Mbit/s")
    ('count', 'phone uplink (Mbit/s)')
    """
    head, _, tail = name.rpartition(" ")
    if tail.lower() != unit.lower():
        return f"{name} ({unit})"
    return f"{head} ({unit})" if head.strip() else name


def table_heading(key: str, values: Sequence[Any], name: str | None = None) -> str:
    """A swept column's heading in a table that shows each value as written (``value_text``).

    ``name`` is how the figures name the key (the sweep's ``labels:``, else :func:`default_label`;
    default: the key path).  A quantity written with its unit (``5 Mbps``) carries it in each cell,
    and a category (an in-flight rule) has none, so either heading is the name alone; plain numbers
    are SI values of the kind the key holds (:func:`axis_label_for`'s unit), so their heading says
    the SI unit they are written in: ``failures MTTR (s)`` over ``0.5``, where an axis of them reads
    ms and divides by its factor, which a table does not.

    >>> table_heading("dynamics[0].mttr", [0.5, 2], "failures MTTR")
    'failures MTTR (s)'
    >>> table_heading("links[0].bandwidth", [5e6], "phone–ap bandwidth"), table_heading("x", ["5 Mbps"])
    ('phone–ap bandwidth (bit/s)', 'x')
    >>> table_heading("nodes.phone.count", [2, 4]), table_heading("dynamics[0].in_flight", ["fail"], "rule")
    ('nodes.phone.count (count)', 'rule')
    """
    name = name or key
    if quantity_kind(distinct(values)) != "number":
        return name
    text, factor = axis_label_for(key, "number", name)
    kind = key_kind(key)
    return text if factor == 1.0 or kind is None else f"{name} ({QUANTITIES[kind].si_unit})"


def key_kind(key: str) -> str | None:
    """The kind of quantity a plain number at ``key`` holds (scenario numbers are SI), or None.

    From the key's last part (``bandwidth``, ``latency``, ``rate``...), read in its context: its
    last two parts (a radio's ``bandwidth`` is a band), and whether it is under a ``dynamics``
    entry (a mobility model's ``speed`` is m/s, a node's FLOP/s).

    >>> key_kind("nodes.edge.speed"), key_kind("dynamics[0].random_waypoint.speed")
    ('speed', 'velocity')
    >>> key_kind("dynamics[0].radio.bandwidth"), key_kind("links[0].latency"), key_kind("policy.x")
    ('frequency', 'time', None)
    >>> key_kind("dynamics[0].access_points[1].radius"), key_kind("dynamics[0].random_waypoint.area[0]")
    ('length', 'length')
    """
    last = key.rsplit(".", 1)[-1].split("[", 1)[0]
    pair = ".".join(w.split("[", 1)[0] for w in key.rsplit(".", 2)[-2:])
    if key.split(".", 1)[0].split("[", 1)[0] == "dynamics" and last in _DYNAMICS_KEY_KINDS:
        return _DYNAMICS_KEY_KINDS[last]
    return _KEY_PAIR_KINDS.get(pair) or _KEY_KINDS.get(last)


def on_decibels(values: Sequence[Any], key: str) -> bool:
    """Whether a swept column holds decibels (a power level in dBm, a ratio in dB): a log scale already.

    Written with their unit or as plain numbers at a key that holds them (a radio's ``noise``).
    An axis of them is never made logarithmic again: 1 to 20 dBm drawn on a log axis would squeeze
    the upper half of a range of 20 dB into its last quarter.

    >>> on_decibels(["17 dBm", "23 dBm"], "x"), on_decibels([-100, -90], "dynamics[0].radio.noise")
    (True, True)
    >>> on_decibels([1, 20], "links[0].bandwidth")
    False
    """
    kind = quantity_kind(distinct(values))
    return (key_kind(key) if kind == "number" else kind) in ("level", "gain")


def time_text(seconds: float) -> str:
    """A simulated time (s) as a figure's notes and legends write it: four significant digits.

    The note under a timeline said its tasks arrived "from 10.09 s" while its legend said "edge
    down from 23.5587 s to 34.2708 s", two precisions on one page: both write times with this.

    >>> time_text(23.5587), time_text(34.2708), time_text(0.123456), time_text(12345.6), time_text(30.0)
    ('23.56', '34.27', '0.1235', '12,350', '30')
    """
    return number_text(float(f"{seconds:.4g}"))


def axis_texts(values: Sequence[Any]) -> list[str]:
    """Each of a swept column's ``values`` as a note under its figure writes it: in its axis's unit.

    A column of quantities ("1 Mbps", "1 Gbps") reads in the unit an axis of them says
    (:func:`axis_label_for`: ``1 Mbit/s``, ``1,000 Mbit/s``, as :func:`number_text` writes its
    ticks), so that a note under a figure and its axis agree; a zero as written (``0 B``: the
    table's, whatever the axis's unit); any other value is ``str`` of it.

    >>> axis_texts(["1 Mbps", "1 Gbps"]), axis_texts(["5 ms", "50 ms"]), axis_texts(["edge", 3])
    (['1 Mbit/s', '1,000 Mbit/s'], ['5 ms', '50 ms'], ['edge', '3'])
    >>> axis_texts(["500 kbps"]), axis_texts(["2 /s"]), axis_texts(["5 ms", "20 s"])
    (['0.5 Mbit/s'], ['2 /s'], ['0.005 s', '20 s'])
    >>> axis_texts(["0.5 /min", "5 /min"]), axis_texts(["0 B", "50 KB"])
    (['0.5 /min', '5 /min'], ['0 B', '50 kB'])
    >>> axis_texts(["30 /min", "120 /min"]), axis_texts(["0.5 /s", "0.75 /s"])
    (['30 /min', '120 /min'], ['0.5 /s', '0.75 /s'])
    """
    items = list(values)
    distinct = [v for v in dict.fromkeys(items) if not (isinstance(v, float) and math.isnan(v))]
    kind = quantity_kind(distinct)
    if kind is None or kind == "number" or not all(isinstance(v, str) for v in distinct):
        return [str(v) for v in items]
    si = dict(zip(distinct, (float(v) for v in to_si(distinct, kind)), strict=True))
    written = dict(zip(si, axis_unit_texts(list(si.values()), kind, distinct), strict=True))
    # A zero reads as written, as the sweep's table writes it: "0 B" was "0 kB" in a figure's title
    # beside the table's "0 B", two units for one quantity (and a zero is one in any unit).
    shown = {v: written[v] if si[v] else str(v) for v in si}
    return [shown.get(v, str(v)) for v in items]


def label_unit(axis_label: str) -> str:
    """The unit in an axis label's last parentheses, as it reads after a number (``""``: none).

    A label that states its unit in its words has no parentheses (:func:`axis_label_for`): the
    unit it states.

    >>> label_unit("chat arrival rate (per min)"), label_unit("Pi uplink (Mbit/s)"), label_unit("policy")
    ('/min', 'Mbit/s', '')
    >>> label_unit("frames per second per phone")
    '/s'
    """
    if "(" not in axis_label:
        stated = stated_unit(axis_label)
        return unit_after_number(stated[1]) if stated else ""
    return unit_after_number(axis_label.rsplit("(", 1)[-1].rstrip(")"))


def default_label(key: str, document: Mapping[str, Any] | None = None) -> str:
    """A readable name for a swept key path, from the scenario ``document`` it applies to.

    A link is named by its ends (a ``phone-*`` pattern by its group), a
    workload entry by its application, a ``dynamics`` entry by its kind, a policy
    parameter by itself, a key of one of a node's several processors with the processor's
    name; any other key is shown as written.

    >>> doc = {"links": [{"between": ["phone-*", "ap"]}], "workload": [{"app": "classify"}]}
    >>> default_label("links[0].bandwidth", doc), default_label("workload[0].rate", doc)
    ('phone–ap bandwidth', 'classify arrival rate')
    >>> default_label("policy.objective"), default_label("policy.name"), default_label("nodes.edge.count")
    ('objective', 'policy', 'edge count')
    >>> default_label("dynamics[0].in_flight", {"dynamics": [{"kind": "mobility"}]})
    'mobility in-flight rule'
    >>> default_label("nodes.phone.processors.npu.speed"), default_label("nodes.phone.processor.speed")
    ('phone npu speed', 'phone speed')
    """
    try:
        parts = parse_path(key)
    except PathError:
        return key
    document = document or {}
    words = [p.replace("_", " ") for p in parts if isinstance(p, str)]
    head = parts[0]
    if head == "policy" and len(parts) == 2:
        return "policy" if parts[1] == "name" else words[-1]
    if head == "links" and len(parts) >= 3 and isinstance(parts[1], int):
        between = _item(document.get("links"), parts[1]).get("between")
        if isinstance(between, list) and len(between) == 2:
            ends = "–".join(_group(str(end)) for end in between)
            return f"{ends} {' '.join(words[1:])}"
    if head == "workload" and len(parts) >= 3 and isinstance(parts[1], int):
        app = _item(document.get("workload"), parts[1]).get("app")
        if app:
            rest = " ".join(words[1:])
            return f"{app} {'arrival rate' if rest == 'rate' else rest}"
    if head == "nodes" and len(parts) >= 5 and parts[2] == "processors":
        # One of the node's several processors, named: "phone npu speed", not the phone's "phone speed".
        return f"{words[1]} {words[3]} {words[-1]}"
    if head in ("nodes", "applications") and len(parts) >= 3:
        return f"{words[1]} {words[-1]}"
    if head == "dynamics" and len(parts) >= 3 and isinstance(parts[1], int):
        kind = _item(document.get("dynamics"), parts[1]).get("kind")
        rest = _dynamics_words(parts[2:])
        return f"{kind} {rest}" if isinstance(kind, str) and kind else f"dynamics {parts[1]} {rest}"
    return key


#: How a label names a key of a ``dynamics`` entry where its words alone do not read (the rest read
#: as written, underscores as spaces): ``in_flight`` holds the rule for a transfer caught by a handover.
_DYNAMICS_NAMES = {"in_flight": "in-flight rule", "mtbf": "MTBF", "mttr": "MTTR", "at": "time"}


def _dynamics_words(parts: Sequence[str | int]) -> str:
    """The keys below a ``dynamics`` entry in words: ``steps[1].at`` → ``step 2 time`` (items from 1).

    >>> _dynamics_words(("in_flight",)), _dynamics_words(("access_points", 0, "radius"))
    ('in-flight rule', 'access point 1 radius')
    """
    words: list[str] = []
    for part in parts:
        if isinstance(part, int) and words:
            words[-1] = f"{words[-1].removesuffix('s')} {part + 1}"
        else:
            words.append(_DYNAMICS_NAMES.get(str(part), str(part).replace("_", " ")))
    return " ".join(words)


def _item(items: Any, index: int) -> Mapping[str, Any]:
    if isinstance(items, list) and -len(items) <= index < len(items) and isinstance(items[index], Mapping):
        return items[index]
    return {}


def _group(pattern: str) -> str:
    """``phone-*`` → ``phone``: the group a node pattern selects."""
    return pattern.removesuffix("*").removesuffix("-").removesuffix("_") or pattern


def policy_label_shows(key: str, label: object, value: object) -> bool:
    """Whether a policy entry's label (``fixed(node=edge)``) already says its ``policy.KEY`` value.

    Its name and the parameters it gives are in the label; a parameter it does not give is null.
    A plain name of the file's policy (``neurosurgeon``) runs with the file's parameters, which its
    label does not say, so those are still named (under a figure's axes, in a sweep's table).

    >>> label = "fixed(node=jet-0)"
    >>> policy_label_shows("policy.node", label, "jet-0"), policy_label_shows("policy.cuts", label, None)
    (True, True)
    >>> policy_label_shows("policy.objective", "neurosurgeon", "energy")
    False
    >>> policy_label_shows("links[0].bandwidth", "edge", "5 Mbps")
    False
    """
    if not key.startswith("policy."):
        return False
    text, param = str(label), key.removeprefix("policy.")
    if param == "name":
        return text == str(value) or text.startswith(f"{value}(")
    given = re.search(rf"[(,]\s*{re.escape(param)}\s*=", text) is not None
    return given or value is None or value is pd.NA or value != value or str(value) == "null"  # NaN != NaN
