"""Every entry-point group is read from one scan of the installed distributions per process.

A scan reads every installed distribution's metadata; a run looks up about
nine groups, and scanning for each was a tenth of a short run's start-up.
The scan is made again when a group is forgotten (after installing a
plug-in) or when ``sys.path`` changes, so a plug-in put on the path is seen.
"""

from __future__ import annotations

import sys
from importlib import metadata

import pytest

from offloadsim import plugins


def test_groups_share_one_scan_until_one_is_forgotten_or_the_path_changes(monkeypatch):
    scans = []

    def counting() -> metadata.EntryPoints:
        scans.append(1)
        return metadata.EntryPoints(
            [
                metadata.EntryPoint("one", "a:b", "offloadsim.toy_one"),
                metadata.EntryPoint("two", "a:c", "offloadsim.toy_two"),
            ]
        )

    monkeypatch.setattr(plugins.metadata, "entry_points", counting)
    monkeypatch.setattr(plugins, "_any_declared", lambda: True)
    monkeypatch.setattr(plugins, "_SCAN", None)
    assert [e.name for e in plugins.entry_points("offloadsim.toy_one")] == ["one"]
    assert [e.name for e in plugins.entry_points("offloadsim.toy_two")] == ["two"]
    assert list(plugins.entry_points("offloadsim.toy_none")) == []
    assert len(scans) == 1

    monkeypatch.setattr(plugins, "GROUPS", dict(plugins.GROUPS))  # the toy group registers itself there
    group = plugins.EntryPointGroup("offloadsim.toy_one", "toy", lambda *_: None)
    group.forget()
    plugins.entry_points("offloadsim.toy_one")
    assert len(scans) == 2

    monkeypatch.setattr(sys, "path", [*sys.path, "/nonexistent-site"])
    plugins.entry_points("offloadsim.toy_one")
    assert len(scans) == 3


def test_a_group_from_the_shared_scan_is_what_importlib_gives_for_that_group_alone(tmp_path, monkeypatch):
    for declared in (False, True):
        if declared:  # a distribution with a plug-in on the path: the full scan is made
            info = tmp_path / "toy_scan-0.1.dist-info"
            info.mkdir()
            (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-scan\nVersion: 0.1\n")
            (info / "entry_points.txt").write_text("[offloadsim.toy_scan]\ntoy = toy_scan:Toy\n")
            monkeypatch.syspath_prepend(str(tmp_path))
        for group in ("offloadsim.policies", "offloadsim.record_columns", "offloadsim.toy_scan"):
            assert list(plugins.entry_points(group)) == list(metadata.entry_points(group=group)), group
    assert [e.name for e in plugins.entry_points("offloadsim.toy_scan")] == ["toy"]


def test_without_a_plugin_installed_no_distribution_s_entry_points_are_parsed(monkeypatch):
    # Start-up (issue 12 e): with no offloadsim section in any entry_points.txt, the text says so;
    # parsing every distribution's entry points into objects took about 2 ms of each run.
    assert not plugins._any_declared()  # this test environment installs no plug-in of its own

    def parse_all() -> metadata.EntryPoints:
        raise AssertionError("every distribution's entry points were parsed")

    monkeypatch.setattr(plugins.metadata, "entry_points", parse_all)
    monkeypatch.setattr(plugins, "_SCAN", None)
    assert list(plugins.entry_points("offloadsim.policies")) == []


def test_a_group_outside_offloadsim_s_names_is_refused():
    # The text check looks for sections named offloadsim.*: a group named otherwise would go unread.
    with pytest.raises(ValueError, match="offloadsim"):
        plugins.EntryPointGroup("console_scripts", "script", lambda *_: None)
