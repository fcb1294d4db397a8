"""Calibrated device profiles: the fitted cost model, the timed units and their provenance, on disk.

A :class:`CalibratedProfile` answers the same questions as a derived profile
(``name``, ``kind``, ``description``, ``effective_flops``,
``memory_bandwidth_Bps``, ``sources``) and predicts per-layer seconds for any
layer graph with :meth:`CalibratedProfile.layer_seconds`:

1. the graph is split into the units the backend runs (its fusion rules);
2. a unit that was timed during calibration takes its measured median,
   any other the cost model's prediction; in a model whose weights exceed
   ``cold_model_bytes`` (too large to stay in the cache between two
   inferences), units with at least ``cold_bytes`` of weights take their
   cold-cache time;
3. a unit's seconds go to its head layer; fused layers after it get 0;
4. the layout-conversion correction (seconds per converted byte, fitted on
   the training models' whole-graph timings) is added where the tensors cross.

Profiles are JSON (or YAML, by suffix). :func:`find_profile` resolves a
profile name against search directories (the standard ones are
:func:`offloadsim.world.profiles.profile_search_path`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from offloadsim.bounded_read import (
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    InputFileError,
    not_a_file,
    not_utf8,
    read_head,
    read_text,
    size_problem,
)
from offloadsim.input_kinds import PROFILE, PROFILE_FORMAT, document_kind, misdirected, misdirected_path
from offloadsim.models.graph import LayerGraph
from offloadsim.shapes import describe, each, is_mapping, is_number, is_text, is_texts, is_whole
from offloadsim.strict_yaml import YamlProblem, key_path, read_yaml
from offloadsim.suggest import did_you_mean_file, did_you_mean_key, quoted
from offloadsim.world.profiles.cost_model import FEATURES, POOLED, CostModel, group_chain
from offloadsim.world.profiles.fusion import FusionRules, Unit, layout_transitions, partition, unit_at
from offloadsim.world.profiles.search import PROFILE_SUFFIXES

__all__ = [
    "FORMAT",
    "CalibratedProfile",
    "LayerPrediction",
    "ProfileError",
    "Timing",
    "find_profile",
    "profile_path",
    "list_profiles",
    "load_profile",
    "not_a_profile_file",
    "unit_weight_bytes",
]

#: The ``format`` tag every profile file carries.
FORMAT = PROFILE_FORMAT
_VERSION = 1


class ProfileError(ValueError):
    """A calibrated profile file that cannot be read (missing, malformed, or from a newer offloadsim)."""


@dataclass(frozen=True, slots=True)
class Timing:
    """Measured run time of one unit: the 10th percentile of ``repeats`` runs, their spread (IQR/median).

    ``cold_seconds``/``cold_spread`` are set for units with large weights,
    timed a second time with the caches flushed before every run.
    """

    unit: Unit
    seconds: float
    spread: float
    repeats: int
    cold_seconds: float | None = None
    cold_spread: float | None = None
    #: Half-width of the 95 % CI of the median, relative to it (NaN when not measured so).
    ci: float = math.nan
    #: Median wall time / clock time of the runs: how much other processes slowed them down.
    wall_ratio: float = math.nan
    #: IQR / median of the runs' wall times (what the noise would have been on the wall clock).
    wall_spread: float = math.nan
    #: Runs rejected as slowed by interference.
    rejected: int = 0
    #: The median of the runs (``seconds`` is their 10th percentile: see the sampling module).
    median: float = math.nan

    def to_dict(self, cache_key: str = "") -> dict[str, Any]:
        """One JSON-ready record (a cache line when ``cache_key`` is given)."""
        data: dict[str, Any] = {"key": cache_key} if cache_key else {}
        data.update(unit=self.unit.to_dict(), seconds=self.seconds, spread=self.spread, repeats=self.repeats)
        if self.cold_seconds is not None:
            data.update(cold_seconds=self.cold_seconds, cold_spread=self.cold_spread)
        for key in ("ci", "wall_ratio", "wall_spread", "median"):
            value = getattr(self, key)
            if math.isfinite(value):
                data[key] = value
        if self.rejected:
            data["rejected"] = self.rejected
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timing:
        """Inverse of :meth:`to_dict`."""
        cold = data.get("cold_seconds")
        return cls(
            Unit.from_dict(data["unit"]),
            float(data["seconds"]),
            float(data["spread"]),
            int(data["repeats"]),
            None if cold is None else float(cold),
            None if cold is None else float(data.get("cold_spread", 0.0)),
            float(data.get("ci", math.nan)),
            float(data.get("wall_ratio", math.nan)),
            float(data.get("wall_spread", math.nan)),
            int(data.get("rejected", 0)),
            float(data.get("median", math.nan)),
        )


def unit_weight_bytes(unit: Unit) -> int:
    """Bytes of all weights of the unit's layers."""
    return sum(c.param_bytes for c in unit.configs)


@dataclass(frozen=True, slots=True)
class LayerPrediction:
    """Per-layer predictions of one graph, with where each number came from."""

    seconds: np.ndarray
    spread: np.ndarray
    #: ``measured``, ``fitted:<group>``, ``extrapolated`` or ``fused`` per layer.
    source: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class CalibratedProfile:
    """A device profile fitted to timed kernels on real hardware (``kind == "calibrated"``).

    Frozen: :func:`load_profile` hands every world of a process the same object for a file,
    so a change is a new profile (:func:`dataclasses.replace`), never an edit of a shared one.
    Its parts (timings, fusion rules, cost model) are frozen too; its mappings are plain dicts
    read as :class:`~collections.abc.Mapping` (never written after it is built).

    >>> from offloadsim.world.profiles.cost_model import CostModel, GroupFit
    >>> from offloadsim.world.profiles.fusion import NO_FUSION
    >>> toy = CalibratedProfile(
    ...     name="toy", description="1 GFLOP/s, 1 GB/s", backend={"name": "numpy"}, fusion=NO_FUSION,
    ...     model=CostModel({"*": GroupFit((0.0, 1e-9, 1e-9, 0.0), 10, 0.0, 1.0)}),
    ...     effective_flops=1e9, memory_bandwidth_Bps=1e9)
    >>> from offloadsim.models import get_model
    >>> seconds = toy.layer_seconds(get_model("alexnet"))
    >>> len(seconds) == len(get_model("alexnet")), bool((seconds > 0).all())
    (True, True)
    """

    name: str
    description: str
    backend: Mapping[str, Any]
    fusion: FusionRules
    model: CostModel
    effective_flops: float
    memory_bandwidth_Bps: float
    measured: Mapping[str, Timing] = field(default_factory=dict)
    group_spread: Mapping[str, float] = field(default_factory=dict)
    cold_bytes: float = float("inf")
    cold_model_bytes: float = float("inf")
    layout_s_per_byte: float = 0.0
    correction: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] = field(default_factory=dict)
    report: Mapping[str, Any] = field(default_factory=dict)
    #: How far it can be trusted, and for which models (see :mod:`offloadsim.world.profiles.trust`).
    trust: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "calibrated"
    #: The file it was loaded from ("" when built in memory); not written to the file.
    path: str = ""
    #: Predictions per graph object: a memo of :meth:`predict`, not part of the profile.
    _cache: dict[int, tuple[LayerGraph, LayerPrediction]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    # -- the profile interface shared with derived profiles ---------------------------------

    @property
    def sources(self) -> tuple[str, ...]:
        """Where the numbers come from, one line each (as derived profiles list data sheets)."""
        p = self.provenance
        return (
            f"calibrated on {p.get('cpu_model', '?')} ({p.get('cores', '?')} cores) with "
            f"{self.backend.get('name')} {p.get('versions', {}).get(self.backend.get('name', ''), '')} "
            f"{self.backend.get('provider', '')}, {self.backend.get('threads', '?')} thread(s), "
            f"on {p.get('date', '?')}",
            f"{len(self.measured)} timed units from {', '.join(p.get('models', [])) or 'no models'}",
        )

    @property
    def peak_flops(self) -> float:
        """Same as :attr:`effective_flops` (a calibrated rate is already sustained)."""
        return self.effective_flops

    @property
    def efficiency(self) -> float:
        """1.0: :attr:`effective_flops` is measured, not scaled from a peak."""
        return 1.0

    def layer_seconds(self, graph: LayerGraph) -> np.ndarray:
        """Predicted seconds of every layer of ``graph``, in graph order (float64, read-only)."""
        return self.predict(graph).seconds

    def layer_spread(self, graph: LayerGraph) -> np.ndarray:
        """Relative run-to-run spread (IQR / median) of every layer, for an optional noise model."""
        return self.predict(graph).spread

    # -- prediction ---------------------------------------------------------------------------

    def predict(self, graph: LayerGraph) -> LayerPrediction:
        """Per-layer seconds, spread and source for ``graph`` (cached per graph object)."""
        hit = self._cache.get(id(graph))
        if hit is not None and hit[0] is graph:
            return hit[1]
        n = len(graph)
        seconds, spread = np.zeros(n), np.zeros(n)
        source = ["fused"] * n
        pooled_spread = self.group_spread.get(POOLED, 0.0)
        cold_model = graph.param_bytes >= self.cold_model_bytes
        for positions in partition(graph, self.fusion):
            unit = unit_at(graph, positions)
            head = positions[0]
            cold = cold_model and unit_weight_bytes(unit) >= self.cold_bytes
            timing = self.measured.get(unit.key)
            if timing is not None and not cold:
                seconds[head], spread[head], source[head] = timing.seconds, timing.spread, "measured"
                continue
            if timing is not None and timing.cold_seconds is not None:
                seconds[head], source[head] = timing.cold_seconds, "measured"
                spread[head] = timing.cold_spread or 0.0
                continue
            value, group = self.model.predict(unit, cold)
            seconds[head] = value
            source[head] = "extrapolated" if group == POOLED else f"fitted:{group}"
            spread[head] = next(
                (self.group_spread[g] for g in group_chain(unit) if g in self.group_spread), pooled_spread
            )
        if self.layout_s_per_byte > 0:
            seconds += self.layout_s_per_byte * layout_transitions(graph, self.fusion)
        for array in (seconds, spread):
            array.setflags(write=False)
        result = LayerPrediction(seconds, spread, tuple(source))
        if len(self._cache) >= 256:
            self._cache.clear()
        self._cache[id(graph)] = (graph, result)
        return result

    # -- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON document :func:`save_profile` writes."""
        return {
            "format": FORMAT,
            "version": _VERSION,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "backend": dict(self.backend),
            "effective_flops": self.effective_flops,
            "memory_bandwidth_Bps": self.memory_bandwidth_Bps,
            "provenance": dict(self.provenance),
            "fusion": self.fusion.to_dict(),
            "cost_model": self.model.to_dict(),
            "group_spread": dict(sorted(self.group_spread.items())),
            "cold": {
                "unit_weight_bytes": _finite_or_none(self.cold_bytes),
                "model_weight_bytes": _finite_or_none(self.cold_model_bytes),
            },
            "layout_correction": {"s_per_byte": self.layout_s_per_byte, **dict(self.correction)},
            "report": dict(self.report),
            "trust": dict(self.trust),
            "measured": [t.to_dict() for t in self.measured.values()],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> CalibratedProfile:
        """Build a profile from a loaded document; ProfileError if it is not one."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            other = (
                f'not an offloadsim calibrated profile (no "format: {FORMAT}"): profile files are '
                "written by offloadsim calibrate on the machine they describe; for other hardware give "
                "the node a processor {speed: ..., memory_bandwidth: ...} (docs/profiles.md)"
            )
            raise ProfileError(f"{source}: {misdirected(document_kind(data), PROFILE, source) or other}")
        version = _checked(source, "version", "a whole number", lambda: _whole(data.get("version", 0)))
        _check_read_keys(source, data)
        if version > _VERSION:
            raise ProfileError(f"{source}: profile version {data['version']} is newer than this offloadsim")
        if version < 1 and "version" in data:  # 0 or -3 was taken as this version
            raise ProfileError(
                f"{source}: version: expected the profile format's version, a whole number from 1 to "
                f"{_VERSION}, got {describe(data['version'])}"
            )
        measured = _checked(
            source, "measured", "a list of timed units", lambda: list(data.get("measured", []))
        )
        timings = [_timing(source, i, t) for i, t in enumerate(measured)]
        correction = _checked(
            source, "layout_correction", "a mapping", lambda: dict(data.get("layout_correction", {}))
        )
        cold = _checked(source, "cold", "a mapping", lambda: dict(data.get("cold", {})))
        model = _checked(
            source, "cost_model", "the fitted cost model", lambda: CostModel.from_dict(data["cost_model"])
        )
        if POOLED not in model.groups:  # it prices what no other group fits: without it, NaN seconds
            raise ProfileError(
                f"{source}: cost_model.groups.{POOLED}: missing; {_WRITTEN_HAS} the pooled fit there, "
                "which prices a unit no other group fits"
            )
        # Counts, read by int(): -5 or 2.5 was taken, and a group's count decides whether it prices a unit.
        _count(source, "cost_model.min_points", data["cost_model"].get("min_points", 3), least=1)
        for group, fit in model.groups.items():
            for feature, value in zip(FEATURES, fit.coef, strict=True):
                _amount(source, f"cost_model.groups.{group}.coef.{feature}", value, "a coefficient")
            _check_coefficient_names(source, group, data["cost_model"]["groups"][group]["coef"])
            _count(source, f"cost_model.groups.{group}.n", data["cost_model"]["groups"][group]["n"], least=0)
        return cls(
            name=_checked(source, "name", "the profile's name", lambda: str(data["name"])),
            description=str(data.get("description", "")),
            backend=_checked(source, "backend", "a mapping", lambda: dict(data["backend"])),
            fusion=_checked(
                source, "fusion", "the fusion rules", lambda: FusionRules.from_dict(data["fusion"])
            ),
            model=model,
            effective_flops=_positive(source, "effective_flops", data, "a rate in FLOP/s"),
            memory_bandwidth_Bps=_positive(source, "memory_bandwidth_Bps", data, "a bandwidth in bytes/s"),
            measured={t.unit.key: t for t in timings},
            group_spread=_checked(
                source,
                "group_spread",
                "a mapping of group to number",
                lambda: {str(k): float(v) for k, v in data.get("group_spread", {}).items()},
            ),
            cold_bytes=_cold_bytes(source, cold, "unit_weight_bytes"),
            cold_model_bytes=_cold_bytes(source, cold, "model_weight_bytes"),
            layout_s_per_byte=_amount(
                source,
                "layout_correction.s_per_byte",
                correction.pop("s_per_byte", 0.0),
                "seconds per byte",
            ),
            correction=correction,
            provenance=_checked(source, "provenance", "a mapping", lambda: dict(data.get("provenance", {}))),
            report=_checked(source, "report", "a mapping", lambda: dict(data.get("report", {}))),
            trust=_checked(source, "trust", "a mapping", lambda: dict(data.get("trust", {}))),
        )


_T = TypeVar("_T")
_WRITTEN_HAS = "a profile written by offloadsim calibrate has"


def _checked(source: str, path: str, what: str, build: Callable[[], _T]) -> _T:
    """``build()``, or a ProfileError naming the file, the key path and what was expected there.

    A profile is a file a person may edit or a disk may cut short: each part is read under its
    own key so a bad one is reported where it is, not as a bare Python exception.
    """
    try:
        return build()
    except KeyError as exc:
        missing = path if exc.args and exc.args[0] == path.rsplit(".", 1)[-1] else f"{path}.{exc.args[0]}"
        raise ProfileError(f"{source}: {missing}: missing; {_WRITTEN_HAS} {what} there") from None
    except (TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:  # int(inf): Overflow
        raise ProfileError(f"{source}: {path}: expected {what} ({type(exc).__name__}: {exc})") from None


def _is_threads(value: Any) -> bool:
    """A thread count: a whole number of at least 1."""
    return is_whole(value) and value >= 1


def _is_features(value: Any) -> bool:
    """The cost model's features, each once, in any order (the coefficients are read by name)."""
    return is_texts(value) and sorted(value) == sorted(FEATURES)


#: Keys of a profile's free-form sections (backend, provenance, report) that are formatted or
#: computed with (``profiles show``, ``calibrate``, the trust checks), each with its shape and the key
#: whose value, when true, makes it required; the sections' other keys are kept as they come.
_READ_KEYS: tuple[tuple[str, Callable[[Any], bool], str, str | None], ...] = (
    # a file holds a calibrated profile only: "kind: derived" was read as a calibrated one, unsaid
    ("kind", lambda value: value == "calibrated", '"calibrated" (derived profiles are built in)', None),
    ("backend", is_mapping, "a mapping", None),
    ("backend.name", is_text, "text", None),
    # the testbed and the report read it as int(): "two" was an internal error, 0 or -1 was taken
    ("backend.threads", _is_threads, "a whole number of threads, at least 1", None),
    ("provenance", is_mapping, "a mapping", None),
    ("provenance.threads", _is_threads, "a whole number of threads, at least 1", None),
    ("provenance.versions", each(is_text), 'a mapping of package to version text ("1.32.0")', None),
    # the coefficients are read by these names: a list naming others described another model
    (
        "cost_model.features",
        _is_features,
        f"a list of the cost model's features, {', '.join(FEATURES)}",
        None,
    ),
    ("provenance.models", is_texts, "a list of model names", None),
    ("provenance.fit", is_mapping, "a mapping", None),
    ("provenance.fit.mdape", is_number, "a number", None),
    ("provenance.fit.p90_ape", is_number, "a number", None),
    ("provenance.noise", is_mapping, "a mapping", None),
    ("provenance.noise.median_ci_pct", is_number, "a number", "provenance.noise"),
    ("provenance.noise.median_wall_ratio", is_number, "a number", "provenance.noise"),
    ("report", is_mapping, "a mapping", None),
    ("report.tolerance_pct", is_number, "a number", None),
    ("report.held_out", is_mapping, "a mapping", None),
    ("report.held_out.models", is_number, "a number", None),
    ("report.held_out.within", is_number, "a number", "report.held_out.models"),
    ("report.held_out.median_abs_error_pct", is_number, "a number", "report.held_out.models"),
    # the fusion rules partition every graph: a string was read letter by letter ("conv": c, o, n, v)
    ("fusion.name", is_text, "text", None),
    *((f"fusion.{rule.name}", is_texts, "a list of layer groups", None) for rule in fields(FusionRules)[1:]),
    ("trust", is_mapping, "a mapping", None),
    ("trust.issues", is_texts, "a list of issues", None),
    ("trust.extrapolated_pct", each(is_number), "a mapping of model to percent", None),
    ("trust.untrusted_for", each(is_texts), "a mapping of model to op kinds", None),
    ("trust.layout_untrusted_for", each(is_text), "a mapping of model to reason", None),
)
_ABSENT = object()


def _at(data: Any, path: str) -> Any:
    """The value at dotted ``path`` of ``data``, or ``_ABSENT``."""
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return _ABSENT
        data = data[part]
    return data


def _check_read_keys(source: str, data: Mapping[str, Any]) -> None:
    """A ProfileError at the first of :data:`_READ_KEYS` that is not of its shape (or missing where required).

    Read as they came, a hand-edited ``provenance.models: 3`` or ``report.held_out: 7`` failed as a
    bare Python exception in ``profiles show`` or a run's trust checks.
    """
    for path, fits, what, required_by in _READ_KEYS:
        value = _at(data, path)
        if value is _ABSENT:
            given = _at(data, required_by) if required_by is not None else _ABSENT
            if given is not _ABSENT and given:
                raise ProfileError(f"{source}: {path}: missing; {_WRITTEN_HAS} {what} there")
        elif not fits(value):
            raise ProfileError(f"{source}: {path}: expected {what}, got {describe(value)}")


def _whole(value: Any) -> int:
    """An integer that is not a bool or a fraction."""
    number = _number(value)
    if number is None or not math.isfinite(number) or number != int(number):
        raise ValueError(f"got {value!r}")
    return int(number)


def _count(source: str, path: str, value: Any, *, least: int) -> int:
    """``value`` as a whole number of at least ``least``; a ProfileError at ``path`` otherwise."""
    try:
        count = _whole(value)
    except ValueError:
        count = least - 1
    if count < least:
        raise ProfileError(f"{source}: {path}: expected a whole number of at least {least}, got {value!r}")
    return count


def _amount(source: str, path: str, value: Any, what: str, *, positive: bool = False) -> float:
    """``value`` as a finite float, non-negative (or positive); a ProfileError at ``path`` otherwise."""
    bound = "positive" if positive else "non-negative"
    number = _number(value)
    if number is None or not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise ProfileError(f"{source}: {path}: expected {what}, a finite {bound} number, got {value!r}")
    return number


def _number(value: Any) -> float | None:
    """``value`` as a float, or None: a number, or a string of one (YAML 1.1 reads ``8e-06`` as text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _positive(source: str, key: str, data: Mapping[str, Any], what: str) -> float:
    """The positive finite number under ``key``; a ProfileError naming the key otherwise."""
    if key not in data:
        raise ProfileError(
            f"{source}: {key}: missing; expected {what} (a profile written by offloadsim calibrate has it)"
        )
    return _amount(source, key, data[key], what, positive=True)


def _timing(source: str, index: int, data: Any) -> Timing:
    """``measured[index]`` as a Timing whose unit has layers and whose seconds are finite and non-negative."""
    path = f"measured[{index}]"
    if isinstance(data, Mapping) and "seconds" in data:  # the number a prediction reads: named exactly
        _amount(source, f"{path}.seconds", data["seconds"], "the unit's time in seconds")
    timing = _checked(
        source, path, "a timed unit (unit, seconds, spread, repeats)", lambda: Timing.from_dict(data)
    )
    if not timing.unit.configs:
        raise ProfileError(f"{source}: {path}.unit: expected the unit's layers, got an empty list")
    _amount(source, f"{path}.seconds", timing.seconds, "the unit's time in seconds")
    if timing.cold_seconds is not None:
        _amount(source, f"{path}.cold_seconds", timing.cold_seconds, "the unit's cold time in seconds")
    return timing


class _GivenTwice(ValueError):
    """A JSON object's key given twice, at ``key_path`` of the document."""

    def __init__(self, key_path: str):
        super().__init__(f"{key_path}: given twice")
        self.key_path = key_path


class _Twice(dict[str, Any]):
    """A JSON object that gave ``key`` twice (the first value kept), for :func:`_read_json` to name."""

    key: str = ""


def _read_json(text: str) -> Any:
    """The JSON document in ``text``; :class:`_GivenTwice` at its first key given twice in one object.

    ``json`` kept a repeated key's last value.  The object that repeats one is marked as it is read
    and found by its key path afterwards (the hook sees an object, not where it is).
    """
    twice: list[_Twice] = []

    def once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key, value in pairs:
            if key in data:
                marked = _Twice(data)
                marked.key = key
                twice.append(marked)
                return marked
            data[key] = value
        return data

    data = json.loads(text, object_pairs_hook=once_each)
    if twice:
        raise _GivenTwice(_path_of(data, twice[0]) or twice[0].key)
    return data


def _path_of(data: Any, target: _Twice, path: str = "") -> str | None:
    """The key path, in ``data``, of ``target``'s repeated key (None if ``target`` is not there)."""
    if data is target:
        return key_path(path, target.key)
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for part, child in children:
        found = _path_of(child, target, key_path(path, part))
        if found is not None:
            return found
    return None


def _check_coefficient_names(source: str, group: str, coef: Mapping[str, Any]) -> None:
    """A ProfileError at a coefficient the cost model has no feature for (a misspelt one was ignored)."""
    for name in coef:
        if name not in FEATURES:
            raise ProfileError(
                f"{source}: cost_model.groups.{group}.coef.{name}: unknown coefficient"
                f"{did_you_mean_key(str(name), FEATURES)}; expected {', '.join(FEATURES)}"
            )


def _cold_bytes(source: str, cold: Mapping[str, Any], key: str) -> float:
    """``cold[key]``: weight bytes from which a unit or model runs cold, inf when null or absent.

    A negative number ran every unit cold, silently.
    """
    value = cold.get(key)
    return float("inf") if value is None else _amount(source, f"cold.{key}", value, "bytes or null")


def _finite_or_none(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def not_a_profile_file(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it is there but no regular file (a directory, a FIFO, a device); else None.

    ``is a directory, expected a calibrated profile file (.json or .yaml)``.

    One phrase for every reader of a profile path: ``calibrate report DIR`` said "Is a directory"
    where ``profiles show`` and a scenario said this, and a device given to them was "no such
    profile file".
    """
    what = not_a_file(path)
    return None if what is None else f"{what}, expected a calibrated profile file (.json or .yaml)"


#: Profiles read by :func:`load_profile`, by :func:`_file_key`: a sweep builds one world per grid
#: point, and each re-read and re-parsed the same file (116 s of a 127 s, 2,000-point dry run).
_LOADED: dict[tuple[object, ...], CalibratedProfile] = {}
#: How many files :data:`_LOADED` keeps (the oldest read goes first): a run names a few profiles.
_LOADED_MAX = 16
#: A file modified less than this long ago is read afresh each time, not kept: a file system
#: stamps a write with a coarse clock (a few ms; FAT: 2 s), so a second edit that soon after
#: the first, of the same size, could leave the modification time, and the key, as they were.
_SETTLE_NS = 2_000_000_000


def load_profile(path: str | os.PathLike[str]) -> CalibratedProfile:
    """Read a profile file (JSON, or YAML by suffix); ProfileError if missing or malformed.

    The profile of a file read before in this process, and unchanged since (same file, size
    and change times: :func:`_file_key`), is the same frozen object; an edited file is read
    again, and a file that fails is never kept (it is read, and refused, each time).
    """
    key = _file_key(Path(path))
    hit = _LOADED.get(key) if key is not None else None
    if hit is not None:
        return hit
    profile = _read_profile(Path(path))
    if key is not None:
        if len(_LOADED) >= _LOADED_MAX:
            del _LOADED[next(iter(_LOADED))]
        _LOADED[key] = profile
    return profile


def _file_key(path: Path) -> tuple[object, ...] | None:
    """What tells the file at ``path`` and its contents apart; None when it is not to be kept.

    The path as given (the profile's ``path``) and as resolved (a relative one in another working
    directory is another file), the device and inode (a file replaced by another), the size and
    the modification and change times in ns (an edit; the change time also an edit that put the
    modification time back, as ``cp -p`` does). None for a file that cannot be statted (reading
    it says why) or that was modified within :data:`_SETTLE_NS`.
    """
    try:
        status = path.stat()
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):  # missing, a loop of links, a NUL in the name
        return None
    if time.time_ns() - status.st_mtime_ns < _SETTLE_NS:
        return None
    times = status.st_mtime_ns, status.st_ctime_ns
    return str(path), str(resolved), status.st_dev, status.st_ino, status.st_size, *times


def _read_profile(path: Path) -> CalibratedProfile:
    """The profile in the file at ``path``, read and checked (what :func:`load_profile` keeps)."""
    try:
        text = read_text(path, MAX_DOCUMENT_BYTES)
    except (InputFileError, IsADirectoryError):  # a results directory is said as such
        raise ProfileError(misdirected_path(path, PROFILE) or f"{path}: {not_a_profile_file(path)}") from None
    except (UnicodeDecodeError, OSError) as exc:  # a results directory or a file of one, given as a profile?
        reason = not_utf8(exc) if isinstance(exc, UnicodeDecodeError) else exc.strerror or exc
        near = did_you_mean_file(path) if isinstance(exc, FileNotFoundError) else ""
        wrong = misdirected_path(path, PROFILE)
        raise ProfileError(wrong or f"cannot read profile {quoted(str(path))}: {reason}{near}") from None
    try:
        # YAML read as a scenario is (strict_yaml); in either, a key given twice was read as its
        # last value, without a word: refused, as in a scenario
        yaml_file = path.suffix in (".yaml", ".yml")
        data = read_yaml(text, called="the profile") if yaml_file else _read_json(text)
    except YamlProblem as problem:
        wrong = misdirected_path(path, PROFILE)  # a results directory's summary.txt, say
        if wrong is not None:
            raise ProfileError(wrong) from None
        twice = problem.duplicate
        if twice is not None:
            first, again = twice.lines
            lines = f"lines {first} and {again}" if first != again else f"on line {first}"
            raise ProfileError(
                f"{path}: {twice.key_path}: given twice ({lines}); give each key once"
            ) from None
        raise ProfileError(f"{path}: {problem}") from None
    except _GivenTwice as twice:
        raise ProfileError(f"{path}: {twice.key_path}: given twice; give each key once") from None
    except ValueError as exc:  # json.JSONDecodeError
        wrong = misdirected_path(path, PROFILE)  # a results directory's summary.txt, say
        raise ProfileError(wrong or f"{path}: not valid JSON: {exc}") from None
    except RecursionError:  # the parser's own recursion ran out: deeper than the limit
        raise ProfileError(f"{path}: the profile is nested more than {MAX_DEPTH} levels deep") from None
    too_large = size_problem(data)  # as a scenario's: what reads the profile later must not overflow
    if too_large is not None:
        raise ProfileError(f"{path}: the profile {too_large}")
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        wrong = misdirected_path(path, PROFILE)  # a results directory's summary.json, say
        if wrong is not None:
            raise ProfileError(wrong)
    return dataclasses.replace(CalibratedProfile.from_dict(data, source=str(path)), path=str(path))


def find_profile(name: str, search_dirs: Sequence[str | os.PathLike[str]] = ()) -> CalibratedProfile | None:
    """The calibrated profile ``name``: a file path, or ``NAME.json|.yaml|.yml`` in ``search_dirs``.

    Returns None when nothing matches (so the caller can try built-in
    profiles); a file that exists but is not a valid profile raises
    :class:`ProfileError`.
    """
    path = profile_path(name, search_dirs)
    return None if path is None else load_profile(path)


def profile_path(name: str, search_dirs: Sequence[str | os.PathLike[str]] = ()) -> Path | None:
    """The file :func:`find_profile` reads for ``name``, or None when nothing matches."""
    direct = Path(name)
    # os.path.isfile, not Path.is_file: that raises OSError for a name longer than the system allows
    # (ENAMETOOLONG), a 300-character profile name's internal error; this says False, as for no file
    if direct.suffix in PROFILE_SUFFIXES and os.path.isfile(direct):
        return direct
    if os.sep in name or (os.altsep and os.altsep in name):
        return None
    for folder in search_dirs:
        for suffix in ("", *PROFILE_SUFFIXES):
            candidate = Path(folder) / f"{name}{suffix}"
            if candidate.suffix in PROFILE_SUFFIXES and os.path.isfile(candidate):
                return candidate
    return None


def list_profiles(search_dirs: Sequence[str | os.PathLike[str]]) -> dict[str, Path]:
    """Calibrated profiles in ``search_dirs`` by name (the first directory wins), without loading them fully.

    A file counts when it is JSON or YAML whose ``format`` is this module's :data:`FORMAT`.
    """
    found: dict[str, Path] = {}
    for folder in search_dirs:
        if not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).iterdir()):
            if path.suffix not in PROFILE_SUFFIXES or path.stem in found or not path.is_file():
                continue
            try:
                head = read_head(path, 400)
            except (OSError, InputFileError):
                continue
            if FORMAT in head:
                found[path.stem] = path
    return found
