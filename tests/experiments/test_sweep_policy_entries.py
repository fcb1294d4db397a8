"""A sweep file's ``policies:`` takes compare's entries, ``NAME(KEY=VALUE, ...)``, read by its reader.

``policies: ['neurosurgeon(objective=energy)', local]`` was refused ("expected a policy name");
a policy's parameters could be swept only as grid keys, for every policy of the axis alike.
"""

from __future__ import annotations

import pandas as pd
import pytest
from experiment_data import TINY, TWO_APPS

from offloadsim.experiments import expand, plan_sweep, sweep, sweep_from_data
from offloadsim.experiments.jobs import job_key, job_plugins
from offloadsim.scenario import ScenarioError
from offloadsim.scenario.input_hashes import input_files

ENERGY = "neurosurgeon(objective=energy)"
BUCKET = "least-loaded(tiers=[edge], load_bucket=0.02)"


@pytest.fixture
def two(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(TWO_APPS, encoding="utf-8")
    return path


def _spec(base, policies, **more):
    return sweep_from_data({"base": base.name, "policies": policies, **more}, "sweep.yaml", base.parent)


def test_an_entrys_parameters_are_swept_keys_of_its_point(two):
    spec = _spec(two, ["local", ENERGY, "neurosurgeon"])
    assert spec.swept == ["policy.name", "policy.objective"]
    assert expand(spec) == [
        {"policy.name": "local"},
        {"policy.name": "neurosurgeon", "policy.objective": "energy"},
        {"policy.name": "neurosurgeon"},
    ]
    jobs = plan_sweep(spec)
    assert [job.scenario.policy.params for job in jobs] == [
        {},
        {"objective": "energy"},
        {"objective": "latency"},
    ]
    assert [job.label for job in jobs] == [None, ENERGY, None]


def test_a_plain_names_job_keeps_its_key_and_an_entrys_is_its_own(two):
    """Resuming a sweep of names reuses its jobs; an entry's records (labelled) are not a grid point's."""
    (local, energy) = plan_sweep(_spec(two, ["local", ENERGY]))
    scenario = local.scenario
    assert local.key == job_key(
        scenario.document, 0, inputs=input_files(scenario), plugins=job_plugins(scenario)
    )
    grid = plan_sweep(_spec(two, ["neurosurgeon"], grid={"policy.objective": ["energy"]}))[0]
    assert grid.scenario.document == energy.scenario.document and grid.key != energy.key


@pytest.mark.parametrize(
    ("policies", "more", "key", "said"),
    [
        (["local", "neurosurgeon(objective=energy"], {}, "policies[1]", '(")" is missing)'),
        (["edge(drop)"], {}, "policies[0]", 'expected KEY=VALUE in the parentheses, got "drop"'),
        (
            ["edge", "edge()"],
            {},
            "policies",
            '"edge" and "edge()" are the same policy: each policy makes one point',
        ),
        (
            [ENERGY],
            {"grid": {"policy.objective": ["latency"]}},
            "policies",
            "policy.objective is already given in",
        ),
        ([{"name": "fixed"}], {}, "policies[0]", "a policy's parameters go in its entry (fixed(cuts=[3]))"),
    ],
)
def test_an_entry_that_cannot_be_read_is_refused_at_its_key(two, policies, more, key, said):
    with pytest.raises(ScenarioError) as caught:
        _spec(two, policies, **more)
    (problem,) = caught.value.problems
    assert (problem.file, problem.key_path) == ("sweep.yaml", key) and said in problem.message, problem


def test_a_bad_parameter_is_refused_at_policies_naming_the_point(two):
    with pytest.raises(ScenarioError) as caught:
        plan_sweep(_spec(two, ["local", "neurosurgeon(objective=fast)"]))
    (problem,) = caught.value.problems
    assert problem.key_path == "policies" and 'parameter "objective" must be' in problem.message
    assert "(point 1: policy.name=neurosurgeon, policy.objective=fast)" in problem.message


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("entries")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    spec = sweep_from_data(
        {
            "base": "tiny.yaml",
            "grid": {"links[0].bandwidth": ["5 Mbps", "50 Mbps"]},
            "policies": [BUCKET, "edge"],
        },
        "sweep.yaml",
        folder,
    )
    return sweep(spec, out=folder / "out", workers=1)


def test_every_table_labels_an_entrys_runs_by_its_text(swept):
    assert list(swept.metrics["policy"]) == [BUCKET, "edge", BUCKET, "edge"]
    assert list(swept.summary.drop_duplicates("point")["policy"]) == [BUCKET, "edge", BUCKET, "edge"]
    assert set(swept.nodes["policy"]) == {BUCKET, "edge"}
    assert list(pd.unique(swept.tasks["policy"].astype(str))) == [BUCKET, "edge"]


def test_an_entrys_parameters_are_columns_as_grid_keys_are(swept):
    metrics = swept.metrics
    assert list(metrics.columns[:5]) == [
        "links[0].bandwidth",
        "policy.name",
        "policy.tiers",
        "policy.load_bucket",
        "point",
    ]
    assert list(metrics["policy.name"]) == ["least-loaded", "edge"] * 2
    assert (
        list(metrics["policy.tiers"].fillna("<missing>")) == ['["edge"]', "<missing>"] * 2
    )  # edge: no tiers
    assert swept.manifest["swept"] == list(metrics.columns[:4])


def test_a_parameter_of_numbers_beside_none_is_a_numeric_column_with_nulls(swept):
    """``load_bucket`` 0.02 beside edge's none: float64, NaN (null in Parquet), not the text "0.02"."""
    import pyarrow.parquet as pq

    from offloadsim.analysis.values import where_matches
    from offloadsim.experiments import read_results

    for table in (swept.metrics, swept.summary, swept.nodes, swept.processors, swept.tasks):
        column = table["policy.load_bucket"]
        assert column.dtype == "float64"
        pairs = {str(p): v for p, v in zip(table["policy"], column, strict=True)}
        assert pairs[BUCKET] == 0.02 and pd.isna(pairs["edge"])
    for name in ("metrics", "summary", "nodes", "processors", "tasks"):
        stored = pq.read_table(swept.path / f"{name}.parquet", columns=["policy.load_bucket"]).column(0)
        assert str(stored.type) == "double" and 0 < stored.null_count < len(stored)
    assert pd.read_csv(swept.path / "summary.csv")["policy.load_bucket"].dtype == "float64"
    metrics = read_results(swept.path).metrics  # as --where picks a sweep's rows
    for given, kept in (("0.02", BUCKET), ("null", "edge")):
        matched = where_matches(metrics["policy.load_bucket"], "policy.load_bucket", given)
        assert set(metrics.loc[matched, "policy"]) == {kept}


def test_a_note_on_an_entrys_clamped_cut_names_the_entry_as_compares_does(two, capsys):
    """Two entries of ``fixed`` whose cuts pass the shallower application's layers: the sweep's note
    said ``policy "fixed"`` for either, where compare's names the entry that clamps."""
    import json

    from offloadsim.cli import main

    four, five = "fixed(nodes=[$source, server], cuts=[4])", "fixed(nodes=[$source, server], cuts=[5])"
    document = {"base": two.name, "set": {"duration": "2 s", "warmup": "1 s"}, "policies": [four, five]}
    (two.parent / "s.yaml").write_text(json.dumps(document), encoding="utf-8")
    assert main(["sweep", str(two.parent / "s.yaml"), "--workers", "1", "--out", str(two.parent / "o")]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if "clamped there" in line]
    assert [note.split(" cuts at ")[0] for note in notes] == [
        f'note: policy.cuts[0]: policy "{four}"',
        f'note: policy.cuts[0]: policy "{five}"',
    ]


def test_a_refused_entry_of_the_bases_own_policy_names_the_parameters_it_kept(tmp_path):
    """A base of ``policy: {name: fixed, node: edge}`` and an entry ``fixed(nodes=..., cuts=...)``:
    the point runs ``fixed`` with node and nodes both, refused as if the entry had given both."""
    base = tmp_path / "tiny.yaml"
    base.write_text(
        TINY.replace("policy: least-loaded", "policy: {name: fixed, node: edge}"), encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as caught:
        plan_sweep(_spec(base, ["fixed(node=edge)", "fixed(nodes=[$source, edge], cuts=[1])"]))
    (problem,) = caught.value.problems
    assert problem.key_path == "policies"
    assert 'got both: node "edge" and nodes [$source, edge]' in problem.message
    kept = (
        f"({base.name}'s policy is fixed too: its node=edge stays beside the entry's; "
        "give the file another, e.g. local)"
    )
    assert kept in problem.message
