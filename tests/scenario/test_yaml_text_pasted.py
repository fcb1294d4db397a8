"""A value a message shows as ``KEY=VALUE`` (a sweep's point) reads back as that value pasted into ``--set``.

:func:`offloadsim.scenario.errors.yaml_text` printed text bare, so a description ``"1e9"``, ``"0x10"``
or ``"yes"`` was shown as ``1e9``: pasted back, the strict reader (YAML 1.2's floats, 1.1's
integers and booleans) read a number or a boolean, not the text the sweep had given.  Such text is
now quoted as ``validate --show`` quotes it; any other value is shown as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offloadsim import api
from offloadsim.cli import main
from offloadsim.scenario.errors import yaml_text
from offloadsim.scenario.overrides import parse_assignment


def test_a_swept_text_1e9_shown_at_a_refused_point_pasted_into_set_is_that_text(
    tiny_scenario: Path, capsys
) -> None:
    tmp_path = tiny_scenario.parent
    sweep = tmp_path / "sw.yaml"
    sweep.write_text("base: tiny.yaml\ngrid:\n  description: ['1e9']\n  duration: [-1 s]\n", encoding="utf-8")
    assert main(["sweep", str(sweep), "--dry-run"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    shown = line[line.rindex("(point 0: ") + len("(point 0: ") : -1].split(", ")
    assert shown == ["description='1e9'", "duration=-1 s"], line  # the duration, not such text, as before
    assert api.load(tmp_path / "tiny.yaml", [shown[0]]).document["description"] == "1e9"
    # 1e9 bare is a float, which a description refuses
    assert main(["validate", str(tmp_path / "tiny.yaml"), "--set", shown[0]]) == 0


@pytest.mark.parametrize(
    "text", ["1e9", "-1.5e-3", ".5", "0x10", "017", "1_000", "yes", "Off", "null", "~", ""]
)
def test_text_read_otherwise_bare_is_quoted_and_reads_back_as_text(text: str) -> None:
    shown = yaml_text(text)
    assert shown != text and parse_assignment(f"k={shown}") == ("k", text)
    assert parse_assignment(f"k={yaml_text({'a': [text]})}") == ("k", {"a": [text]})


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers())
def test_a_number_written_as_text_reads_back_as_text(number: float) -> None:
    text = repr(number)
    assert parse_assignment(f"k={yaml_text(text)}") == ("k", text)
    assert parse_assignment(f"k={yaml_text(number)}")[1] == number  # a number itself stays bare
