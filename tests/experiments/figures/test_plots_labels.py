"""Labels: swept keys are named by what they are, in their units; keys zipped with an axis or a series are
named under the figure; notes write swept quantities as the axis does."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from figure_checks import check_readable
from figure_helpers import _footnote, legend_texts, speeds_sweep, swept
from matplotlib.figure import Figure

from offloadsim import plots
from offloadsim.experiments import ExperimentError, read_results, sweep
from offloadsim.plots.axes import laid_out


@pytest.mark.parametrize(
    ("kind", "by", "where"),
    [
        ("cdf", "links[0].bandwidth", {"policy": "edge"}),
        ("bars", ["policy", "links[0].bandwidth"], None),
        ("utilisation", "links[0].bandwidth", {"policy": "edge"}),
    ],
)
def test_a_legend_names_a_swept_quantity_in_its_axis_unit(sweep_results, kind, by, where):
    """The legend wrote "5 Mbps" (the sweep's spelling) where the notes and axes of the same figure
    write "5 Mbit/s": one value under two names."""
    fig = plots.plot_results(sweep_results, kind, by=by, where=where)
    assert legend_texts(fig) == ["5 Mbit/s", "50 Mbit/s"]


def test_a_key_zipped_with_the_x_axis_is_named_under_it(two_apps):
    """The radio's latency falls as its bandwidth rises: an axis naming the bandwidth alone hid it."""
    fig = plots.plot_results(two_apps, "split", by="app", facet="policy.objective")
    labels = [ax.get_xlabel() for ax in fig.axes if ax.get_visible() and ax.get_xlabel()]
    assert labels and all(label.endswith("\nwith radio latency 50 ms, 20 ms, 5 ms") for label in labels)
    fig = plots.plot_results(two_apps, "sweep", by="app", facet="policy.objective", x="links[0].bandwidth")
    assert all(
        "with radio latency" in ax.get_xlabel() for ax in fig.axes if ax.get_visible() and ax.get_xlabel()
    )


def test_swept_keys_are_named_by_the_sweep_labels_or_by_what_they_are(two_apps, sweep_results):
    assert two_apps.manifest["labels"] == {
        "links[0].bandwidth": "phone–server bandwidth",
        "links[0].latency": "radio latency",
        "policy.objective": "objective",
    }
    ax = plots.plot_results(two_apps, "sweep", by="app", where={"policy.objective": "latency"}).axes[0]
    # (the second line names the key zipped with it: test_a_key_zipped_with_the_x_axis_is_named_under_it)
    assert ax.get_xlabel().splitlines()[0] == "phone–server bandwidth (Mbit/s)"
    ax = plots.plot_results(two_apps, "sweep", x="links[0].latency", by="app", facet="policy.objective").axes[
        0
    ]
    assert ax.get_xlabel().splitlines() == [
        "radio latency (ms)",
        # as an axis of it says, in the x axis' order: 100 Mbit/s goes with 5 ms
        "with phone–server bandwidth 100 Mbit/s, 10 Mbit/s, 1 Mbit/s",
    ]
    ax = plots.plot_results(sweep_results, "sweep", metric="latency_p95_s").axes[0]
    assert ax.get_xlabel() == "phone–ap bandwidth (Mbit/s)"
    assert ax.get_ylabel() == "p95 latency (ms)"
    assert sorted(ax.lines[0].get_xdata()) == [5.0, 50.0]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"local", "edge"}
    assert len(ax.collections) == 2  # one CI band per policy


def test_a_swept_dynamics_key_is_named_by_its_kind_with_its_unit(tmp_path):
    """``dynamics[0].in_flight`` labelled the commute sweep's x axis as the raw key path."""
    from experiment_data import TINY

    dynamics = "dynamics:\n  - {kind: failures, nodes: edge, mtbf: 10 s, mttr: 1 s}\n"
    (tmp_path / "tiny.yaml").write_text(TINY + dynamics, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "base: tiny.yaml\ngrid:\n  dynamics[0].mttr: [0.5, 2]\nreplications: 2\n", encoding="utf-8"
    )
    results = sweep(tmp_path / "s.yaml", out=tmp_path / "out", workers=1)
    results = read_results(tmp_path / "out")
    assert results.manifest["labels"] == {"dynamics[0].mttr": "failures MTTR"}
    ax = plots.plot_results(results, "sweep", by="policy").axes[0]
    assert ax.get_xlabel() == "failures MTTR (ms)"  # plain numbers at a time key are seconds
    # results written before dynamics keys had a name stored the key itself as its label
    old = dataclasses.replace(
        results, manifest={**results.manifest, "labels": {"dynamics[0].mttr": "dynamics[0].mttr"}}
    )
    assert plots.plot_results(old, "sweep", by="policy").axes[0].get_xlabel() == "failures MTTR (ms)"


def test_dynamics_keys_read_as_words_and_units():
    from offloadsim.analysis.values import axis_label_for, default_label

    doc = {"dynamics": [{"kind": "mobility"}, {"kind": "link-schedule"}]}
    assert default_label("dynamics[0].in_flight", doc) == "mobility in-flight rule"
    assert default_label("dynamics[0].access_points[2].radius", doc) == "mobility access point 3 radius"
    assert default_label("dynamics[1].steps[0].at", doc) == "link-schedule step 1 time"
    assert default_label("dynamics[5].update", doc) == "dynamics 5 update"  # no such entry: its number
    assert axis_label_for("dynamics[1].steps[0].at", "number", "t", 30.0) == ("t (s)", 1.0)
    # a radio's band, not a link's bit rate: 20e6 is 20 MHz, not 20 Mbit/s
    assert axis_label_for("dynamics[0].radio.bandwidth", "number", "band") == ("band (MHz)", 1e6)
    assert axis_label_for("dynamics[0].radio.bandwidth", "frequency", "band") == ("band (MHz)", 1e6)


def test_a_speed_under_dynamics_is_a_walking_speed_not_a_processor_speed():
    """A plain number swept at ``dynamics[0].random_waypoint.speed`` was labelled GFLOP/s (and divided
    by 1e9), as a node's ``speed``; ``--where`` read ``1.4 m/s`` as no speed at all."""
    from offloadsim.analysis.values import axis_label_for, quantity_kind, where_matches

    key = "dynamics[0].random_waypoint.speed"
    assert axis_label_for(key, "number", "walk", 1.5) == ("walk (m/s)", 1.0)
    assert axis_label_for("nodes.edge.speed", "number", "edge", 1e12) == ("edge (GFLOP/s)", 1e9)
    assert quantity_kind(["0.5 m/s", "1.5 m/s"]) == "velocity"  # a swept walking speed is a number too
    assert axis_label_for(key, "velocity", "walk") == ("walk (m/s)", 1.0)
    assert where_matches(pd.Series([1.4, 2.0]), key, "1.4 m/s").tolist() == [True, False]
    assert where_matches(pd.Series([1.4, 2.0]), key, "5.04 km/h").tolist() == [True, False]


def test_a_swept_mobility_length_is_drawn_to_scale_in_metres():
    """An access point's ``radius`` swept as ``150 m``, ``250 m``, ``400 m`` was drawn as three
    evenly spaced categories with no unit, and as plain numbers with no unit on the axis."""
    from offloadsim.analysis.values import axis_label_for, key_kind, quantity_kind, where_matches
    from offloadsim.plots.series import x_positions

    key = "dynamics[0].access_points[1].radius"
    assert quantity_kind(["150 m", "0.4 km"]) == "length"
    positions, label, numeric, order = x_positions(["400 m", "150 m", "250 m"], key, None, "reach")
    assert (positions.tolist(), label, numeric, order) == (
        [150.0, 250.0, 400.0],
        "reach (m)",
        True,
        ["150 m", "250 m", "400 m"],
    )
    assert axis_label_for(key, "number", "reach", 400.0) == ("reach (m)", 1.0)
    for length in ("access_points[0].position[1]", "random_waypoint.area[0]", "radio.reference_distance"):
        assert key_kind(f"dynamics[0].{length}") == "length", length
    assert key_kind("dynamics[0].random_waypoint.speed") == "velocity"  # still m/s
    assert where_matches(pd.Series(["150 m", "250 m"]), key, "0.15 km").tolist() == [True, False]


def test_a_swept_rate_below_one_a_second_reads_per_minute():
    """Requests swept at 0.5, 2 and 5 a minute were drawn at 0.00833333, 0.0333333 and 0.0833333
    (1/s), and named so in the notes under the figure."""
    from offloadsim.analysis.values import axis_label_for, axis_texts
    from offloadsim.plots.series import x_positions

    key = "workload[0].rate"
    positions, label, _, order = x_positions(["5 /min", "0.5 /min", "2 /min"], key, None, "requests")
    assert (positions.tolist(), label, order) == (
        pytest.approx([0.5, 2.0, 5.0]),
        "requests per source (per min)",  # a workload's rate is each source's (HL35)
        ["0.5 /min", "2 /min", "5 /min"],
    )
    assert axis_texts(["0.5 /min", "5 /min"]) == ["0.5 /min", "5 /min"]
    assert axis_label_for(key, "number", "requests", 0.5) == (
        "requests per source (per min)",
        pytest.approx(1 / 60),
    )
    assert axis_label_for(key, "number", "requests", 1 / 7200)[0] == "requests per source (per h)"
    assert axis_label_for(key, "rate", "requests", 2.0) == (
        "requests per source (per s)",
        1.0,
    )  # 1 /s and more: per second


def test_a_label_for_a_key_that_is_not_swept_is_an_error(tmp_path):
    from experiment_data import TINY

    from offloadsim.experiments import load_sweep
    from offloadsim.scenario import ScenarioError

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "base: tiny.yaml\ngrid:\n  links[0].bandwidth: [5 Mbps]\nlabels:\n  links[0].bandwith: uplink\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ScenarioError, match=r'labels\["links\[0\].bandwith"\]: not a swept key.*did you mean'
    ):
        load_sweep(tmp_path / "s.yaml")


def test_a_note_under_a_sweep_of_rates_writes_the_rate_as_a_scenario_does():
    """A sweep of request rates noted lines ``at 2–8 1/min`` under an axis in ``1/min``: a rate
    reads ``2–8 /min`` after a number, as the sweep file wrote it, and ``per min`` on the axis."""
    from offloadsim.plots.sweep_lines import coinciding_lines

    rates = ["2 /min", "4 /min", "8 /min", "12 /min"]
    lines = {"jet": [6, 10, 7, 3], "cloud": [6, 11, 22, 33], "split": [6, 11, 22, 31]}
    rows = [
        {"policy": policy, "rate": rate, "replication": rep, "tokens": value}
        for policy, values in lines.items()
        for rate, value in zip(rates, values, strict=True)
        for rep in (0, 1)
    ]
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(pd.DataFrame(rows), "tokens", "rate", ax=ax, label="arrival rate")
    assert ax.get_xlabel() == "arrival rate (per min)"
    note = coinciding_lines([ax])
    assert "at 2–8 /min" in note and "1/min" not in note, note


def test_a_swept_token_count_reads_tokens_on_the_axis_and_at_the_line_ends():
    """A trial's prompt-length sweep read "chat prompt tokens (count)" and labelled its energy
    line's ends "32 count" and "2048 count"."""
    rows = [
        {"policy": "local", "applications.chat.prompt_tokens": n, "replication": rep,
         "latency_mean_s": n / 100, "device_energy_mean_j": n / 40, "ttft_mean_s": n / 200}
        for n in (32, 512, 2048)
        for rep in (0, 1)
    ]  # fmt: skip
    metrics = pd.DataFrame(rows)
    key = "applications.chat.prompt_tokens"
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "ttft_mean_s", key, ax=ax, label="chat prompt tokens")
    assert ax.get_xlabel() == "chat prompt (tokens)"  # the unit said once
    _, ax = plots.new_axes("one-column")
    plots.energy_latency(metrics, x=key, ax=ax)
    ends = sorted(t.get_text() for t in ax.texts)
    assert ends == ["2,048 tokens", "32 tokens"]  # grouped as the axes write it


def test_the_series_key_is_not_said_to_move_with_itself(speed_sweep):
    """A sweep's policies are its policy.name: the note said "each policy has its own policy: local local;
    edge edge" under every figure of a sweep of policies."""
    fig = plots.plot_results(
        speed_sweep, "sweep", x="links[0].bandwidth", facet="nodes.phone.processor.speed"
    )
    assert "has its own" not in fig.get_supxlabel(), fig.get_supxlabel()


def test_a_policy_entry_s_label_is_not_said_to_have_its_own_policy_name(tmp_path):
    """An entry with parameters is labelled by its text, not its name: the note said "each policy has
    its own policy: fixed(node=edge) fixed; local local" under the figure."""
    results = speeds_sweep(
        tmp_path, "grid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\npolicies: ['fixed(node=edge)', local]\n"
    )
    fig = plots.plot_results(results, "sweep", x="links[0].bandwidth")
    assert [t.get_text() for t in (fig.axes[0].get_legend() or fig.legends[0]).get_texts()] == [
        "fixed(node=edge)",
        "local",
    ]
    assert "has its own" not in fig.get_supxlabel(), fig.get_supxlabel()
    # A plain name runs with the file's parameters, which its label does not say: still named.
    (tmp_path / "file").mkdir()
    results = speeds_sweep(
        tmp_path / "file",
        "set:\n  policy: {name: edge, fallback: drop}\n"
        "grid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\npolicies: [edge, 'edge(fallback=local)']\n",
    )
    note = " ".join(plots.plot_results(results, "sweep", x="links[0].bandwidth").get_supxlabel().split())
    assert "each value of policy has its own fallback: edge drop; edge(fallback=local) local" in note, note
    assert "has its own policy" not in note, note


def test_where_takes_a_swept_mapping_as_sweep_dry_run_lists_it(tmp_path, capsys):
    """`sweep --dry-run` lists a swept mapping as YAML (`{speed: 40 GFLOP/s, cores: 2}`), the tables
    store it as JSON with sorted keys, and `--where` matched only the JSON: the listed form was refused."""
    from offloadsim.cli import main

    axes = "grid:\n  nodes.phone.processor: [{speed: 10 GFLOP/s}, {speed: 40 GFLOP/s, cores: 2}]\n"
    speeds_sweep(tmp_path, axes, run=False)
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--dry-run"]) == 0
    listed = "nodes.phone.processor={speed: 40 GFLOP/s, cores: 2}"
    assert listed in capsys.readouterr().out
    results = speeds_sweep(tmp_path, axes)
    plot = ["plot", str(tmp_path / "sweep"), "--kind", "bars", "--out", str(tmp_path / "f"), "--where"]
    for given in (listed, "nodes.phone.processor={cores: 2, speed: 40 GFLOP/s}"):
        assert main([*plot, given]) == 0
    fig = plots.plot_results(
        results, "bars", where={"nodes.phone.processor": "{speed: 40 GFLOP/s, cores: 2}"}
    )
    bars = [p.get_height() for p in fig.axes[0].patches]
    assert bars == [pytest.approx(25.0)]  # 1 GFLOP at 40 GFLOP/s: the 40 GFLOP/s point's alone
    assert main([*plot, "nodes.phone.processor={speed: 1}"]) == 2


def test_a_figure_names_a_swept_mapping_as_yaml_not_as_the_json_the_tables_hold(tmp_path, capsys):
    """A sweep of the phone's processor titled its panels `phone processor = {"cores": 2, "speed":
    "40 GFLOP/s"}` and listed its legend and a refusal's values so, where `--dry-run` and `--where`
    write YAML's `{speed: 40 GFLOP/s, cores: 2}`; a list zipped with the series read `["edge"]`."""
    from offloadsim.cli import main

    axes = (
        "set:\n  policy.name: fixed\n"
        "zip:\n  nodes.phone.processor: [{speed: 10 GFLOP/s}, {speed: 40 GFLOP/s, cores: 2}]\n"
        "  policy.nodes: [[edge], [$source]]\n"
    )
    results = speeds_sweep(tmp_path, axes)
    shown = ["{speed: 10 GFLOP/s}", "{cores: 2, speed: 40 GFLOP/s}"]
    fig = plots.plot_results(results, "bars", facet="nodes.phone.processor")
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible() and ax.get_title(loc="left")]
    assert [t.split(" = ", 1)[1] for t in titles] == shown, titles
    fig = plots.plot_results(results, "cdf", by="nodes.phone.processor")
    legend = fig.axes[0].get_legend() or fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == shown
    note = " ".join(fig.get_supxlabel().split())
    assert f"has its own nodes: {shown[0]} [edge]; {shown[1]} [$source]" in note, note
    plot = ["plot", str(tmp_path / "sweep"), "--kind", "cdf", "--out", str(tmp_path / "f"), "--where"]
    assert main([*plot, "nodes.phone.processor={speed: 1}"]) == 2
    assert capsys.readouterr().err.rstrip().endswith(f"nodes.phone.processor is one of {', '.join(shown)}")
    assert main([*plot, f"nodes.phone.processor={shown[1]}"]) == 0  # the form it lists is one it takes


def test_a_key_zipped_with_the_series_is_named_under_the_axes(tmp_path):
    """Stations and cuts of a fixed policy swept in one zip: the legend named the stations only, and
    nothing on the figure said that each line also had its own cuts."""
    results = speeds_sweep(
        tmp_path,
        "grid:\n  links[0].bandwidth: [5 Mbps, 50 Mbps]\n"
        "zip:\n  nodes.phone.processor.speed: [10 GFLOP/s, 40 GFLOP/s]\n  links[0].latency: [2 ms, 20 ms]\n",
    )
    fig = plots.plot_results(results, "sweep", x="links[0].bandwidth", by="nodes.phone.processor.speed")
    note = " ".join(fig.get_supxlabel().split())  # as read, wherever the note wraps
    assert "has its own phone–edge latency: 10 GFLOP/s 2 ms; 40 GFLOP/s 20 ms" in note, note
    # Shown on the figure itself (here as the panels), it needs no word.
    fig = plots.plot_results(
        results, "sweep", x="links[0].bandwidth", by="nodes.phone.processor.speed", facet="links[0].latency"
    )
    assert "has its own" not in fig.get_supxlabel()


def test_a_y_label_taller_than_its_axes_is_broken_in_two_not_cut_at_the_figures_top(sweep_drops):
    """The notes under a one-column energy figure left its axes shorter than "device energy per task
    above idle (mJ)", which ran past the figure's top edge and was cut off in the saved file."""
    from offloadsim.plots.checks import figure_problems

    fig = Figure(figsize=(3.5, 1.4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([1, 2], [1, 2])
    ax.set_ylabel("device energy per task above idle (mJ)")
    assert any("runs past the figure's edge" in problem for problem in figure_problems(fig))
    fig = plots.plot_results(sweep_drops, "energy", size="one-column")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    assert ax.get_ylabel().replace("\n", " ") == "device energy per task above idle (mJ)"
    check_readable(fig)


def test_notes_under_a_figure_write_swept_quantities_in_the_axis_unit(two_apps, sweep_results):
    """The axis said "phone–server bandwidth (Mbit/s)" while the note under it said "1 Mbps, 10 Mbps":
    the sweep file's spelling beside the axis', of one quantity."""
    from offloadsim.plots.completion import incomplete_note

    ax = plots.plot_results(two_apps, "sweep", x="links[0].latency", by="app", facet="policy.objective").axes[
        0
    ]
    assert "Mbps" not in ax.get_xlabel() and "100 Mbit/s, 10 Mbit/s, 1 Mbit/s" in ax.get_xlabel()
    tasks = pd.DataFrame(
        {
            "links[0].bandwidth": ["500 kbps", "500 kbps", "1 Gbps", "1 Gbps"],
            "status": ["completed", "dropped", "completed", "completed"],
        }
    )
    note = incomplete_note(tasks, ["links[0].bandwidth"], str)
    assert note.endswith("(links[0].bandwidth):\n0.5 Mbit/s 50 %"), note
    starved = sweep_results.tasks.assign(
        status=np.where(sweep_results.tasks["links[0].bandwidth"] == "5 Mbps", "dropped", "completed")
    )
    note = _footnote(
        plots.plot_results(
            dataclasses.replace(sweep_results, tasks=starved), "cdf", by="links[0].bandwidth,policy"
        )
    )
    assert "not drawn, no task completed (phone–ap bandwidth, policy): 5 Mbit/s, local" in note, note
    assert "Mbps" not in note


def test_a_swept_keys_label_given_for_its_column_names_the_column(tmp_path):
    """The figures name a swept key by its label ("uplink"), so a reader typed `--by uplink` back, and
    was asked "did you mean "point"?" or nothing, with no word of the column it labels."""
    results = speeds_sweep(
        tmp_path,
        "grid:\n  nodes.phone.processor.speed: [10 GFLOP/s, 40 GFLOP/s]\n"
        "  links[0].bandwidth: [5 Mbps, 50 Mbps]\nlabels:\n  links[0].bandwidth: Uplink\n",
    )
    said = 'no such column (did you mean "links[0].bandwidth"? "uplink" is its label'
    for options in (
        {"by": "uplink", "x": "nodes.phone.processor.speed"},
        {"where": {"uplink": "5 Mbps"}},
        {"x": "uplink"},
    ):
        with pytest.raises(ExperimentError, match=re.escape(said)):
            plots.plot_results(results, "sweep", **options)


def test_a_swept_radio_level_or_loss_reads_in_dbm_or_db():
    """A radio's transmit power and noise (dBm) and its reference loss (dB) were no quantity: swept
    as ``23 dBm`` they were categories with no unit, as plain numbers numbers with none, on the axis
    and in the sweep table's heading (where a mobility radius reads ``(m)``)."""
    from offloadsim.analysis.values import axis_label_for, key_kind, quantity_kind, table_heading
    from offloadsim.plots.series import x_positions

    assert (quantity_kind(["17 dBm", "-95 dBm"]), quantity_kind(["35 dB", "40 dB"])) == ("level", "gain")
    for key, unit in (
        ("dynamics[0].radio.transmit_power", "dBm"),
        ("dynamics[0].access_points[1].transmit_power", "dBm"),
        ("dynamics[0].radio.noise", "dBm"),
        ("dynamics[0].radio.reference_loss", "dB"),
    ):
        assert axis_label_for(key, "number", "it") == (f"it ({unit})", 1.0), key
        assert table_heading(key, [-100, -90], "it") == f"it ({unit})", key
    assert table_heading("dynamics[0].radio.noise", ["-100 dBm"], "it") == "it"  # each cell says dBm
    assert key_kind("nodes.phone.processor.noise") is None  # a processor's noise switch is no level
    positions, label, numeric, order = x_positions(["20 dBm", "1 dBm", "10 dBm"], "k", None, "power")
    assert (positions.tolist(), label, numeric, order) == (
        [1.0, 10.0, 20.0],
        "power (dBm)",
        True,
        ["1 dBm", "10 dBm", "20 dBm"],
    )


def test_a_swept_power_battery_tail_sojourn_or_step_interval_of_plain_numbers_reads_in_its_unit():
    """A node's power states, its battery and its radio tail, a Gilbert-Elliott state's mean sojourn,
    a random walk's step interval and a processor's memory bandwidth, swept as plain numbers, had no
    unit on an axis or in the sweep table's heading (nor could --where give them one)."""
    from offloadsim.analysis.values import axis_label_for, table_heading, where_matches

    for key, heading, axis in (
        ("nodes.phone.power.idle", "it (W)", ("it (W)", 1.0)),
        ("nodes.phone.power.down", "it (W)", ("it (W)", 1.0)),
        ("nodes.phone.power.battery", "it (J)", ("it (J)", 1.0)),
        ("nodes.phone.power.tail", "it (s)", ("it (ms)", 1e-3)),
        ("dynamics[0].good.mean", "it (s)", ("it (ms)", 1e-3)),
        ("dynamics[1].every", "it (s)", ("it (ms)", 1e-3)),
        ("nodes.edge.processor.memory_bandwidth", "it (B/s)", ("it (GB/s)", 1e9)),
    ):
        assert table_heading(key, [1, 2], "it") == heading, key
        assert axis_label_for(key, "number", "it") == axis, key
    assert table_heading("applications.a.work.exponential.mean", [1, 2], "it") == "it"  # a mean of what
    assert where_matches(pd.Series([3600.0, 7200.0]), "nodes.phone.power.battery", "1 Wh").tolist() == [
        True,
        False,
    ]


@pytest.mark.parametrize("kind", ["sweep", "split"])
def test_a_swept_transmit_power_is_a_linear_axis_in_dbm(radio_sweep, kind):
    """Swept from 1 to 20 dBm, a transmit power had no unit; read as a quantity spanning 20×, it
    would go on a log axis, which a scale in decibels already is."""
    fig = plots.plot_results(radio_sweep, kind, x="dynamics[0].radio.transmit_power")
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    assert ax.get_xlabel().split("\n")[0] == "mobility radio transmit power (dBm)"
    assert ax.get_xscale() == "linear"
    assert [t.get_text() for t in ax.get_xticklabels() if t.get_text()] == ["1", "10", "20"]


def test_the_sweep_table_heads_a_swept_noise_of_plain_numbers_with_dbm(radio_sweep):
    from experiment_data import table_headings

    from offloadsim.cli.experiments import _sweep_table

    again = sweep(radio_sweep.path.parent / "sweep.yaml", out=radio_sweep.path, workers=1)  # every job reused
    headings = table_headings(_sweep_table(again))  # wrapped where the table is wide
    assert "mobility radio noise (dBm)" in headings
    assert "mobility radio transmit power" in headings, headings


def test_the_notes_of_tasks_not_completed_name_a_swept_noise_of_plain_numbers_in_dbm(radio_sweep):
    """The notes of configurations that completed few or none of their tasks named a radio noise swept
    as plain numbers without its unit (``(mobility radio noise): -100``), and so did the note of what
    moves with it (``each value of mobility radio noise has its own ...: -100 1 dBm``), a legend of it and
    the title of a panel of it, where its axis, the sweep table and the with-line say dBm."""
    from offloadsim.plots.completion import incomplete_note

    key = "dynamics[0].radio.noise"
    noise = radio_sweep.tasks[key]
    starved = radio_sweep.tasks.assign(status=np.where(noise == -100, "dropped", "completed"))
    fig = plots.plot_results(dataclasses.replace(radio_sweep, tasks=starved), "cdf", by=f"{key},policy")
    note = " ".join(_footnote(fig).split())
    assert "not drawn, no task completed (mobility radio noise (dBm), policy): -100, local" in note, note
    moving = "each value of mobility radio noise (dBm) has its own mobility radio transmit power: -100 1 dBm;"
    assert moving in note, note
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    assert [legend.get_title().get_text() for legend in legends] == ["mobility radio noise (dBm), policy"]
    fig = plots.plot_results(radio_sweep, "cdf", by="policy", facet=key)
    titles = [" ".join(ax.get_title(loc="left").split()) for ax in fig.axes if ax.get_visible()]
    expected = [f"({c}) mobility radio noise (dBm) = {n}" for c, n in (("a", -100), ("b", -95), ("c", -90))]
    assert titles == expected, titles
    tasks = pd.DataFrame(
        {key: [-100, -100, -90, -90], "status": ["completed", "dropped", *["completed"] * 2]}
    )
    note = incomplete_note(tasks, [key], lambda _: "mobility radio noise")
    assert note.endswith("in (mobility radio noise (dBm)):\n-100 50 %"), note
    written = tasks.assign(**{key: tasks[key].astype(str) + " dBm"})  # each value says its unit
    assert incomplete_note(written, [key], lambda _: "noise").endswith("in (noise):\n-100 dBm 50 %")


@pytest.mark.parametrize("kind", ["sweep", "split"])
@pytest.mark.parametrize("size", ["one-column", "two-column"])
def test_five_keys_zipped_with_the_x_axis_are_named_on_lines_that_fit_the_figure(radio_sweep, kind, size):
    """A zip of five keys made a "with ..." line under the x axis three times as wide as the figure,
    its ends cut off in the saved file. Its items go whole onto lines that fit, as many to a line as
    fit, each in its unit."""
    fig = plots.plot_results(radio_sweep, kind, x="dynamics[0].radio.transmit_power", size=size)
    (ax,) = (ax for ax in fig.axes if ax.get_visible())
    lines = ax.get_xlabel().split("\n")[1:]
    items = [
        "mobility radio noise (dBm) -100, -95, -90",
        "mobility radio reference loss 35 dB, 40 dB, 45 dB",
        "mobility radio exponent 3.0, 3.5, 4.0",
        "ap–edge latency 1 ms, 2 ms, 5 ms",
    ]
    assert " ".join(lines) == f"with {'; '.join(items)}"  # nothing lost or added
    assert all(any(item in line for line in lines) for item in items), lines  # none cut in two
    assert len(lines) > 1
    check_readable(fig)  # no line runs past the figure's edge


@pytest.mark.parametrize("kind", ["sweep", "split"])
def test_the_zipped_keys_under_panels_side_by_side_stay_under_their_own_panel(radio_sweep, kind):
    """Each panel's "with ..." lines are wrapped to its own room: those of panels side by side never meet."""
    fig = plots.plot_results(radio_sweep, kind, x="dynamics[0].radio.transmit_power", facet="policy")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2 and all(ax.get_xlabel().count("\n") > 1 for ax in axes)
    renderer = laid_out(axes[0])
    left, right = (ax.xaxis.label.get_window_extent(renderer) for ax in axes)
    assert left.x1 < right.x0
    check_readable(fig)


@pytest.fixture(scope="module")
def downward_zip(tmp_path_factory):
    """two_apps' bandwidth swept downwards, zipped with a latency that repeats a value."""
    from experiment_data import TWO_APPS

    text = (
        "base: two.yaml\nreplications: 1\nzip:\n  links[0].bandwidth: [100 Mbps, 10 Mbps, 2 Mbps, 1 Mbps]\n"
        "  links[0].latency: [5 ms, 5 ms, 20 ms, 50 ms]\nlabels:\n  links[0].latency: radio latency\n"
    )
    return swept(tmp_path_factory, "plots-downward-zip", "two.yaml", TWO_APPS, text)


@pytest.mark.parametrize("where", [None, {"links[0].bandwidth": ("100 Mbps", "2 Mbps", "1 Mbps")}])
def test_a_key_zipped_with_x_is_named_in_the_axis_order_even_where_a_value_repeats(downward_zip, where):
    """A bandwidth swept from 100 down to 1 Mbit/s beside a latency from 5 up to 50 ms: the note
    under an axis running 1 → 100 Mbit/s listed the latencies as the sweep file did (5 ms first,
    read as the latency at 1 Mbit/s, where it is 50 ms); and a latency that repeats a value
    (5 ms at 100 and at 10 Mbit/s) was not noted at all, though it moves along the axis."""
    expected = "radio latency 50 ms, 20 ms, 5 ms" + (", 5 ms" if where is None else "")
    for kind in ("split", "sweep"):
        fig = plots.plot_results(downward_zip, kind, by="app", where=where)
        labels = [ax.get_xlabel() for ax in fig.axes if ax.get_visible() and ax.get_xlabel()]
        said = [" ".join(label.split()) for label in labels]
        assert said and all(label.endswith(f"with {expected}") for label in said), said
    fig = plots.plot_results(downward_zip, "energy", by="policy", where={**(where or {}), "app": "small"})
    note = " ".join(_footnote(fig).split())
    assert f"along each line, phone–server bandwidth 1 Mbit/s to 100 Mbit/s with {expected}" in note, note


def test_a_key_given_to_by_or_facet_is_not_the_default_x(speed_sweep):
    """The default x was the first numeric swept key even when --by or --facet named it, and the
    figure was then refused: `--facet nodes.phone.processor.speed: it is the x axis`, an x the user
    never chose. The next swept key (the bandwidth) is the x instead."""
    for options in (
        {"facet": "nodes.phone.processor.speed"},
        {"by": "nodes.phone.processor.speed", "where": {"policy": "edge"}},
    ):
        fig = plots.plot_results(speed_sweep, "sweep", **options)
        axes = [ax for ax in fig.axes if ax.get_visible()]
        assert all("bandwidth" in ax.get_xlabel() for ax in axes if ax.get_xlabel()), options
    fig = plots.plot_results(speed_sweep, "energy", facet="nodes.phone.processor.speed")
    assert "Mbit/s" in fig.get_supxlabel(), "its line ends are bandwidths"


def test_a_zipped_list_too_long_for_a_line_is_said_by_its_size_under_the_figure(tmp_path):
    """RSU counts zipped with their access-point lists: the note under the figure wrote each list
    whole, eight mappings for the eighth, and took half the figure's height."""
    links = [f"[{{between: [phone, edge], bandwidth: {b}, latency: 2 ms}}]" for b in ("5 Mbps", "50 Mbps")]
    results = speeds_sweep(
        tmp_path,
        f"zip:\n  nodes.phone.processor.speed: [10 GFLOP/s, 40 GFLOP/s]\n  links: [{', '.join(links)}]\n",
    )
    under = "(in full in the results' summary.csv)"
    fig = plots.plot_results(results, "cdf", by="nodes.phone.processor.speed")
    note = " ".join(fig.get_supxlabel().split())
    assert f"has its own links: 10 GFLOP/s a list of 1; 40 GFLOP/s a list of 1 {under}" in note, note
    fig = plots.plot_results(results, "sweep", x="nodes.phone.processor.speed")
    (label,) = [" ".join(ax.get_xlabel().split()) for ax in fig.axes if ax.get_visible() and ax.get_xlabel()]
    assert label.endswith(f"with links a list of 1, a list of 1 {under}"), label
