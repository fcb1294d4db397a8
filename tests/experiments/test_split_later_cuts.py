"""A split figure says which cut it draws where a plan cuts again after the device's.

The figure draws ``split``, the layers run on the device; a plan over three stations (phone, edge,
cloud: ``multi-tier``'s, or ``fixed`` with two cuts) also cuts between the edge and the cloud, which
the figure left unsaid, so a line at layer 3 read as "the rest ran on the edge".  The note under
the figure now says the device's cut is drawn and names each later cut with its tasks.
"""

from __future__ import annotations

from offloadsim import plots
from offloadsim.experiments import read_results, sweep

BASE = """\
name: chain
seed: 1
duration: 4 s
warmup: 1 s
nodes:
  phone: {count: 2, tier: device, processor: {profile: cortex-a76}}
  edge: {tier: edge, processor: {profile: raspberry-pi-4}}
  cloud: {tier: cloud, processor: {profile: a100}}
links:
  - {between: [phone-*, edge], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [edge, cloud], bandwidth: 100 Mbps, latency: 10 ms}
applications:
  classify: {model: alexnet, deadline: 1 s}
workload:
  - {app: classify, sources: phone-*, rate: 2 /s}
policy: local
"""


def _note(fig) -> str:
    return " ".join(text.get_text().replace("\n", " ") for text in fig.texts)


def _swept(tmp_path, entry: str):
    """The base over two phone uplinks with ``entry`` and local, one replication each: its results."""
    (tmp_path / "base.yaml").write_text(BASE)
    (tmp_path / "s.yaml").write_text(
        "name: s\nbase: base.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n"
        f'policies: ["{entry}", local]\nreplications: 1\n'
    )
    sweep(tmp_path / "s.yaml", out=tmp_path / "out", workers=1)
    return read_results(tmp_path / "out")


def test_a_split_figure_names_the_edge_to_cloud_cut_it_does_not_draw(tmp_path):
    results = _swept(tmp_path, "two-cut=fixed(nodes=[$source, edge, cloud], cuts=[3, 8])")
    tasks = results.tasks[results.tasks["status"] == "completed"]
    two = tasks[tasks["policy"].astype(str) == "two-cut"]
    assert set(two["split"]) == {3} and two["placement"].astype(str).str.endswith(":3>edge:8>cloud").all()
    counts = two.groupby(two["links[0].bandwidth"].astype(str), observed=True).size()
    fig = plots.plot_results(results, "split")
    note = _note(fig)
    assert "drawn: the device's cut (layers run on it); plans over more stations cut again, not drawn" in note
    entry = "two-cut"  # a label: a "$" in a figure's text is read as mathtext
    assert f"{entry}, edge→cloud at 5 Mbit/s, {counts['5 Mbps']} tasks at layer 8" in note, note
    assert f"{entry}, edge→cloud at 50 Mbit/s, {counts['50 Mbps']} tasks at layer 8" in note, note


def test_a_split_figure_of_one_cut_plans_says_nothing_of_it(tmp_path):
    results = _swept(tmp_path, "one-cut=fixed(nodes=[$source, edge], cuts=[3])")
    assert (results.tasks["policy"].astype(str) == "one-cut").any()
    assert "not drawn" not in _note(plots.plot_results(results, "split"))
