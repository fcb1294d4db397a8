"""Every example in the policy modules' docstrings runs as shown; docs/policies.md's plug-in decides right.

The doc page's own blocks run, in order, in tests/docs/test_docs.py.
"""

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
    # the deadline is relative to arrival: a late arrival with time to spare stays local
    late = type(relaxed)(**{**vars(relaxed), "arrival": 100.0, "deadline": 5.0})
    assert policy.decide(late, view).nodes == ("phone-0",)


def test_the_table_of_what_a_view_answers_names_every_member_of_system_view():
    """docs/policies.md lists the view's members for a plug-in's author: none left out, none made up."""
    import re

    from offloadsim.policies import SystemView

    members = {name for name in vars(SystemView) if not name.startswith("_")}
    text = DOC.read_text()
    table = text[text.index("| `view.` |") : text.index("Each is a member of `SystemView`")]
    listed = set(re.findall(r"`(\w+)(?:\(|`)", table)) - {"view"}
    assert listed == members, (sorted(members - listed), sorted(listed - members))
