"""A result rerun from its folder by other code than made it: another offloadsim or library version.

A result's ``manifest.json`` names the code that made its records: ``offloadsim_version``, the
libraries' ``versions`` (numpy's generators, pandas, ...), and a comparison's or sweep's
``code_fingerprint`` (a run's, its ``git`` commit where it ran from a checkout).  A reviewer's rerun
of its ``scenario.yaml`` under other code has the same ``scenario_hash`` (the hash covers the
scenario and its files, not the code) and may give other records, and nothing said so: a resumed
sweep reruns such jobs and says it, a run or comparison ran silently.  A scenario check
(:mod:`offloadsim.scenario.checks`), ``other-code``: one warning, naming each difference.  The code
fingerprint is worked out (about 9 ms) only for a result's ``scenario.yaml`` whose manifest has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem

__all__ = ["other_code"]


def other_code(run: CheckedRun) -> list[Problem]:
    """One warning where a result's ``scenario.yaml`` runs under other code than its manifest names."""
    rerun = run.scenario.rerun  # its manifest as the load read it: not read again
    manifest = None if rerun is None else rerun.manifest
    if manifest is None:
        return []
    differences = code_differences(manifest)
    if not differences:
        return []
    said = (
        f"this result was made by other code than this rerun's ({'; '.join(differences)}): its records may"
        " differ from the result's under the same scenario_hash"
    )
    return [Problem(run.scenario.source, "", said)]


def code_differences(manifest: Mapping[str, Any]) -> list[str]:
    """How the code ``manifest`` names differs from this process's, each ``WHAT THEN, this is NOW``."""
    from offloadsim._version import __version__
    from offloadsim.provenance import code_fingerprint, git_state, library_versions

    found = []
    then = manifest.get("offloadsim_version")
    if isinstance(then, str) and then != __version__:
        found.append(f"offloadsim {then}, this is {__version__}")
    fingerprint = manifest.get("code_fingerprint")
    if isinstance(fingerprint, str):
        if fingerprint != code_fingerprint():
            found.append(f"code_fingerprint {fingerprint}, this is {code_fingerprint()}")
    elif isinstance(git := manifest.get("git"), Mapping) and isinstance(git.get("commit"), str):
        now = git_state()  # a run's manifest has no fingerprint: its checkout's commit, where both have one
        if now is not None and now.get("commit") != git["commit"]:
            found.append(f"git commit {git['commit'][:12]}, this is {str(now.get('commit'))[:12]}")
    versions = manifest.get("versions")
    if isinstance(versions, Mapping):
        installed = library_versions()
        for name, version in versions.items():
            if isinstance(version, str) and installed.get(str(name), version) != version:
                found.append(f"{name} {version}, this is {installed[str(name)]}")
    return found
