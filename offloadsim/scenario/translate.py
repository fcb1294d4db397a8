"""Turn pydantic's validation errors into one-line scenario problems.

Users never see pydantic's multi-line text, its type names or its URLs:
each error becomes ``(file, key path, what was expected and what was found)``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from offloadsim.scenario.arrivals.base import PLUGINS as ARRIVALS
from offloadsim.scenario.errors import Problem, describe, did_you_mean_key, format_path
from offloadsim.scenario.schema import SCENARIO_ERROR_TYPE, declared_keys_at, keys_at
from offloadsim.suggest import quoted, scope_words, with_words

__all__ = ["problems_from_validation"]

_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
}


def problems_from_validation(error: ValidationError, file: str) -> list[Problem]:
    """One problem per pydantic error of validating a scenario document.

    A required key misspelt (``bandwith``) is one problem, the unknown key offered the required
    one, not also "missing required key": that read as if the key had been left out.
    """
    details = error.errors(include_url=False)
    misspelt = {_offered(tuple(detail["loc"])) for detail in details if detail["type"] == "extra_forbidden"}
    return [
        _problem(detail, file)
        for detail in details
        if not (detail["type"] == "missing" and tuple(detail["loc"]) in misspelt)
    ]


def _offered(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Where the key an unknown key at ``loc`` is offered (``did you mean``) would be, or ``loc``."""
    hint = did_you_mean_key(str(loc[-1]), keys_at(loc[:-1]) or [])
    offered = [key for key in keys_at(loc[:-1]) or [] if hint == f" (did you mean {quoted(key)}?)"]
    return (*loc[:-1], offered[0]) if offered else loc


def _problem(detail: Any, file: str) -> Problem:
    loc: tuple[str | int, ...] = tuple(detail["loc"])
    kind: str = detail["type"]
    ctx: dict[str, Any] = detail.get("ctx") or {}
    value = detail.get("input")
    if loc and loc[-1] == "[key]":  # a key of a mapping of names (``nodes:``); the input is the key itself:
        # loc holds it as pydantic wrote it, "None" for null, 1 for true and "1.5" for 1.5
        return Problem(
            file, format_path(loc[:-2]), f"expected names (strings) as keys, got {describe(value)}"
        )
    if kind == "invalid_key":  # a mapping's own key is no name (``1: x``, ``null: x``): loc ends with it
        return Problem(
            file, format_path(loc[:-1]), f"expected names (strings) as keys, got {describe(value)}"
        )
    path = format_path(loc)
    if kind == SCENARIO_ERROR_TYPE:
        also = tuple((path + sub).lstrip(".") for sub in ctx.get("also", ()))
        return Problem(file, (path + ctx.get("subpath", "")).lstrip("."), ctx["message"], also=also)
    if kind == "missing":
        return Problem(file, format_path(loc[:-1]), f"missing required key {quoted(loc[-1])}")
    if kind == "extra_forbidden":
        return Problem(file, format_path(loc[:-1]), _unknown_key(loc, value))
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        named = isinstance(value, str) and loc[:1] == ("workload",) and loc[-1:] == ("arrivals",)
        if named and ARRIVALS.failure(value) is not None:
            # a process installed whose plug-in did not load (or was skipped): why, not just "unknown"
            return Problem(
                file, path, ARRIVALS.refusal(value, f"unknown arrival process {quoted(value)}", "")
            )
        hint = did_you_mean_key(value, choices) if isinstance(value, str) else ""
        if loc[-1:] == ("compression",) and _ratio(value):
            hint = _CODEC_NOT_RATIO
        return Problem(file, path, f"expected one of {', '.join(choices)}, got {describe(value)}{hint}")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": "at least", "greater_than": "more than"}.get(kind, "at most")
        limit = next(iter(ctx.values()), "")
        return Problem(file, path, f"expected a value {bound} {limit}, got {describe(value)}")
    if kind in ("too_short", "too_long"):
        if "min_length" in ctx and kind == "too_short":
            want = f"at least {ctx['min_length']} item(s)" if isinstance(value, list) else "a non-empty value"
        else:
            want = f"at most {ctx.get('max_length')} item(s)"
        return Problem(file, path, f"expected {want}, got {describe(value)}")
    if kind in _EXPECTED:
        # A tuple (from Python, load_scenario_data) was "expected a list, got a list"
        got = "a tuple" if isinstance(value, tuple) and kind == "list_type" else describe(value)
        return Problem(file, path, f"expected {_EXPECTED[kind]}, got {got}")
    message = str(detail.get("msg", kind)).replace("Value error, ", "").replace("Input should be", "expected")
    return Problem(file, path, f"{message}, got {describe(value)}")


#: Said of a ratio given for ``compression`` (``0.25``): it names a codec, and an input's size is ``input:``.
_CODEC_NOT_RATIO = (
    " (compression names a codec for the activations crossing a cut, not a ratio: fp16 keeps 1/2 and "
    "int8 1/4 of their bytes; for a smaller upload (a JPEG frame), give input: its compressed size, "
    "as in input: 40 KB)"
)

#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_RATIO = r"\s*(\d+(\.\d*)?|\.\d+)\s*(%|x|:1)?\s*|\s*\d+\s*/\s*\d+\s*"


def _ratio(value: Any) -> bool:
    """Whether ``value`` reads as a ratio or a factor (``0.25``, ``"25%"``, ``"4x"``, ``"1/4"``), not a name.

    >>> [_ratio(v) for v in (0.25, 4, "25%", "4x", "1/4", "int8", True, "fp16")]
    [True, True, True, True, True, False, False, False]
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and re.fullmatch(_RATIO, value, re.IGNORECASE) is not None


def _unknown_key(loc: tuple[str | int, ...], value: Any = None) -> str:
    key = str(loc[-1])
    allowed = keys_at(loc[:-1]) or []
    hint = _with_scope_of_value(did_you_mean_key(key, allowed), value)
    home = _home_of(key, loc[:-1])
    if home is not None:  # a key of the schema's, one level off: where it goes before any spelling
        where = f"under {format_path(home[-1:])}: {format_path((*home, key))}" if home else "at the top level"
        also = hint.replace("(did you mean", "(or did you mean")
        return f"unknown key {quoted(key)}: {key} goes {where}{also}"
    if hint.startswith(" (did you mean") or not allowed:
        return f"unknown key {quoted(key)}{hint}"
    # hint: none, or a pointer to what offloadsim does not model ("training"): the keys still listed
    return f"unknown key {quoted(key)}{hint}; expected one of {', '.join(allowed)}"


def _with_scope_of_value(hint: str, value: Any) -> str:
    """``hint``, and what is not modelled where the unknown key's value names it: ``codec: quic``.

    ``codec: quic`` was told only ``did you mean "compression"?`` and ``protocol: quic`` only the
    keys, when the value said what was asked for; a hint that already points at the scope is kept.
    """
    pointer = scope_words(value) if isinstance(value, str) else ""
    if not pointer or "does not model" in hint:
        return hint
    return with_words(hint, f"{quoted(value)}: {pointer}")


def _home_of(key: str, at: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """The mapping near ``at`` whose schema declares ``key``, or None: where a misplaced key belongs.

    One level deeper (``applications.classify.precision`` is ``params.precision``: the codec
    ``compression`` was the hint), one level up (``processor.tier`` is the node's), or beside
    (``processor.idle`` is under ``power``), each read from the schema's declared keys.
    """
    here = keys_at(at) or []
    places: list[tuple[str | int, ...]] = [(*at, field) for field in here]
    if at:
        above = at[:-2] if isinstance(at[-1], int) else at[:-1]  # a list's item: the list's mapping
        places.append(above)
        places += [(*above, field) for field in keys_at(above) or [] if (*above, field) != at]
    for place in places:
        if key in declared_keys_at(place):
            return place
    return None
