"""Scenario files: schema, loading, ``--set`` overrides and one-line error messages.

>>> from offloadsim.scenario import load_scenario  # doctest: +SKIP
>>> scenario = load_scenario("scenarios/quickstart.yaml", ["links[0].bandwidth=5 Mbps"])  # doctest: +SKIP
"""

from __future__ import annotations

from offloadsim.scenario.errors import Problem, ScenarioError, ScenarioWarning
from offloadsim.scenario.loader import load_scenario, load_scenario_data, load_scenario_text, read_document
from offloadsim.scenario.model import (
    AppSpec,
    ArrivalSpec,
    LinkSpec,
    NodeSpec,
    PolicySpec,
    PowerSpec,
    ProcessorSpec,
    Scenario,
    StageSpec,
    WorkloadSpec,
)
from offloadsim.scenario.overrides import (
    PathError,
    apply_overrides,
    assign,
    get_path,
    parse_path,
    set_path,
    set_policy_name,
)
from offloadsim.scenario.schema import scenario_json_schema

__all__ = [
    "load_scenario",
    "load_scenario_text",
    "load_scenario_data",
    "read_document",
    "ScenarioError",
    "ScenarioWarning",
    "Problem",
    "apply_overrides",
    "get_path",
    "set_path",
    "assign",
    "set_policy_name",
    "parse_path",
    "PathError",
    "scenario_json_schema",
    "Scenario",
    "NodeSpec",
    "ProcessorSpec",
    "PowerSpec",
    "LinkSpec",
    "AppSpec",
    "StageSpec",
    "ArrivalSpec",
    "WorkloadSpec",
    "PolicySpec",
]
