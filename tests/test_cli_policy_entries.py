"""run and validate --policy take a compare entry, ``NAME(KEY=VALUE, ...)``, read by compare's reader.

``--policy 'neurosurgeon(objective=energy)'`` was one line, 'unknown policy
"neurosurgeon(objective=energy)"': a policy's parameters could be given to ``run`` only as
``--set policy.KEY=VALUE``, and to another policy than the file's only with ``--set policy.name``.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_cli_bad_input import _refused
from test_record_digests import _summary_digests, _table_digests

from offloadsim.cli import main

QUICK = "scenarios/quickstart.yaml"
SHORT = ("--set", "duration=20 s", "--set", "warmup=2 s")


def _one_line(capsys, *argv: object) -> str:
    """The one line (exit 2) the command says, without its ``offloadsim: error: ``."""
    return _refused(capsys, *map(str, argv)).removeprefix("offloadsim: error: ")


def _digests(out) -> dict[str, dict[str, str]]:
    return {
        **{
            name: _table_digests(pd.read_parquet(out / f"{name}.parquet"))
            for name in ("tasks", "nodes", "links")
        },
        "summary": _summary_digests(json.loads((out / "summary.json").read_text(encoding="utf-8"))),
    }


@pytest.mark.parametrize(
    ("entry", "same"),
    [
        ("neurosurgeon(objective=energy)", ["--policy", "neurosurgeon", "--set", "policy.objective=energy"]),
        ("least-loaded(tiers=[edge, cloud])", ["--set", "policy={name: least-loaded, tiers: [edge, cloud]}"]),
    ],
)
def test_an_entry_runs_what_its_set_parameters_run(entry, same, tmp_path, capsys):
    """The same records, digest for digest, as the parameters given by ``--set``."""
    argv = ["run", QUICK, *SHORT, "-q"]
    assert main([*argv, "--policy", entry, "--out", str(tmp_path / "entry")]) == 0
    assert main([*argv, *same, "--out", str(tmp_path / "set")]) == 0
    capsys.readouterr()
    assert _digests(tmp_path / "entry") == _digests(tmp_path / "set")
    manifest = json.loads((tmp_path / "entry" / "manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["policy"]["params"]
        == json.loads((tmp_path / "set" / "manifest.json").read_text(encoding="utf-8"))["policy"]["params"]
    )


def test_an_entrys_parameters_are_in_effect(tmp_path, capsys):
    """Two entries of one policy run each with its own parameters: other placements, other records."""
    argv = ["run", QUICK, *SHORT, "-q"]
    for tiers in ("edge", "cloud"):
        assert (
            main([*argv, "--policy", f"least-loaded(tiers=[{tiers}])", "--out", str(tmp_path / tiers)]) == 0
        )
    capsys.readouterr()
    assert _digests(tmp_path / "edge")["tasks"] != _digests(tmp_path / "cloud")["tasks"]
    manifest = json.loads((tmp_path / "cloud" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["policy"] == {"name": "least-loaded", "params": {"tiers": ["cloud"]}}


@pytest.mark.parametrize("verb", ["run", "validate"])
@pytest.mark.parametrize(
    ("entry", "key", "value"),
    [
        ("neurosurgeon(objective=fast)", "objective", "fast"),
        ("least-loaded(bogus=1)", "bogus", "1"),
        ("least-loaded(load_bucket=-1)", "load_bucket", "-1"),
    ],
)
def test_a_bad_parameter_is_refused_as_the_files_would_be_naming_the_entry(
    verb, entry, key, value, tmp_path, capsys
):
    name = entry.partition("(")[0]
    own = _one_line(capsys, "validate", QUICK, "--set", f"policy={{name: {name}, {key}: {value}}}")
    said = own.removeprefix(f"{QUICK}: ").split(" (set by --set")[0]
    line = _one_line(capsys, verb, QUICK, "--policy", entry, "--out", tmp_path / "o")
    assert line == f"{QUICK}: --policy {entry}: {said}"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("verb", ["run", "validate"])
@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["--policy", "neurosurgeon(objective=energy"],
            '--policy: "neurosurgeon(objective=energy": expected NAME or NAME(KEY=VALUE, ...) '
            '(")" is missing)',
        ),
        (
            ["--policy", "edge(drop)"],
            '--policy: "edge(drop)": expected KEY=VALUE in the parentheses, got "drop"',
        ),
        (
            ["--policy", "neurosurgeon(objective=energy)", "--set", "policy.objective=latency"],
            f"{QUICK}: policy.objective: given twice (--policy neurosurgeon(objective=energy), and latency "
            'set by --set "policy.objective=latency"); give it once',
        ),
        (
            ["--policy", "edge(fallback=drop)", "--set", "policy.objective=energy"],
            "which --policy edge(fallback=drop) replaces, parameters and all: it would be dropped; "
            "to give it to edge, give objective=VALUE in the parentheses of --policy edge(fallback=drop)",
        ),
    ],
)
def test_an_entry_that_cannot_be_run_is_one_line(verb, argv, said, tmp_path, capsys):
    line = _one_line(capsys, verb, QUICK, *argv, "--out", tmp_path / "o")
    assert line.endswith(said), line
    assert not (tmp_path / "o").exists()


def test_commas_inside_an_entrys_brackets_are_its_own(capsys):
    assert main(["validate", QUICK, "--policy", "least-loaded(tiers=[edge, cloud])"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    line = _one_line(capsys, "validate", QUICK, "--policy", "least-loaded(tiers=[edge, cloud]),local")
    assert line.endswith(
        "to run several side by side: offloadsim compare FILE --policies "
        "least-loaded(tiers=[edge, cloud]),local (see 'offloadsim validate --help')"
    )


def test_the_python_api_takes_an_entry_as_the_command_line_does(tmp_path):
    """``offloadsim.run(policy="neurosurgeon(objective=energy)")`` said "unknown policy": the same
    records as ``policy="neurosurgeon", policy_params={...}``; a bad parameter is the entry's RunError,
    and parameters given both ways are refused, not merged."""
    import offloadsim
    from offloadsim.api import RunError

    overrides = ["duration=20 s", "warmup=2 s"]
    entry = offloadsim.run(
        QUICK, policy="neurosurgeon(objective=energy)", overrides=overrides, out=tmp_path / "e"
    )
    given = offloadsim.run(
        QUICK,
        policy="neurosurgeon",
        policy_params={"objective": "energy"},
        overrides=overrides,
        out=tmp_path / "g",
    )
    assert _digests(tmp_path / "e") == _digests(tmp_path / "g")
    assert entry.summary.completed == given.summary.completed > 0
    with pytest.raises(RunError, match=r"policy: .*neurosurgeon\(objective"):
        offloadsim.run(QUICK, policy="neurosurgeon(objective=energy", overrides=overrides)
    with pytest.raises(RunError, match="not both"):
        offloadsim.run(QUICK, policy="neurosurgeon(objective=energy)", policy_params={"objective": "latency"})
    with pytest.raises(Exception, match="objective"):
        offloadsim.run(QUICK, policy="neurosurgeon(objective=power)", overrides=overrides)


def test_a_refused_entry_of_the_files_policy_names_the_parameters_it_kept(tiny_scenario, capsys):
    """``--policy 'fixed(nodes=..., cuts=...)'`` over a file's ``{name: fixed, node: edge}``: both given."""
    text = tiny_scenario.read_text().replace("policy: edge", "policy: {name: fixed, node: edge}")
    tiny_scenario.write_text(text)
    line = _one_line(
        capsys, "run", tiny_scenario, "--policy", "fixed(nodes=[phone, edge], cuts=[1])", "--dry-run"
    )
    assert 'got both: node "edge" and nodes [phone, edge]' in line
    assert line.endswith(
        f"({tiny_scenario.name}'s policy is fixed too: "
        "its node=edge stays beside the entry's; "
        "give the file another, e.g. local)"
    )
