"""An application's size written as a bare number below 10,000, read as bytes where KB were meant.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so
an application's ``input: 150`` is a 150-byte request: the quickstart's 150 KB camera frame then
uploads in well under a millisecond and offloading looks twice as fast as it is, with nothing
said.  Its writer meant "150 KB".  A scenario check (:mod:`offloadsim.scenario.checks`): a warning
per such value of an application's ``input`` or ``output`` or a stage's ``output``, at its key
path, saying how to write it with a unit, read from ``Scenario.document`` through
:mod:`~offloadsim.scenario.plain_numbers` (which holds the threshold and the words) as
``plain-tails`` is.

``bit-sizes`` (:func:`bit_sizes`, the HH42 trial) warns of the same keys written with an
abbreviated bit unit: ``input: 150 kb`` is 150 kilobits, 18.75 KB, where "150 KB" was surely meant
(a lower-case b is a bit, as in ``Mb``); a unit spelled ``kbit`` says bits on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path, key_place, values_at
from offloadsim.scenario.plain_numbers import APP_KEYS, PLAIN_SIZE_BELOW, plain_warnings
from offloadsim.scenario.units import format_quantity, parse_quantity

__all__ = ["PLAIN_SIZE_BELOW", "bit_size_words", "bit_sizes", "plain_sizes"]

#: A size with an abbreviated bit unit (``150 kb``, ``2 Mb``): its number and its prefix.
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_BITS = r"^\s*(\S+?)\s*([kKMGTP]?)b\s*$"
_PREFIX_WORDS = {"": "", "k": "kilo", "K": "kilo", "M": "mega", "G": "giga", "T": "tera", "P": "peta"}


def plain_sizes(run: CheckedRun) -> list[Problem]:
    """One warning per application ``input``, ``output`` or stage ``output`` written bare, in (0, 1e4)."""
    return plain_warnings(run, "size")


def bit_sizes(run: CheckedRun) -> list[Problem]:
    """One warning per application ``input``, ``output`` or stage ``output`` written in ``kb``, ``Mb``, ..."""
    applications = run.scenario.document.get("applications")
    warnings = []
    for name, app in applications.items() if isinstance(applications, Mapping) else ():
        for parts, _ in map(key_place, APP_KEYS["size"]):
            for at, written in values_at(app, parts, ("applications", name)):
                words = bit_size_words(written)
                if words is not None:
                    warnings.append(Problem(run.scenario.source, format_path(at), words))
    return warnings


def bit_size_words(written: object) -> str | None:
    """What a warning of a size written with an abbreviated bit unit says, or None for any other value."""
    found = re.match(_BITS, written) if isinstance(written, str) else None
    if found is None:
        return None
    try:
        size = parse_quantity(written, "size")
    except ValueError:
        return None  # refused by the loader, with its own message
    number, prefix = found.groups()
    bytes_unit = {"k": "K"}.get(prefix, prefix) + "B"
    words = _PREFIX_WORDS[prefix]
    read = f"{number} {words}bits ({format_quantity(size, 'size')})"
    return (
        f'"{written}" is read as {read}: a lower-case b is a bit; write "{number} {bytes_unit}" if'
        f' {words}bytes were meant, or "{number} {prefix}bit" to say {words}bits'
    )
