"""Intervals of bounded quantities stay within their bounds, and the figure says why they stop there."""

from __future__ import annotations

import pandas as pd

from offloadsim import plots
from offloadsim.plots.charts import utilisation_cut


def _busy_nodes() -> pd.DataFrame:
    """Two replications of a phone 80 % and 99 % busy: a t-interval (± 12.7 standard errors) past 100 %."""
    return pd.DataFrame(
        [
            {"node": node, "tier": tier, "cores": 1, "policy": "local", "replication": r, "utilisation": busy}
            for node, tier, busy_by_run in (("phone-0", "device", (0.80, 0.99)), ("edge", "edge", (0.1, 0.1)))
            for r, busy in enumerate(busy_by_run)
        ]
    )


def test_a_utilisation_axis_stops_near_100_percent_and_says_the_bars_were_cut():
    """Two replications made a CI of 89.5 % ± 120 %: the bar's arm stopped at 100 % but the axis
    reached 300 %, as if utilisations went there, and nothing said the arm was cut."""
    _, ax = plots.new_axes("one-column")
    plots.node_utilisation(_busy_nodes(), ax=ax, level="node")
    assert ax.get_ylim()[1] <= 100 * 1.1 + 1e-9
    assert utilisation_cut([ax])
    # Five replications close together: nothing cut, nothing said.
    calm = pd.DataFrame(
        [
            {"node": "phone-0", "tier": "device", "cores": 1, "policy": "local", "replication": r}
            | {"utilisation": u}
            for r, u in enumerate((0.5, 0.51, 0.52, 0.5, 0.51))
        ]
    )
    _, ax = plots.new_axes("one-column")
    plots.node_utilisation(calm, ax=ax, level="node")
    assert not utilisation_cut([ax])


def _energy_metrics() -> pd.DataFrame:
    """Two policies over three uplinks, 2 replications: energies from 10 mJ to 1.3 J, spread wide."""
    rows = []
    for policy, energies in (("edge", (0.49, 0.2, 0.01)), ("least-loaded", (1.1, 0.25, 0.012))):
        for bandwidth, energy in zip(("2 Mbps", "10 Mbps", "100 Mbps"), energies, strict=True):
            for r, spread in enumerate((0.7, 1.3)):
                rows.append(
                    {
                        "policy": policy,
                        "replication": r,
                        "links[0].bandwidth": bandwidth,
                        "latency_mean_s": 0.08 + energy * spread,
                        "device_energy_mean_j": energy * spread,
                    }
                )
    return pd.DataFrame(rows)


def test_linear_energy_axes_start_at_zero():
    """A linear energy axis reached −370 mJ (room made below a line end's label) on an energy
    figure, and a sweep of device energy −60 mJ: energy is never negative."""
    metrics = _energy_metrics()
    _, ax = plots.new_axes("one-column")
    plots.energy_latency(metrics, x="links[0].bandwidth", ax=ax, log_x=False, log_y=False)
    plots.say_unlabelled_ends(ax.get_figure())  # makes room for the line ends' labels, as plot does
    assert ax.get_ylim()[0] == 0 and ax.get_xlim()[0] >= 0
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "device_energy_mean_j", "links[0].bandwidth", ax=ax, log_y=False)
    assert ax.get_ylim()[0] == 0
