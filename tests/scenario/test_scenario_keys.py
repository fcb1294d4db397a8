"""Scenario keys declared once (scenario/keys.py): schema, docs and spec come from the declaration."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from pydantic import ValidationError, create_model

from offloadsim.scenario import load_scenario_text, scenario_json_schema
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.keys import declared_keys, key, spec_values
from offloadsim.scenario.model import AppSpec, LinkSpec, PowerSpec, ProcessorSpec, StageSpec, WorkloadSpec
from offloadsim.scenario.schema import doc_fields
from offloadsim.scenario.translate import problems_from_validation

FORMAT = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


@dataclass(frozen=True)
class Radio:
    """A spec with one key of each shape: a required quantity, a defaulted one, a fallback, a distribution."""

    uplink_bps: float = key(yaml="uplink", unit="bandwidth", positive=True, doc="Uplink capacity.")
    downlink_bps: float = key(0.0, yaml="downlink", unit="bandwidth", fallback="uplink", doc="Downlink.")
    setup: Dist = key(Dist.fixed(0.0), unit="time", default_doc="0 s", doc="Connection set-up time.")
    name: str = "radio"  # not a key: set by whoever builds the spec


def test_a_key_declared_once_validates_documents_and_fills_the_spec():
    doc = create_model("RadioDoc", **doc_fields(Radio)).model_validate(
        {"uplink": "20 Mbps", "setup": {"exponential": "5 ms"}}
    )
    spec = Radio(**spec_values(Radio, doc))
    assert spec == Radio(uplink_bps=20e6, downlink_bps=20e6, setup=Dist("exponential", (0.005,)))
    assert [k.yaml for k in declared_keys(Radio)] == ["uplink", "downlink", "setup"]


def test_a_specs_keys_are_built_once():
    """Every grid point of a sweep read its scenario and rebuilt each spec's keys (a tenth of a dry run)."""
    first = list(declared_keys(ProcessorSpec))
    again = list(declared_keys(ProcessorSpec))
    assert first and again == first and all(a is b for a, b in zip(again, first, strict=True))


def test_a_declared_key_is_refused_with_the_usual_one_line_message():
    model = create_model("RadioDoc", **doc_fields(Radio))
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"uplink": "-3 Mbps"})
    [problem] = problems_from_validation(caught.value, "radio.yaml")
    assert str(problem) == 'radio.yaml: uplink: expected a positive bandwidth like "20 Mbps", got "-3 Mbps"'
    with pytest.raises(ValidationError) as caught:
        model.model_validate({})
    assert str(problems_from_validation(caught.value, "radio.yaml")[0]) == (
        'radio.yaml: missing required key "uplink"'
    )


def test_shipped_specs_take_their_keys_from_their_declarations():
    scenario = load_scenario_text(
        "name: s\nnodes:\n  box: {tier: device, processor: {speed: 1 GFLOPS, cores: 2, noise: true},"
        " power: {idle: 1 W, transmit: 2 W}}\n"
    )
    node = scenario.nodes[0]
    assert node.processor == ProcessorSpec(speed_flops=1e9, cores=2, noise=True)
    assert node.power == PowerSpec(idle_w=1.0, busy_w=1.0, transmit_w=2.0, receive_w=1.0)
    schema = scenario_json_schema()["$defs"]
    for spec, name in (
        (ProcessorSpec, "ProcessorDoc"),
        (PowerSpec, "PowerDoc"),
        (LinkSpec, "LinkDoc"),
        (StageSpec, "StageDoc"),
        (AppSpec, "AppDoc"),
        (WorkloadSpec, "WorkloadDoc"),
    ):
        declared = {k.yaml: k for k in declared_keys(spec)}
        assert set(declared) <= set(schema[name]["properties"]), name
        for yaml, k in declared.items():
            assert schema[name]["properties"][yaml]["description"].startswith(k.doc), (name, yaml)
    # Not scenario keys: a processor's name (the key of processors:, or cpu) and where it is declared.
    assert {f.name for f in fields(ProcessorSpec)} - {k.name for k in declared_keys(ProcessorSpec)} == {
        "name",
        "path",
    }


def _documented_keys() -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", FORMAT.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_every_scenario_key_is_documented_in_the_scenario_format():
    schema = scenario_json_schema()
    keys = set(schema["properties"])
    for definition in schema["$defs"].values():
        keys |= set(definition.get("properties", {}))
    missing = sorted(keys - _documented_keys())
    assert not missing, f"docs/scenario-format.md has no table row for: {', '.join(missing)}"


def test_a_models_input_and_output_default_to_its_tensors_and_the_docs_say_so():
    """A new user read `input` defaults to `0 B` and took the shipped Neurosurgeon scenario to upload
    nothing: for a model, an absent (or 0) input is the tensor the network reads, uploaded in full."""
    from offloadsim import api
    from offloadsim.models import cut_bytes, get_model

    text = (
        "name: s\nduration: 5 s\nnodes:\n  phone: {tier: device, processor: {speed: 10 GFLOP/s}}\n"
        "  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}\n"
        "links:\n  - {between: [phone, edge], bandwidth: 100 Mbps}\n"
        "applications:\n  a: {model: mobilenet_v2}\n  b: {model: mobilenet_v2, input: 0 B}\n"
        "workload:\n  - {app: a, sources: phone, arrivals: periodic, period: 1 s}\n"
        "  - {app: b, sources: phone, arrivals: periodic, period: 1 s}\npolicy: edge\n"
    )
    tasks = api.run(load_scenario_text(text)).tasks
    graph = get_model("mobilenet_v2")
    tensors = cut_bytes(graph, 0) + cut_bytes(graph, len(graph))  # 602,112 B up, 4,000 B back
    assert set(tasks["bytes_sent"]) == {tensors}
    for yaml in ("input", "output"):
        described = scenario_json_schema()["$defs"]["AppDoc"]["properties"][yaml]["description"]
        assert f"absent or 0 is the model's {yaml} tensor" in described
        row = re.search(rf"^\| `{yaml}` \| size dist \| ([^|]*) \|", FORMAT.read_text(encoding="utf-8"), re.M)
        assert row is not None and f"a model's {yaml} tensor" in row.group(1)
