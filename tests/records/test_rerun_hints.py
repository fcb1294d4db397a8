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


def _counted_parses(monkeypatch) -> list[Path]:
    """The result manifests parsed from now on, one entry a parse (the scenario file it was beside)."""
    from offloadsim.scenario import inputs_folder

    parsed: list[Path] = []
    real = inputs_folder._read_manifest
    monkeypatch.setattr(inputs_folder, "_read_manifest", lambda file: parsed.append(file) or real(file))
    return parsed


def test_a_rerun_parses_its_manifest_once(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text, name = _READ_BY["world"]
    read = {"key": "dynamics[0].file", "path": "/elsewhere/lte-uplink.csv", "sha256": "0" * 64}
    made = {**RUN_FORMAT, "offloadsim_version": "0.0.1", "inputs": [read]}  # both rerun checks warn
    result_folder(tmp_path / "r", text, json.dumps(made), {name: _TRACE})
    parsed = _counted_parses(monkeypatch)
    assert main(["validate", "r/scenario.yaml"]) == 0
    err = capsys.readouterr().err
    assert "[changed-inputs]" in err and "[other-code]" in err
    assert len(parsed) == 1


def test_a_copy_gone_from_inputs_is_said_to_be_where_the_result_read_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text, name = _READ_BY["load"]
    read = {"key": "workload[0].arrivals.trace", "path": "/home/them/day1.csv", "sha256": "0" * 64}
    made = {**RUN_FORMAT, "inputs": [read], "inputs_copied": {read["key"]: f"inputs/{name}"}}
    result_folder(tmp_path / "r", text, json.dumps(made), {})
    assert main(["validate", "r/scenario.yaml"]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert f"no such file (looked for r/inputs/{name})" in err
    assert err.endswith(
        "; this result read /home/them/day1.csv (its manifest.json's inputs), its copy gone from its folder:"
        f" copy it to r/inputs/{name} to rerun from the folder"
    )


def test_a_sweep_points_profile_never_copied_is_said_where_the_result_read_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = (SCENARIOS / "quickstart.yaml").read_text(encoding="utf-8")
    key = "nodes.edge.processor.profile"
    read = [{"key": key, "path": f"/home/them/{n}.json", "sha256": "0" * 64} for n in ("boxa", "boxb")]
    result_folder(tmp_path / "s", text, json.dumps({"format": "offloadsim-sweep/1", "inputs": read}), {})
    (tmp_path / "s" / "sweep.yaml").write_text(
        f"name: s\nbase: scenario.yaml\ngrid:\n  {key}: [boxa, boxb]\n", encoding="utf-8"
    )
    assert main(["sweep", "s/sweep.yaml", "--dry-run"]) == 2
    err = capsys.readouterr().err
    for box in ("boxa", "boxb"):
        assert (
            f"this result read /home/them/{box}.json (its manifest.json's inputs), not copied into its"
            f" folder: copy it to s/inputs/profiles/{box}.json to rerun from the folder"
        ) in err


def test_a_sweep_over_two_traces_copies_both_and_reruns_from_its_folder(tmp_path, monkeypatch):
    from offloadsim.experiments import sweep

    monkeypatch.chdir(tmp_path)
    (tmp_path / "traces").mkdir()
    shutil.copy(_TRACE, tmp_path / "traces" / "a.csv")
    (tmp_path / "traces" / "b.csv").write_text(_TRACE.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (tmp_path / "base.yaml").write_text(_READ_BY["world"][0], encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        "name: two\nbase: base.yaml\nset: {duration: 5 s}\n"
        "grid:\n  dynamics[0].file: [traces/a.csv, traces/b.csv]\n",
        encoding="utf-8",
    )
    sweep(tmp_path / "sweep.yaml", out=tmp_path / "s", workers=1)
    made = json.loads((tmp_path / "s" / "manifest.json").read_text(encoding="utf-8"))
    assert made["inputs_copied"]["dynamics[0].file"] == ["inputs/traces/a.csv", "inputs/traces/b.csv"]
    shutil.rmtree(tmp_path / "traces")  # only the folder's copies are left
    parsed = _counted_parses(monkeypatch)
    again = sweep(tmp_path / "s" / "sweep.yaml", out=tmp_path / "again", workers=1)
    assert again.ran == 2
    assert len(parsed) == 1  # planning, hashing and copying read the one reading


def test_a_profile_file_missed_for_a_manifest_cut_short_names_the_manifest(tmp_path, monkeypatch, capsys):
    from offloadsim.world.profiles.search import SHIPPED_PROFILE_DIR

    monkeypatch.chdir(tmp_path)
    text = (
        (SCENARIOS / "quickstart.yaml").read_text(encoding="utf-8").replace("xeon-ort-1t", "boxes/mybox.json")
    )
    copy = {"boxes/mybox.json": SHIPPED_PROFILE_DIR / "xeon-ort-1t.json"}
    result_folder(tmp_path / "up", text, json.dumps(RUN_FORMAT)[:20], copy)
    assert main(["validate", "up/scenario.yaml"]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert "nodes.edge.processor.profile: no such profile file 'boxes/mybox.json'" in err
    assert err.endswith("restore manifest.json from the result's original folder to rerun from its inputs")
