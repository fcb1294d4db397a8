"""A run's manifest names the plug-ins it used, with their distribution and its version.

Before, the manifest named a plug-in policy or kind of dynamics but not where its code came
from: two runs with the same scenario hash, seed and offloadsim version could run different
versions of a plug-in and give different records with nothing to tell them apart.  A run of
offloadsim's own policies and kinds records nothing more (its manifest keeps its keys), and a
sweep resumed with the same plug-ins reuses its points but runs again those of an upgraded one.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from toy_distributions import CODE, install_distribution, site_on_path

from offloadsim import api
from offloadsim.experiments import sweep
from offloadsim.policies import registry
from offloadsim.provenance import package_fingerprint, plugin_fingerprint
from offloadsim.world.dynamics import registry as dynamics

TOY_MODULE = '''
"""A toy distribution's plug-ins: a policy and a kind of timed change."""

from dataclasses import dataclass

from offloadsim.policies.basic import EdgePolicy
from offloadsim.world.dynamics import SetNodeUp


@dataclass(eq=False)
class ToyEdge(EdgePolicy):
    """Offload every task to the nearest edge node (the shipped edge policy, from a plug-in)."""


class Blink:
    """``{kind: toy-blink, node: NAME, at: TIME}``: a node down for a tenth of a second."""

    name = "toy-blink"

    def parse(self, entry):
        entry.keys(required=("node", "at"))
        return entry.node("node"), entry.quantity("at", "time")

    def timeline(self, spec, rng):
        node, at = spec
        yield at, SetNodeUp(node, False)
        yield at + 0.1, SetNodeUp(node, True)
'''

ENTRY_POINTS = """
[offloadsim.policies]
toy-edge = toy_manifest_plugins:ToyEdge

[offloadsim.dynamics]
toy-blink = toy_manifest_plugins:Blink
"""

#: The keys of a run's manifest before plug-ins were recorded: a run of built-ins keeps exactly these.
BUILT_IN_KEYS = [
    "format",
    "scenario",
    "scenario_file",
    "scenario_hash",
    "scenario_document",  # scenario.yaml, the document run, written beside it
    "inputs",
    "seed",
    "replication",
    "policy",
    "warmup_s",
    "duration_s",
    "end_s",
    "tasks",
    "offloadsim_version",
    "versions",  # the libraries' versions
    "git",  # the commit, where offloadsim runs from a git checkout (left out below where it does not)
    "engine_build",
    "metrics",  # the registered run metrics, each offloadsim's here (a plug-in's is also in plugins)
    "python_version",
    "platform",
    "host",
    "started_utc",
    "wall_s",
    "command",
    "notes",
    "note_facts",  # the world's notes' kinds and facts (the toy's plain speeds: a note)
    "figure_notes",  # the notes a figure of the run says (the plain-speed one)
    "context_cuts",
    "overrides",  # the --set assignments, as a comparison's manifest lists them
    "skipped_checks",
]


def _forget() -> None:
    registry.clear_policy_cache()
    dynamics.unregister_dynamics("toy-blink")
    dynamics.PLUGINS.forget()
    sys.modules.pop("toy_manifest_plugins", None)
    plugin_fingerprint.cache_clear()  # taken once a process: a new process takes it anew


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Install the toy distribution at a version into a folder on ``sys.path``, as pip would."""
    site = site_on_path(tmp_path, monkeypatch)
    (site / "toy_manifest_plugins.py").write_text(TOY_MODULE)

    def at(version: str) -> None:
        install_distribution(site, "toy_manifest_plugins", None, textwrap.dedent(ENTRY_POINTS), version)
        _forget()

    _forget()
    yield at
    _forget()


def _scenario(tmp_path, tiny_scenario_text, extra: str = ""):
    path = tmp_path / "toy.yaml"
    path.write_text(tiny_scenario_text + extra)
    return path


def test_a_plugin_from_an_entry_point_is_in_the_manifest_with_its_distribution_and_version(
    install, tmp_path, tiny_scenario_text
):
    install("1.2.3")
    path = _scenario(tmp_path, tiny_scenario_text, "dynamics: [{kind: toy-blink, node: edge, at: 1 s}]\n")
    manifest = api.run(path, policy="toy-edge").manifest
    code = package_fingerprint(tmp_path / "site" / "toy_manifest_plugins.py")  # the module is the package
    toy = {"distribution": "toy-manifest-plugins", "version": "1.2.3", "code": code}
    assert manifest["plugins"] == [
        {"group": "offloadsim.policies", "name": "toy-edge", **toy},
        {"group": "offloadsim.dynamics", "name": "toy-blink", **toy},
    ]
    # A built-in policy with the plug-in kind: only the kind is a plug-in.
    assert api.run(path).manifest["plugins"] == [{"group": "offloadsim.dynamics", "name": "toy-blink", **toy}]


def test_a_run_of_built_ins_only_has_the_manifest_it_always_had(install, tmp_path, tiny_scenario_text):
    install("1.2.3")  # installed, but not used
    path = _scenario(
        tmp_path,
        tiny_scenario_text,
        "dynamics: [{kind: node-schedule, node: edge, steps: [{at: 1 s, up: false}]}]\n",
    )
    keys = list(api.run(path).manifest)
    assert keys == [key for key in BUILT_IN_KEYS if key != "git" or "git" in keys]


def test_a_policy_registered_in_this_process_has_no_distribution_and_says_its_module(tiny_scenario):
    from offloadsim.policies.basic import EdgePolicy

    class Here(EdgePolicy):
        """The shipped edge policy, registered by this test."""

    registry.register_policy("here-edge")(Here)
    try:
        manifest = api.run(tiny_scenario, policy="here-edge").manifest
    finally:
        registry.unregister_policy("here-edge")
    assert manifest["plugins"] == [
        {
            "group": "offloadsim.policies",
            "name": "here-edge",
            "distribution": None,
            "module": __name__,
            "code": package_fingerprint(Path(__file__)),
        }
    ]


SWEEP = """
base: toy.yaml
grid:
  links[0].bandwidth: [5 Mbps, 50 Mbps]
policies: [edge, toy-edge]
"""


def _sweep_of_toy_1_0(install, tmp_path, tiny_scenario_text):
    """The toy installed at 1.0 and SWEEP over it: a function running that sweep, resumed, in ``out``."""
    install("1.0")
    _scenario(tmp_path, tiny_scenario_text)
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SWEEP)
    return lambda: sweep(spec, out=tmp_path / "out", workers=1)


def test_a_resumed_sweep_reuses_its_points_unless_a_plugin_they_used_was_upgraded(
    install, tmp_path, tiny_scenario_text
):
    resume = _sweep_of_toy_1_0(install, tmp_path, tiny_scenario_text)
    first = resume()
    assert (first.ran, first.reused) == (4, 0)
    toy = {"group": "offloadsim.policies", "name": "toy-edge", "distribution": "toy-manifest-plugins"}
    assert first.manifest["plugins"] == [{**toy, "version": "1.0", "code": CODE}]
    again = resume()
    assert (again.ran, again.reused) == (0, 4)  # nothing changed: every point is reused
    install("1.1")
    upgraded = resume()
    # The edge points never used the plug-in and are reused; the toy-edge ones run on the new version.
    assert (upgraded.ran, upgraded.reused) == (2, 2)
    assert upgraded.manifest["plugins"] == [{**toy, "version": "1.1", "code": CODE}]


def test_a_plugin_edited_without_a_new_version_runs_its_sweep_points_again(
    install, tmp_path, tiny_scenario_text
):
    """An editable install keeps its version while its code changes: the sweep reused every point the
    old code made, and its manifest named the same version and nothing else, so its numbers could
    not be told from the new code's."""
    resume = _sweep_of_toy_1_0(install, tmp_path, tiny_scenario_text)
    first = resume()
    module = tmp_path / "site" / "toy_manifest_plugins.py"
    module.write_text(module.read_text() + "\n# an edit: the same version, other code\n")
    _forget()
    edited = resume()
    # The edge points never used the plug-in and are reused; the toy-edge ones run on the edited code.
    assert (edited.ran, edited.reused) == (2, 2)
    (before,), (after,) = first.manifest["plugins"], edited.manifest["plugins"]
    assert before["version"] == after["version"] == "1.0"
    assert before["code"] != after["code"] == package_fingerprint(module)
