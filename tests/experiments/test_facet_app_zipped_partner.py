"""A panel per application names each panel's lines by that application's own zipped key.

A sweep zipping the CNN's precision ``[fp32, int8]`` with BERT's ``[fp16, int8]``, drawn ``--by``
the CNN's precision ``--facet app``: the one legend above both panels read "cnn precision: fp32,
int8", so the BERT panel's line of BERT in fp16 was labelled fp32.  Each entry now names both.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results

BASE = """
name: two-models
duration: 4 s
warmup: 0 s
nodes:
  phone: {count: 1, tier: device, processor: {speed: 100 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  cnn: {model: resnet18}
  bert: {model: bert-base}
workload:
  - {app: cnn, sources: phone-*, rate: 2 /s}
  - {app: bert, sources: phone-*, rate: 2 /s}
policy: local
"""

CNN = "applications.cnn.params.precision"
BERT = "applications.bert.params.precision"
SWEEP = f"""
name: z
base: base.yaml
zip:
  {CNN}: [fp32, int8]
  {BERT}: [fp16, int8]
"""


@pytest.fixture(scope="module")
def zipped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zipped-apps")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(folder / "out"), "--quiet"]) == 0
    return read_results(folder / "out")


def test_the_legend_names_the_bert_precision_beside_the_cnn_one(zipped):
    fig = plot_results(zipped, "cdf", by=CNN, facet="app")
    (legend,) = fig.legends
    heading = legend.get_title().get_text()
    entries = [text.get_text() for text in legend.get_texts()]
    plt.close(fig)
    assert heading == "cnn precision, bert precision", heading
    # Plain speeds run every precision alike: the lines coincide, which the legend says after the pair.
    assert [entry.split(" (")[0] for entry in entries] == ["fp32, fp16", "int8, int8"], entries


def test_a_figure_not_by_application_keeps_its_one_key(zipped):
    fig = plot_results(zipped, "bars", by=CNN, where={"app": "bert"})
    texts = [legend.get_title().get_text() for legend in fig.legends]
    texts += [ax.get_legend().get_title().get_text() for ax in fig.axes if ax.get_legend() is not None]
    plt.close(fig)
    assert "bert precision" not in " ".join(texts), texts


def test_bars_name_the_bert_precision_on_the_axis_and_ticks(zipped):
    # Bars were labelled "cnn precision" with fp32 under the BERT panel's bar of BERT in fp16.
    fig = plot_results(zipped, "bars", by=CNN, facet="app")
    labels = [ax.get_xlabel() for ax in fig.axes if ax.get_visible()]
    ticks = [[t.get_text() for t in ax.get_xticklabels()] for ax in fig.axes if ax.get_visible()]
    plt.close(fig)
    assert labels == ["cnn precision, bert precision"] * 2, labels
    assert ticks == [["fp32, fp16", "int8, int8"]] * 2, ticks
