"""The testbed tables of docs/validation.md section 7 are what the shipped campaign runs give.

Every number in those two tables is derived from docs/figures/data/testbed_runs.csv
(max-min predictions) and testbed_runs-fifo.csv (the same runs predicted with fifo
links) by the campaign's own ``validation_table`` and ``flows_table``; this test
recomputes them and compares each cell as the doc rounds it, so the tables cannot
drift from the data the figure is drawn from.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from offloadsim.testbed.campaign import flows_table, validation_table

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "docs" / "figures" / "data"
MODELS = {"AlexNet": "alexnet", "ResNet-18": "resnet18", "MobileNetV2": "mobilenet_v2"}


def doc_rows(first_header: str) -> list[list[str]]:
    """The body rows of the markdown table in docs/validation.md whose header starts with ``first_header``."""
    lines = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").replace("−", "-").strip())


def ms(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def pct(value: float) -> str:
    return f"{value:+.1f} %".replace("+-", "-")


def measured(row: pd.Series) -> str:
    return f"{ms(row.measured_ms)} ({ms(row.measured_min_ms)}–{ms(row.measured_max_ms)})"


@pytest.fixture(scope="module")
def tables() -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    return {
        model: (validation_table(runs), flows_table(runs))
        for model, runs in (
            ("max-min", pd.read_csv(DATA / "testbed_runs.csv")),
            ("fifo", pd.read_csv(DATA / "testbed_runs-fifo.csv")),
        )
    }


def test_split_inference_table_matches_the_shipped_runs(tables):
    table, fifo = tables["max-min"][0], tables["fifo"][0]
    rows = doc_rows("model")
    assert len(rows) == len(table[table.pattern == "closed"]) == 21
    for cells in rows:
        model, split, link = MODELS[cells[0]], cells[1], "none" if cells[2] == "–" else cells[2]
        pick = (table.model == model) & (table.split == split) & (table.link == link)
        closed = table[pick & (table.pattern == "closed")].iloc[0]
        poisson = table[pick & (table.pattern == "poisson")].iloc[0]
        fifo_row = fifo[(fifo.id == poisson.id)].iloc[0]
        expected = [
            ms(closed.predicted_ms),
            measured(closed),
            pct(closed.error_pct),
            ms(poisson.predicted_ms),
            measured(poisson),
            pct(poisson.error_pct),
            ms(fifo_row.predicted_ms, 0),
            pct(fifo_row.error_pct),
        ]
        assert cells[3:] == expected, cells[:3]


def test_flows_table_matches_the_shipped_runs(tables):
    flows, fifo = tables["max-min"][1], tables["fifo"][1]
    rows = doc_rows("flows")
    assert len(rows) == len(flows) == 8
    for cells in rows:
        devices, link = int(cells[0]), cells[1]
        stagger = 0.0 if cells[2] == "together" else number(re.sub(r"[^0-9.]", "", cells[2]))
        pick = flows[
            (flows.devices == devices) & (flows.link == link) & (flows.stagger_ms.round() == stagger)
        ]
        row = pick.iloc[0]
        fifo_row = fifo[fifo.id == row.id].iloc[0]
        expected = [
            ms(row.predicted_fct_ms, 0),
            f"{ms(row.measured_fct_ms, 0)} ({ms(row.measured_min_ms, 0)}–{ms(row.measured_max_ms, 0)})",
            pct(row.error_pct),
            f"{row.within_15_pct:.0%}",
            f"{row.jain_fairness:.3f}",
            ms(fifo_row.predicted_fct_ms, 0),
            pct(fifo_row.error_pct),
        ]
        assert cells[3:] == expected, cells[:3]


def test_the_summary_counts_and_ranges_are_the_tables(tables):
    """The "Results" bullets and item 2 of "Where the model is off", from the same tables."""
    table, flows = tables["max-min"]
    fifo, fifo_flows = tables["fifo"]
    closed, poisson = table[table.pattern == "closed"], table[table.pattern == "poisson"]
    assert (closed.error_pct.abs() <= 10).sum() == 21
    assert (closed.error_pct.min(), closed.error_pct.max()) == pytest.approx((-9.0, 5.5), abs=0.05)
    assert (poisson.error_pct.abs() <= 10).sum() == 5
    slow_links = poisson[poisson.link.isin(["3G", "LTE"])].error_pct
    assert (slow_links.min(), slow_links.max()) == pytest.approx((10, 46), abs=0.5)
    wifi = poisson[poisson.link == "Wi-Fi"].error_pct
    assert (wifi.min(), wifi.max()) == pytest.approx((-4, 13), abs=0.5)
    local = poisson[poisson.split == "local"].error_pct
    assert (local.min(), local.max()) == pytest.approx((-17.2, -3.5), abs=0.05)
    assert ((flows.error_pct.abs() <= 15).sum(), flows.error_pct.min(), flows.error_pct.max()) == (
        8,
        pytest.approx(-4.8, abs=0.05),
        pytest.approx(5.5, abs=0.05),
    )
    assert (flows.within_15_pct.min(), flows.within_15_pct.max()) == pytest.approx((0.48, 0.80), abs=0.006)
    over_link = fifo[(fifo.pattern == "poisson") & (fifo.split != "local")]
    assert len(over_link) == 18
    assert (over_link.error_pct.max(), over_link.error_pct.min()) == pytest.approx((-4, -30), abs=0.5)
    within = over_link[over_link.error_pct.abs() <= 10]
    assert sorted(zip(within.model, within.link, strict=True)) == [
        ("mobilenet_v2", "3G"),
        ("mobilenet_v2", "LTE"),
    ]
    rest = over_link[over_link.error_pct < -10.5]  # AlexNet's cut over 3G and LTE just misses: -10.2, -10.1
    assert len(rest) == 14
    assert (rest.error_pct.max(), rest.error_pct.min()) == pytest.approx((-17, -30), abs=0.5)
    assert (fifo_flows.error_pct.max(), fifo_flows.error_pct.min()) == pytest.approx((-25, -35), abs=0.5)
