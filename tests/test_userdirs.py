"""The user's directories honour ``$XDG_DATA_HOME`` / ``$XDG_CACHE_HOME``, and the help names the ones used.

``offloadsim calibrate --help`` said ``~/.local/share/offloadsim/profiles`` whatever
``$XDG_DATA_HOME`` was, while calibrate wrote (and scenarios looked) under ``$XDG_DATA_HOME``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from offloadsim.calibration import default_cache_dir
from offloadsim.userdirs import cache_dir, data_dir, shown
from offloadsim.world.profiles import profile_search_path, user_profile_dir


def _help(*verb: str, **env: str) -> str:
    """What ``offloadsim VERB --help`` prints, in a fresh process (its parser is built once per process)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("XDG_DATA_HOME", "XDG_CACHE_HOME")}
    done = subprocess.run(
        [sys.executable, "-m", "offloadsim", *verb, "--help"],
        env={**clean, "COLUMNS": "400", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_directories_follow_the_variables_and_default_under_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert user_profile_dir() == data_dir("profiles") == tmp_path / "data" / "offloadsim" / "profiles"
    assert user_profile_dir() in profile_search_path()
    assert (
        default_cache_dir() == cache_dir("calibration") == tmp_path / "cache" / "offloadsim" / "calibration"
    )
    assert shown(data_dir("profiles")) == f"{tmp_path}/data/offloadsim/profiles (from $XDG_DATA_HOME)"
    monkeypatch.setenv("XDG_DATA_HOME", "")  # empty is unset, as the XDG spec says
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert data_dir("profiles") == Path.home() / ".local" / "share" / "offloadsim" / "profiles"
    assert shown(data_dir("profiles")) == "~/.local/share/offloadsim/profiles"
    assert shown(cache_dir("testbed")) == "~/.cache/offloadsim/testbed"


@pytest.mark.parametrize("variable", ["XDG_DATA_HOME", "XDG_CACHE_HOME"])
def test_a_relative_variable_is_ignored_as_the_xdg_spec_says(variable, monkeypatch, tmp_path):
    """XDG_DATA_HOME=data put calibrate's profiles under whatever folder the command ran from."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for each in ("XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(each, "relative/dir" if each == variable else "")
    assert data_dir() == tmp_path / ".local" / "share" / "offloadsim"
    assert cache_dir() == tmp_path / ".cache" / "offloadsim"
    assert shown(data_dir("profiles")) == "~/.local/share/offloadsim/profiles"


@pytest.mark.parametrize("home", ["", "relative"])
def test_a_home_that_is_no_absolute_path_is_the_users_home_in_the_system(home, monkeypatch):
    """HOME= (empty) is "/" to Python: calibrate wrote to /.local/share/offloadsim and /.cache."""
    pwd = pytest.importorskip("pwd")
    monkeypatch.setenv("HOME", home)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    system_home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert data_dir("profiles") == system_home / ".local" / "share" / "offloadsim" / "profiles"
    assert cache_dir() == system_home / ".cache" / "offloadsim"
    assert shown(cache_dir("testbed")) == "~/.cache/offloadsim/testbed"


def test_calibrate_help_names_the_profile_directory_calibrate_will_write(tmp_path):
    data, cache = tmp_path / "d%1", tmp_path / "c"  # a '%' would break argparse's help formatting
    text = " ".join(_help("calibrate", XDG_DATA_HOME=str(data), XDG_CACHE_HOME=str(cache)).split())
    assert f"the user profile directory, {data}/offloadsim/profiles (from $XDG_DATA_HOME)," in text, text
    assert f"(default {cache}/offloadsim/calibration (from $XDG_CACHE_HOME))" in text, text
    assert ".local/share" not in text and "~/.cache" not in text, text


def test_calibrate_help_names_the_default_under_home_without_the_variables():
    text = " ".join(_help("calibrate").split())
    assert "the user profile directory, ~/.local/share/offloadsim/profiles," in text, text
    assert "(default ~/.cache/offloadsim/calibration)" in text, text


@pytest.mark.parametrize("verb", [("testbed", "run"), ("testbed", "campaign")])
def test_testbed_help_names_the_cache_it_will_use(verb, tmp_path):
    text = " ".join(_help(*verb, XDG_CACHE_HOME=str(tmp_path)).split())
    assert f"{tmp_path}/offloadsim/testbed (from $XDG_CACHE_HOME)" in text, text
