"""``--where`` on a zipped key names the partner it fixed too, on every kind of figure.

A sweep zipping a precision ``[fp32, int8]`` with the phone's speed ``[300 GFLOP/s, 4 TFLOP/s]``:
``plot --kind bars --where PRECISION=int8`` was titled "classify precision = int8" and never said
that the phone ran at 4 TFLOP/s, which ``--kind sweep`` says under its axis ("with phone speed
300, 4,000 GFLOP/s").
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results

BASE = """
name: zipped
duration: 4 s
warmup: 0 s
nodes:
  phone: {count: 1, tier: device, processor: {speed: 100 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  classify: {model: resnet18}
workload:
  - {app: classify, sources: phone-*, rate: 2 /s}
policy: local
"""

PRECISION = "applications.classify.params.precision"
SPEED = "nodes.phone.processor.speed"
BANDWIDTH = "links[0].bandwidth"
SWEEP = f"""
name: z
base: base.yaml
grid:
  {BANDWIDTH}: [5 Mbps, 50 Mbps]
zip:
  {PRECISION}: [fp32, int8]
  {SPEED}: [300 GFLOP/s, 4 TFLOP/s]
policies: [local, edge]
"""


@pytest.fixture(scope="module")
def zipped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zipped")
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(folder / "out"), "--quiet"]) == 0
    return read_results(folder / "out")


def _titles(fig) -> str:
    texts = [ax.get_title(loc="left") for ax in fig.axes]
    texts += [fig._suptitle.get_text() if fig._suptitle else ""]
    texts += [legend.get_title().get_text() for legend in fig.legends]  # heads the legend above panels
    plt.close(fig)
    return " ".join(" ".join(texts).split())


@pytest.mark.parametrize(
    ("kind", "facet"), [("bars", BANDWIDTH), ("cdf", BANDWIDTH), ("energy", None), ("utilisation", BANDWIDTH)]
)
def test_the_title_names_the_speed_zipped_with_the_precision_kept(zipped, kind, facet):
    where = {PRECISION: "int8"} | ({} if facet else {BANDWIDTH: "5 Mbps"})
    titles = _titles(plot_results(zipped, kind, where=where, facet=facet))
    assert "classify precision = int8 with phone speed 4,000 GFLOP/s" in titles, titles
    assert "5 Mbit/s with" not in titles  # a grid key fixes no partner


def test_the_partner_is_named_when_it_is_the_key_given(zipped):
    titles = _titles(plot_results(zipped, "bars", where={SPEED: "300 GFLOP/s", BANDWIDTH: "5 Mbps"}))
    assert "phone speed = 300 GFLOP/s with classify precision fp32" in titles, titles


def test_a_partner_the_figure_shows_or_fixes_itself_is_not_named_again(zipped):
    fixed = {PRECISION: "int8", SPEED: "4 TFLOP/s", BANDWIDTH: "5 Mbps"}
    titles = _titles(plot_results(zipped, "bars", where=fixed))
    assert " with " not in titles and "phone speed = 4,000 GFLOP/s" in titles, titles
    shown = {"where": {PRECISION: "int8"}, "facet": SPEED, "by": f"policy,{BANDWIDTH}"}
    titles = _titles(plot_results(zipped, "bars", **shown))
    assert "with phone speed" not in titles, titles


def test_a_title_wider_than_a_one_column_figure_is_broken_at_a_space(zipped):
    """Two kept values and a partner ran the title past a one-column figure's right edge."""
    from offloadsim.plots.axes import laid_out
    from offloadsim.plots.style import house_style

    fig = plot_results(zipped, "bars", where={PRECISION: "int8", BANDWIDTH: "5 Mbps"})
    ax = fig.axes[0]
    title = ax._left_title  # the loc="left" title's Text
    with house_style():  # measured in the type it is saved in
        right = title.get_window_extent(laid_out(ax)).x1
    text = title.get_text()
    plt.close(fig)
    assert "\n" in text and right <= fig.bbox.x1, (text, right, fig.bbox.x1)
    assert "4,000 GFLOP/s" in text  # a number and its unit kept together
