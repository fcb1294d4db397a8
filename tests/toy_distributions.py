"""Toy plug-in distributions installed as pip would, for the plug-in tests: one way to do it.

A folder on ``sys.path`` and ``PYTHONPATH`` (so compare's and sweep's worker processes find it too)
holding a module and its ``NAME-VERSION.dist-info`` (``METADATA``, ``entry_points.txt``).  The plug-in
tests each wrote these lines again (duplicates reported test_plugin_messages' install fixture as a copy
of test_metric_plugin's).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

__all__ = ["CODE", "install_distribution", "site_on_path", "table_digests"]


class _Fingerprint:
    """Equal to any plug-in code fingerprint a manifest holds: 16 hex digits (offloadsim.provenance)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and re.fullmatch("[0-9a-f]{16}", other) is not None

    def __repr__(self) -> str:
        return "<16 hex digits>"


#: A manifest's ``code`` of a plug-in, where a test checks the rest of its entry.
CODE = _Fingerprint()


def site_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool = True) -> Path:
    """A folder ``tmp_path/site`` on this process's ``sys.path`` (with ``workers``, on ``PYTHONPATH`` too)."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    monkeypatch.syspath_prepend(str(site))
    if workers:
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    return site


def install_distribution(
    site: Path, module: str, source: str | None, entry_points: str, version: str = "0.1"
) -> None:
    """Write ``module.py`` (``source``; None: leave it as it is) and its dist-info declaring ``entry_points``.

    The distribution's name is the module's with ``-`` for ``_`` (``toy_metrics`` -> ``toy-metrics``),
    as pip normalises it; any dist-info of the module already there is replaced (another version).
    """
    if source is not None:
        (site / f"{module}.py").write_text(source)
    for old in site.glob(f"{module}-*.dist-info"):
        for file in old.iterdir():
            file.unlink()
        old.rmdir()
    info = site / f"{module}-{version}.dist-info"
    info.mkdir()
    name = module.replace("_", "-")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(entry_points)


def table_digests(folder: Path) -> dict[str, str]:
    """Each table's bytes' digest under ``folder`` (the manifest, which says the workers and times, left out).

    What a run on one worker and on several must give alike.
    """
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in (".parquet", ".csv")
    }
