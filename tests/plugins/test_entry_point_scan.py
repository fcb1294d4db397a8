"""Every entry-point group is read from one scan of the installed distributions per process.

A scan reads every installed distribution's metadata; a run looks up about
nine groups, and scanning for each was a tenth of a short run's start-up.
The scan is made again when a group is forgotten (after installing a
plug-in) or when ``sys.path`` changes, so a plug-in put on the path is seen.
"""

from __future__ import annotations

import sys
from importlib import metadata

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


def test_a_group_from_the_shared_scan_is_what_importlib_gives_for_that_group_alone():
    for group in ("offloadsim.policies", "offloadsim.record_columns", "console_scripts"):
        assert list(plugins.entry_points(group)) == list(metadata.entry_points(group=group)), group
