"""A policy parameter of whole numbers or booleans beside a policy without it keeps its type.

``least-loaded(load_bucket=1)`` beside ``edge`` was a float64 column (``1.0``, in summary.csv, the
sweep's table, a figure's categories and ``--where``'s list of values), and
``neurosurgeon(load_aware=true)`` beside ``local`` a column of the text ``true``/``null``: now
pandas' nullable ``Int64`` and ``boolean``, null where the policy has none, in every table of
compare and sweep, in Parquet (int64/bool with nulls), in summary.csv (``1``, ``True``, empty)
and read back.
"""

from __future__ import annotations

import csv

import pandas as pd
import pyarrow.parquet as pq
import pytest
from experiment_data import TINY, TWO_APPS, table_parts

from offloadsim.analysis.values import NO_PARAMETER_LINE, typed_column, where_matches
from offloadsim.experiments import ExperimentError, compare, read_results, sweep, sweep_from_data

WHOLE = "least-loaded(load_bucket=1)"
AWARE = "neurosurgeon(load_aware=true)"
ENERGY = "neurosurgeon(objective=energy)"
TABLES = ("tasks", "metrics", "nodes", "processors", "summary")


def _compared(factory, name: str, scenario: str, entries: list[str], replications: int):
    """``compare`` of ``entries`` on ``scenario`` (a scenario's text), written under a folder ``name``."""
    folder = factory.mktemp(name)
    (folder / "scenario.yaml").write_text(scenario, encoding="utf-8")
    return compare(folder / "scenario.yaml", entries, replications, workers=1, out=folder / "out")


def _swept(factory, name: str, scenario: str, entries: list[str]):
    """A sweep of two bandwidths by ``entries`` on ``scenario``, written under a folder ``name``."""
    folder = factory.mktemp(name)
    (folder / "scenario.yaml").write_text(scenario, encoding="utf-8")
    grid = {"links[0].bandwidth": ["5 Mbps", "50 Mbps"]}
    spec = sweep_from_data({"base": "scenario.yaml", "grid": grid, "policies": entries}, "s.yaml", folder)
    return sweep(spec, out=folder / "out", workers=1)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    return _compared(tmp_path_factory, "whole", TINY, [WHOLE, "edge"], 2)


@pytest.fixture(scope="module")
def aware(tmp_path_factory):
    return _compared(tmp_path_factory, "aware", TWO_APPS, [AWARE, "local"], 1)


@pytest.fixture(scope="module")
def objective(tmp_path_factory):
    """A text parameter one entry gives and the other's policy has not (``edge`` has no objective)."""
    return _compared(tmp_path_factory, "objective", TWO_APPS, [ENERGY, "edge"], 1)


@pytest.fixture(scope="module")
def swept_text(tmp_path_factory):
    return _swept(tmp_path_factory, "swept_text", TWO_APPS, [ENERGY, "edge"])


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    return _swept(tmp_path_factory, "swept", TINY, [WHOLE, "edge"])


def _tables(result) -> dict[str, pd.DataFrame]:
    """Each table of a result as made, as written (Parquet) and as read back (``read_results``)."""
    back = read_results(result.path)
    made = {name: getattr(result, name) for name in TABLES}
    written = {f"{name}.parquet": pd.read_parquet(result.path / f"{name}.parquet") for name in TABLES}
    read = {f"read {name}": getattr(back, name) for name in ("tasks", "metrics", "nodes", "processors")}
    return {**made, **written, **read}


def _csv_cells(result, key: str) -> dict[str, str]:
    with (result.path / "summary.csv").open(encoding="utf-8", newline="") as file:
        return {row["policy"]: row[key] for row in csv.DictReader(file)}


@pytest.mark.parametrize(
    ("fixture", "key", "dtype", "stored", "given", "none"),
    [
        ("whole", "policy.load_bucket", "Int64", "int64", (WHOLE, 1), "edge"),
        ("aware", "policy.load_aware", "boolean", "bool", (AWARE, True), "local"),
        ("swept", "policy.load_bucket", "Int64", "int64", (WHOLE, 1), "edge"),
        ("objective", "policy.objective", "string", "large_string", (ENERGY, "energy"), "edge"),
        ("swept_text", "policy.objective", "string", "large_string", (ENERGY, "energy"), "edge"),
    ],
)
def test_every_table_holds_the_parameter_in_its_nullable_type(
    request, fixture, key, dtype, stored, given, none
):
    result = request.getfixturevalue(fixture)
    for name, table in _tables(result).items():
        column = table[key]
        assert column.dtype == dtype, (name, column.dtype)
        values = {str(p): v for p, v in zip(table["policy"], column, strict=True)}
        assert values[given[0]] == given[1] and type(values[given[0]]) is not float, name
        assert values[none] is pd.NA, name
    for name in TABLES:
        column = pq.read_table(result.path / f"{name}.parquet", columns=[key]).column(0)
        assert str(column.type) == stored and 0 < column.null_count < len(column), name


def test_a_text_parameter_beside_none_is_null_not_the_text_null(objective, swept_text):
    """``policy.objective`` of ``edge`` was the text "null" in every table: ``isna()`` found no row."""
    for result in (objective, swept_text):
        for name, table in _tables(result).items():
            missing = table.loc[table["policy.objective"].isna(), "policy"].astype(str)
            assert (
                set(missing) == {"edge"} and len(missing) == (table["policy"].astype(str) == "edge").sum()
            ), name
            assert not (table["policy.objective"] == "null").any(), name
    assert set(_csv_cells(objective, "policy.objective").items()) == {(ENERGY, "energy"), ("edge", "")}


def test_a_text_null_is_shown_and_picked_as_null_as_a_numbers_is(objective, swept_text):
    from offloadsim.cli.experiments import _sweep_table
    from offloadsim.plots import plot_results

    back = read_results(objective.path)
    assert set(
        back.metrics.loc[
            where_matches(back.metrics["policy.objective"], "policy.objective", "null"), "policy"
        ]
    ) == {"edge"}
    bars = plot_results(
        back, "bars", metric="latency_mean_s", by="policy.objective", where={"app": ("small",)}
    )
    assert [t.get_text() for t in bars.axes[0].get_xticklabels()] == ["energy", "–"]  # edge has none
    table = _sweep_table(swept_text)
    rows = table_parts(table)[1][:4]
    # "null" beside edge read as a value lost: the table writes "–", as the figure does, and says why
    assert [row.split()[2:4] for row in rows] == [[ENERGY, "energy"], ["edge", "–"]] * 2
    assert NO_PARAMETER_LINE in table.splitlines()


def test_an_older_results_directory_s_text_null_reads_back_as_missing(objective, tmp_path):
    """Written before the column held a null, its text "null" reads as one written now: missing."""
    import shutil

    from offloadsim.plots import plot_results

    old = tmp_path / "old"
    shutil.copytree(objective.path, old)
    for name in ("tasks", "metrics", "nodes", "processors"):
        table = pd.read_parquet(old / f"{name}.parquet")
        table["policy.objective"] = (
            table["policy.objective"].astype(object).where(table["policy.objective"].notna(), "null")
        )
        table.to_parquet(old / f"{name}.parquet", index=False)
        assert (pd.read_parquet(old / f"{name}.parquet")["policy.objective"] == "null").any()
    back, now = read_results(old), read_results(objective.path)
    for name in ("tasks", "metrics", "nodes", "processors"):
        mine, theirs = getattr(back, name)["policy.objective"], getattr(now, name)["policy.objective"]
        assert mine.isna().tolist() == theirs.isna().tolist() and mine.isna().any(), name
    bars = plot_results(
        back, "bars", metric="latency_mean_s", by="policy.objective", where={"app": ("small",)}
    )
    assert [t.get_text() for t in bars.axes[0].get_xticklabels()] == ["energy", "–"]


def test_summary_csv_writes_a_whole_number_and_a_boolean_as_given_and_null_empty(whole, aware, swept):
    assert set(_csv_cells(whole, "policy.load_bucket").items()) == {(WHOLE, "1"), ("edge", "")}
    assert set(_csv_cells(swept, "policy.load_bucket").items()) == {(WHOLE, "1"), ("edge", "")}
    assert set(_csv_cells(aware, "policy.load_aware").items()) == {(AWARE, "True"), ("local", "")}


@pytest.mark.parametrize(
    ("fixture", "key", "given", "kept"),
    [
        ("whole", "policy.load_bucket", "1", WHOLE),
        ("whole", "policy.load_bucket", "1.0", WHOLE),
        ("whole", "policy.load_bucket", "null", "edge"),
        ("swept", "policy.load_bucket", "1", WHOLE),
        ("swept", "policy.load_bucket", "null", "edge"),
        ("aware", "policy.load_aware", "true", AWARE),
        ("aware", "policy.load_aware", "yes", None),  # YAML 1.2 text, as --set reads it now: no boolean
        ("aware", "policy.load_aware", "null", "local"),
        ("whole", "policy.load_bucket", "–", "edge"),  # as the figure writes the null
        ("swept", "policy.load_bucket", "–", "edge"),
        ("aware", "policy.load_aware", "–", "local"),
        ("objective", "policy.objective", "–", "edge"),
    ],
)
def test_where_picks_the_rows_of_the_typed_column_by_value_and_by_null(request, fixture, key, given, kept):
    back = read_results(request.getfixturevalue(fixture).path)
    for table in (back.metrics, back.tasks):
        assert str(table[key].dtype) in ("Int64", "boolean", "string")  # <NA> where none: no text, no NaN
        matched = where_matches(table[key], key, given)
        assert set(table.loc[matched, "policy"].astype(str)) == ({kept} if kept else set())


def test_figures_draw_the_same_categories_the_values_written_as_given(whole, aware, swept):
    from offloadsim.plots import plot_results

    bars = plot_results(read_results(whole.path), "bars", metric="latency_mean_s", by="policy.load_bucket")
    assert [t.get_text() for t in bars.axes[0].get_xticklabels()] == ["1", "–"]
    where = {"app": ("small",)}
    bools = plot_results(
        read_results(aware.path), "bars", metric="latency_mean_s", by="policy.load_aware", where=where
    )
    assert [t.get_text() for t in bools.axes[0].get_xticklabels()] == ["true", "–"]
    lines = plot_results(read_results(swept.path), "sweep", metric="latency_mean_s", by="policy.load_bucket")
    assert [t.get_text() for t in lines.axes[0].get_legend().get_texts()] == ["1", "–"]


def test_a_value_no_row_has_is_refused_listing_the_values_as_written(whole):
    from offloadsim.plots import plot_results

    with pytest.raises(ExperimentError, match=r"policy.load_bucket is one of 1, null \(–\)$"):
        plot_results(read_results(whole.path), "cdf", where={"policy.load_bucket": ("2",)})


def test_plot_where_takes_the_dash_a_figure_writes_for_a_parameter_a_policy_lacks(
    objective, tmp_path, capsys
):
    """``--where policy.objective=–``, copied off a figure's tick, was "no rows have that value",
    listing ``null`` where the figure said ``–``: it keeps the rows of the null, and a value no
    row has lists the null both ways."""
    from offloadsim.cli import main

    plot = ["plot", str(objective.path), "--kind", "bars", "--by", "policy.objective", "--where", "app=small"]
    assert main([*plot, "--where", "policy.objective=–", "--out", str(tmp_path / "fig")]) == 0
    assert (tmp_path / "fig.png").is_file()
    capsys.readouterr()
    assert main([*plot, "--where", "policy.objective=energi", "--out", str(tmp_path / "no")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("no rows have that value; policy.objective is one of energy, null (–)"), line


def test_the_sweeps_table_shows_the_whole_number_as_given(swept):
    from offloadsim.cli.experiments import _sweep_table

    rows = table_parts(_sweep_table(swept))[1][:4]
    assert [row.split()[2:4] for row in rows] == [
        [WHOLE, "1"],
        ["edge", "–"],
        [WHOLE, "1"],
        ["edge", "–"],
    ]


def test_workers_do_not_change_the_nullable_columns(tiny, whole):
    again = compare(tiny, [WHOLE, "edge"], 2, workers=2)
    assert again.metrics["policy.load_bucket"].dtype == "Int64"
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(whole, name))


def test_a_whole_number_past_int64_is_a_float_not_an_overflow():
    """A sweep of ``policy.load_bucket: [100000000000000000000000, 1]`` ran, then failed (exit 1)."""
    assert typed_column([10**23, 1]).dtype == "float64" == typed_column([10**23, None]).dtype
    assert typed_column([2**63 - 1, None]).dtype == "Int64"


def test_a_boolean_column_left_without_nulls_by_where_is_still_written_true(aware):
    """Picked by ``--where``, the column has no <NA> left: its legend said Python's ``True``.

    The title does not name a policy's parameter (no dimension of the comparison): its legend stays.
    """
    from offloadsim.plots import plot_results

    where = {"app": ("small",), "policy.load_aware": ("true",)}
    cdf = plot_results(read_results(aware.path), "cdf", by="policy.load_aware", where=where)
    assert [t.get_text() for t in cdf.axes[0].get_legend().get_texts()] == ["true"]
