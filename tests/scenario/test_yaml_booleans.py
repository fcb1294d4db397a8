"""YAML 1.1 booleans (``yes``, ``no``, ``on``, ``off``) refused where they stand bare.

PyYAML read ``--set ...noise=yes`` as true and ran; YAML 1.2 reads ``yes`` as text.  As the
integers YAML 1.1 reads otherwise (``010``, ``1_000``) are, they are refused at their key path in
one line, exit 2, naming the fix; ``true``/``false`` and a quoted word still read.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main
from offloadsim.strict_yaml import YamlProblem, read_yaml

FIX = "is read as a boolean by YAML 1.1 and as text by YAML 1.2: write true or false"


def _refused(capsys: pytest.CaptureFixture[str], *argv: object) -> str:
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("word", ["yes", "no", "on", "Off", "YES"])
def test_set_refuses_a_yaml_1_1_boolean(word, tiny_scenario, tmp_path, capsys):
    out = tmp_path / "out"
    line = _refused(
        capsys, "run", tiny_scenario, "--set", f"nodes.phone.processor.noise={word}", "--out", out
    )
    assert "nodes.phone.processor.noise: " in line and f"{word} {FIX}" in line, line
    assert not out.exists()


def test_a_scenario_refuses_it_at_its_key_path(tiny_scenario_text, tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(tiny_scenario_text.replace("speed: 10 GFLOP/s", "speed: 10 GFLOP/s, noise: on"))
    line = _refused(capsys, "validate", path)
    assert f"{path}: nodes.phone.processor.noise: on {FIX}" in line, line


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: {b: [1, off]}", "a.b[1]"), ("'on': 1", "on"), ("p: {verbose: No}", "p.verbose")],
)
def test_every_document_refuses_it(text, where):
    """Sweep files, profiles and a plug-in's params (which take any value) are read by the same reader."""
    with pytest.raises(YamlProblem) as caught:
        read_yaml(text.replace("'on'", "on"))
    assert caught.value.where == where and FIX in caught.value.what


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("False", False), ("TRUE", True), ("'yes'", "yes"), ('"off"', "off"), ("y", "y")],
)
def test_yaml_1_2_booleans_and_quoted_words_read(text, value):
    assert read_yaml(f"a: {text}") == {"a": value}


def test_true_still_turns_noise_on(tiny_scenario, capsys):
    assert main(["validate", str(tiny_scenario), "--set", "nodes.phone.processor.noise=true"]) == 0
