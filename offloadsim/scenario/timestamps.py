"""Wall-clock timestamps (ISO 8601, with their time zone) as seconds after an epoch.

An operator's outage log stamps its rows with the wall clock (``2026-03-01T10:15:00Z``); a
scenario's times count seconds from the run's start.  The entry that reads such a log states the
timestamp that is simulation time 0 (``start:``), and each cell is read as the seconds after it.
A timestamp must say its time zone (``Z``, ``+01:00``): one without could be read in the
machine's zone, and across a daylight-saving change an hour off.
"""

from __future__ import annotations

from datetime import datetime

from offloadsim.scenario.errors import describe

__all__ = ["TIMESTAMP_EXAMPLE", "looks_like_timestamp", "seconds_after", "seconds_from", "timestamp"]

#: A timestamp as a message shows one.
TIMESTAMP_EXAMPLE = "2026-03-01T10:15:00Z (UTC) or 2026-03-01T11:15:00+01:00"


def timestamp(value: object) -> datetime | str:
    """``value`` as an aware :class:`datetime`, or what is wrong with it (a string).

    >>> timestamp("2026-03-01T10:15:00Z")
    datetime.datetime(2026, 3, 1, 10, 15, tzinfo=datetime.timezone.utc)
    >>> print(timestamp("2026-03-01T10:15:00"))
    "2026-03-01T10:15:00" has no time zone: add Z for UTC or the offset (+01:00); expected a timestamp ...
    """
    expected = f"expected a timestamp with its time zone, as {TIMESTAMP_EXAMPLE}"
    if not isinstance(value, str):
        return f"{expected}, got {describe(value)}"
    try:
        read = datetime.fromisoformat(value.strip())
    except ValueError:
        return f"{expected}, got {describe(value)}"
    if read.tzinfo is None:
        return f"{describe(value)} has no time zone: add Z for UTC or the offset (+01:00); {expected}"
    return read


def seconds_after(epoch: datetime, cell: str) -> float | str:
    """Seconds from ``epoch`` to the timestamp ``cell``, or what is wrong with it (a string).

    >>> epoch = timestamp("2026-03-01T10:00:00Z")
    >>> seconds_after(epoch, "2026-03-01T11:30:00+01:00")
    1800.0
    >>> print(seconds_after(epoch, "2026-03-01T09:59:00Z"))
    "2026-03-01T09:59:00Z" is 60 s before start, 2026-03-01T10:00:00+00:00 (simulation time 0)
    """
    seconds = seconds_from(epoch, cell)
    if isinstance(seconds, float) and seconds < 0:
        return f"{describe(cell)} is {-seconds:g} s before start, {epoch.isoformat()} (simulation time 0)"
    return seconds


def seconds_from(epoch: datetime, cell: str) -> float | str:
    """Seconds from ``epoch`` to the timestamp ``cell``, below 0 before it, or what is wrong with it.

    An outage log's rows before ``start`` are read (:mod:`~offloadsim.scenario.outage_window` skips
    them, or starts an outage spanning ``start`` at 0 s).

    >>> seconds_from(timestamp("2026-03-01T10:00:00Z"), "2026-03-01T09:59:00Z")
    -60.0
    """
    read = timestamp(cell)
    if isinstance(read, str):
        return read
    return (read - epoch).total_seconds()


def looks_like_timestamp(cell: str) -> bool:
    """Whether ``cell`` reads as a timestamp (with a date), for a hint where a number was expected.

    >>> looks_like_timestamp("2026-03-01T10:15:00Z"), looks_like_timestamp("90")
    (True, False)
    """
    try:
        datetime.fromisoformat(cell.strip())
    except ValueError:
        return False
    return True
