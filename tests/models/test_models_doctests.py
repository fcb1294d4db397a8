"""The examples in the models package's docstrings run and give the documented output."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "offloadsim.models.ops",
    "offloadsim.models.graph",
    "offloadsim.models.builder",
    "offloadsim.models.registry",
    "offloadsim.models.zoo.llm",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
