"""A document built in Python made the plain data a YAML file gives: numpy's numbers and arrays.

A scenario or sweep written in a notebook takes its values from ``np.arange``, ``np.linspace`` or
a DataFrame's row: ``np.int64(2)``, ``np.float32(5e6)``, an array.  The schema is strict, as a
file's reading needs it to be, so it refused them as no integer, no number and no list, in words
that read as a contradiction (``cores: expected an integer, got int64``).  :func:`plain_data`
gives each as the Python value it holds (numpy's ``item()``, ``tolist()``), so the document, and
its hash, are those of the same YAML.  numpy is recognised by its type's module, not imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["plain_data"]


def plain_data(value: Any) -> Any:
    """``value`` with every numpy number or array in it (in mappings and lists) made Python's own.

    ``value`` itself where it holds none, so a caller tells by identity whether anything changed;
    where something did, the mappings and lists above it are new ``dict`` and ``list`` objects.
    Anything else (a string, a tuple, a loaded ``Scenario`` given as a sweep's base) is kept, to
    be checked as a file's value would be.
    """
    if isinstance(value, Mapping):
        plain: dict[Any, Any] = {}
        changed = False
        for key, item in value.items():
            new_key, new_item = plain_data(key), plain_data(item)
            changed = changed or new_key is not key or new_item is not item
            plain[new_key] = new_item
        return plain if changed else value
    if isinstance(value, list):
        items = [plain_data(item) for item in value]
        return items if any(new is not old for new, old in zip(items, value, strict=True)) else value
    if type(value).__module__ == "numpy":
        if getattr(value, "ndim", None) == 0:  # a numpy scalar, or an array of no dimension
            return value.item()
        if callable(getattr(value, "tolist", None)):  # an array: nested lists of Python numbers
            return value.tolist()
    return value
