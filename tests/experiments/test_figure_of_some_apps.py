"""A figure of some applications says only their notes, and each filter has its own default file name."""

from __future__ import annotations

import json

import pytest

from offloadsim.cli.main import main as cli_main
from offloadsim.experiments import compare, read_results
from offloadsim.plots.results import default_figure_name, plot_results
from offloadsim.world.notes.kept import said_under_figure

SCENARIO = """\
name: two-apps
seed: 1
duration: 4 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76}}
  server: {tier: edge, processor: {profile: t4}}
  pi: {tier: edge, processor: {profile: raspberry-pi-4}}
links:
  - {between: [phone, server], bandwidth: 20 Mbps, latency: 5 ms}
  - {between: [phone, pi], bandwidth: 20 Mbps, latency: 5 ms}
applications:
  alexnet: {model: alexnet, output: 4 KB, params: {precision: int8}, hosts: [phone, pi]}
  vgg16: {model: vgg16, output: 4 KB, hosts: [phone, server]}
workload:
  - {app: alexnet, sources: phone, arrivals: poisson, rate: 2 /s}
  - {app: vgg16, sources: phone, arrivals: poisson, rate: 2 /s}
policy: local
"""


@pytest.fixture(scope="module")
def two_apps(tmp_path_factory):
    """A comparison of local and edge where alexnet runs int8 (phone, pi) and vgg16 fp32 (phone, T4)."""
    here = tmp_path_factory.mktemp("two-apps")
    (here / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    compare(here / "s.yaml", ["local", "edge"], 1, workers=1, out=here / "cmp")
    return here / "cmp"


def _notes(fig) -> str:
    label = fig._supxlabel  # every note under the figure (style.note_under)
    return "" if label is None else label.get_text()


def test_a_figure_of_one_application_says_its_notes_only(two_apps):
    """``--where app=vgg16`` said alexnet's int8 peak ratio and the Raspberry Pi standing in for it."""
    results = read_results(two_apps)
    every = _notes(plot_results(results, "bars", by="app,policy"))
    assert "applications.alexnet" in every and "applications.vgg16" in every and "raspberry-pi-4" in every
    vgg = _notes(plot_results(results, "bars", where={"app": "vgg16"}))
    assert "applications.vgg16 (vgg16, fp32) on t4" in vgg
    assert "alexnet" not in vgg and "int8" not in vgg and "raspberry-pi-4" not in vgg
    alex = _notes(plot_results(results, "cdf", where={"app": "alexnet"}))
    assert "precision int8 (applications.alexnet)" in alex and "raspberry-pi-4" in alex
    assert "vgg16" not in alex and "t4" not in alex


def test_a_note_naming_several_applications_is_said_as_of_the_one_drawn():
    """A GPU line naming two applications' models reads, under a figure of one, as of it alone."""
    from offloadsim.world.notes.gpu_efficiency import gpu_note

    note = gpu_note([("applications.a", "alexnet", "fp32", "t4"), ("applications.b", "vgg16", "fp32", "t4")])
    row = {"note": note.text, "kind": "gpu-efficiency", **{k: note.facts[k] for k in ("apps", "each_app")}}
    manifest = {"figure_notes": [row]}
    assert note.facts["apps"] == ["a", "b"]
    (one,) = said_under_figure(manifest, None, energy=False, apps={"b"})
    assert one.startswith("applications.b (vgg16, fp32)") and "alexnet" not in one
    assert said_under_figure(manifest, None, energy=False, apps={"a", "b"}) == [note.text]
    assert said_under_figure(manifest, None, energy=False, apps={"c"}) == []
    assert said_under_figure(
        {"figure_notes": [{"note": "x", "kind": "k"}]}, None, energy=False, apps={"c"}
    ) == ["x"]  # a row of results written before it named its applications: said, as written


def test_each_where_has_its_own_default_file(two_apps, capsys):
    """Two ``plot --where app=a`` and ``app=b`` wrote one ``bars.pdf``, the second over the first."""
    written = {}
    for app in ("alexnet", "vgg16"):
        assert cli_main(["plot", str(two_apps), "--kind", "bars", "--where", f"app={app}"]) == 0
        written[app] = capsys.readouterr().out.split()
    figures = two_apps / "figures"
    assert str(figures / "bars-app=alexnet.pdf") in written["alexnet"]
    assert str(figures / "bars-app=vgg16.pdf") in written["vgg16"]
    tables = set()
    for app in ("alexnet", "vgg16"):
        record = json.loads((figures / f"bars-app={app}.plot.json").read_text(encoding="utf-8"))
        assert f"app={app}" in json.dumps(
            record
        ) and f"app={({'alexnet', 'vgg16'} - {app}).pop()}" not in json.dumps(record)
        tables.add((figures / f"bars-app={app}.csv").read_text(encoding="utf-8"))
    assert len(tables) == 2  # each file holds its own application's bars: neither overwrote the other
    assert not (figures / "bars.pdf").exists()
    out = two_apps / "mine"
    assert cli_main(["plot", str(two_apps), "--kind", "bars", "--where", "app=vgg16", "--out", str(out)]) == 0
    assert str(two_apps / "mine.pdf") in capsys.readouterr().out.split()  # --out as given


def test_default_names_of_filters():
    assert default_figure_name("bars") == "bars"
    assert default_figure_name("bars", None, {"app": "a"}) != default_figure_name("bars", None, {"app": "b"})
    both = default_figure_name("sweep", "latency_p95_s", {"links[0].bandwidth": ("1.1 Mbps", "20 Mbps")})
    assert both == "sweep-latency_p95_s-links_0_.bandwidth=1.1_Mbps+20_Mbps"
    long = [default_figure_name("cdf", None, {"policy": f"{'x' * 100}{i}"}) for i in range(2)]
    assert long[0] != long[1] and all(len(name) <= len("cdf-") + 80 for name in long)


def test_a_figure_of_some_nodes_says_the_notes_of_their_processors(two_apps):
    """``--kind utilisation --where node=phone`` said the server's T4 at an assumed efficiency and
    the Raspberry Pi's stand-in int8 peak, processors it does not draw."""
    results = read_results(two_apps)
    phone = _notes(plot_results(results, "utilisation", where={"node": "phone"}))
    assert "t4" not in phone and "raspberry-pi-4" not in phone
    assert "precision int8 (applications.alexnet)" in phone  # accuracy not modelled: wherever it runs
    server = _notes(plot_results(results, "utilisation", where={"node": "server"}))
    assert "applications.vgg16 (vgg16, fp32) on t4" in server and "raspberry-pi-4" not in server
    pi = _notes(plot_results(results, "utilisation", where={"node": "pi"}))
    assert "applications.alexnet (int8) on raspberry-pi-4" in pi and "on t4" not in pi
    every = _notes(plot_results(results, "utilisation"))
    assert "on t4" in every and "on raspberry-pi-4" in every
