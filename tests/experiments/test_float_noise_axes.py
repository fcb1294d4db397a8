"""Energies equal but for rounding: no offset on the axis, no error bars of float noise (HC35's trial)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from offloadsim import plots
from offloadsim.plots.series import mean_ci_by


def _metrics() -> pd.DataFrame:
    """Three policies, three replications each, whose device energy differs only by float rounding."""
    base = 0.212991999
    rows = []
    for p, policy in enumerate(("local", "edge", "split")):
        for r in range(3):
            rows.append(
                {
                    "policy": policy,
                    "replication": r,
                    "latency_mean_s": 0.1 * (p + 1) + 0.001 * r,
                    "device_energy_mean_j": base + (r - 1) * 1.5e-13,
                }
            )
    return pd.DataFrame(rows)


def test_a_half_width_of_rounding_noise_is_zero_and_a_real_one_is_kept():
    table = mean_ci_by(_metrics(), ["policy"], "device_energy_mean_j")
    assert (table["ci"] == 0.0).all()
    real = mean_ci_by(_metrics(), ["policy"], "latency_mean_s")
    assert (real["ci"] > 0).all()


def test_the_energy_axis_of_equal_energies_has_no_offset_and_no_error_bars():
    fig, ax = plots.new_axes("one-column")
    plots.energy_latency(_metrics(), ax=ax)
    fig.draw_without_rendering()
    assert ax.yaxis.get_offset_text().get_text() == ""
    assert ax.xaxis.get_offset_text().get_text() == ""
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels and not any("e-" in text or "e+" in text for text in labels)
    low, high = ax.get_ylim()
    assert high - low > 1e-6  # the axis spans a readable range, not a 1e-10 mJ sliver
    assert np.isfinite([low, high]).all()


def test_no_offloadsim_axis_writes_an_offset():
    """Values a tiny range apart: matplotlib wrote ticks 4.0–6.0 and '1e-10+2.12991999e2' over them."""
    fig, ax = plots.new_axes("one-column")
    ax.plot([0, 1], [212.9919990004, 212.9919990006])
    fig.draw_without_rendering()
    assert ax.yaxis.get_offset_text().get_text() == ""
    assert all(t.get_text().startswith("212.99") for t in ax.get_yticklabels() if t.get_text())
