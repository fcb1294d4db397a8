import pandas as pd
from matplotlib.figure import Figure

from offloadsim.calibration.report import accuracy_figure, accuracy_summary, format_table, write_report


def table():
    return pd.DataFrame(
        {
            "model": ["a", "b", "c", "d"],
            "role": ["train", "held-out", "held-out", "held-out"],
            "measured_ms": [10.0, 20.0, 5.0, 100.0],
            "predicted_ms": [10.5, 19.0, 6.0, 104.0],
            "error_pct": [5.0, -5.0, 20.0, 4.0],
            "spread_pct": [1.0, 1.0, 1.0, 1.0],
            "timed_share_pct": [100.0, 0.0, 0.0, 0.0],
            "extrapolated_layers": [0, 0, 1, 0],
        }
    )


def test_summary_counts_held_out_models_within_tolerance():
    s = accuracy_summary(table())
    assert s["held_out"]["models"] == 3 and s["held_out"]["within"] == 2
    assert s["held_out"]["max_abs_error_pct"] == 20.0 and s["train"]["within"] == 1
    assert "held-out" in format_table(table())


def test_figure_is_headless_and_written_as_png_and_pdf(tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = accuracy_figure(table())
    assert isinstance(fig, Figure) and plt.get_fignums() == before  # no pyplot state
    paths = write_report(table(), tmp_path / "r", title="t")
    assert {p.name for p in paths} == {"accuracy.csv", "accuracy.txt", "accuracy.png", "accuracy.pdf"}
    assert all(p.stat().st_size > 0 for p in paths)
