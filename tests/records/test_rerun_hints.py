"""A rerun from a result's folder that misses a file says what the folder's manifest means for it.

Each test lays out a result's folder by hand (``scenario.yaml``, ``inputs/``, ``manifest.json``)
and validates it: no simulation, only the load and the world's build, as a rerun makes them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from offloadsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RUN_FORMAT = {"format": "offloadsim-run/1"}


def result_folder(folder: Path, scenario: str, manifest: str, copies: dict[str, Path]) -> Path:
    """``folder`` laid out as a result's: its scenario, its manifest's text and each copy in inputs/."""
    (folder / "inputs").mkdir(parents=True)
    (folder / "scenario.yaml").write_text(scenario, encoding="utf-8")
    (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    for name, original in copies.items():
        (folder / "inputs" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(original, folder / "inputs" / name)
    return folder / "scenario.yaml"


#: A trace the world reads when it is built (a link's), and one the load reads (an arrival trace's).
_TRACE = SCENARIOS / "traces" / "lte-uplink.csv"
_READ_BY = {
    "world": ((SCENARIOS / "unstable-uplink.yaml").read_text(encoding="utf-8"), "traces/lte-uplink.csv"),
    "load": (
        (SCENARIOS / "quickstart.yaml")
        .read_text(encoding="utf-8")
        .replace("arrivals: poisson, rate: 1 /s", "arrivals: trace, trace: traces/day1.csv"),
        "traces/day1.csv",
    ),
}


@pytest.mark.parametrize("read_by", list(_READ_BY))
def test_a_manifest_cut_short_is_named_where_the_rerun_misses_the_copy_in_inputs(
    read_by, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    text, name = _READ_BY[read_by]
    cut = json.dumps(RUN_FORMAT)[:20]  # a copy that stopped part way
    result_folder(tmp_path / "up", text, cut, {name: _TRACE})
    assert main(["validate", "up/scenario.yaml"]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert f"no such file (looked for up/{name})" in err
    assert "up/manifest.json cannot be read: not valid JSON: Unterminated string" in err
    assert "its files looked for beside it, not in the copies in up/inputs" in err
    assert err.endswith("restore manifest.json from the result's original folder to rerun from its inputs")


def test_a_profile_never_copied_is_said_to_be_where_the_result_read_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = (SCENARIOS / "quickstart.yaml").read_text(encoding="utf-8").replace("xeon-ort-1t", "mybox")
    path = "/home/them/profiles/mybox.json"
    read = {"key": "nodes.edge.processor.profile", "path": path, "sha256": "0" * 64}
    result_folder(tmp_path / "old", text, json.dumps({**RUN_FORMAT, "inputs": [read]}), {})
    assert main(["validate", "old/scenario.yaml"]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert 'nodes.edge.processor.profile: unknown profile "mybox"' in err
    assert err.endswith(
        "; this result read /home/them/profiles/mybox.json (its manifest.json's inputs), not copied into"
        " its folder: copy it to old/inputs/profiles/mybox.json to rerun from the folder"
    )
