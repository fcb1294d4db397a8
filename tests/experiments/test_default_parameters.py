"""A policy's parameter an entry leaves out is recorded at the policy's default, not as a null.

``compare --policies 'edge(fallback=drop),edge,local'``: plain ``edge`` ran with ``fallback:
local``, its default, so every table's ``policy.fallback`` says ``local`` for it (it said null, so
``--by policy.fallback`` set it apart from ``edge(fallback=local)``); ``local`` has no ``fallback``
and stays a real null, which a figure writes "–" ("–, local", not "null, local").  ``groups.csv``
has the parameter columns ``summary.csv`` has.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from experiment_data import TINY, TWO_APPS

from offloadsim.analysis.values import where_matches
from offloadsim.experiments import compare, read_results, sweep, sweep_from_data

DROP = "edge(fallback=drop)"
ENTRIES = [DROP, "edge", "local"]
KEY = "policy.fallback"


def _fleet() -> str:
    """The tiny scenario with a second group of devices (tablet-*): compare writes a table per group."""
    text = TINY
    for old, added in (
        ("  ap: {tier: network}\n", "  tablet: {count: 2, tier: device, processor: {speed: 20 GFLOP/s}}\n"),
        ("  - {between: [ap, edge]", "  - {between: [tablet-*, ap], bandwidth: 20 Mbps, latency: 2 ms}\n"),
        ("policy: least-loaded", "  - {app: job, sources: tablet-*, arrivals: poisson, rate: 2 /s}\n"),
    ):
        assert old in text
        text = text.replace(old, added + old)
    return text


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("defaults")
    (folder / "fleet.yaml").write_text(_fleet(), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def compared(fleet):
    return compare(fleet / "fleet.yaml", ENTRIES, 2, workers=1, out=fleet / "cmp")


def _each(table: pd.DataFrame) -> dict[str, object]:
    """Each policy's one value of ``policy.fallback`` in ``table`` (``<NA>`` read as None)."""
    pairs = table[["policy", KEY]].astype(object).drop_duplicates()
    assert pairs["policy"].is_unique, pairs
    return {str(p): (None if pd.isna(v) else v) for p, v in zip(pairs["policy"], pairs[KEY], strict=True)}


def test_a_plain_name_records_its_policys_default_and_a_policy_without_it_null(compared):
    back = read_results(compared.path)
    tables = {
        **{name: getattr(compared, name) for name in ("metrics", "summary", "tasks", "nodes", "processors")},
        **{f"read {name}": getattr(back, name) for name in ("metrics", "tasks", "nodes", "processors")},
        "groups": compared.groups,
    }
    for name, table in tables.items():
        assert _each(table) == {DROP: "drop", "edge": "local", "local": None}, name
    with (compared.path / "summary.csv").open(encoding="utf-8", newline="") as file:
        cells = {row["policy"]: row[KEY] for row in csv.DictReader(file)}
    assert cells == {DROP: "drop", "edge": "local", "local": ""}
    picked = where_matches(back.metrics[KEY], KEY, "local")  # --where policy.fallback=local
    assert set(back.metrics.loc[picked, "policy"].astype(str)) == {"edge"}


def test_groups_csv_has_the_parameter_columns_summary_csv_has(compared):
    summary = pd.read_csv(compared.path / "summary.csv", keep_default_na=False)
    groups = pd.read_csv(compared.path / "groups.csv", keep_default_na=False)
    # ``warned`` last in groups.csv, the policy's runs with a warning concerning the group, where
    # summary.csv ends with the whole run's ``overloaded``
    assert list(groups.columns) == ["group", *summary.columns.drop("overloaded")]
    assert set(groups["group"]) == {"phone", "tablet"}
    assert _each(groups) == _each(summary) == {DROP: "drop", "edge": "local", "local": ""}


def test_a_sweeps_entries_record_their_policys_default_too(fleet):
    spec = sweep_from_data(
        {"base": "fleet.yaml", "grid": {"links[2].bandwidth": ["100 Mbps"]}, "policies": ENTRIES},
        "s.yaml",
        fleet,
    )
    result = sweep(spec, out=fleet / "swept", workers=1)
    for name in ("metrics", "summary", "tasks"):
        pairs = getattr(result, name)[["policy.name", KEY]].astype(object).drop_duplicates()
        found = {(str(p), None if pd.isna(v) else v) for p, v in pairs.itertuples(index=False)}
        assert found == {("edge", "drop"), ("edge", "local"), ("local", None)}, name


def test_a_legend_writes_a_policy_without_the_parameter_as_a_dash_not_null(compared):
    from offloadsim.plots import plot_results

    cdf = plot_results(read_results(compared.path), "cdf", by=[KEY, "policy"])
    legend = cdf.axes[0].get_legend() or cdf.legends[0]
    assert legend.get_title().get_text() == "fallback, policy"
    texts = [t.get_text().split(" (same line")[0] for t in legend.get_texts()]
    assert texts == ["drop, edge(fallback=drop)", "local, edge", "–, local"]


def test_a_legend_names_the_app_column_application(tmp_path):
    from offloadsim.plots import plot_results

    (tmp_path / "two.yaml").write_text(TWO_APPS, encoding="utf-8")
    result = compare(tmp_path / "two.yaml", ["local", "edge"], 1, workers=1, out=tmp_path / "cmp")
    cdf = plot_results(read_results(result.path), "cdf", by="app", where={"policy": ("local",)})
    legend = cdf.axes[0].get_legend() or cdf.legends[0]
    assert legend.get_title().get_text() == "application"
