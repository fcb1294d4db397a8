"""compare: each --policies entry may give its policy parameters, ``NAME(KEY=VALUE, ...)``, labelled so.

One policy with two parameter settings (``least-loaded(tiers=[edge])`` beside
``least-loaded(tiers=[device])``) could be compared only by a sweep over its keys: compare took
names only, and ran the file's parameters or none.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from offloadsim.cli import main
from offloadsim.experiments import ExperimentError, compare, read_results
from offloadsim.scenario.policy_entries import EntryError, policy_entries, split_entries

EDGE = "least-loaded(tiers=[edge])"
DEVICE = "least-loaded(tiers=[device])"
ENTRIES = [EDGE, DEVICE, "least-loaded"]


def _one_line(capsys, *argv: object) -> str:
    assert main([str(a) for a in argv]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0].removeprefix("offloadsim: error: ")


# --------------------------------------------------------------------------- reading entries


def test_entries_split_at_the_commas_outside_brackets_and_quotes():
    text = "fixed(nodes=[$source, edge], cuts=[3]), least-loaded(tiers=[edge, cloud]),x(a='b,c'),local"
    assert split_entries(text) == [
        "fixed(nodes=[$source, edge], cuts=[3])",
        "least-loaded(tiers=[edge, cloud])",
        "x(a='b,c')",
        "local",
    ]


def test_each_value_is_read_as_yaml_as_a_set_value_is():
    (entry,) = policy_entries(["neurosurgeon(objective=energy, load_aware=true, server=edge)"])
    assert (entry.label, entry.name) == (
        "neurosurgeon(objective=energy, load_aware=true, server=edge)",
        "neurosurgeon",
    )
    assert entry.params == {"objective": "energy", "load_aware": True, "server": "edge"}
    (bucket,) = policy_entries([" least-loaded( load_bucket = 0.02 , tiers=[edge, cloud] ) "])
    assert bucket.label == "least-loaded( load_bucket = 0.02 , tiers=[edge, cloud] )"
    assert bucket.params == {"load_bucket": 0.02, "tiers": ["edge", "cloud"]}
    assert policy_entries(["edge"])[0].params == {} == policy_entries(["edge()"])[0].params


@pytest.mark.parametrize(
    ("entries", "said"),
    [
        (
            ["least-loaded(tiers=[edge]"],
            '"least-loaded(tiers=[edge]": expected NAME or NAME(KEY=VALUE, ...) (")" is missing)',
        ),
        (["edge(fallback=drop))"], '(")" closes nothing opened)'),
        (["edge(fallback=drop)(x=1)"], '("(x=1)" after the closing parenthesis)'),
        (["edge)(x=1)"], '"edge)(x=1)": expected NAME or NAME(KEY=VALUE, ...)'),
        (['edge(fallback="drop)'], '(the quote "\\"" is not closed)'),
        (["edge(fallback=drop) x"], '("x" after the closing parenthesis)'),
        (["a(x=[1)"], '(")" where "]" was expected)'),
        (["edge(drop)"], 'expected KEY=VALUE in the parentheses, got "drop"'),
        (["edge(fallback=drop,)"], 'expected KEY=VALUE in the parentheses, got ""'),
        (["edge(name=cloud)"], "the policy's name goes before the parentheses"),
        (["edge(fallback=drop, fallback=local)"], 'parameter "fallback" is given twice; give it once'),
        (["edge(fallback=: :)"], 'parameter "fallback": cannot read the value ": :" as YAML'),
        (["(fallback=drop)"], '"(fallback=drop)": expected NAME or NAME(KEY=VALUE, ...)'),
        (["edge", "edge()"], '"edge" and "edge()" are the same policy: each policy is compared once'),
        (["a(x=1, y=2)", "a(y=2,x=1)"], '"a(x=1, y=2)" and "a(y=2,x=1)" are the same policy'),
    ],
)
def test_an_entry_that_cannot_be_read_is_refused_naming_it(entries, said):
    with pytest.raises(EntryError) as caught:
        policy_entries(entries)
    assert said in str(caught.value)


# --------------------------------------------------------------------------- a comparison of entries


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("entries")
    path = folder / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return compare(path, ENTRIES, 2, workers=1, out=folder / "out")


def test_every_table_names_each_entry_by_its_label(labelled):
    assert labelled.policies == ENTRIES and labelled.baseline == EDGE
    for table in (labelled.metrics, labelled.summary, labelled.nodes, labelled.processors, labelled.tasks):
        assert list(dict.fromkeys(table["policy"].astype(str))) == ENTRIES
    back = read_results(labelled.path)
    assert list(dict.fromkeys(back.metrics["policy"].astype(str))) == ENTRIES
    assert set(back.tasks["policy"].astype(str)) == set(ENTRIES)
    summary = pd.read_csv(labelled.path / "summary.csv")
    assert list(dict.fromkeys(summary["policy"])) == ENTRIES
    text = (labelled.path / "summary.txt").read_text()
    assert f"baseline {EDGE}" in text and f"Δ vs {EDGE}" in text and DEVICE in text


def test_the_manifest_gives_each_entry_its_name_parameters_and_label(labelled):
    manifest = json.loads((labelled.path / "manifest.json").read_text())
    assert manifest["policies"] == [
        {"name": "least-loaded", "params": {"tiers": ["edge"]}, "label": EDGE},
        {"name": "least-loaded", "params": {"tiers": ["device"]}, "label": DEVICE},
        {"name": "least-loaded", "params": {}},  # a plain name: as before, no label
    ]
    assert manifest["baseline"] == EDGE


def test_each_entry_runs_with_its_parameters_on_the_same_arrivals(labelled):
    tasks = labelled.tasks
    placed = {label: set(tasks.loc[tasks.policy == label, "placement"].astype(str)) for label in ENTRIES}
    assert placed[EDGE] == {"edge"}  # tiers=[edge]: every task on the edge server
    assert placed[DEVICE] and all(p.startswith("phone-") for p in placed[DEVICE])
    assert len(placed["least-loaded"]) > 1  # every tier
    for replication in range(2):
        runs = [
            tasks[(tasks.policy == label) & (tasks.replication == replication)]
            .sort_values("task_id")[["task_id", "source", "arrival", "deadline"]]
            .reset_index(drop=True)
            .astype({"source": str})
            for label in ENTRIES
        ]
        assert len(runs[0]) > 50
        for run in runs[1:]:
            pd.testing.assert_frame_equal(run, runs[0])


def test_workers_do_not_change_a_comparison_of_entries(tiny, labelled):
    again = compare(tiny, ENTRIES, 2, workers=2)
    pd.testing.assert_frame_equal(again.metrics, labelled.metrics)
    pd.testing.assert_frame_equal(again.summary, labelled.summary)
    pd.testing.assert_frame_equal(again.tasks, labelled.tasks)


def test_figures_of_the_comparison_name_the_entries(labelled):
    from offloadsim.plots import plot_results

    results = read_results(labelled.path)
    bars = plot_results(results, "bars", metric="latency_mean_s")
    # Too wide for one line under their bars: each named under its bar, its parameters on a line of
    # their own (or, too wide even so, in a legend: see figures/test_plots_axes.py).
    ticks = [t.get_text().replace("\n", "") for t in bars.axes[0].get_xticklabels()]
    assert ticks == ENTRIES
    cdf = plot_results(results, "cdf", where={"policy": (DEVICE,)})
    # The one series --where kept is named by the title, not by a legend repeating it.
    assert cdf.axes[0].get_title(loc="left") == f"policy = {DEVICE}" and cdf.axes[0].get_legend() is None


def test_an_entry_of_the_files_policy_gives_its_parameters_over_the_files(tmp_path):
    from experiment_data import TINY

    path = tmp_path / "tiers.yaml"
    path.write_text(TINY.replace("policy: least-loaded", "policy: {name: least-loaded, tiers: [edge]}"))
    result = compare(path, ["least-loaded(load_bucket=0.02)", DEVICE, "edge(fallback=drop)"], 1, workers=1)
    assert [p["params"] for p in result.manifest["policies"]] == [
        {"tiers": ["edge"], "load_bucket": 0.02},  # the file's, and the entry's
        {"tiers": ["device"]},  # the entry's over the file's
        {"fallback": "drop"},  # another policy: the entry's only
    ]


def test_the_baseline_is_named_by_a_label_or_an_entry_that_runs_the_same_policy(tiny):
    by_label = compare(tiny, ["edge", "edge(fallback=drop)"], 1, baseline="edge(fallback=drop)", workers=1)
    spelt = compare(tiny, ["edge", "edge(fallback=drop)"], 1, baseline=" edge( fallback = drop ) ", workers=1)
    assert by_label.baseline == spelt.baseline == "edge(fallback=drop)"
    diff = by_label.summary.query("metric == 'latency_mean_s'").set_index("policy")["diff"]
    assert math.isnan(diff["edge(fallback=drop)"]) and not math.isnan(diff["edge"])  # Δ vs the baseline
    with pytest.raises(
        ExperimentError, match=r'^baseline: "edge\(fallback=local\)" is not one of the compared'
    ):
        compare(tiny, ["edge", "edge(fallback=drop)"], 1, baseline="edge(fallback=local)", workers=1)


def test_job_keys_tell_the_entries_apart_and_keep_a_plain_names(tiny):
    from offloadsim import api
    from offloadsim.experiments.compare import compare_jobs
    from offloadsim.experiments.jobs import job_key
    from offloadsim.scenario.input_hashes import input_files

    scenario = api.load(tiny)
    jobs = compare_jobs(scenario, ["least-loaded", EDGE, DEVICE], 1)
    assert len({job.key for job in jobs}) == 3
    plain = job_key({**scenario.document, "seed": scenario.seed}, 0, "least-loaded", input_files(scenario))
    assert jobs[0].key == plain and jobs[0].label is None and jobs[1].label == EDGE
    assert "policy=least-loaded(tiers=[edge])" in jobs[1].describe()


# --------------------------------------------------------------------------- the command line


def test_the_command_line_compares_entries_and_prints_their_labels(tiny, tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", tiny, "--policies", f"{EDGE},edge", "--baseline", "edge", "-n", "1", "--workers", "1"]
    assert main([str(a) for a in [*argv, "--out", out]]) == 0
    printed = capsys.readouterr().out
    assert "baseline edge" in printed and EDGE in printed.splitlines()[4]  # the table's heading
    assert list(pd.read_parquet(out / "metrics.parquet")["policy"]) == [EDGE, "edge"]


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ("least-loaded(load_bucket=fast)", "load_bucket"),
        ("least-loaded(bogus=1)", "bogus"),
        ("least-loaded(tiers=[edgy])", "tiers"),
        ("least-loaded(load_bucket=-1)", "load_bucket"),
    ],
)
def test_a_bad_parameter_is_refused_as_the_files_would_be_naming_the_entry(
    entry, key, tiny, tmp_path, capsys
):
    """The message of the same value given to the file's policy (``--set policy.KEY=VALUE``), at the entry."""
    value = entry.partition("=")[2][:-1]
    own = _one_line(capsys, "validate", tiny, "--set", f"policy.{key}={value}")
    said = own.removeprefix(f"{tiny}: ").split(" (set by --set")[0]
    line = _one_line(
        capsys, "compare", tiny, "--policies", f"{entry},edge", "-n", "1", "--out", tmp_path / "o"
    )
    assert line == f"{tiny}: --policies {entry}: {said}"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("policies", "said"),
    [
        ("least-loaded(tiers=[edge],edge", '--policies: "least-loaded(tiers=[edge],edge": expected NAME or'),
        ("edge(fallback=drop),edge( fallback=drop )", "are the same policy: each policy is compared once"),
        ("edge(fallback)", '--policies: "edge(fallback)": expected KEY=VALUE in the parentheses'),
        ("edge,,local", "argument --policies: expected comma-separated policies"),
    ],
)
def test_an_unreadable_entry_is_one_line_before_anything_runs(policies, said, tiny, tmp_path, capsys):
    line = _one_line(capsys, "compare", tiny, "--policies", policies, "-n", "1", "--out", tmp_path / "o")
    assert said in line
    assert not (tmp_path / "o").exists()


def test_a_set_parameter_of_the_files_policy_that_no_entry_keeps_says_how_to_give_it(tiny, tmp_path, capsys):
    argv = ["compare", tiny, "--policies", "local,edge(fallback=drop)", "--set", "policy.tiers=[edge]"]
    line = _one_line(capsys, *argv, "--out", tmp_path / "o")
    assert line.endswith(
        "which --policies local,edge(fallback=drop) replaces, parameters and all: it would be dropped; each "
        "policy compared other than the file's runs with its defaults; to compare the file's with it, add "
        "least-loaded(tiers=[edge]) to --policies"
    ), line


def test_a_note_on_an_entrys_clamped_cut_names_the_entry(tmp_path, capsys):
    """Two entries of ``fixed`` whose cuts pass the shallower application's layers: each note says which."""
    from experiment_data import TWO_APPS

    path = tmp_path / "two.yaml"
    path.write_text(TWO_APPS, encoding="utf-8")
    four, five = "fixed(nodes=[$source, server], cuts=[4])", "fixed(nodes=[$source, server], cuts=[5])"
    argv = ["compare", path, "--policies", f"{four},{five}", "-n", "1", "--workers", "1"]
    assert main([str(a) for a in [*argv, "--out", tmp_path / "o"]]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if "clamped there" in line]
    assert [note.split(" cuts at ")[0] for note in notes] == [
        f'note: policy.cuts[0]: policy "{four}"',
        f'note: policy.cuts[0]: policy "{five}"',
    ]


def test_an_entry_that_runs_the_files_policy_as_a_plain_name_does_is_refused(tmp_path, capsys):
    """``neurosurgeon`` keeps the file's ``objective: latency``: ``neurosurgeon(objective=latency)`` too."""
    from experiment_data import TWO_APPS

    path = tmp_path / "two.yaml"
    path.write_text(TWO_APPS, encoding="utf-8")
    argv = ["compare", path, "--policies", "neurosurgeon,neurosurgeon(objective=latency)", "-n", "1"]
    assert _one_line(capsys, *argv, "--out", tmp_path / "o") == (
        '--policies: "neurosurgeon" and "neurosurgeon(objective=latency)" run the same policy with the same '
        "parameters ({objective: latency}: the scenario's policy's, with the entry's): each policy is "
        "compared once"
    )
    assert not (tmp_path / "o").exists()


# --------------------------------------------------------------------------- the parameters as columns


def test_each_parameter_an_entry_gives_is_a_column_of_every_table_as_a_swept_key(labelled):
    """``policy.tiers``, first, as a sweep over it writes it: the value each run's policy ran with."""
    each = {EDGE: '["edge"]', DEVICE: '["device"]', "least-loaded": None}  # the file's gives none: null
    back = read_results(labelled.path)
    for table in (
        labelled.metrics,
        labelled.nodes,
        labelled.processors,
        labelled.tasks,
        back.metrics,
        back.tasks,
        back.nodes,
    ):
        assert table.columns[0] == "policy.tiers"
        assert _tiers(table) == each


def test_the_summary_carries_each_parameter_column_first_as_the_other_tables(labelled):
    """summary.parquet and summary.csv told two entries of one policy apart by their label only."""
    each = {EDGE: '["edge"]', DEVICE: '["device"]', "least-loaded": None}
    written = pd.read_parquet(labelled.path / "summary.parquet")
    read = pd.read_csv(labelled.path / "summary.csv")  # the null an empty cell
    for table in (labelled.summary, written, read):
        assert list(table.columns[:3]) == ["policy.tiers", "policy", "metric"]
        assert _tiers(table) == each
    pd.testing.assert_frame_equal(written, labelled.summary)


def _tiers(table: pd.DataFrame) -> dict[str, str | None]:
    """Each policy's ``policy.tiers``, None where it is missing."""
    return {
        str(policy): None if pd.isna(tiers) else str(tiers)
        for policy, tiers in zip(table["policy"], table["policy.tiers"], strict=True)
    }


@pytest.fixture(scope="module")
def bucketed(tmp_path_factory):
    """A numeric parameter one entry gives and the other's policy has not."""
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("bucketed")
    path = folder / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return compare(path, [BUCKETED, "least-loaded"], 2, workers=1, out=folder / "out")


BUCKETED = "least-loaded(load_bucket=0.02)"


def test_a_parameter_of_numbers_beside_none_is_numbers_with_nulls_in_every_table(bucketed):
    """It was text ("0.02", "null"): ``--where policy.load_bucket=0.02`` and numeric reads failed."""
    import pyarrow.parquet as pq

    back = read_results(bucketed.path)
    tables = (bucketed.metrics, bucketed.summary, bucketed.nodes, bucketed.processors, bucketed.tasks)
    for table in (*tables, back.metrics, back.tasks, back.nodes):
        assert table.columns[0] == "policy.load_bucket" and table["policy.load_bucket"].dtype == "float64"
        pairs = {str(p): v for p, v in zip(table["policy"], table["policy.load_bucket"], strict=True)}
        assert pairs[BUCKETED] == 0.02 and math.isnan(pairs["least-loaded"])
    for name in ("metrics", "summary", "nodes", "processors", "tasks"):
        stored = pq.read_table(bucketed.path / f"{name}.parquet", columns=["policy.load_bucket"]).column(0)
        assert str(stored.type) == "double" and 0 < stored.null_count < len(stored)  # null, not NaN
    csv = pd.read_csv(bucketed.path / "summary.csv")
    assert csv["policy.load_bucket"].dtype == "float64" and csv["policy.load_bucket"].isna().any()


def test_plot_picks_the_entries_by_a_numeric_parameter_and_by_its_null(bucketed):
    from offloadsim.plots import plot_results

    results = read_results(bucketed.path)
    for given, kept in (("0.02", BUCKETED), ("2e-2", BUCKETED), ("null", "least-loaded")):
        cdf = plot_results(results, "cdf", where={"policy.load_bucket": (given,)})
        assert [t.get_text() for t in cdf.axes[0].get_legend().get_texts()] == [kept]
    bars = plot_results(results, "bars", metric="latency_mean_s", by="policy.load_bucket")
    assert [t.get_text() for t in bars.axes[0].get_xticklabels()] == ["0.02", "–"]


def test_workers_do_not_change_a_comparison_of_numeric_parameters(tiny, bucketed):
    again = compare(tiny, [BUCKETED, "least-loaded"], 2, workers=2)
    pd.testing.assert_frame_equal(again.summary, bucketed.summary)
    pd.testing.assert_frame_equal(again.tasks, bucketed.tasks)


def test_a_comparison_of_names_has_no_parameter_columns(tiny):
    result = compare(tiny, ["least-loaded", "edge"], 1, workers=1)
    for table in (result.metrics, result.nodes, result.processors, result.tasks, result.summary):
        assert not [column for column in table.columns if str(column).startswith("policy.")]


def test_a_plain_name_of_the_files_policy_carries_the_files_parameters(tmp_path):
    from experiment_data import TWO_APPS

    path = tmp_path / "two.yaml"
    path.write_text(TWO_APPS, encoding="utf-8")
    result = compare(path, ["neurosurgeon(objective=energy)", "neurosurgeon", "local"], 1, workers=1)
    assert list(result.metrics["policy.objective"].fillna("<missing>")) == ["energy", "latency", "<missing>"]


def test_plot_picks_and_draws_the_entries_by_a_parameter_as_it_does_a_sweeps_key(labelled):
    from offloadsim.plots import plot_results

    results = read_results(labelled.path)
    cdf = plot_results(results, "cdf", where={"policy.tiers": ("[device]",)})
    assert [t.get_text() for t in cdf.axes[0].get_legend().get_texts()] == [DEVICE]
    bars = plot_results(results, "bars", metric="latency_mean_s", by="policy.tiers")
    assert [t.get_text() for t in bars.axes[0].get_xticklabels()] == ["[edge]", "[device]", "–"]


def test_a_refused_entry_of_the_files_policy_names_the_parameters_it_kept(tmp_path, capsys):
    """``fixed(nodes=..., cuts=...)`` over a file's ``{name: fixed, node: edge}`` runs with both."""
    from experiment_data import TINY

    path = tmp_path / "tiny.yaml"
    path.write_text(
        TINY.replace("policy: least-loaded", "policy: {name: fixed, node: edge}"), encoding="utf-8"
    )
    line = _one_line(
        capsys, "compare", path, "--policies", "fixed(nodes=[$source, edge], cuts=[1])", "-n", "1"
    )
    assert 'got both: node "edge" and nodes [$source, edge]' in line
    assert line.endswith(
        f"({path.name}'s policy is fixed too: its node=edge stays beside the entry's"
        "; give the file another, e.g. local)"
    )


def test_a_one_node_entry_over_a_files_multi_station_plan_is_told_the_fix(tmp_path, capsys):
    """``fixed(node=edge)`` over a file's ``{name: fixed, nodes: [...], cuts: [...]}``: one line, exit 2,
    naming the file and the entry, ending with the fix (another policy in the file)."""
    from experiment_data import TINY

    path = tmp_path / "tiny.yaml"
    plan = "policy: {name: fixed, nodes: [$source, edge], cuts: [1]}"
    path.write_text(TINY.replace("policy: least-loaded", plan), encoding="utf-8")
    line = _one_line(capsys, "compare", path, "--policies", "fixed(node=edge),local", "-n", "1")
    assert line.startswith(f"{path}: --policies fixed(node=edge): ")
    assert 'got both: node "edge" and nodes [$source, edge]' in line
    assert line.endswith(
        "its nodes=[$source, edge], cuts=[1] stays beside the entry's; give the file another, e.g. local)"
    )
    path.write_text(TINY.replace("policy: least-loaded", "policy: local"), encoding="utf-8")
    assert main(["compare", str(path), "--policies", "fixed(node=edge),local", "-n", "1", "--dry-run"]) == 0
