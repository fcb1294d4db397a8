"""A breakdown an installed distribution declares as an entry point: in the manifest and the job keys.

A toy distribution declares a ``Breakdown`` per task source under ``offloadsim.breakdowns``.  Its
numbers are in every run's summary and every sweep job's file, so, as a plug-in run metric's, it is
in the manifest's ``plugins`` with its code's fingerprint, and a job summarised without it (or with
other code of it) has another key: a resumed sweep runs it again.  One named as a record table or
another file of a results directory is refused, naming the plug-in.
"""

from __future__ import annotations

import json
import sys

import pytest
from toy_distributions import CODE, install_distribution, site_on_path

from offloadsim import plugins
from offloadsim.analysis import breakdown_list
from offloadsim.analysis.breakdown_registry import Breakdown, register, registered, unregister

TOY_BREAKDOWNS = '''
"""A toy distribution's breakdowns of a run's task numbers."""

from offloadsim.analysis.breakdown_registry import Breakdown

SOURCES = Breakdown(name="toy_sources", column="source", what=("source", "sources"))
NODES = Breakdown(name="nodes", column="source", what=("source", "sources"))
GROUPS = Breakdown(name="groups", column="source", what=("source", "sources"))
'''


def _forget() -> None:
    for name in ("toy_sources", "nodes", "groups"):
        if any(breakdown.name == name for breakdown in registered()):
            unregister(name)
    breakdown_list.PLUGINS.forget()
    sys.modules.pop("toy_breakdowns", None)


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Install a distribution of breakdowns into a folder on sys.path (worker processes see it too)."""
    site = site_on_path(tmp_path, monkeypatch)

    def install(entry_points: str) -> None:
        install_distribution(site, "toy_breakdowns", TOY_BREAKDOWNS, entry_points)

    _forget()
    yield install
    _forget()


def test_an_entry_point_breakdown_is_in_the_manifest_and_the_job_keys(install, tiny_scenario, tmp_path):
    from offloadsim import api
    from offloadsim.cli import main
    from offloadsim.experiments import compare
    from offloadsim.experiments.jobs import job_key, job_plugins

    scenario = api.load(tiny_scenario)
    key_before = job_key(scenario.document, 0, "local", plugins=job_plugins(scenario, "local"))
    install("[offloadsim.breakdowns]\ntoy_sources = toy_breakdowns:SOURCES\n")
    breakdown_list.PLUGINS.forget()  # read again, as a process started after the install would
    toy = {"group": "offloadsim.breakdowns", "name": "toy_sources", "distribution": "toy-breakdowns"}
    assert main(["run", str(tiny_scenario), "--out", str(tmp_path / "run")]) == 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["plugins"] == [{**toy, "version": "0.1", "code": CODE}]
    assert breakdown_list.breakdown_plugins() == [{**toy, "version": "0.1", "code": CODE}]
    result = compare(tiny_scenario, ["local", "edge"], replications=2, workers=2)
    assert result.manifest["plugins"] == [{**toy, "version": "0.1", "code": CODE}]
    # A job summarised without the breakdown lacks its numbers: its key changes, so a sweep reruns it.
    assert job_key(scenario.document, 0, "local", plugins=job_plugins(scenario, "local")) != key_before


def test_a_breakdown_registered_in_a_script_is_in_the_plugins_by_its_module():
    def first(scope):
        return ["phone-1"], 2

    mine = Breakdown(name="toy_sources", column="source", what=("source", "sources"), order=first)
    register(mine)
    try:
        (entry,) = breakdown_list.breakdown_plugins()
    finally:
        unregister(mine.name)
    assert entry == {
        "group": "offloadsim.breakdowns",
        "name": "toy_sources",
        "distribution": None,
        "module": __name__,
        "code": CODE,
    }
    assert breakdown_list.breakdown_plugins() == []  # offloadsim's own: no plugins, the keys as they were


def test_an_entry_point_breakdown_named_as_a_results_file_is_a_warning_and_skipped(install):
    install("[offloadsim.breakdowns]\nnodes = toy_breakdowns:NODES\ngroups = toy_breakdowns:GROUPS\n")
    with pytest.warns(plugins.PluginWarning) as caught:
        names = [breakdown.name for breakdown in breakdown_list.registered_breakdowns()]
    assert names == [breakdown.name for breakdown in breakdown_list.SHIPPED]
    assert sorted(str(w.message) for w in caught) == [
        "offloadsim: breakdown plug-in 'groups' (toy_breakdowns:GROUPS) from distribution toy-breakdowns "
        "0.1 is ignored: breakdown 'groups': its name (its key of summary.json, its file groups.csv) "
        "is taken by a results directory's own files named 'groups' (groups.*); name it otherwise",
        "offloadsim: breakdown plug-in 'nodes' (toy_breakdowns:NODES) from distribution toy-breakdowns "
        "0.1 is ignored: breakdown 'nodes': its name (its key of summary.json, its file nodes.csv) "
        "is taken by the record table 'nodes' (nodes.parquet); name it otherwise",
    ]


@pytest.mark.parametrize(
    ("name", "holder"),
    [
        ("summary", "a results directory's own files named 'summary' (summary.*)"),
        ("tasks", "a results directory's own files named 'tasks' (tasks.*)"),
        ("link_changes", "the record table 'link_changes' (link_changes.parquet)"),
        ("warnings", "a key of summary.json (Summary.warnings)"),
        ("latency_fairness", "the run metric 'latency_fairness' (its key of summary.json)"),
        ("latency_mean_s", "a key of summary.json (Summary.latency_mean_s)"),
    ],
)
def test_a_breakdown_registered_in_a_script_named_as_a_results_file_or_key_is_refused(name, holder):
    def first(scope):
        return (), 2

    with pytest.raises(ValueError) as refused:
        register(Breakdown(name=name, column="source", what=("source", "sources"), order=first))
    assert str(refused.value).startswith(
        f"breakdown {name!r} ({__name__}): its name (its key of summary.json, its file {name}.csv) "
        f"is taken by {holder}"
    )
    assert name not in {breakdown.name for breakdown in registered()}


def test_a_holder_reserved_after_a_breakdown_was_registered_refuses_it_at_once(monkeypatch):
    """A breakdown registered before the summary is imported: refused as the summary reserves its keys."""
    from offloadsim.analysis import breakdown_registry

    monkeypatch.setattr(breakdown_registry, "_HOLDERS", [])
    register(Breakdown(name="toy_sources", column="source", what=("source", "sources")))
    try:
        breakdown_registry.reserve(lambda name: None)  # holds none of its names
        with pytest.raises(ValueError, match=r"^breakdown 'toy_sources': its name .* is taken by a toy key"):
            breakdown_registry.reserve(lambda name: "a toy key" if name == "toy_sources" else None)
    finally:
        unregister("toy_sources")
