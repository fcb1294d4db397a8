"""A figure of runs whose summaries warned (too short to settle, a queue that grew) says so.

``compare`` and ``sweep`` print those warnings under their table and keep them in the manifest's
``run_warnings``; a figure drawn from the same results said only "not completed": a resnet50 on a
phone under ``local`` drew its mean latency as settled as any other bar, where the table said
"too short to settle ... latencies likely read low".  Every kind that draws a configuration now
names the drawn configurations whose runs warned, each kind of warning once.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results

BASE = """
name: warned
duration: 20 s
warmup: 0 s
nodes:
  phone: {count: 1, tier: device, processor: {profile: cortex-a76}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  classify: {model: resnet50}
workload:
  - {app: classify, sources: phone-*, rate: 3 /s}
policy: local
"""

PRECISION = "applications.classify.params.precision"
# resnet50 in fp32 keeps the phone's one core about 90 % busy at 1.7 frames/s: far too short a run
# to settle; in int8 it is 23 % busy.
SWEEP = f"""
name: s
base: base.yaml
set:
  workload[0].rate: 1.7 /s
grid:
  {PRECISION}: [fp32, int8]
policies: [local, edge]
replications: 2
"""

SETTLE = "too short to settle, likely read low"
BUSY = "a node busy all run while its queue grew"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("warned")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(folder / "sweep"), "--quiet"]) == 0
    # 3 frames/s on a phone that serves 1.9: its queue grows all run under local.
    compare = ["compare", str(folder / "base.yaml"), "--policies", "local,edge", "--replications", "2"]
    assert main([*compare, "--out", str(folder / "compare"), "--quiet"]) == 0
    return folder


def _note(fig) -> str:
    text = " ".join(fig._supxlabel.get_text().split()) if fig._supxlabel else ""
    plt.close(fig)
    return text


def test_the_sweeps_bars_name_the_configuration_too_short_to_settle(folder):
    fig = plot_results(
        read_results(folder / "sweep"), "bars", metric="latency_mean_s", by=f"policy,{PRECISION}"
    )
    note = _note(fig)
    assert "runs warned, latencies depend on how long they ran (policy, classify precision):" in note
    assert f"{SETTLE}: local, fp32 (2 of 2 runs)" in note
    # int8 on the phone settled: not named (the configurations are listed "a (..); b (..)", and the
    # notes on precision follow the warnings, so the rest of the note may well name int8)
    assert f"{SETTLE}: local, fp32 (2 of 2 runs);" not in note


@pytest.mark.parametrize(("kind", "x"), [("sweep", PRECISION), ("split", PRECISION), ("cdf", None)])
def test_every_kind_of_the_sweep_says_it(folder, kind, x):
    results = read_results(folder / "sweep")
    by = None if kind != "cdf" else f"policy,{PRECISION}"
    note = _note(plot_results(results, kind, x=x, by=by))
    assert f"{SETTLE}: " in note and "local" in note.split(SETTLE)[1]


@pytest.mark.parametrize(
    ("kind", "facet"),
    [
        ("bars", "source_group"),
        ("energy", None),
        ("cdf", None),
        ("utilisation", None),
        ("utilisation-time", None),
        ("timeline", None),
    ],
)
def test_every_kind_of_the_comparison_says_the_queue_that_grew(folder, kind, facet):
    note = _note(plot_results(read_results(folder / "compare"), kind, facet=facet))
    assert f"{BUSY}: local (" in note or f"{BUSY}: local, phone (" in note  # by source group: phone
    assert "edge (" not in note.split("runs warned")[1]


def test_a_figure_of_runs_that_did_not_warn_says_nothing_of_it(folder):
    fig = plot_results(read_results(folder / "sweep"), "bars", where={PRECISION: "int8"})
    assert "runs warned" not in _note(fig)
    fig = plot_results(read_results(folder / "compare"), "bars", where={"policy": "edge"})
    assert "runs warned" not in _note(fig)


def _older(folder, tmp_path, edit):
    """A copy of the comparison's results, its manifest as ``edit`` leaves it (an older offloadsim's)."""
    old = tmp_path / "old"
    old.mkdir()
    for path in (folder / "compare").iterdir():
        if path.is_file():
            (old / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return read_results(old)


def test_results_written_before_runs_warnings_were_kept_have_no_note(folder, tmp_path):
    results = _older(folder, tmp_path, lambda manifest: manifest.pop("run_warnings"))
    assert "runs warned" not in _note(plot_results(results, "bars"))


def test_warnings_kept_without_their_facts_are_told_by_their_text(folder, tmp_path):
    def strip(manifest):
        assert all("facts" in row for row in manifest["run_warnings"])
        for row in manifest["run_warnings"]:
            del row["facts"]

    note = _note(plot_results(_older(folder, tmp_path, strip), "bars"))
    assert f"latencies depend on how long they ran (policy): {BUSY}: local (2 of 2 runs)" in note, note


def test_a_figure_of_one_run_says_it_of_the_run(folder):
    where = {PRECISION: "fp32", "policy": "local"}
    note = _note(plot_results(read_results(folder / "sweep"), "timeline", where=where))
    assert (
        "runs warned, latencies depend on how long they ran: too short to settle, likely read low (the run)"
        in note
    )


def test_a_panel_of_runs_with_no_warnings_is_titled_none(folder):
    """``--facet warnings`` titled edge's panel "(c) warnings =": a run with none has ``warnings`` ``""``."""
    results = read_results(folder / "compare")
    assert "" in set(results.metrics["warnings"])  # edge's runs
    fig = plot_results(results, "bars", facet="warnings")
    titles = [title for ax in fig.axes if (title := ax.get_title(loc="left") or ax.get_title())]
    plt.close(fig)
    assert any(title.endswith("warnings = none") for title in titles), titles
    assert not any(title.rstrip().endswith("=") for title in titles), titles


def test_the_sweep_figure_of_another_metric_names_it_not_latencies(folder):
    """A sweep figure of deadline misses or throughput said its warned runs' "latencies depend on
    how long they ran": the lead names the metric drawn."""
    fig = plot_results(read_results(folder / "sweep"), "sweep", metric="throughput_per_s", x=PRECISION)
    note = _note(fig)
    assert "runs warned, how long they ran moves their throughput (classify precision, policy):" in note
    assert "latencies depend" not in note
    assert f"{SETTLE}: fp32, local (2 of 2 runs)" in note
