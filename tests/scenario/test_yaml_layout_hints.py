"""A YAML syntax error a Windows student's editor makes is said in words about the file's layout.

A tab as indentation was "found character '\\t' that cannot start any token", a key a column off
"expected <block end>, but found '<block mapping start>'": PyYAML's words alone (the HH36 trial).
Both keep PyYAML's words, and add what they most often mean.
"""

from __future__ import annotations

import pytest

from offloadsim.scenario import ScenarioError, load_scenario_text

GOOD = "name: x\nnodes:\n  edge:\n    tier: edge\n    processor: {speed: 1 GFLOP/s}\n"
TWO = "name: x\nnodes:\n  edge: {tier: edge, processor: {speed: 1 GFLOP/s}}\n  ap: {tier: network}\n"


@pytest.mark.parametrize(
    ("text", "where", "said"),
    [
        (
            GOOD.replace("    tier", "\ttier"),
            "line 4, column 1",
            "YAML indents with spaces, never tabs (replace the tabs with spaces)",
        ),
        (
            GOOD.replace("    processor", "   processor"),
            "line 5, column 4",
            "is this line indented as the keys beside it? (the keys of one mapping start in one column)",
        ),
        (  # the HH42 trial: a key indented further than the one above it, whose value is on its line
            GOOD.replace("    processor", "      processor"),
            "line 5, column 16",
            "mapping values are not allowed here: is this line indented further than line 4 above it?"
            " (only a key with nothing after its colon has keys under it)",
        ),
        (  # the HH42 trial: the slip is the line above, a key moved left; PyYAML stops at the next
            TWO.replace("  edge", "edge"),
            "line 4, column 3",
            "is this line indented as the keys beside it, or line 3 above it, which starts further"
            " left? (the keys of one mapping start in one column)",
        ),
    ],
)
def test_a_layout_mistake_is_said_as_one(text: str, where: str, said: str):
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text(text, "lab.yml")
    message = str(refused.value)
    assert message.startswith(f"lab.yml: {where}: YAML syntax error: "), message
    assert message.endswith(said), message
    assert "\n" not in message


def test_the_good_files_read():
    assert load_scenario_text(GOOD, "lab.yml").name == load_scenario_text(TWO, "lab.yml").name == "x"


def test_another_syntax_error_gets_no_layout_hint():
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text("name: x\nnodes:\n  a: b: c\n", "lab.yml")
    message = str(refused.value)
    assert message.endswith("YAML syntax error: mapping values are not allowed here"), message


def test_a_file_saved_by_a_windows_editor_reads_as_the_plain_one(tmp_path):
    """CRLF line ends and a byte-order mark (Notepad's "UTF-8 with BOM"), as docs/scenario-format.md says."""
    from offloadsim.scenario import load_scenario

    text = GOOD + 'description: "téléphones, serveur de bord"\n'
    plain = tmp_path / "plain.yaml"
    plain.write_bytes(text.encode())
    windows = tmp_path / "labo réseau.yml"
    windows.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    read, expected = load_scenario(windows), load_scenario(plain)
    assert read.description == expected.description == "téléphones, serveur de bord"
    assert read.nodes == expected.nodes
