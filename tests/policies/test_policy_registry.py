"""The registry: discovery of parameters, and the errors a scenario author sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import pytest

from offloadsim.policies import (
    REQUIRED,
    Plan,
    PolicyBuildError,
    PolicyInfo,
    PolicyParamError,
    UnknownPolicyError,
    available_policies,
    describe_policies,
    make_policy,
    policy_names,
    register_policy,
)
from offloadsim.policies.basic import EdgePolicy, FixedPolicy

pytestmark = pytest.mark.usefixtures("fresh_registry")


def test_policy_names_are_sorted_and_include_the_shipped_ones():
    names = policy_names()
    assert names == sorted(names)
    assert {"local", "edge", "cloud", "fixed", "random", "round-robin", "least-loaded"} <= set(names)


def test_describe_policies_lists_infos_by_name():
    infos = describe_policies()
    assert all(isinstance(i, PolicyInfo) for i in infos)
    assert [i.name for i in infos] == policy_names()


def test_info_of_a_shipped_policy():
    info = available_policies()["fixed"]
    assert info.factory is FixedPolicy
    assert (
        info.summary == "Run every task by one fixed plan: one node, or several nodes split at fixed layers."
    )
    assert [p.name for p in info.params] == ["node", "nodes", "cuts", "processors"]
    nodes = info.param("nodes")
    assert nodes == (
        "nodes",
        "list[computing node or $source] | None",
        None,
        "The stations of a multi-stage plan, in layer order.",
    )
    assert info.origin == "offloadsim"
    edge = available_policies()["edge"].param("fallback")
    assert (edge.type, edge.default, edge.required) == ('"local" | "drop"', "local", False)
    assert available_policies()["edge"].factory is EdgePolicy


def test_params_from_a_dataclass_with_field_metadata():
    @register_policy("test-dataclass")
    @dataclass
    class Thresholded:
        """Offload above a threshold.

        Parameters
        ----------
        threshold_s : float
            Latency above which to offload.
        """

        threshold_s: float
        tiers: Sequence[str] = ("edge",)
        mode: Literal["a", "b"] = field(default="a", metadata={"help": "Which mode."})
        _state: int = field(default=0, init=False)

        def decide(self, task, view):
            return Plan.run_on(task.source)

    info = available_policies()["test-dataclass"]
    assert info.summary == "Offload above a threshold."
    assert info.params == (
        ("threshold_s", "float", REQUIRED, "Latency above which to offload."),
        ("tiers", "list[str]", ("edge",), ""),
        ("mode", '"a" | "b"', "a", "Which mode."),
    )
    assert info.param("threshold_s").required
    with pytest.raises(
        PolicyParamError,
        match=r'policy "test-dataclass" needs parameter "threshold_s" \(float, in seconds: Latency above',
    ):
        make_policy("test-dataclass", {})
    assert make_policy("test-dataclass", {"threshold_s": 1}).threshold_s == 1  # an int is a fine float


def test_params_from_a_plain_class_and_a_factory_function():
    @register_policy("test-plain")
    class Plain:
        """A plain class.

        Parameters
        ----------
        k : int
            How many.
        """

        def __init__(self, k: int = 2, *, name: str | None = None) -> None:
            self.k, self.name = k, name

        def decide(self, task, view):
            return Plan.run_on(task.source)

    def factory(**options):
        """Build anything."""
        return Plain(**options)

    register_policy("test-factory")(factory)
    info = available_policies()["test-plain"]
    assert info.params == (("k", "int", 2, "How many."), ("name", "str | None", None, ""))
    assert not info.open_params
    assert make_policy("test-plain", {"k": 5, "name": "x"}).k == 5
    with pytest.raises(PolicyParamError, match='parameter "k" must be int, got True'):
        make_policy("test-plain", {"k": True})
    opened = available_policies()["test-factory"]
    assert opened.open_params and opened.params == () and opened.summary == "Build anything."
    assert make_policy("test-factory", {"k": 7}).k == 7


def test_registering_a_taken_name_is_an_error():
    with pytest.raises(ValueError, match="'edge' is already registered"):
        register_policy("edge")(type("Other", (), {"decide": lambda self, t, v: Plan.reject()}))


def test_the_same_class_defined_again_replaces_the_old_one_and_another_class_is_refused():
    """A notebook's cell run again defines its class again: registering it raised "already registered"."""
    cell = (
        '@register_policy("test-cell")\n'
        "class Cell:\n"
        '    """Version VERSION."""\n'
        "    def decide(self, task, view):\n"
        "        return Plan.reject()\n"
    )
    namespace = {"register_policy": register_policy, "Plan": Plan, "__name__": "notebook_cell"}
    exec(cell.replace("VERSION", "1"), namespace)
    exec(cell.replace("VERSION", "2"), namespace)  # edited and run again
    assert available_policies()["test-cell"].summary == "Version 2."
    assert make_policy("test-cell", {}).__class__ is namespace["Cell"]
    with pytest.raises(ValueError, match=r"'test-cell' is already registered \(notebook_cell.Cell\)"):
        register_policy("test-cell")(type("Other", (), {"decide": lambda self, t, v: Plan.reject()}))


def test_a_policy_object_registered_for_its_class_says_to_name_the_class():
    """An instance (an entry point naming ``POLICY = Mine()``) was only "not a class or factory function"."""
    instance = type("Mine", (), {"decide": lambda self, t, v: Plan.reject()})()
    with pytest.raises(TypeError, match="it is a policy object; name its class, Mine, which builds one"):
        register_policy("test-instance")(instance)


def test_unknown_policy_suggests_close_names_and_lists_all():
    with pytest.raises(UnknownPolicyError) as info:
        make_policy("round_robin", {})
    message = str(info.value)
    assert isinstance(info.value, KeyError)
    assert message.startswith('unknown policy "round_robin" (did you mean "round-robin"')
    assert (
        "known policies: by-group, cloud, dads, edge, fixed, least-loaded, local, model-select, multi-tier, "
        "neurosurgeon, random, round-robin"
    ) in message


def test_unknown_policy_without_a_close_name():
    with pytest.raises(UnknownPolicyError, match=r'^unknown policy "zzzz"; known policies: by-group, cloud'):
        make_policy("zzzz", {})


def test_unknown_parameter_is_named_with_the_accepted_ones():
    with pytest.raises(PolicyParamError) as info:
        make_policy("random", {"tier": ["edge"]})
    assert (
        str(info.value)
        == 'policy "random" has no parameter "tier" (did you mean "tiers"?); it accepts: tiers'
    )
    with pytest.raises(
        PolicyParamError, match='policy "local" has no parameter "x"; it accepts: no parameters'
    ):
        make_policy("local", {"x": 1})


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("edge", {"fallback": 3}, r'parameter "fallback" must be "local" \| "drop", got 3 \(int\)'),
        ("edge", {"fallback": "cloud"}, r'parameter "fallback" must be "local" \| "drop", got "cloud"'),
        ("random", {"tiers": "edge"}, r'parameter "tiers" must be list\[tier\] \| None, got "edge" \(str\)'),
        ("round-robin", {"tiers": ["edge", 1]}, r'parameter "tiers" must be list\[tier\] \| None'),
        ("fixed", {"nodes": ["a", "b"], "cuts": [1.5]}, r'parameter "cuts" must be list\[int\] \| None'),
        (
            "fixed",
            {"node": ["a"]},
            r'parameter "node" must be computing node or \$source \| None, got \[\'a\'\] \(list\)',
        ),
    ],
)
def test_wrong_types_are_clear(name, params, message):
    with pytest.raises(PolicyParamError, match=message):
        make_policy(name, params)


def test_constructor_value_errors_become_param_errors_naming_the_policy():
    with pytest.raises(PolicyParamError, match=r'^policy "random": tiers must name at least one tier'):
        make_policy("random", {"tiers": []})


def test_a_factory_that_builds_no_policy_is_refused():
    register_policy("test-not-a-policy")(lambda: object())
    with pytest.raises(PolicyBuildError, match="has no decide method"):  # the plug-in's mistake: exit 2
        make_policy("test-not-a-policy", {})


def test_make_policy_returns_independent_instances(make_view, task_factory):
    a, b = make_policy("round-robin", {}), make_policy("round-robin", {})
    view = make_view()
    assert a.decide(task_factory(), view) == b.decide(task_factory(), view)


def test_each_shipped_policy_is_looked_up_in_the_module_that_registers_it():
    # find_policy imports only the module _SHIPPED names for a shipped policy (start-up): the table
    # must name every shipped policy's own module, and every policy the shipped modules register.
    from offloadsim.policies import registry

    shipped = {
        name: info.factory.__module__
        for name, info in registry._REGISTERED.items()
        if info.factory.__module__.startswith("offloadsim.policies.")
    }
    assert shipped == registry._SHIPPED
    for name in shipped:
        assert registry.find_policy(name) is registry._REGISTERED[name]
    assert registry.find_policy("no-such-policy") is None
