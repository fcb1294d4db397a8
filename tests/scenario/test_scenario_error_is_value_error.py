"""A scenario refused from Python is a ``ValueError``, as a bad value is to pandas and numpy users.

``ScenarioError`` was a bare ``Exception``: ``except ValueError`` around ``api.load`` caught a
missing file (a ``RunError``) but let a negative duration inside it through, as it did from
``load_scenario_text``, while offloadsim's other refusals of a user's input (``RunError``,
``ProfileError``, ``CalibrationError``) were caught.
"""

import pytest

from offloadsim import api
from offloadsim.scenario import ScenarioError, load_scenario_text
from offloadsim.scenario.errors import PluginRaised

BAD = "name: bad\nseed: 1\nduration: -5 s\n"


def test_a_bad_scenario_is_caught_as_a_value_error_keeping_its_problems():
    with pytest.raises(ValueError) as raised:
        load_scenario_text(BAD)
    assert isinstance(raised.value, ScenarioError)
    assert raised.value.problems and all(p.message for p in raised.value.problems)
    assert issubclass(PluginRaised, ValueError)


def test_api_load_of_a_bad_file_is_a_value_error_as_a_missing_one_is(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    for given, said in ((bad, "duration"), (tmp_path / "missing.yaml", "missing.yaml")):
        with pytest.raises(ValueError, match=said):
            api.load(given)


def test_the_command_line_still_says_it_in_one_line_with_exit_2(tmp_path, capsys):
    from offloadsim.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "duration" in err
