"""A scenario's identity (a run's scenario_hash, a job's key) follows its files' bytes, not their paths.

A reproducer who names the same trace by an absolute path (``--set dynamics[0].file=/abs/...``),
moves the folder, renames a file or reaches it through a symlink gets the same records: the hashes
naming the run and its jobs must agree, or the rerun reads as "not reproduced".  Other bytes under
the same name must change them.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.experiments.jobs import job_key
from offloadsim.records.results import scenario_hash
from offloadsim.scenario import load_scenario
from offloadsim.scenario.input_hashes import input_files
from offloadsim.world.profiles import SHIPPED_PROFILE_DIR

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

#: A scenario reading a link trace, an arrival trace, empirical sizes and a profile file, each named
#: relative to it.
SCENARIO = """\
name: files
seed: 3
duration: 20 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76}}
  server: {tier: edge, processor: {profile: PROFILE}}
links:
  - {between: [phone, server], bandwidth: 6 Mbps, latency: 20 ms}
applications:
  net: {model: mobilenet_v2, output: {empirical: SIZES}}
workload:
  - {app: net, sources: phone, arrivals: trace, trace: TRACE}
policy: {name: fixed, node: server}
dynamics:
  - {kind: link-trace, link: [phone, server], file: LINK}
"""

NAMES = {
    "PROFILE": "profiles/board.json",
    "TRACE": "arrivals.csv",
    "LINK": "traces/lte-uplink.csv",
    "SIZES": "sizes.csv",
}
#: What the test writes into the files that are not copied.
WRITTEN = {"TRACE": "time\n0.5\n1.5\n4\n", "SIZES": "size\n4 KB\n0.5 KB\n"}


def make(folder: Path, names: dict[str, str] = NAMES) -> Path:
    """The scenario and its four files in ``folder``, under ``names``; its path."""
    sources = {
        "PROFILE": SHIPPED_PROFILE_DIR / "xeon-ort-1t.json",
        "LINK": SCENARIOS / "traces" / "lte-uplink.csv",
    }
    text = SCENARIO
    for slot, name in names.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if slot in sources:
            shutil.copy(sources[slot], target)
        else:
            target.write_text(WRITTEN[slot], encoding="utf-8")
        text = text.replace(slot, name)
    (folder / "s.yaml").write_text(text, encoding="utf-8")
    return folder / "s.yaml"


def identity(path: Path, overrides: tuple[str, ...] = ()) -> tuple[str, str]:
    """(scenario_hash, job key of replication 0) of the scenario at ``path``."""
    scenario = load_scenario(path, overrides)
    inputs = input_files(scenario)
    assert all(len(i.sha256) == 64 for i in inputs) and len(inputs) == 4, inputs
    return scenario_hash(scenario.document, inputs), job_key(scenario.document, 0, inputs=inputs)


@pytest.fixture
def original(tmp_path: Path) -> Path:
    return make(tmp_path / "mine")


#: The keys of the files named by content in the hash (a profile's is in the records: it stays).
KEYS = {
    "workload[0].trace": "TRACE",
    "dynamics[0].file": "LINK",
    "applications.net.output.empirical": "SIZES",
}


def test_absolute_paths_hash_as_relative_ones(original):
    overrides = tuple(f"{key}={original.parent / NAMES[slot]}" for key, slot in KEYS.items())
    assert identity(original, overrides) == identity(original)


def test_renamed_files_and_a_moved_folder_hash_the_same(original, tmp_path):
    import offloadsim

    renamed = make(tmp_path / "other" / "place", {**NAMES, "TRACE": "t.csv", "LINK": "u/v.csv", "SIZES": "s"})
    shutil.move(original.parent, tmp_path / "moved")
    assert identity(renamed) == identity(tmp_path / "moved" / "s.yaml")
    # The same records, as the same hash says (all but the manifest and scenario.yaml, which name files).
    offloadsim.run(renamed, out=tmp_path / "a")
    offloadsim.run(tmp_path / "moved" / "s.yaml", out=tmp_path / "b")
    written = sorted(
        p.name for p in (tmp_path / "a").glob("*.*") if p.name not in ("manifest.json", "scenario.yaml")
    )
    assert "tasks.parquet" in written and "summary.json" in written
    assert all((tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes() for n in written), (
        written
    )


def test_a_profile_file_named_otherwise_hashes_otherwise_as_its_records_differ(original, tmp_path):
    """The processors table's ``profile`` column is what the scenario wrote: the hash keeps it."""
    import offloadsim

    absolute = (f"nodes.server.processor.profile={original.parent / NAMES['PROFILE']}",)
    assert identity(original, absolute) != identity(original)
    offloadsim.run(original, out=tmp_path / "a")
    offloadsim.run(original, overrides=absolute, out=tmp_path / "b")
    tables = [(tmp_path / r / "processors.parquet").read_bytes() for r in "ab"]
    assert tables[0] != tables[1]


def test_a_symlinked_file_hashes_as_the_file(original, tmp_path):
    link = tmp_path / "link.csv"
    os.symlink(original.parent / "arrivals.csv", link)
    assert identity(original, (f"workload[0].trace={link}",)) == identity(original)


@pytest.mark.parametrize("slot", sorted(NAMES))
def test_other_bytes_under_the_same_name_hash_otherwise(original, slot):
    before = identity(original)
    file = original.parent / NAMES[slot]
    if slot == "PROFILE":
        data = json.loads(file.read_text(encoding="utf-8"))
        file.write_text(json.dumps(data, indent=1), encoding="utf-8")  # the same profile, other bytes
    else:
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace("0.5", "0.6").replace("4180000", "4170000"), encoding="utf-8")
    after = identity(original)
    assert after[0] != before[0] and after[1] != before[1]


def test_a_profile_named_by_name_keeps_its_name_and_its_content_is_hashed_by_key(original):
    """Shipped profiles are named, not files of the user's: the name, which no install changes, stays."""
    from offloadsim.scenario.input_hashes import identity_data

    scenario = load_scenario(original, ("nodes.server.processor.profile=xeon-ort-1t",))
    inputs = input_files(scenario)
    data = identity_data(scenario.document, inputs)
    assert data["document"]["nodes"]["server"]["processor"]["profile"] == "xeon-ort-1t"
    shipped = next(i.sha256 for i in inputs if "server" in i.key)
    assert data["inputs"]["nodes.server.processor.profile"] == shipped
    # The user's files are named by content, none by path.
    assert data["document"]["dynamics"][0]["file"].startswith("sha256:")
    assert not any(NAMES[slot] in json.dumps(data) for slot in KEYS.values())


def test_a_run_given_an_absolute_trace_by_set_hashes_as_the_original(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(SCENARIOS / "unstable-uplink.yaml", folder)
    shutil.copytree(SCENARIOS / "traces", folder / "traces")
    scenario = str(folder / "unstable-uplink.yaml")
    common = ["--set", "duration=20 s", "--quiet"]
    assert main(["run", scenario, "--out", str(tmp_path / "a"), *common]) == 0
    absolute = f"dynamics[0].file={folder / 'traces' / 'lte-uplink.csv'}"
    assert main(["run", scenario, "--out", str(tmp_path / "b"), "--set", absolute, *common]) == 0
    first, second = (json.loads((tmp_path / r / "manifest.json").read_text()) for r in "ab")
    assert (tmp_path / "a" / "tasks.parquet").read_bytes() == (tmp_path / "b" / "tasks.parquet").read_bytes()
    assert second["scenario_hash"] == first["scenario_hash"]


def test_a_sweep_whose_trace_was_renamed_reuses_its_jobs(tmp_path):
    from offloadsim.experiments import sweep

    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(SCENARIOS / "unstable-uplink.yaml", folder)
    shutil.copytree(SCENARIOS / "traces", folder / "traces")
    (folder / "sweep.yaml").write_text(
        "name: uplink\nbase: unstable-uplink.yaml\nset: {duration: 20 s}\n"
        "grid:\n  links[0].latency: [10 ms, 30 ms]\n",
        encoding="utf-8",
    )
    first = sweep(folder / "sweep.yaml", out=tmp_path / "s", workers=1)
    assert first.ran == 2
    (folder / "traces" / "lte-uplink.csv").rename(folder / "uplink.csv")
    base = folder / "unstable-uplink.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace("traces/lte-uplink.csv", "uplink.csv"))
    again = sweep(folder / "sweep.yaml", out=tmp_path / "s", workers=1)
    assert (again.ran, again.reused) == (0, 2)
