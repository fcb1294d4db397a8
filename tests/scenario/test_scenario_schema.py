"""The exported JSON Schema: complete enough for editors, and consistent with the loader."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from scenario_testkit import DATA, small_document

from offloadsim.scenario import read_document, scenario_json_schema


def test_schema_is_plain_json_with_every_top_level_key():
    schema = scenario_json_schema()
    assert json.loads(json.dumps(schema)) == schema
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "name",
        "description",
        "seed",
        "duration",
        "warmup",
        "nodes",
        "links",
        "applications",
        "workload",
        "policy",
        "network",
        "dynamics",
        "recovery",
        "skip_checks",
    }
    assert schema["required"] == ["name"]
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_unit_fields_are_documented_with_units_examples_and_defaults():
    schema = scenario_json_schema()
    duration = schema["properties"]["duration"]
    assert "string with unit" in duration["description"] and "number in SI" in duration["description"]
    assert "Default: 60 s" in duration["description"] and duration["default"] == 60.0
    link = schema["$defs"]["LinkDoc"]["properties"]
    assert link["bandwidth"]["type"] == ["string", "number"]
    assert link["bandwidth"]["examples"] == ["20 Mbps"]
    work = schema["$defs"]["AppDoc"]["properties"]["work"]
    assert "exponential" in json.dumps(work)


def test_every_nested_record_forbids_unknown_keys():
    for name, definition in scenario_json_schema()["$defs"].items():
        if name != "PolicyDoc":
            assert definition["additionalProperties"] is False, name


@pytest.mark.parametrize("document", [small_document(), read_document(DATA / "quickstart.yaml")])
def test_valid_scenarios_validate_against_the_schema(document):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, scenario_json_schema())


def test_schema_refuses_an_unknown_key():
    jsonschema = pytest.importorskip("jsonschema")
    document = small_document()
    document["nodes"]["phone"]["cors"] = 2
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, scenario_json_schema())


def test_importing_the_schema_builds_no_document_model_validator():
    # Start-up (issue 12 e): only the document model that validates is built, on first use, with the
    # models inside it; the others were built at import for nothing. A fresh process: tests share one.
    code = (
        "from pydantic import BaseModel\n"
        "from offloadsim.scenario import schema\n"
        "models = [c for c in vars(schema).values() if isinstance(c, type) and issubclass(c, BaseModel)]\n"
        "print(len(models), sorted(c.__name__ for c in models if c.__pydantic_complete__))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, built = done.stdout.split(" ", 1)
    assert int(count) >= 10
    assert built.strip() == "['PolicyDoc']"  # its own config (extra keys allowed): built at import
