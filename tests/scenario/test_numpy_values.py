"""A document built in a notebook holds numpy's numbers: they load as the YAML of the same values.

A data scientist sets a scenario's values from ``np.arange``, ``np.linspace`` or a DataFrame's
row: strict validation refused ``cores: np.int64(2)`` as "expected an integer, got int64", a
``np.float32`` bandwidth as no bandwidth, and a sweep grid of ``np.arange(1, 3)`` as no list of
values, where ``np.float64`` (a ``float``) passed.  The loader and ``sweep_from_data`` now take
them as the plain numbers and lists they hold: the scenario, its document and its hash are
those of the same YAML.  A tuple is still refused, naming it (``test_scenario_loading``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scenario_testkit import small_document

from offloadsim.experiments import sweep_from_data
from offloadsim.experiments.sweep_spec import expand
from offloadsim.records.results import scenario_hash
from offloadsim.scenario import load_scenario_data


def _set(document: dict[str, Any], value: Any) -> dict[str, Any]:
    document["nodes"]["edge"]["processor"]["cores"] = value[0]
    document["links"][0]["bandwidth"] = value[1]
    document["links"][1]["between"] = value[2]
    return document


def test_numpy_numbers_and_tuples_load_as_the_plain_values_they_are() -> None:
    plain = load_scenario_data(_set(small_document(), (2, 5e6, ["ap", "edge"])))
    numpy = load_scenario_data(
        _set(small_document(), (np.int64(2), np.float32(5e6), [np.str_("ap"), "edge"]))
    )
    assert numpy.document == plain.document
    assert type(numpy.document["nodes"]["edge"]["processor"]["cores"]) is int
    assert scenario_hash(numpy.document) == scenario_hash(plain.document)
    assert numpy.nodes == plain.nodes and numpy.links == plain.links


@pytest.mark.parametrize("values", [np.arange(1, 3), [np.int64(1), np.int64(2)]])
def test_a_sweep_grid_of_numpy_values_is_a_list_of_plain_values(values: Any) -> None:
    spec = sweep_from_data({"base": small_document(), "grid": {"nodes.edge.processor.cores": values}})
    cores = [point["nodes.edge.processor.cores"] for point in expand(spec)]
    assert cores == [1, 2] and {type(value) for value in cores} == {int}
