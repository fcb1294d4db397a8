"""Read scenario YAML safely and strictly: no arbitrary objects, no silently repeated keys.

The reading is :mod:`offloadsim.strict_yaml`'s, shared with calibrated profiles (which sit below
the scenario layer): a repeated mapping key is an error, ``1e9`` is a float as in YAML 1.2, a
float that rounds to 0 or infinity is an error at its key path, dates stay strings.  Here its
problems become the scenario's :class:`~offloadsim.scenario.errors.Problem` (file, where, what),
and what a document too large to read in memory can do instead is named.
"""

from __future__ import annotations

from typing import Any

from offloadsim.bounded_read import MAX_DEPTH, MAX_VALUES, size_problem
from offloadsim.scenario.errors import Problem
from offloadsim.strict_yaml import StrictLoader, UnreadableNumber, YamlProblem, read_yaml

__all__ = [
    "LONG_SCHEDULES",
    "ScenarioLoader",
    "UnreadableNumber",
    "parse_yaml",
    "MAX_DEPTH",
    "MAX_VALUES",
    "size_problem",
]

#: The scenario's name for the strict loader (:class:`offloadsim.strict_yaml.StrictLoader`).
ScenarioLoader = StrictLoader

#: What a scenario too large to read in memory can do instead: what makes one that large is a long
#: schedule, which a CSV file holds in far less (a link-trace's row: 100 bytes, where a step's
#: YAML takes some 2.7 kB to read).
LONG_SCHEDULES = "write a long link schedule as a CSV file (kind: link-trace)"


def parse_yaml(text: str, file: str, way_out: str = LONG_SCHEDULES) -> tuple[Any, list[Problem]]:
    """The YAML document in ``text``, or the problems (with line and column) that stop reading it.

    A document whose reading would not fit in the memory available is refused before it is read
    (:func:`~offloadsim.bounded_read.yaml_memory_problem`), advising ``way_out`` first.
    """
    try:
        data = read_yaml(text, way_out)
    except YamlProblem as unread:
        return None, [Problem(file, unread.where, unread.what)]
    too_large = size_problem(data)
    if too_large is not None:
        return None, [Problem(file, "", f"the document {too_large}")]
    return data, []
