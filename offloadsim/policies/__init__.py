"""Placement policies: the contract, the registry (with entry-point plug-ins) and the shipped ones.

>>> from offloadsim.policies import make_policy, policy_names
>>> policy_names()  # doctest: +NORMALIZE_WHITESPACE
['by-group', 'cloud', 'dads', 'edge', 'fixed', 'least-loaded', 'local', 'model-select',
 'multi-tier', 'neurosurgeon', 'random', 'round-robin']
>>> make_policy("fixed", {"nodes": ["$source", "edge-0"], "cuts": [4]})
FixedPolicy(node=None, nodes=('$source', 'edge-0'), cuts=(4,), processors=None)
"""

from __future__ import annotations

from offloadsim.policies.base import (
    InfeasiblePlan,
    Placement,
    Plan,
    PlanError,
    Policy,
    SystemView,
    TaskView,
    validate_plan,
)
from offloadsim.policies.params import ComputingNode, Requirement, Station, Tier
from offloadsim.policies.registry import (
    ENTRY_POINT_GROUP,
    REQUIRED,
    ParamInfo,
    PolicyBuildError,
    PolicyInfo,
    PolicyParamError,
    PolicyPluginWarning,
    UnknownPolicyError,
    available_policies,
    clear_policy_cache,
    describe_policies,
    make_policy,
    policy_names,
    register_policy,
)

__all__ = [
    # the contract
    "InfeasiblePlan",
    "Placement",
    "Plan",
    "PlanError",
    "Policy",
    "SystemView",
    "TaskView",
    "validate_plan",
    # what parameters name, and what a policy needs (checked against the scenario before a run)
    "ComputingNode",
    "Station",
    "Tier",
    "Requirement",
    # the registry
    "ENTRY_POINT_GROUP",
    "REQUIRED",
    "ParamInfo",
    "PolicyBuildError",
    "PolicyInfo",
    "PolicyParamError",
    "PolicyPluginWarning",
    "UnknownPolicyError",
    "available_policies",
    "clear_policy_cache",
    "describe_policies",
    "make_policy",
    "policy_names",
    "register_policy",
]
