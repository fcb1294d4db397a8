"""A key the schema declares one level off is said where it goes, ahead of any spelling hint.

A new user's ``--set applications.classify.precision=int8`` was told ``did you mean
"compression"?``: the codec for activations crossing a cut, not a precision, which goes under the
application's ``params``. The place is read from the schema's declared keys: one level deeper
(``params``, ``processor``), one level up (a node's ``tier`` under its processor) or beside
(``power``'s ``idle`` under ``processor``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from offloadsim.cli import main

QUICKSTART = str(Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml")


def _refusal(capsys, *sets: str) -> str:
    args = [arg for given in sets for arg in ("--set", given)]
    assert main(["validate", QUICKSTART, *args]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    return line


def test_a_precision_given_beside_params_is_said_to_go_under_params_before_the_spelling_hint(capsys):
    line = _refusal(capsys, "applications.classify.precision=int8")
    said = (
        'applications.classify: unknown key "precision": precision goes under params: '
        'applications.classify.params.precision (or did you mean "compression"?)'
    )
    assert said in line, line
    # and where it says, it is taken
    assert main(["validate", QUICKSTART, "--set", "applications.classify.params.precision=int8"]) == 0


@pytest.mark.parametrize(
    ("given", "where", "said"),
    [
        ("nodes.edge.cores=2", "nodes.edge", "cores goes under processor: nodes.edge.processor.cores"),
        ("nodes.edge.processor.tier=edge", "nodes.edge.processor", "tier goes under edge: nodes.edge.tier"),
        (
            "nodes.phone.processor.idle=1",
            "nodes.phone.processor",
            "idle goes under power: nodes.phone.power.idle",
        ),
        ("workload[0].seed=3", "workload[0]", "seed goes at the top level"),
        (
            "applications.classify.dtype_bytes=1",
            "applications.classify",
            "dtype_bytes goes under params: applications.classify.params.dtype_bytes",
        ),
    ],
)
def test_a_key_one_level_off_is_said_where_it_goes(capsys, given, where, said):
    line = _refusal(capsys, given)
    key = given.split("=")[0].rsplit(".", 1)[-1]
    assert f'{where}: unknown key "{key}": {said}' in line, line


def test_the_keys_of_params_every_model_takes_come_from_the_schema():
    """What the hint finds under params is what the schema declares there, for editors too."""
    from offloadsim.scenario import scenario_json_schema
    from offloadsim.scenario.schema import declared_keys_at

    declared = declared_keys_at(("applications", "classify", "params"))
    schema = scenario_json_schema()["$defs"]["AppDoc"]["properties"]["params"]
    assert declared == list(schema["properties"]) == ["precision", "dtype_bytes"]
    assert schema["additionalProperties"] is True  # a model's own (image_size) still go beside


def test_a_misspelt_key_with_no_home_keeps_its_spelling_hint(capsys):
    line = _refusal(capsys, "nodes.phone.processor.cors=2")
    assert line.endswith(
        'nodes.phone.processor: unknown key "cors" (did you mean "cores"?) '
        '(set by --set "nodes.phone.processor.cors=2")'
    ), line
