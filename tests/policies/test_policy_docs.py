"""Every example in the policy modules' docstrings and in docs/policies.md runs as shown."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

MODULES = [
    "offloadsim.policies",
    "offloadsim.policies.registry",
    "offloadsim.policies.candidates",
    "offloadsim.policies.basic",
    "offloadsim.policies.balancing",
    "offloadsim.policies.params",
]
DOC = Path(__file__).parents[2] / "docs" / "policies.md"


@pytest.mark.usefixtures("fresh_registry")
@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.usefixtures("fresh_registry")
def test_docs_page_examples():
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_docs_page_plugin_example_runs(make_view, task_factory):
    source = DOC.read_text().split("```python\nfrom dataclasses import dataclass\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec("from dataclasses import dataclass\n" + source, namespace)
    policy = namespace["DeadlineAware"]()
    view = make_view()
    relaxed = task_factory()  # no deadline: stays local
    assert policy.decide(relaxed, view).nodes == ("phone-0",)
    urgent = type(relaxed)(**{**vars(relaxed), "deadline": 1.0})  # 4 s locally: offload
    assert policy.decide(urgent, view).nodes == ("edge-0",)
