"""A plug-in's exception whose ``__str__`` raises is still said as the plug-in's, in one line (exit 2).

Before, writing the line naming the policy called ``str()`` of its exception, which raised
again, and ``offloadsim run`` ended in "internal error: RuntimeError" (exit 1, "a bug").
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from offloadsim.cli import main
from offloadsim.policies import register_policy

pytestmark = pytest.mark.usefixtures("fresh_registry")


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("cannot format myself")


@dataclass
class RaisesUnprintable:
    """Raises an exception that cannot be written."""

    def decide(self, task, view):
        raise Unprintable()


def test_the_policys_line_says_its_message_could_not_be_read(tiny_scenario, tmp_path, capsys):
    register_policy("unprintable")(RaisesUnprintable)
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario), "--policy", "unprintable", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith('offloadsim: error: policy "unprintable" (')
    assert "raised Unprintable in decide()" in line
    assert "its message could not be read: its __str__ raised RuntimeError" in line, line
    assert not out.exists()


def test_first_line_of_a_message():
    from offloadsim.plugins import first_line

    assert first_line(ValueError("one\ntwo")) == "one"
    assert first_line(KeyError()) == ""
    assert first_line(Unprintable()).startswith("(its message could not be read")
