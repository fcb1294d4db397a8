"""A swept ``input: 0 B`` reads as what it uploads, the model's own input tensor, not as nothing.

A new user's sweep of ``applications.classify.input`` over ``[0 B, 50 KB, 150 KB]`` drew
``input upload = 0 kB`` and tabled ``0 B`` where ResNet-50's 602,112 B float32 image went up
(``input: 0 B`` means the tensor the network reads): the slowest point read as the one that sent
nothing.  The bytes said are checked against the model's own input and the runs' records.
"""

from __future__ import annotations

import contextlib
import io

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from offloadsim import plots
from offloadsim.experiments import read_results
from offloadsim.memory import format_bytes
from offloadsim.models import get_model

KEY = "applications.classify.input"
SCENARIO = """
name: raw
seed: 7
duration: 5 s
warmup: 1 s
nodes:
  phone: {count: 2, tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 2 TFLOP/s, cores: 2}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 3 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 0.5 ms}
applications:
  classify: {model: resnet18, input: 150 KB, output: 4 KB}
workload:
  - {app: classify, sources: phone-*, arrivals: poisson, rate: 2 /s}
policy: edge
"""
SWEEP = f"""
base: raw.yaml
grid:
  {KEY}: [0 B, 50 KB]
labels:
  {KEY}: input upload
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    from offloadsim.cli import main

    folder = tmp_path_factory.mktemp("raw-input")
    (folder / "raw.yaml").write_text(SCENARIO, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    out = folder / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["sweep", str(folder / "sweep.yaml"), "--out", str(out), "--workers", "1"]) == 0
    return out, printed.getvalue()


def _raw_text() -> str:
    return f"raw input, {format_bytes(get_model('resnet18').input_bytes)}"


def test_the_raw_input_is_what_the_runs_uploaded(swept):
    """The size said is the model's own input, and the tasks of the 0 B point sent it."""
    out, _ = swept
    (row,) = read_results(out).manifest["raw_inputs"]
    assert row == {"key": KEY, "value": "0 B", "bytes": float(get_model("resnet18").input_bytes)}
    tasks = pd.read_parquet(out / "tasks.parquet")
    zero = tasks[(tasks[KEY] == "0 B") & (tasks["status"] == "completed")]
    assert len(zero) and zero["bytes_sent"].min() >= row["bytes"]  # at least the input went up


def test_the_sweep_table_says_what_0_B_uploaded(swept):
    _, printed = swept
    rows = [line for line in printed.splitlines() if line.startswith(("0 B", "50 KB"))]
    assert rows[0].startswith(f"0 B ({_raw_text()})"), printed
    assert rows[1].startswith("50 KB ") and "raw input" not in rows[1]


def test_figures_say_what_0_B_uploaded(swept):
    out, _ = swept
    results = read_results(out)
    faceted = plots.plot_results(results, "cdf", facet=KEY)
    titles = [ax.get_title(loc="left") for ax in faceted.axes if ax.get_visible()]
    # A zero as the table writes it ("0 B"): it read "0 kB" beside the table's "0 B", two units for one value.
    assert titles == [f"(a) input upload = 0 B ({_raw_text()})", "(b) input upload = 50 kB"], titles
    by = plots.plot_results(results, "cdf", by=KEY)
    legends = [ax.get_legend() for ax in by.axes if ax.get_legend() is not None] + list(by.legends)
    legend = [t.get_text() for drawn in legends for t in drawn.get_texts()]
    assert f"0 B ({_raw_text()})" in legend, legend
    where = plots.plot_results(results, "cdf", where={KEY: "0 B"})
    assert where.axes[0].get_title(loc="left") == f"input upload = 0 B ({_raw_text()})"
    line = plots.plot_results(results, "sweep")  # its x axis draws 0 B at 0: the note says what it is
    notes = " ".join(text.get_text() for text in line.texts).replace("\n", " ")
    assert f"input upload 0 B is the {_raw_text()}, drawn at 0" in notes, notes
    plt.close("all")


def test_a_sweep_of_given_sizes_says_nothing_of_a_raw_input(tmp_path):
    from offloadsim.cli import main

    (tmp_path / "raw.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(SWEEP.replace("[0 B, 50 KB]", "[10 KB, 50 KB]"), encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert (
            main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
        )
    assert read_results(tmp_path / "o").manifest["raw_inputs"] == []
    assert "raw input" not in printed.getvalue()
