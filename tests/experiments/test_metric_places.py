"""The registry's concepts the utilisations moved onto it with, each used by a plug-in metric of a test.

A family labelled per column (``entry_label``: "edge idle (toy)", as the utilisations' "edge max
utilisation" and "edge gpu utilisation" differ in shape), placed after the record columns' metrics
in the row (``row_place="columns"``) and last in the catalogue (``catalogue_place="last"``, after the
utilisations), its column 0 in a comparison's run without it (``absent_is_zero``, once other devices'
energy's alone, named in summary.py); and a metric placed with the headline ones, which compare's
table shows right after the LLM rows (it came after every fixed row, bytes sent).  The old registry
had none of these fields, no place "columns" or "last", and TABLE_METRICS its LLM rows alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import offloadsim
from offloadsim.analysis import catalogue
from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric, register, unregister
from offloadsim.analysis.summary import metrics_row
from offloadsim.experiments import compare

ROOT = Path(__file__).resolve().parents[2]


def _idle(run):
    """Each tier's idle share (1 - its computing nodes' mean busy share), for tiers that computed at all."""
    shares: dict[str, list[float]] = {}
    for tier, cores, busy in zip(
        run.nodes["tier"], run.nodes["cores"], run.nodes["utilisation"], strict=True
    ):
        if cores > 0:
            shares.setdefault(str(tier), []).append(float(busy))
    return {tier: 1.0 - sum(busy) / len(busy) for tier, busy in shares.items() if max(busy) > 0}


_IDLE = SummaryMetric(
    name="toy_idle",
    description="a toy: each tier's idle share, where it computed",
    columns={"toy_idle": Metric("idle", "%", 100.0, "higher")},
    compute=_idle,
    family="tier",
    entry_label=lambda entry: f"{entry} idle (toy)",
    row_place="columns",
    catalogue_place="last",
    absent_is_zero=True,
)
_FIRST = SummaryMetric(
    name="toy_first_s",
    description="a toy: the mean latency again, placed with the headline metrics",
    columns={"toy_first_s": Metric("toy first", "ms", 1e3, "lower")},
    compute=lambda run: 0.25,
    catalogue_place="headline",
    row_place="headline",
)


@pytest.fixture
def toys():
    register(_IDLE)
    register(_FIRST)
    try:
        yield
    finally:
        unregister(_IDLE.name)
        unregister(_FIRST.name)


def test_a_family_labelled_per_column_is_placed_after_the_record_columns_and_last_in_the_catalogue(toys):
    run = offloadsim.run(ROOT / "scenarios" / "quickstart.yaml")
    idle = _idle(run)
    assert "edge" in idle, idle
    row = metrics_row(run.summary)
    names = list(row)
    assert row["toy_idle_edge"] == pytest.approx(idle["edge"], rel=1e-12)
    utilisations = [i for i, name in enumerate(names) if name.startswith("utilisation_")]
    after = names.index("toy_idle_edge")
    assert utilisations and after > max(utilisations)  # after the record columns' metrics, as they are
    assert after < names.index("device_compute_energy_mean_j")  # before the end's (energy's parts)

    info = catalogue.metric_info("toy_idle_edge")
    assert (info.label, info.unit, info.scale) == ("edge idle (toy)", "%", 100.0)
    assert catalogue.is_metric("toy_idle_cloud") and catalogue.describe("toy_idle_cloud").startswith("a toy")
    order = catalogue.metric_columns(
        ["toy_idle_edge", "utilisation_edge_gpu", "latency_mean_s", "utilisation_edge"]
    )
    assert order == ["latency_mean_s", "utilisation_edge_gpu", "utilisation_edge", "toy_idle_edge"]
    assert catalogue.metric_info("utilisation_edge_max").label == "edge max utilisation"  # the family's hook
    assert catalogue.metric_info("utilisation_edge_gpu").label == "edge gpu utilisation"


def test_a_comparison_fills_an_absent_is_zero_column_and_shows_a_headline_metric_beside_the_llm_rows(
    toys, tmp_path
):
    result = compare(ROOT / "scenarios" / "quickstart.yaml", ["local", "edge"], 1, workers=1)
    edge = result.metrics[result.metrics["policy"] == "edge"]
    assert 0 < edge["toy_idle_edge"].iloc[0] < 1
    local = result.metrics[result.metrics["policy"] == "local"]
    assert local["toy_idle_edge"].tolist() == [0.0]  # its edge idle: no value, read as 0 beside edge's

    text = (ROOT / "scenarios" / "llm-assistant.yaml").read_text(encoding="utf-8")
    llm = tmp_path / "llm.yaml"
    llm.write_text(text.replace("duration: 600 s", "duration: 60 s"), encoding="utf-8")
    table = compare(llm, ["local", "edge"], 1, workers=1).format_table().splitlines()
    labels = [line.split("  ")[0] for line in table]
    assert (
        labels.index("toy first (ms)") == labels.index("output token throughput (tokens/s)") + 2
    )  # after its Δ row
