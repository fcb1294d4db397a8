"""Comparison, hash and repr of a dataclass of many fields, written once rather than per class.

Python 3.11's ``dataclass`` writes each class's ``__eq__``, ``__hash__`` and ``__repr__`` as source
text naming every field and compiles it as the class is made, at every start-up: for a class of
dozens of fields that is millions of instructions (issue 12 e). A class declared
``@dataclass(frozen=True, eq=False, repr=False)`` that derives :class:`FieldValues` behaves as
dataclass's own methods would: equal to an object of exactly its class whose fields compare equal
in order (as tuples compare: identity first, so one NaN object equals itself), hashed as the tuple
of those fields (a ``TypeError`` where one is a dict), shown as ``Name(field=value, ...)``; a field
with ``compare=False`` or ``repr=False`` is left out as dataclass leaves it out.  For classes
compared or hashed rarely (registries, summaries): these read the fields one by one, slower per
call than the methods dataclass compiles.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

__all__ = ["FieldValues"]


class FieldValues:
    """``__eq__``, ``__hash__`` and ``__repr__`` as a frozen dataclass's (see the module)."""

    __slots__ = ()

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self) if f.compare)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        hashed = (f for f in fields(self) if (f.compare if f.hash is None else f.hash))  # type: ignore[arg-type]
        return hash(tuple(getattr(self, f.name) for f in hashed))

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{self.__class__.__qualname__}({shown})"
