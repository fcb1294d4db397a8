"""One function lists things in words (``a, b and c``): :func:`offloadsim.suggest.listed`.

``models/registry._and`` and ``analysis/placement_notes._joined`` (and a line of engine/stations)
copied world/notes/labels.listed, each slightly apart (``_joined(["a"])`` was `` and a``); the three
now call the one, at a layer every module may import, with their texts unchanged.
"""

from pathlib import Path

import pytest

import offloadsim
from offloadsim.suggest import listed

PACKAGE = Path(offloadsim.__file__).parent


@pytest.mark.parametrize(
    ("words", "said"),
    [
        ([], ""),
        (["a"], "a"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a, b and c"),
        (("x", "y"), "x and y"),
    ],
)
def test_listed_says_the_words_as_every_note_lists_them(words, said):
    assert listed(words) == said


def test_no_module_but_suggest_joins_a_list_in_words_of_its_own():
    """A line that joins all but the last item (``", ".join(x[:-1])``) and puts `` and `` before it."""
    copies = [
        f"{file.relative_to(PACKAGE)}:{number}"
        for file in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1)
        if ".join(" in line
        and "[:-1]" in line
        and (" and " in line or "{conjunction}" in line)
        and not line.lstrip().startswith("#")
    ]
    assert [where.split(":")[0] for where in copies] == ["suggest.py"], copies  # listed alone
