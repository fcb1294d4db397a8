"""A kind of run warning an installed distribution declares as an entry point reaches run and compare.

A toy distribution (a ``*.dist-info`` with ``entry_points.txt``, as pip writes it, in a folder on
``sys.path`` and ``PYTHONPATH``) declares a ``WarningKind`` under ``offloadsim.warning_kinds``; no code
calls ``register``.  Before the group existed a kind registered at run time reached only runs in its
own process (no compare or sweep worker), and a job summarised without it kept its key.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from toy_distributions import CODE, install_distribution, site_on_path

from offloadsim import plugins
from offloadsim.analysis import warning_list
from offloadsim.analysis.warning_registry import registered, unregister

TOY_WARNINGS = '''
"""A toy distribution's kind of run warning: how many nodes the run had."""

from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_registry import WarningKind


def _detect(inputs):
    names = [str(name) for name in inputs.nodes["node"]]
    return [(f"toy nodes: {len(names)} nodes ran", WarningFacts("toy_nodes", node_count=len(names)))]


NODES = WarningKind(name="toy_nodes", detect=_detect, legend="a toy kind", opening="toy nodes")


def _raises(inputs):
    return inputs.nodes["final_nod"]


def _text(inputs):
    return ["a text without its facts"]


def _not_me(inputs):
    return [("t", WarningFacts("not_me"))]


RAISES = WarningKind(name="toy_raise", detect=_raises, legend="a toy kind that raises")
TEXT = WarningKind(name="toy_text", detect=_text, legend="a toy kind of another shape")
NOT_ME = WarningKind(name="toy_not_me", detect=_not_me, legend="a toy kind naming another in its facts")
'''


def _forget() -> None:
    for name in ("toy_nodes", "toy_raise", "toy_text", "toy_not_me"):
        if any(kind.name == name for kind in registered()):
            unregister(name)
    warning_list.PLUGINS.forget()
    sys.modules.pop("toy_warnings", None)


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Install a distribution of warning kinds into a folder on sys.path (worker processes see it too)."""
    site = site_on_path(tmp_path, monkeypatch)

    def install(entry_points: str) -> None:
        install_distribution(site, "toy_warnings", TOY_WARNINGS, textwrap.dedent(entry_points))

    _forget()
    yield install
    _forget()


def test_an_entry_point_warning_kind_reaches_run_compare_workers_and_job_keys(
    install, tiny_scenario, tmp_path
):
    from offloadsim import api
    from offloadsim.cli import main
    from offloadsim.experiments import compare
    from offloadsim.experiments.jobs import job_key, job_plugins

    scenario = api.load(tiny_scenario)
    key_before = job_key(scenario.document, 0, "local", plugins=job_plugins(scenario, "local"))
    install("[offloadsim.warning_kinds]\ntoy_nodes = toy_warnings:NODES\n")
    warning_list.PLUGINS.forget()  # read again, as a process started after the install would
    assert "offloadsim.warning_kinds" in plugins.GROUPS
    assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "run")]) == 0
    document = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert "toy nodes: 2 nodes ran" in document["warnings"]  # a phone and an edge
    toy = {"group": "offloadsim.warning_kinds", "name": "toy_nodes", "distribution": "toy-warnings"}
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["plugins"] == [{**toy, "version": "0.1", "code": CODE}]

    # Two fresh worker processes: they see no registration made here, only the entry point.
    result = compare(tiny_scenario, ["local", "edge"], replications=2, workers=2)
    said = [row["warning"] for row in result.manifest["run_warnings"]]
    assert said.count("toy nodes: 2 nodes ran") == 4, result.manifest["run_warnings"]
    assert result.manifest["plugins"] == [{**toy, "version": "0.1", "code": CODE}]
    # A job summarised without the kind lacks its warnings: its key changes, so a sweep reruns it.
    assert job_key(scenario.document, 0, "local", plugins=job_plugins(scenario, "local")) != key_before


def test_an_entry_point_warning_kind_that_clashes_or_is_misnamed_is_a_warning_and_skipped(
    install, tiny_scenario
):
    import offloadsim

    install("[offloadsim.warning_kinds]\noverloaded = toy_warnings:NODES\nsettling = toy_warnings\n")
    with pytest.warns(plugins.PluginWarning) as caught:
        names = [kind.name for kind in warning_list.registered_kinds()]
    messages = sorted(str(w.message) for w in caught)
    assert messages == [
        "offloadsim: warning kind plug-in 'overloaded' (toy_warnings:NODES) from distribution "
        "toy-warnings 0.1 is ignored: the warning kind it names is called 'toy_nodes', not 'overloaded'",
        "offloadsim: warning kind plug-in 'settling' (toy_warnings) from distribution toy-warnings 0.1 is "
        "ignored: it names a module, not a WarningKind",
    ]
    assert names == [kind.name for kind in warning_list.SHIPPED]
    assert not any(w.startswith("toy") for w in offloadsim.run(tiny_scenario).summary.warnings)


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        (
            "toy_raise = toy_warnings:RAISES",
            "raised KeyError in detect() while the run was summarised: 'final_nod'",
        ),
        (
            "toy_text = toy_warnings:TEXT",
            'returned "a text without its facts" among its warnings from detect(); expected a list',
        ),
        (  # said "returned a list among its warnings": neither the kind named nor what was wrong
            "toy_not_me = toy_warnings:NOT_ME",
            "returned a warning whose facts' kind is 'not_me', not this kind's name, from detect(); "
            "expected a list of (text, WarningFacts) pairs whose facts' kind is 'toy_not_me'",
        ),
    ],
)
def test_a_plugin_warning_kind_that_raises_or_returns_junk_is_one_line_exit_2(
    install, tiny_scenario, tmp_path, capsys, entry, said
):
    from offloadsim.cli import main

    install(f"[offloadsim.warning_kinds]\n{entry}\n")
    assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    name = entry.split(" =")[0]
    assert len(err.splitlines()) == 1 and f'warning kind "{name}" (toy_warnings._' in err and said in err, err
    assert not (tmp_path / "run").exists()  # no half-written result
