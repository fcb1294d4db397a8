"""Read a scenario's unit-bearing values and distributions into SI floats and :class:`Dist`.

Pure functions of plain YAML data; they raise :class:`FieldProblem` whose
``subpath`` points inside the value (``.lognormal.sigma``), so the caller can
name the exact key.  The pydantic schema wraps them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from offloadsim.scenario.distributions import DIST_KINDS, Dist, lognormal_sigma_problem
from offloadsim.scenario.errors import describe, did_you_mean_key
from offloadsim.scenario.refusal import rows_refusal
from offloadsim.scenario.size import SAMPLE_BYTES, Footprint
from offloadsim.scenario.units import QUANTITIES, UnitError, parse_quantity
from offloadsim.suggest import quoted

__all__ = ["FieldProblem", "parse_si", "parse_dist", "quantity_json_schema", "dist_json_schema"]


class FieldProblem(ValueError):
    """A value is wrong; ``subpath`` (``""``, ``.mean``, ``[1]``) says where inside it."""

    def __init__(self, message: str, subpath: str = ""):
        super().__init__(message)
        self.message = message
        self.subpath = subpath


def parse_si(value: Any, kind: str, *, positive: bool = False, subpath: str = "") -> float:
    """``value`` (unit string or SI number) as a non-negative SI float of ``kind``; positive if asked.

    >>> parse_si("20 Mbps", "bandwidth")
    20000000.0
    """
    quantity = QUANTITIES[kind]
    positive = positive or quantity.whole  # a count of tokens is at least 1
    try:
        number = parse_quantity(value, kind)
    except UnitError as error:
        raise FieldProblem(str(error), subpath) from None
    if number < 0 or (positive and number == 0):
        sign = "positive" if positive else "non-negative"
        raise FieldProblem(
            f"expected a {sign} {quantity.name} like {quantity.example}, got {describe(value)}", subpath
        )
    return number


def parse_dist(value: Any, kind: str, base_dir: Path, footprint: Footprint | None = None) -> Dist:
    """A distribution of ``kind`` values: a scalar (deterministic) or ``{KIND: ARGS}``.

    ``base_dir`` resolves ``{empirical: file.csv}``, whose samples are refused before they are read
    if they would not fit in memory beside ``footprint``: the scenario's, where it is known (a
    ``dynamics`` entry's distribution), else a run's least (an application's or a workload's, read
    while the document is validated, before its nodes and links are counted).

    >>> parse_dist({"exponential": {"mean": "2 GFLOP"}}, "work", Path("."))
    Dist(kind='exponential', params=(2000000000.0,))
    """
    if isinstance(value, list):
        example = QUANTITIES[kind].example
        raise FieldProblem(
            f"expected {QUANTITIES[kind].a_name} like {example} or a distribution like "
            f"{{exponential: {{mean: {example}}}}}, got a list"
        )
    if not isinstance(value, dict):
        return Dist.fixed(parse_si(value, kind))
    if len(value) != 1:
        keys = ", ".join(quoted(str(key)) for key in value) or "none"
        raise FieldProblem(
            f"a distribution is a mapping with one key, its kind ({', '.join(DIST_KINDS)}); got keys {keys}"
        )
    ((name, args),) = value.items()
    if name not in DIST_KINDS:
        raise FieldProblem(
            f"unknown distribution {quoted(name)}{did_you_mean_key(str(name), DIST_KINDS)}; "
            f"expected one of {', '.join(DIST_KINDS)}"
        )
    if name == "empirical":  # the one kind that reads a file, beside what the scenario holds
        return _empirical(args, kind, f".{name}", base_dir, footprint or Footprint())
    return _PARSERS[name](args, kind, f".{name}", base_dir)


def _deterministic(args: Any, kind: str, at: str, base_dir: Path) -> Dist:
    return Dist.fixed(parse_si(args, kind, subpath=at))


def _mean(value: Any, kind: str, at: str, positive: bool = False) -> float:
    """The mean of a continuous distribution; of whole quantities (tokens) it may be fractional, but >= 1."""
    if not QUANTITIES[kind].whole:
        return parse_si(value, kind, positive=positive, subpath=at)
    mean = parse_si(value, "number", subpath=at)
    if mean < 1:
        what = f"a mean {QUANTITIES[kind].name} of at least 1"
        raise FieldProblem(f"expected {what}, got {describe(value)}", at)
    return mean


def _exponential(args: Any, kind: str, at: str, base_dir: Path) -> Dist:
    if isinstance(args, dict):
        args = _keys(args, ("mean",), at)["mean"]
        at += ".mean"
    return Dist("exponential", (_mean(args, kind, at, positive=True),))


def _lognormal(args: Any, kind: str, at: str, base_dir: Path) -> Dist:
    if not isinstance(args, dict):
        raise FieldProblem(f"expected {{mean: X, sigma: S}}, got {describe(args)}", at)
    found = _keys(args, ("mean", "sigma"), at)
    mean = _mean(found["mean"], kind, f"{at}.mean")
    sigma = parse_si(found["sigma"], "number", subpath=f"{at}.sigma")
    problem = lognormal_sigma_problem(sigma, describe(found["sigma"]))
    if problem is not None:
        raise FieldProblem(problem, f"{at}.sigma")
    return Dist("lognormal", (mean, sigma))


def _uniform(args: Any, kind: str, at: str, base_dir: Path) -> Dist:
    if isinstance(args, dict):
        found = _keys(args, ("low", "high"), at)
        raw, where = (found["low"], found["high"]), (f"{at}.low", f"{at}.high")
    elif isinstance(args, list) and len(args) == 2:
        raw, where = (args[0], args[1]), (f"{at}[0]", f"{at}[1]")
    else:
        raise FieldProblem(f"expected [LOW, HIGH] or {{low: LOW, high: HIGH}}, got {describe(args)}", at)
    low, high = (parse_si(v, kind, subpath=w) for v, w in zip(raw, where, strict=True))
    if low > high:
        raise FieldProblem(f"low {describe(raw[0])} is greater than high {describe(raw[1])}", at)
    return Dist("uniform", (low, high))


def _empirical(args: Any, kind: str, at: str, base_dir: Path, footprint: Footprint) -> Dist:
    if isinstance(args, str):
        from offloadsim.scenario.csvdata import CsvProblem, read_samples  # a samples file's reader

        try:
            # Refused before its rows are read if they would not fit beside ``footprint``.
            values = read_samples(
                base_dir / args,
                args,
                kind,
                lambda rows: rows_refusal(footprint, rows, args, SAMPLE_BYTES, "their values", "file"),
            )
        except CsvProblem as error:
            raise FieldProblem(str(error), at) from None
    elif isinstance(args, list):
        if not args:
            raise FieldProblem("expected at least one sample value, got an empty list", at)
        values = [parse_si(v, kind, subpath=f"{at}[{i}]") for i, v in enumerate(args)]
    else:
        raise FieldProblem(f"expected a list of values or a CSV file name, got {describe(args)}", at)
    return Dist("empirical", tuple(values))


_PARSERS = {
    "deterministic": _deterministic,
    "exponential": _exponential,
    "lognormal": _lognormal,
    "uniform": _uniform,
}


def _keys(args: dict[Any, Any], required: tuple[str, ...], at: str) -> dict[str, Any]:
    for key in args:
        if key not in required:
            raise FieldProblem(
                f"unknown key {quoted(key)}{did_you_mean_key(str(key), required)}; expected "
                f"{', '.join(required)}",
                at,
            )
    for key in required:
        if key not in args:
            raise FieldProblem(f"missing required key {quoted(key)}", at)
    return args


# -- JSON Schema snippets, so editors can complete unit-bearing values -----------------------------


def quantity_json_schema(kind: str) -> dict[str, Any]:
    """JSON Schema of a value of ``kind``: a string with a unit, or a number in SI units."""
    quantity = QUANTITIES[kind]
    example = quantity.example.strip('"')
    unit = f" ({quantity.si_unit})" if quantity.si_unit else ""
    return {
        "type": ["string", "number"],
        "description": f"{quantity.name}: string with unit or number in SI{unit}",
        "examples": [example],
    }


def dist_json_schema(kind: str) -> dict[str, Any]:
    """JSON Schema of a distribution of ``kind`` values (scalar = deterministic)."""
    scalar = quantity_json_schema(kind)
    number = {"type": "number", "minimum": 0}

    def one(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {name: schema},
            "required": [name],
            "additionalProperties": False,
        }

    def record(**fields: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": fields,
            "required": list(fields),
            "additionalProperties": False,
        }

    example = QUANTITIES[kind].example.strip('"')
    return {
        "anyOf": [
            scalar,
            one("deterministic", scalar),
            one("exponential", {"anyOf": [scalar, record(mean=scalar)]}),
            one("lognormal", record(mean=scalar, sigma=number)),
            one(
                "uniform",
                {
                    "anyOf": [
                        {"type": "array", "items": scalar, "minItems": 2, "maxItems": 2},
                        record(low=scalar, high=scalar),
                    ]
                },
            ),
            one(
                "empirical",
                {
                    "anyOf": [
                        {"type": "array", "items": scalar, "minItems": 1},
                        {
                            "type": "string",
                            "description": "CSV file of values, relative to the scenario file",
                        },
                    ]
                },
            ),
        ],
        "description": f"a {QUANTITIES[kind].name} distribution; a plain value is deterministic",
        "examples": [example, {"exponential": {"mean": example}}, {"uniform": [example, example]}],
    }
