"""Scenario keys declared once, on the field of the resolved spec that holds their value.

A key is a dataclass field of a spec (``ProcessorSpec``, an arrival process,
…) made with :func:`key`: its Python type is the field's annotation, and the
declaration adds what the scenario file needs, its YAML name, unit, bounds,
default as the docs read it, and doc.  The schema
(:func:`offloadsim.scenario.schema.doc_fields`) builds the pydantic fields that
validate what users write from these declarations, and :func:`spec_values`
copies the validated values onto the spec, so a new key is one field here and
nowhere else.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Toy:
...     rate_per_s: float = key(1.0, yaml="rate", unit="rate", doc="Requests per second.")
>>> [(k.name, k.yaml) for k in declared_keys(Toy)]
[('rate_per_s', 'rate')]
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import MISSING, dataclass
from typing import Any

from offloadsim.field_values import FieldValues

__all__ = ["Key", "key", "declared_keys", "spec_values", "is_required"]

_META = "offloadsim.key"


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Key(FieldValues):
    """What the scenario file needs to know of one key beyond its Python type.

    ``name`` is the attribute on the spec, ``yaml`` the key users write (the
    same unless the attribute carries its unit, ``rate_per_s`` for ``rate``).
    ``unit`` is a quantity kind of :data:`offloadsim.scenario.units.QUANTITIES`
    (the value is a unit string or an SI number; a ``Dist`` field takes a
    distribution of that kind).  ``default_doc`` is how the default reads in
    the docs (``"0 s"``, ``"end of run"``) and ``fallback`` names another key
    whose value an absent one takes (``busy`` power defaults to ``idle``).
    ``schema_type`` is the type users write where it differs from the field's
    (or a word the schema knows, ``"node patterns"``: one pattern or a list),
    and ``convert`` turns what they wrote into the field's type (``tuple`` for
    a list).  ``describe_unit`` False leaves the unit's sentence out of the doc.
    A key whose default is not a plain value (a ``Dist``) is optional in the
    document and takes its default when the spec is built.
    """

    doc: str
    name: str = ""
    yaml: str = ""
    unit: str | None = None
    positive: bool = False
    ge: int | None = None
    le: int | None = None
    default_doc: str | None = None
    example: str | None = None
    fallback: str | None = None
    schema_type: Any = None
    json_schema_extra: Mapping[str, Any] | None = None
    convert: Callable[[Any], Any] | None = None
    describe_unit: bool = True
    required: bool = False
    default: Any = None
    default_factory: Callable[[], Any] | None = None


def key(
    default: Any = MISSING,
    *,
    doc: str,
    yaml: str | None = None,
    unit: str | None = None,
    positive: bool = False,
    ge: int | None = None,
    le: int | None = None,
    default_doc: str | None = None,
    example: str | None = None,
    fallback: str | None = None,
    schema_type: Any = None,
    factory: Callable[[], Any] | None = None,
    json_schema_extra: Mapping[str, Any] | None = None,
    convert: Callable[[Any], Any] | None = None,
    describe_unit: bool = True,
) -> Any:
    """A dataclass field that is also a scenario key (no ``default`` and no ``factory``: required)."""
    declared = Key(
        doc=doc,
        yaml=yaml or "",
        unit=unit,
        positive=positive,
        ge=ge,
        le=le,
        default_doc=default_doc,
        example=example,
        fallback=fallback,
        schema_type=schema_type,
        json_schema_extra=json_schema_extra,
        convert=convert,
        describe_unit=describe_unit,
    )
    metadata = {_META: declared}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    if default is MISSING:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def declared_keys(spec: type) -> Iterator[Key]:
    """The keys declared on dataclass ``spec``, in field order, with name, YAML name and default filled in."""
    return iter(_declared_keys(spec))


@functools.cache
def _declared_keys(spec: type) -> tuple[Key, ...]:
    """:func:`declared_keys`, built once per class (a class's fields do not change once it is made).

    Every grid point of a sweep reads its scenario, and so rebuilt every spec's keys: some 60
    ``dataclasses.replace`` calls a point, a tenth of a ``sweep --dry-run`` once profiles were kept.
    """
    keys = []
    for item in dataclasses.fields(spec):
        declared = item.metadata.get(_META)
        if declared is None:
            continue
        factory = item.default_factory if item.default_factory is not MISSING else None
        keys.append(
            dataclasses.replace(
                declared,
                name=item.name,
                yaml=declared.yaml or item.name,
                required=item.default is MISSING and factory is None,
                default=None if item.default is MISSING else item.default,
                default_factory=factory,
            )
        )
    return tuple(keys)


def is_required(declared: Key) -> bool:
    """True when the scenario must give this key."""
    return declared.required


def spec_values(spec: type, doc: Any) -> dict[str, Any]:
    """The spec's declared attributes from a validated document ``doc`` (read by YAML name).

    A key left out (None) whose declaration names a ``fallback`` takes that
    key's value; one left out without a fallback takes the declared default.
    """
    values: dict[str, Any] = {}
    for declared in declared_keys(spec):
        value = getattr(doc, declared.yaml)
        if value is None and declared.fallback is not None:
            value = getattr(doc, declared.fallback)
        if value is None and not declared.required and declared.default is not None:
            value = declared.default
        if value is not None and declared.convert is not None:
            value = declared.convert(value)
        values[declared.name] = value
    return values
