"""A figure of runs in int8 says what their speed-up rests on, as the command's table did.

On a built-in profile int8 computes at the data sheets' int8/fp32 peak ratio (4x on a phone's
Cortex-A76), where measured speed-ups are 1.5 to 2.5x (docs/models.md#precision).  A sweep of
``local`` against offloading in fp32 and int8 printed that note under its table, and its figures
(``plot --kind sweep``, ``--kind energy``), where "int8 on the phone beats offloading" is read,
said nothing.  The sweep's and comparison's manifests keep the note (``precision_notes``, by point)
and a figure of runs that carry it says it.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results
from offloadsim.scenario import load_scenario
from offloadsim.world import build_world

BASE = """
name: int8-phone
duration: 4 s
warmup: 0 s
nodes:
  phone: {count: 2, tier: device, processor: {profile: cortex-a76}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  detect: {model: mobilenet_v2}
workload:
  - {app: detect, sources: phone-*, rate: 2 /s}
policy: local
"""

PRECISION = "applications.detect.params.precision"
PLAIN = (
    "int8 runs no faster than fp32 on nodes.edge.processor, whose plain speed is the same FLOP/s for every "
    "precision"
)


def _int8_note(folder, policy: str = "local") -> str:
    world = build_world(
        load_scenario(str(folder / "base.yaml"), overrides=[f"{PRECISION}=int8", f"policy={policy}"])
    )
    (note,) = [note for note in world.notes if "accuracy is not modelled" in note]
    return note


def _accuracy_rows(manifest: dict) -> list[dict]:
    """The manifest's precision note rows, less their kind and facts (the edge's plain speed has its own).

    Its facts (its text's parts) are what a sweep's ``zip:`` of precision and speed drops a clause from.
    """
    rows = manifest["precision_notes"]
    return [
        {k: v for k, v in row.items() if k not in ("kind", "facts")}
        for row in rows
        if row["kind"] == "precision"
    ]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("int8")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    (folder / "sweep.yaml").write_text(
        f"name: s\nbase: base.yaml\ngrid:\n  {PRECISION}: [fp32, int8]\npolicies: [local, edge]\n",
        encoding="utf-8",
    )
    assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(folder / "out"), "--quiet"]) == 0
    return folder


def test_a_sweeps_manifest_keeps_the_note_of_the_points_it_holds_for(swept):
    manifest = json.loads((swept / "out" / "manifest.json").read_text(encoding="utf-8"))
    results = read_results(swept / "out")
    int8 = results.metrics[PRECISION] == "int8"
    at = {
        policy: sorted(set(results.metrics.loc[int8 & (results.metrics["policy"] == policy), "point"]))
        for policy in ("local", "edge")
    }
    note = _int8_note(swept)
    assert "int8's peak is 4x fp32's on cortex-a76 (the model " in note and "1.5-2.5x" in note
    # under edge, the edge server's plain speed runs int8: at fp32's FLOP/s (said of edge's points),
    # and its runs computed nothing on the phones: their peak ratio is not said of them
    edge = _int8_note(swept, "edge")
    assert edge.endswith(f"; {PLAIN} (docs/models.md#precision)") and "cortex-a76" in edge
    head = note.split(": ")[0]
    edge = f"{head}: bytes and time only; accuracy is not modelled; {PLAIN} (docs/models.md#precision)"
    assert _accuracy_rows(manifest) == [
        {"note": note, "points": at["local"]},
        {"note": edge, "points": at["edge"]},
    ]


@pytest.mark.parametrize(("kind", "by"), [("sweep", None), ("energy", f"policy,{PRECISION}")])
def test_a_figure_of_int8_runs_says_the_speed_up_is_the_data_sheets(swept, kind, by):
    fig = plot_results(read_results(swept / "out"), kind, by=by)
    note = " ".join(fig._supxlabel.get_text().split())
    plt.close(fig)
    # local's points and edge's merge into one line (edge's clause on its plain speed added before the link)
    assert _int8_note(swept).removesuffix(" (docs/models.md#precision)") in note
    assert _int8_note(swept, "edge").removesuffix(" (docs/models.md#precision)").split("; ")[-1] in note


def test_a_figure_of_fp32_runs_only_says_nothing_of_it(swept):
    fig = plot_results(read_results(swept / "out"), "sweep", where={PRECISION: "fp32"})
    note = fig._supxlabel.get_text() if fig._supxlabel else ""
    plt.close(fig)
    assert "accuracy is not modelled" not in note and "peak ratios" not in note


def test_a_comparison_in_int8_keeps_the_note_for_every_run(tmp_path):
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    out = tmp_path / "cmp"
    argv = ["compare", str(tmp_path / "base.yaml"), "--policies", "local,edge", "--replications", "1"]
    assert main([*argv, "--set", f"{PRECISION}=int8", "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # one note for both runs, naming where each policy's runs computed, as the table says it: the
    # phones' peak ratio under local (edge's ran all on the edge), the edge's plain speed under edge
    compared = (
        _int8_note(tmp_path)
        .replace("(the model ", "(under local only; the model ")
        .replace(" (docs", "; " + PLAIN.replace("processor,", "processor (under edge only),") + " (docs")
    )
    assert compared in manifest["notes"]
    assert _accuracy_rows(manifest) == [{"note": compared}]
    fig = plot_results(read_results(out), "bars", metric="latency_mean_s")
    note = " ".join(fig._supxlabel.get_text().split())
    plt.close(fig)
    assert compared in note
