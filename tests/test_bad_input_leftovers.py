"""Bad input that was accepted: ``--out -``, a run directory whose manifest was edited, ``1_000`` integers.

Each is refused in one line naming where (the option, the file and key), exit 2 from the
command line, and nothing written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from offloadsim.cli import main
from offloadsim.outdir import ResultsError
from offloadsim.records.results import read_run
from offloadsim.records.stored import read_results


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offloadsim: error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("verb", ["run", "compare", "validate"])
def test_out_dash_is_refused_not_made_a_directory_named_dash(
    verb, tiny_scenario, tmp_path, monkeypatch, capsys
):
    """``run --out -`` wrote the run into a directory named ``-`` (read as standard output elsewhere)."""
    monkeypatch.chdir(tmp_path)
    given = ["--policies", "local,edge", "-n", "1"] if verb == "compare" else []
    line = _refused(capsys, verb, tiny_scenario, *given, "--out", "-")
    assert "out: '-' is not a directory" in line and "standard output" in line
    assert not (tmp_path / "-").exists()


def test_out_dash_is_refused_from_python_too(tiny_scenario, tmp_path, monkeypatch):
    import offloadsim

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ResultsError, match="out: '-' is not a directory"):
        offloadsim.run(tiny_scenario, out="-")
    assert not (tmp_path / "-").exists()


@pytest.fixture
def run_dir(tiny_scenario, tmp_path) -> Path:
    assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "run"), "-q"]) == 0
    return tmp_path / "run"


def _edited(run_dir: Path, tmp_path: Path, **keys: object) -> Path:
    copy = tmp_path / "edited"
    shutil.copytree(run_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest.update(keys)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        ({"format": "offloadsim-compare/1"}, "format: says compare, but the directory is a run's"),
        ({"format": "offloadsim-sweep/1"}, "format: says sweep, but the directory is a run's"),
        ({"format": "offloadsim-run/01"}, 'format "offloadsim-run/01": not a results format'),
        ({"tasks": "10"}, 'tasks: expected a whole number, got "10"'),
        ({"tasks": 10.0}, "tasks: expected a whole number, got 10.0"),
        ({"seed": "x"}, 'seed: expected a whole number, got "x"'),
        ({"policy": []}, "policy: expected a mapping with a name"),
    ],
)
def test_read_run_refuses_a_manifest_edited_by_hand(keys, said, run_dir, tmp_path):
    """read_run read these as a run (or said a run relabelled 'compare' was a comparison to read)."""
    edited = _edited(run_dir, tmp_path, **keys)
    with pytest.raises(ResultsError) as caught:
        read_run(edited)
    message = str(caught.value)
    assert message.startswith(f"{edited / 'manifest.json'}: ") and said in message, message


def test_a_run_relabelled_a_sweep_is_not_drawn_as_one(run_dir, tmp_path, capsys):
    """``plot`` drew a run whose manifest was edited to say sweep, exit 0."""
    edited = _edited(run_dir, tmp_path, format="offloadsim-sweep/1")
    line = _refused(capsys, "plot", edited, "--out", tmp_path / "f.png")
    assert f"{edited / 'manifest.json'}: format: says sweep" in line
    assert not list(tmp_path.glob("f.*"))
    with pytest.raises(ResultsError, match="says sweep"):
        read_results(edited)


def test_an_unedited_run_still_reads(run_dir):
    assert len(read_run(run_dir).tasks) == json.loads((run_dir / "manifest.json").read_text())["tasks"]
    assert read_results(run_dir).kind == "run"


@pytest.mark.parametrize("text", ["1_000", "010", "0_1", "+07"])
def test_integer_options_refuse_what_a_scenario_refuses(text, tiny_scenario, tmp_path, capsys):
    """``--seed 1_000`` was 1000 and ``--seed 010`` 10, where ``seed: 010`` in YAML was octal 8."""
    out = tmp_path / "out"
    line = _refused(capsys, "run", tiny_scenario, "--seed", text, "--out", out)
    assert "--seed" in line and "plain decimal digits" in line and f'"{text}"' in line
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("seed: 1_000", "seed"),
        ("seed: 010", "seed"),
        ("seed: 0b11", "seed"),
        ("seed: 1:30", "seed"),
        ("duration: 1_0.5", "duration"),
    ],
)
def test_integers_yaml_1_1_reads_otherwise_are_refused_at_their_key(
    text, where, tiny_scenario_text, tmp_path, capsys
):
    """PyYAML (YAML 1.1) read ``010`` as 8, ``1:30`` as 90, ``1_000`` as 1000 (``1_000 ms`` is refused)."""
    key = text.split(":")[0]
    lines = [line for line in tiny_scenario_text.splitlines() if not line.startswith(f"{key}:")]
    path = tmp_path / "s.yaml"
    path.write_text("\n".join([*lines, text]) + "\n")
    line = _refused(capsys, "validate", path)
    assert f"{path}: {where}: {text.split(': ')[1]} is read otherwise by YAML 1.1" in line, line


@pytest.mark.parametrize("value", ["1_000", "010"])
def test_set_refuses_them_as_the_scenario_does(value, tiny_scenario, capsys):
    line = _refused(capsys, "validate", tiny_scenario, "--set", f"seed={value}")
    assert f'seed: cannot --set "seed={value}"' in line and "is read otherwise by YAML 1.1" in line


def test_plain_integers_still_read(tiny_scenario, tmp_path, capsys):
    assert main(["run", str(tiny_scenario), "--seed", "10", "--out", str(tmp_path / "o"), "-q"]) == 0
    assert main(["validate", str(tiny_scenario), "--set", "seed=0"]) == 0


@pytest.mark.parametrize(
    ("value", "said"), [(float("inf"), "inf"), (-(10**400), "-1000000000")], ids=["inf", "huge-int"]
)
def test_a_plugin_metric_that_returns_an_infinity_is_refused(value, said, tiny_scenario, tmp_path, capsys):
    """summary.json said it as ``Infinity`` (10**400 too), which a strict JSON reader refuses; exit 0."""
    from offloadsim.analysis.metric_display import Metric
    from offloadsim.analysis.metric_registry import SummaryMetric, register, unregister

    register(SummaryMetric("toy_inf", "a toy", {"toy_inf": Metric("toy", "")}, compute=lambda run: value))
    try:
        out = tmp_path / "run"
        line = _refused(capsys, "run", tiny_scenario, "--out", out)
    finally:
        unregister("toy_inf")
    assert (
        'run metric "toy_inf"' in line and f"returned {said}" in line and "expected a finite number" in line
    )
    assert not out.exists()


@pytest.fixture
def sweep_dir(tiny_scenario, tmp_path) -> Path:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        f"name: s\nbase: {tiny_scenario.name}\ngrid:\n  duration: [1 s, 2 s]\n"
        "policies: [local]\nreplications: 1\n"
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "s"), "-q"]) == 0
    return tmp_path / "s"


def test_facet_order_lists_the_values_as_it_takes_them_back(sweep_dir, tmp_path, capsys):
    """Its values were listed as their titles, "1,000 ms, 2,000 ms": given back, the comma split them."""
    line = _refused(
        capsys, "plot", sweep_dir, "--facet", "duration", "--facet-order", "1,2", "--out", tmp_path / "f.png"
    )
    assert line.endswith("'1', '2' not a value of duration (its values: 1 s, 2 s)"), line
    assert (
        main(
            [
                "plot",
                str(sweep_dir),
                "--facet",
                "duration",
                "--facet-order",
                "2 s,1 s",
                "--out",
                str(tmp_path / "f.png"),
            ]
        )
        == 0
    )


@pytest.mark.parametrize(
    ("given", "said"), [("a,a", "name each value once"), ("", "expected comma-separated values like")]
)
def test_facet_order_asks_for_values_not_column_names(given, said, sweep_dir, tmp_path, capsys):
    line = _refused(
        capsys, "plot", sweep_dir, "--facet", "duration", "--facet-order", given, "--out", tmp_path / "f.png"
    )
    assert said in line and "column" not in line, line


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("link_model", 3, "scenario.link_model: expected a link model's name, got int 3"),
        ("base_dir", 3, "scenario.base_dir: expected text"),
        ("recovery", {"retries": 2}, "scenario.recovery: expected a RecoverySpec or None, got dict"),
        ("footprint", None, "scenario.footprint: expected a Footprint, got NoneType"),
        ("skip_checks", "plain-latencies", "scenario.skip_checks: expected a tuple of check names, got str"),
    ],
)
def test_a_hand_built_scenario_s_other_fields_are_checked(field, value, said, tiny_scenario, tmp_path):
    """Each ended in an AttributeError or a TypeError (exit 1), or read a string a letter at a time."""
    import dataclasses

    import offloadsim
    from offloadsim.errors import RunError
    from offloadsim.scenario.loader import load_scenario

    built = dataclasses.replace(load_scenario(tiny_scenario), **{field: value})
    with pytest.raises(RunError) as caught:
        offloadsim.run(built, out=tmp_path / "run")
    assert str(caught.value).startswith(said), caught.value
    assert not (tmp_path / "run").exists()


def test_a_workload_entry_dropped_by_hand_is_refused_not_an_index_error(tiny_scenario_text, tmp_path):
    """``replace(sc, workload=sc.workload[1:])`` kept the entry's index 1: an IndexError in the engine."""
    import dataclasses

    import offloadsim
    from offloadsim.errors import RunError
    from offloadsim.scenario.loader import load_scenario

    path = tmp_path / "two.yaml"
    one = "  - {app: job, sources: phone, rate: 5 /s}\n"
    path.write_text(tiny_scenario_text.replace(one, one + "  - {app: job, sources: phone, rate: 2 /s}\n"))
    scenario = load_scenario(path)
    assert [entry.index for entry in scenario.workload] == [0, 1]
    said = r"scenario\.workload\[0\]\.index: expected 0, its entry's place \(0 to 0\)"
    with pytest.raises(RunError, match=said):
        offloadsim.run(dataclasses.replace(scenario, workload=scenario.workload[1:]), out=tmp_path / "run")
    assert not (tmp_path / "run").exists()
    renumbered = (dataclasses.replace(scenario.workload[1], index=0),)
    offloadsim.run(dataclasses.replace(scenario, workload=renumbered), out=tmp_path / "run")


def test_a_hand_built_node_with_two_processors_of_one_name_is_refused(tiny_scenario, tmp_path):
    """A file's processors are a mapping; a Scenario's more_processors repeating a name ran, its
    processors table holding two rows of one (node, processor)."""
    import dataclasses

    import offloadsim
    from offloadsim.errors import RunError
    from offloadsim.scenario.loader import load_scenario

    scenario = load_scenario(tiny_scenario)
    phone = scenario.nodes[0]
    twice = dataclasses.replace(phone, more_processors=(phone.processor,))
    built = dataclasses.replace(scenario, nodes=(twice, *scenario.nodes[1:]))
    with pytest.raises(
        RunError, match=r'^scenario\.nodes\[0\]\.more_processors\[0\]\.name: "cpu" names processor'
    ):
        offloadsim.run(built, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("adjust", ["bonferroni", "HOLM", 3])
def test_an_unknown_adjustment_is_refused_not_read_as_none(adjust):
    """``format_table(adjust="bonferroni")`` starred each Δ at 5 % of its own, as ``none``, saying nothing."""
    from offloadsim.analysis.multiple_comparisons import held_to_family
    from offloadsim.errors import RunError

    with pytest.raises(RunError, match=r"^adjust: expected one of none, holm, got "):
        held_to_family({"a": 0.01, "b": 0.03, "c": 0.04}, adjust)
    assert held_to_family({"a": 0.01, "b": 0.03, "c": 0.04}, "holm") == {"a"}  # 0.03, 0.06, 0.06
    assert held_to_family({"a": 0.01, "b": 0.03, "c": 0.04}, "none") == {"a", "b", "c"}
