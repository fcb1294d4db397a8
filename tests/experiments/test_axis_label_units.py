"""A swept key's axis label says its unit once: ``chat prompt (tokens)``, not ``chat prompt tokens (tokens)``.

A trial's LLM sweep read "prompt tokens (tokens)" under its x axis: the default name of a token
count (or of a node group's count) ends with the word its unit repeats.
"""

from __future__ import annotations

import pytest

from offloadsim.analysis.values import axis_label_for, default_label, label_unit

DOCUMENT = {"applications": {"chat": {"model": "llama-3.2-1b"}}, "nodes": {"edge": {"tier": "edge"}}}


@pytest.mark.parametrize(
    ("key", "unit"),
    [
        ("applications.chat.prompt_tokens", "tokens"),
        ("applications.chat.output_tokens", "tokens"),
        ("nodes.edge.count", "count"),
    ],
)
def test_a_default_label_does_not_repeat_its_unit(key, unit):
    name = default_label(key, DOCUMENT)
    label, factor = axis_label_for(key, "number", name)
    words = label.replace("(", " ").replace(")", " ").split()
    assert words.count(unit) == 1, label
    assert label.endswith(f"({unit})") and factor == 1.0
    assert label_unit(label) == unit  # the notes and a line's end labels still read the unit


def test_a_name_that_does_not_end_with_its_unit_keeps_it_whole():
    assert axis_label_for("links[0].bandwidth", "bandwidth", "phone uplink")[0] == "phone uplink (Mbit/s)"
    assert axis_label_for("applications.chat.prompt_tokens", "number", "prompt length")[0] == (
        "prompt length (tokens)"
    )
