"""The notes under a figure say only what is true of the runs and rows it draws.

A comparison's or sweep's figure notes were worked out before any run: they named every policy
that may place where a note speaks of ("int8's peak is 4x fp32's on cortex-a76" of ``local``'s
runs, which never served the int8 alternative), where the tables under the results said only the
runs that computed there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compressed_alternative_scenario import SCENARIO

from offloadsim.experiments import read_results
from offloadsim.experiments.compare import compare
from offloadsim.experiments.sweep import sweep
from offloadsim.plots.results import plot_results
from offloadsim.records.stored import ExperimentError

PEAK = "int8's peak is 4x fp32's on cortex-a76"


def _notes(fig) -> str:
    label = fig._supxlabel  # every note under the figure (style.note_under)
    return "" if label is None else label.get_text()


def test_a_comparisons_figure_says_an_alternative_of_the_runs_that_served_it(tmp_path: Path) -> None:
    """``local`` never serves ResNet-50's int8 alternative: its table said the peak ratio
    "(under model-select only; ...)", its figure's note of every run."""
    (tmp_path / "alt.yaml").write_text(SCENARIO, encoding="utf-8")
    result = compare(tmp_path / "alt.yaml", ["local", "model-select"], 1, workers=1, out=tmp_path / "cmp")
    (table,) = [line for line in result.notes if PEAK in line]
    assert f"{PEAK} (under model-select only; " in table
    (row,) = [row for row in result.manifest["precision_notes"] if PEAK in row["note"]]
    assert f"{PEAK} (under model-select only; " in row["note"]
    every = _notes(plot_results(read_results(tmp_path / "cmp"), "bars"))
    assert f"{PEAK} (under model-select only; " in every
    # model-select's bar is MobileNetV2's latency beside local's ResNet-50: the table said so, the
    # figure did not, and the bar read as one policy 47 times faster on one model.
    said = " ".join(every.split())
    assert "not one application's tasks: " in said
    assert "local's are r50's" in said and "model-select's are mnv2-int8's" in said
    assert "accuracy is not modelled); by=app draws each apart" in said  # --by app on the command line


def test_no_applications_note_where_the_figure_draws_each_or_one_policy(tmp_path: Path) -> None:
    (tmp_path / "alt.yaml").write_text(SCENARIO, encoding="utf-8")
    compare(tmp_path / "alt.yaml", ["local", "model-select"], 1, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    assert "not one application" not in _notes(plot_results(results, "bars", by=["policy", "app"]))


def test_a_sweeps_figure_says_an_alternative_at_the_points_whose_runs_served_it(tmp_path: Path) -> None:
    """A sweep over the policy: the int8 alternative's note was said at ``local``'s point too."""
    (tmp_path / "alt.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "sw.yaml").write_text(
        "name: alt-sweep\nbase: alt.yaml\nset: {duration: 5 s}\n"
        "grid:\n  policy.name: [local, model-select]\nreplications: 1\n",
        encoding="utf-8",
    )
    result = sweep(tmp_path / "sw.yaml", out=tmp_path / "sweep", workers=1)
    local, chosen = (int(p) for p in result.metrics.sort_values("policy.name")["point"])
    assert result.metrics.set_index("point").loc[local, "policy.name"] == "local"
    (row,) = [row for row in result.manifest["precision_notes"] if PEAK in row["note"]]
    assert row["points"] == [chosen]
    results = read_results(tmp_path / "sweep")
    assert PEAK not in _notes(plot_results(results, "bars", where={"policy.name": "local"}))
    assert PEAK in _notes(plot_results(results, "bars", where={"policy.name": "model-select"}))


OVERLOADED = """
name: over
seed: 1
duration: 6 s
warmup: 0 s
nodes:
  phone: {tier: device, processor: {speed: 20 GFLOP/s}}
  server: {tier: edge, processor: {profile: t4}}
links:
  - {between: [phone, server], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  r50: {model: resnet50, output: 4 KB}
workload:
  - {app: r50, sources: phone, arrivals: poisson, rate: 4 /s}
policy: local
"""

OVERLOAD = "overloaded, throughput counts completed measured arrivals (capacity: a closed loop)"
BUSY = "a node busy all run while its queue grew"
GREW = "the tasks in the system grew all run"
SPEED = "nodes.phone.processor.speed (20 GFLOP/s) (under local only): the scenario's own figure"


@pytest.fixture(scope="module")
def overloaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Under ``local`` the phone (a plain speed) is offered about 2x its capacity; ``edge`` runs on the T4."""
    here = tmp_path_factory.mktemp("overloaded")
    (here / "over.yaml").write_text(OVERLOADED, encoding="utf-8")
    compare(here / "over.yaml", ["local", "edge"], 1, workers=1, out=here / "cmp")
    return here / "cmp"


def _utilisation_notes(folder: Path, **where: str | tuple[str, ...] | list[str]) -> str:
    return " ".join(_notes(plot_results(read_results(folder), "utilisation", where=where or None)).split())


def test_a_figure_of_some_nodes_says_only_the_warnings_about_them(overloaded: Path) -> None:
    """A figure of the server's utilisation said the phone's overload and busy queue; the tasks
    in the system that grew (no node named) are said of the whole run."""
    manifest = read_results(overloaded).manifest
    about = {row["facts"]["kind"]: row["facts"].get("nodes") for row in manifest["run_warnings"]}
    assert about["overloaded"].keys() == about["busy_growing"].keys() == {"phone"}
    for notes in (_utilisation_notes(overloaded), _utilisation_notes(overloaded, node="phone")):
        assert all(f"{said}: local (its run)" in notes for said in (OVERLOAD, BUSY, GREW))
    server = _utilisation_notes(overloaded, node="server")
    assert f"{GREW}: local (its run)" in server
    assert OVERLOAD not in server and BUSY not in server


def test_a_figure_of_other_nodes_leaves_out_a_plain_speed(overloaded: Path) -> None:
    """The phone's plain ``speed:`` was said under a figure of the server's utilisation alone."""
    assert SPEED in _utilisation_notes(overloaded)
    assert SPEED in _utilisation_notes(overloaded, node="phone")
    assert "nodes.phone.processor.speed" not in _utilisation_notes(overloaded, node="server")


def test_a_figure_of_one_policy_says_the_alternative_only_of_the_runs_that_served_it(tmp_path: Path) -> None:
    """A figure of ``local`` alone said the int8 alternative only ``model-select`` served; one of
    ``model-select`` alone says it without "(under model-select only)"."""
    (tmp_path / "alt.yaml").write_text(SCENARIO, encoding="utf-8")
    compare(tmp_path / "alt.yaml", ["local", "model-select"], 1, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    # a figure of nodes draws no application: the note is left out by its policies
    assert "mnv2-int8" in _notes(plot_results(results, "utilisation"))
    assert "mnv2-int8" not in _notes(plot_results(results, "utilisation", where={"policy": "local"}))
    chosen = " ".join(_notes(plot_results(results, "bars", where={"policy": "model-select"})).split())
    assert f"{PEAK} (the model 4x faster here)" in chosen


QUICKSTART = Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml"
POWER = "energy rests on nodes.phone.power, the shipped illustrative values"


@pytest.fixture
def node_energy():
    """A kind drawn from the nodes' records whose values are energy (``energy_j``), as a plug-in may add."""
    from offloadsim.plots.kind_registry import FigureKind, register_kind, unregister_kind

    register_kind(
        FigureKind(
            "node-energy-test",
            "each node's energy",
            "offloadsim.plots.figure_kinds.utilisation:figure",
            quantity_axes="y",
            options=frozenset({"by", "facet"}),
            records="node",
            drawn_values={"y": "energy_j"},
        )
    )
    yield "node-energy-test"
    unregister_kind("node-energy-test")


def test_a_figure_of_other_nodes_energy_leaves_out_the_phones_power(tmp_path: Path, node_energy: str) -> None:
    """The quickstart's phones have the shipped power values: a figure of the edge server's energy
    said "energy rests on nodes.phone.power"; one of a phone's, or of every node, says it."""
    text = QUICKSTART.read_text(encoding="utf-8").replace("duration: 120 s", "duration: 4 s")
    (tmp_path / "q.yaml").write_text(text.replace("warmup: 10 s", "warmup: 1 s"), encoding="utf-8")
    compare(tmp_path / "q.yaml", ["local", "edge"], 1, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    (row,) = [row for row in results.manifest["figure_notes"] if row["kind"] == "power"]
    assert row["nodes"] == ["phone"] and row["node_groups"] == {"phone": 20}  # the group, not its 20 phones

    def said(**where: str) -> str:
        return " ".join(_notes(plot_results(results, node_energy, where=where or None)).split())

    assert POWER in said() and POWER in said(node="phone-3")
    assert "nodes.phone.power" not in said(node="edge")
    # a manifest whose note names its nodes otherwise than as a list of them is refused, in one line
    path = tmp_path / "cmp" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    row["nodes"] = "phone-0"
    manifest["figure_notes"] = [row]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ExperimentError, match=r"figure_notes: expected .* the nodes it is about"):
        read_results(tmp_path / "cmp")


def test_a_sweep_of_the_phones_count_says_the_power_note_of_every_points_phones(
    tmp_path: Path, node_energy: str
) -> None:
    """Each point says the one power line: it was kept with the first point's phone-0 only, so a
    figure of phone-1 (the second point's) left it out."""
    (tmp_path / "quickstart.yaml").write_text(QUICKSTART.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        "name: count\nbase: quickstart.yaml\nset: {duration: 2 s, warmup: 0 s}\n"
        "grid:\n  nodes.phone.count: [1, 2]\npolicies: [local]\nreplications: 1\n",
        encoding="utf-8",
    )
    sweep(tmp_path / "sweep.yaml", out=tmp_path / "sw", workers=1)
    results = read_results(tmp_path / "sw")
    (row,) = [row for row in results.manifest["figure_notes"] if row["kind"] == "power"]
    assert row["nodes"] == ["phone"] and row["node_groups"] == {"phone": 2} and row["points"] == [0, 1]
    one = " ".join(_notes(plot_results(results, node_energy, where={"node": "phone-1"})).split())
    assert POWER in one


def test_a_note_on_every_phone_names_their_group_however_many_phones(tmp_path: Path) -> None:
    """A note on every phone of a ``count:`` group listed each one in the manifest: 51 bytes a
    phone, megabytes for a city.  It names the group; 200 phones write what 20 do but a digit."""
    text = QUICKSTART.read_text(encoding="utf-8").replace("duration: 120 s", "duration: 1 s")
    notes = {}
    for count in (20, 200):
        scenario = text.replace("count: 20", f"count: {count}").replace("warmup: 10 s", "warmup: 0 s")
        (tmp_path / f"q{count}.yaml").write_text(scenario, encoding="utf-8")
        out = tmp_path / f"c{count}"
        result = compare(tmp_path / f"q{count}.yaml", ["local", "edge"], 1, workers=1, out=out)
        notes[count] = [json.dumps(result.manifest[key]) for key in ("figure_notes", "precision_notes")]
        assert '"nodes": ["phone"]' in notes[count][0] and "phone-0" not in "".join(notes[count])
    for few, many in zip(notes[20], notes[200], strict=True):
        assert few.replace('"phone": 20}', '"phone": 200}') == many


def test_a_figure_of_one_phone_keeps_the_notes_of_its_group_only() -> None:
    """``phone`` (a group of 3: phone-0 .. phone-2) beside a node of its own named ``phone-7``: a
    figure of phone-1 keeps the note on the group, one of phone-7 does not; a note naming one
    node of a group (a partial list) is kept of that node alone."""
    from offloadsim.world.notes.kept import said_under_figure

    manifest = {
        "figure_notes": [
            {"note": "of every phone", "kind": "power", "nodes": ["phone"], "node_groups": {"phone": 3}},
            {"note": "of phone-2", "kind": "plain-speed", "nodes": ["phone-2"]},
        ]
    }

    def said(*nodes: str) -> list[str]:
        return said_under_figure(manifest, None, energy=True, nodes=nodes)

    assert said("phone-1") == ["of every phone"]
    assert said("phone-2") == ["of every phone", "of phone-2"]
    assert said("phone-7") == [] and said("phone-01") == [] and said("edge") == []


TWO_SPEEDS = """
name: two-speeds
seed: 1
duration: 3 s
warmup: 0 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 20 GFLOP/s}}
  watch: {tier: device, processor: {speed: 5 GFLOP/s}}
  server: {tier: edge, processor: {profile: t4}}
links:
  - {between: [phone-*, server], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [watch, server], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  m: {model: mobilenet_v2, output: 4 KB}
workload:
  - {app: m, sources: [phone-*, watch], arrivals: poisson, rate: 1 /s}
policy: local
"""


def test_a_figure_of_some_nodes_names_only_their_plain_speeds(tmp_path: Path) -> None:
    """One plain-speed line names the phones' and the watch's keys: a figure of the phones' utilisation
    said the watch's 5 GFLOP/s too; one of the watch says its own, one of every node both."""
    (tmp_path / "two.yaml").write_text(TWO_SPEEDS, encoding="utf-8")
    compare(tmp_path / "two.yaml", ["local", "edge"], 1, workers=1, out=tmp_path / "cmp")
    phone, watch = "nodes.phone.processor.speed (20 GFLOP/s)", "nodes.watch.processor.speed (5 GFLOP/s)"
    every = _utilisation_notes(tmp_path / "cmp")
    assert phone in every and watch in every
    for phones in ({"node": "phone-0"}, {"node": ("phone-0", "phone-1")}):
        said = _utilisation_notes(tmp_path / "cmp", **phones)
        assert f"{phone} (under local only): the scenario's own figure," in said and watch not in said
    said = _utilisation_notes(tmp_path / "cmp", node="watch")
    assert f"{watch} (under local only): the scenario's own figure," in said and phone not in said
    # a figure of a phone and the watch says both
    assert watch in _utilisation_notes(tmp_path / "cmp", node=("phone-1", "watch"))


def test_a_list_of_nodes_draws_and_says_what_a_tuple_does(tmp_path: Path) -> None:
    """``where={"node": [a, b]}`` was one value, the text "['phone-0', 'watch']": no node's, so the
    figure drew no bars and said no notes at exit 0.  A list is a tuple's values, any of them."""
    (tmp_path / "two.yaml").write_text(TWO_SPEEDS, encoding="utf-8")
    compare(tmp_path / "two.yaml", ["local", "edge"], 1, workers=1, out=tmp_path / "cmp")
    results = read_results(tmp_path / "cmp")
    drawn = {}
    for nodes in (("phone-0", "watch"), ["phone-0", "watch"]):
        fig = plot_results(results, "utilisation", where={"node": nodes})
        ticks = [tick.get_text() for ax in fig.axes for tick in ax.get_xticklabels()]
        drawn[type(nodes)] = (ticks, len(fig.axes[0].patches), " ".join(_notes(fig).split()))
    assert drawn[list] == drawn[tuple]
    ticks, bars, said = drawn[list]
    assert ticks == ["phone-0", "watch"] and bars > 0
    assert "nodes.phone.processor.speed (20 GFLOP/s)" in said and "nodes.watch.processor.speed" in said
