"""The entry-point plug-in path, proved with tiny distributions installed into tmp_path."""

from __future__ import annotations

import sys
import textwrap

import pytest

from offloadsim.policies import (
    ENTRY_POINT_GROUP,
    PolicyPluginWarning,
    available_policies,
    clear_policy_cache,
    make_policy,
    validate_plan,
)
from offloadsim.policies.basic import EdgePolicy

pytestmark = pytest.mark.usefixtures("fresh_registry")

TOY_MODULE = '''
"""A third-party policy: run on the source, or on a named node."""

from offloadsim.policies import Plan


class ToyPolicy:
    """Run every task on one node (the source by default).

    Parameters
    ----------
    node : str
        Where to run; the task's source if empty.
    """

    def __init__(self, node: str = "") -> None:
        self.node = node

    def decide(self, task, view):
        return Plan.run_on(self.node or task.source)
'''


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Install distributions into tmp_path, as pip would put them in site-packages."""
    monkeypatch.syspath_prepend(str(tmp_path))
    modules: list[str] = []

    def install(dist: str, entry_points: dict[str, str], modules_source: dict[str, str]) -> None:
        for module, source in modules_source.items():
            (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
            modules.append(module)
        info = tmp_path / f"{dist.replace('-', '_')}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
        lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
        (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")

    yield install
    for module in modules:
        sys.modules.pop(module, None)


def install_toy(site) -> None:
    site("toy-offload-policy", {"toy": "toy_offload_policy:ToyPolicy"}, {"toy_offload_policy": TOY_MODULE})


def test_an_installed_plugin_is_listed_and_decides(site, make_view, task_factory):
    install_toy(site)
    clear_policy_cache()
    info = available_policies()["toy"]
    assert info.origin == "toy-offload-policy 0.1"
    assert info.summary == "Run every task on one node (the source by default)."
    assert info.params == (("node", "str", "", "Where to run; the task's source if empty."),)
    view, task = make_view(), task_factory("phone-1")
    policy = make_policy("toy", {})
    assert validate_plan(policy.decide(task, view), task, view, "toy").nodes == ("phone-1",)
    assert make_policy("toy", {"node": "edge-0"}).decide(task, view).nodes == ("edge-0",)


def test_plugins_are_loaded_lazily_and_cached(site):
    assert "toy" not in available_policies()
    install_toy(site)
    assert "toy" not in available_policies()  # the cache holds until cleared
    assert "toy_offload_policy" not in sys.modules
    clear_policy_cache()
    assert "toy" in available_policies()


def test_a_broken_plugin_warns_naming_its_distribution_and_the_others_still_load(site):
    install_toy(site)
    site(
        "broken-offload-policy",
        {"broken": "broken_offload_policy:Policy", "missing": "toy_offload_policy:NoSuchPolicy"},
        {"broken_offload_policy": "raise ImportError('needs a GPU library')\n"},
    )
    clear_policy_cache()
    with pytest.warns(PolicyPluginWarning) as caught:
        names = set(available_policies())
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert any(
        "'broken' (broken_offload_policy:Policy) from distribution broken-offload-policy 0.1" in m
        and "ImportError: needs a GPU library" in m
        for m in messages
    )
    assert any("'missing'" in m and "AttributeError" in m for m in messages)
    assert "toy" in names and "broken" not in names and "missing" not in names
    available_policies()  # cached: no second warning (warnings are errors here)


def test_a_plugin_cannot_shadow_a_shipped_policy(site):
    site(
        "shadow-offload-policy", {"edge": "toy_offload_policy:ToyPolicy"}, {"toy_offload_policy": TOY_MODULE}
    )
    clear_policy_cache()
    with pytest.warns(
        PolicyPluginWarning, match="'edge'.*shadow-offload-policy 0.1 is ignored: the name is taken"
    ):
        assert available_policies()["edge"].factory is EdgePolicy


def test_a_plugin_that_registers_itself_is_not_reported_twice(site):
    source = TOY_MODULE.replace("class ToyPolicy", '@register_policy("selfreg")\nclass ToyPolicy').replace(
        "from offloadsim.policies import Plan", "from offloadsim.policies import Plan, register_policy"
    )
    site("selfreg-offload-policy", {"selfreg": "selfreg_policy:ToyPolicy"}, {"selfreg_policy": source})
    clear_policy_cache()
    assert available_policies()["selfreg"].origin == "selfreg-offload-policy 0.1"


def test_two_distributions_offering_one_name_keep_the_first_and_warn(site):
    site("first-offload-policy", {"dup": "toy_offload_policy:ToyPolicy"}, {"toy_offload_policy": TOY_MODULE})
    site("second-offload-policy", {"dup": "dup_policy:ToyPolicy"}, {"dup_policy": TOY_MODULE})
    clear_policy_cache()
    with pytest.warns(PolicyPluginWarning, match="already provides a policy of that name"):
        origin = available_policies()["dup"].origin
    assert origin in ("first-offload-policy 0.1", "second-offload-policy 0.1")
