"""A figure says the notes its runs recorded for figures, the world's included: a GPU's assumed efficiency.

A built-in GPU profile runs each layer at an assumed share of its data-sheet peak, and a run's
table said so (the world's note), but its figures did not: a comparison's or sweep's manifest kept
for them only the notes worked out without the world, and a run's figures said none.  Each
manifest now keeps what its figures say (``figure_notes``, and ``figure_merges`` for a kind whose
points' lines merge, made by the provider as the results were written); results written before
still plot, saying what they kept.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results

BASE = """
name: gpu-noted
duration: 3 s
warmup: 0 s
nodes:
  phone: {count: 2, tier: device, processor: {profile: cortex-a76}}
  edge: {tier: edge, processor: {profile: t4}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  detect: {model: mobilenet_v2, input: 20 KB, output: 1 KB}
workload:
  - {app: detect, sources: phone-*, rate: 2 /s}
policy: edge
"""
PRECISION = "applications.detect.params.precision"
ASSUMED = "a built-in GPU profile runs each layer at an assumed 0.40 of its data-sheet peak"
SECTION = "(docs/profiles.md#batch-one-against-published-latencies)"


def _note(directory: Path, kind: str, metric: str | None = None, **options: object) -> str:
    fig = plot_results(read_results(directory), kind, metric=metric, **options)
    note = " ".join(fig._supxlabel.get_text().split()) if fig._supxlabel else ""
    plt.close(fig)
    return note


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("gpu")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    (folder / "sweep.yaml").write_text(
        f"name: s\nbase: base.yaml\ngrid:\n  {PRECISION}: [fp32, int8]\n", encoding="utf-8"
    )
    assert main(["run", str(folder / "base.yaml"), "--out", str(folder / "run"), "--quiet"]) == 0
    argv = ["compare", str(folder / "base.yaml"), "--policies", "local,edge", "--replications", "1"]
    assert main([*argv, "--out", str(folder / "cmp"), "--quiet"]) == 0
    assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(folder / "sw"), "--quiet"]) == 0
    return folder


def test_a_runs_figure_says_its_gpu_efficiency_note(made):
    manifest = json.loads((made / "run" / "manifest.json").read_text(encoding="utf-8"))
    (said,) = [note for note in manifest["notes"] if ASSUMED in note]  # its table's
    assert said in _note(made / "run", "cdf")


def test_a_comparisons_figure_says_it_of_the_policies_it_holds_under(made):
    note = _note(made / "cmp", "bars", "latency_mean_s")
    assert note.count(ASSUMED) == 1 and f"{SECTION} (under edge only)" in note


def test_a_sweeps_figure_says_its_points_gpu_lines_as_one_of_the_points_drawn(made):
    both = _note(made / "sw", "sweep", "latency_mean_s", x=PRECISION)
    assert both.count(ASSUMED) == 1 and "applications.detect (mobilenet_v2, fp32 and int8) on t4:" in both
    int8 = _note(made / "sw", "bars", "latency_mean_s", where={PRECISION: "int8"})
    assert "applications.detect (mobilenet_v2, int8) on t4:" in int8 and "fp32 and int8" not in int8


@pytest.mark.parametrize("kind", ["run", "cmp", "sw"])
def test_results_written_before_the_figure_notes_still_plot_saying_what_they_kept(made, tmp_path, kind):
    old = tmp_path / kind
    shutil.copytree(made / kind, old)
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    kept = [row["note"] for row in manifest.get("precision_notes", ())]
    for key in ("figure_notes", "figure_merges"):
        manifest.pop(key, None)
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    by = {"by": PRECISION} if kind == "sw" else {}
    note = _note(old, "cdf") if kind == "run" else _note(old, "bars", "latency_mean_s", **by)
    assert ASSUMED not in note  # not recorded for figures then
    assert kept == [] if kind != "sw" else len(kept) == 1
    assert all(" ".join(line.split()) in note for line in kept)  # the int8 line a sweep kept: as written
