"""A note provider that is not offloadsim's raising, or returning what is not notes, is said as its fault.

Before, ``validate`` and ``run`` ended with ``internal error: KeyError: 'deadline_s'`` or
``'str' object has no attribute 'text'`` (exit 1, "a bug"), naming neither the kind of note nor
the code that made it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from offloadsim.cli import main
from offloadsim.world.notes.registry import NoteContext, register_note, unregister_note

SCENARIO = "scenarios/quickstart.yaml"


def _raises(context: NoteContext) -> list[object]:
    raise KeyError("deadline_s")


def _plain_strings(context: NoteContext) -> list[object]:
    return ["a plain string, not a Note"]


@pytest.fixture(params=[(_raises, "raised KeyError"), (_plain_strings, "returned a str as its note 0")])
def faulty(request: pytest.FixtureRequest) -> Iterator[str]:
    provider, said = request.param
    register_note("toy-faulty", provider)
    try:
        yield f'note provider "toy-faulty" (test_note_provider_faults.{provider.__name__}) {said}'
    finally:
        unregister_note("toy-faulty")


@pytest.mark.parametrize("verb", ["validate", "run"])
def test_a_faulty_provider_is_one_line_naming_its_kind_and_function(faulty, verb, tmp_path, capsys):
    args = ["--set", "duration=2 s", "--out", str(tmp_path / "run"), "--quiet"] if verb == "run" else []
    code = main([verb, SCENARIO, *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and faulty in err[0], err
    assert err[0].endswith("; run again with --debug to see its traceback") == ("raised" in faulty)
    assert not (tmp_path / "run").exists()
