"""A sweep of a workload entry's rate says the rate is each source's (HC35's trial: 5 phones' total?)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from offloadsim import plots


def _sweep(key: str) -> pd.DataFrame:
    rates = ["2 /min", "4 /min", "8 /min"]
    return pd.DataFrame(
        [
            {"policy": "edge", key: rate, "replication": rep, "ttft_mean_s": 0.1 * (i + 1) + 0.01 * rep}
            for i, rate in enumerate(rates)
            for rep in (0, 1)
        ]
    )


def test_a_workload_rate_axis_says_per_source():
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(
        _sweep("workload[0].rate"), "ttft_mean_s", "workload[0].rate", ax=ax, label="chat arrival rate"
    )
    assert ax.get_xlabel() == "chat arrival rate per source (per min)"


def test_a_label_that_names_the_sources_is_left_as_written():
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(
        _sweep("workload[0].rate"), "ttft_mean_s", "workload[0].rate", ax=ax, label="rate of each source"
    )
    assert ax.get_xlabel() == "rate of each source (per min)"


def _rate_sweep(tmp_path, grid: str, labels: str = "", phones: str = "  nodes.phone.count: 3\n"):
    """A sweep of quickstart's rate over its 3 phones (``grid``: the sweep file's grid lines)."""
    from offloadsim.experiments import read_results, sweep

    tmp_path.mkdir(exist_ok=True)
    quickstart = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
    (tmp_path / "sweep.yaml").write_text(
        f"base: {quickstart}\nset:\n  duration: 2 s\n  warmup: 0 s\n{phones}"
        f"grid:\n{grid}policies: [local]\nreplications: 1\n{labels}",
        encoding="utf-8",
    )
    sweep(tmp_path / "sweep.yaml", workers=1, out=tmp_path / "out")
    return read_results(tmp_path / "out")


def test_a_swept_rate_axis_says_how_many_sources_send_at_it(tmp_path):
    """ "classify arrival rate per source (per s)" did not say over how many phones (HC36)."""
    from offloadsim.plots.results import plot_results

    results = _rate_sweep(tmp_path, "  workload[0].rate: [1 /s, 2 /s]\n")
    (ax,) = plot_results(results, "sweep", metric="throughput_per_s").axes[:1]
    assert ax.get_xlabel().startswith("classify arrival rate at each of 3 sources (")
    labelled = _rate_sweep(
        tmp_path / "b", "  workload[0].rate: [1 /s, 2 /s]\n", "labels:\n  workload[0].rate: load\n"
    )
    (ax,) = plot_results(labelled, "sweep", metric="throughput_per_s").axes[:1]
    assert ax.get_xlabel().startswith("load at each of 3 sources (")


def test_a_rate_swept_with_the_count_of_sources_names_no_count(tmp_path):
    from offloadsim.plots.results import plot_results

    grid = "  workload[0].rate: [1 /s, 2 /s]\n  nodes.phone.count: [2, 3]\n"
    results = _rate_sweep(tmp_path, grid, phones="")
    figure = plot_results(
        results, "sweep", metric="throughput_per_s", x="workload[0].rate", by="nodes.phone.count"
    )
    assert figure.axes[0].get_xlabel().startswith("classify arrival rate per source (")


def test_a_rate_swept_per_minute_reads_per_minute_on_the_axis_as_in_the_table(tmp_path):
    """A grid of 30, 60 and 120 /min: the table wrote ``30 /min``, the axis ``(per s)`` under 0.5 to 2."""
    from offloadsim.plots.results import plot_results

    results = _rate_sweep(tmp_path, "  workload[0].rate: [30 /min, 60 /min, 120 /min]\n")
    assert set(pd.read_csv(tmp_path / "out" / "summary.csv")["workload[0].rate"]) == {
        "30 /min",
        "60 /min",
        "120 /min",
    }
    (ax,) = plot_results(results, "sweep", metric="throughput_per_s").axes[:1]
    assert ax.get_xlabel().endswith("(per min)")
    assert sorted(set(ax.get_lines()[0].get_xdata())) == [30.0, 60.0, 120.0]


def test_a_rate_swept_below_one_per_second_stays_per_second():
    """The other way round: ``[0.25 /s, 0.5 /s]`` read ``(per min)`` under 15 and 30."""
    rates = ["0.25 /s", "0.5 /s"]
    frame = pd.DataFrame(
        [
            {"policy": "edge", "workload[0].rate": r, "replication": k, "m": 1.0 + k}
            for r in rates
            for k in (0, 1)
        ]
    )
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(frame, "m", "workload[0].rate", ax=ax, label="rate")
    assert ax.get_xlabel() == "rate per source (per s)"
    assert sorted(set(ax.get_lines()[0].get_xdata())) == [0.25, 0.5]


def test_a_label_that_states_its_unit_is_not_given_it_again():
    """ "frames per second per phone at each of 10 sources (per s)": a user's label said the unit once."""
    frame = pd.DataFrame(
        [
            {"policy": "edge", "workload[0].rate": r, "replication": k, "m": 1.0 + k}
            for r in ("30 /min", "60 /min")
            for k in (0, 1)
        ]
    )
    _, ax = plots.new_axes("one-column")
    label = "frames per second of each source"
    plots.metric_vs_parameter(frame, "m", "workload[0].rate", ax=ax, label=label)
    assert ax.get_xlabel() == label
    # The axis reads in the unit the words state (per second), not the per minute the values were written in.
    assert sorted(set(ax.get_lines()[0].get_xdata())) == [0.5, 1.0]
    symbol = "uploads/min of each source"
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(
        frame.replace({"30 /min": "1 /s", "60 /min": "2 /s"}), "m", "workload[0].rate", ax=ax, label=symbol
    )
    assert ax.get_xlabel() == symbol
    assert sorted(set(ax.get_lines()[0].get_xdata())) == [60.0, 120.0]
