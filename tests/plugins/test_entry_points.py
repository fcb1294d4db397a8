"""Plug-ins declared as entry points, as an installed distribution declares them, reach every registry.

A toy distribution is installed into a temporary folder on ``sys.path`` (a
``*.dist-info`` with ``entry_points.txt``, as pip writes it) declaring a link
model, a kind of timed change, a processor model and a kind of work.  Each
registry finds its plug-in on first look-up, a broken one is a warning
naming it, and a ``compare`` on two worker processes, which see only entry
points (not registrations made in this process), runs a scenario using them.
"""

from __future__ import annotations

import os
import sys
import textwrap

import pytest

from offloadsim import plugins
from offloadsim.engine import processor_models, work
from offloadsim.scenario import link_models as links
from offloadsim.scenario.arrivals import base as arrivals
from offloadsim.world.dynamics import registry as dynamics

TOY_MODULE = '''
"""A toy distribution's plug-ins: one of each kind offloadsim reads from entry points."""

from offloadsim.engine.network import FlowNetwork
from offloadsim.engine.processor import Processor
from offloadsim.engine.tasks import Task
from offloadsim.world.dynamics import SetNodeUp


def half_capacity(env, capacity_bps):
    """Max-min sharing of half of every link's capacity (a toy link model)."""
    return FlowNetwork(env, [c / 2.0 for c in capacity_bps])


class Outage:
    """``{kind: toy-outage, node: NAME, at: TIME, for: TIME}``: a node down for a while."""

    name = "toy-outage"

    def parse(self, entry):
        entry.keys(required=("node", "at", "for"))
        return entry.node("node"), entry.quantity("at", "time"), entry.quantity("for", "time", positive=True)

    def timeline(self, spec, rng):
        node, at, length = spec
        yield at, SetNodeUp(node, False)
        yield at + length, SetNodeUp(node, True)


class Turbo(Processor):
    """FIFO cores that take a tenth of the kind's standard time."""

    def pricer(self, kind, world):
        standard = kind.pricer(world, self)
        return lambda task, start, stop: standard(task, start, stop) / 10.0


def turbo(env, model):
    spec = model.spec
    return Turbo(env, model.node, spec.name, model.cores, model.speed_flops, spec.queue_limit)


class FixedSeconds:
    """Every layer takes half a second anywhere; 100 KB cross every cut."""

    name = "toy-fixed"
    fixed_cost = True

    def maker(self, app, source, rng, apps):
        layers = app.layers
        cuts = [100e3] * (layers + 1)

        def make(task_id, now):
            return Task(task_id, app.name, source, now, float("nan"), [0.0] * layers, cuts, None)

        return make

    def pricer(self, world, processor):
        return lambda task, start, stop: 0.5 * (stop - start)

    def start(self, ctx, task, walk):
        walk(task)

    def served_as(self, task, app):
        raise ValueError("serves no other application")
'''

ENTRY_POINTS = """
[offloadsim.link_models]
toy-half = toy_plugins:half_capacity

[offloadsim.dynamics]
toy-outage = toy_plugins:Outage

[offloadsim.processor_models]
toy-turbo = toy_plugins:turbo

[offloadsim.work_kinds]
toy-fixed = toy_plugins:FixedSeconds
"""

GROUPS = (links.PLUGINS, dynamics.PLUGINS, processor_models.PLUGINS, work.PLUGINS)


def _forget_plugins() -> None:
    links.unregister_link_model("toy-half")
    dynamics.unregister_dynamics("toy-outage")
    processor_models.unregister_processor_model("toy-turbo")
    work.unregister_kind("toy-fixed")
    for group in (*GROUPS, arrivals.PLUGINS):
        group.forget()


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Install distributions into tmp_path (as pip would into site-packages), seen by worker processes too."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))

    def install(dist: str, entry_points: str, modules: dict[str, str]) -> None:
        for module, source in modules.items():
            (tmp_path / f"{module}.py").write_text(source)
        info = tmp_path / f"{dist.replace('-', '_')}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
        (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))

    _forget_plugins()
    yield install
    _forget_plugins()
    for module in ("toy_plugins", "broken_plugins"):
        sys.modules.pop(module, None)


def test_every_registry_finds_its_entry_point_plugin(site):
    site("toy-plugins", ENTRY_POINTS, {"toy_plugins": TOY_MODULE})
    assert links.link_model("toy-half").__name__ == "half_capacity"
    assert "toy-outage" in dynamics.dynamics_kinds()
    assert processor_models.get_processor_model("toy-turbo").__name__ == "turbo"
    assert work.get_kind("toy-fixed").name == "toy-fixed"
    assert all(group.loaded for group in GROUPS)
    assert set(plugins.GROUPS) >= {
        "offloadsim.policies",
        "offloadsim.arrivals",
        "offloadsim.record_columns",
        "offloadsim.link_models",
        "offloadsim.dynamics",
        "offloadsim.processor_models",
        "offloadsim.work_kinds",
    }


def test_a_broken_plugin_is_a_warning_naming_it_and_the_others_still_load(site):
    site("toy-plugins", ENTRY_POINTS, {"toy_plugins": TOY_MODULE})
    site(
        "broken-plugins",
        """
        [offloadsim.link_models]
        broken = broken_plugins:model
        max-min = toy_plugins:half_capacity

        [offloadsim.work_kinds]
        misnamed = toy_plugins:FixedSeconds
        """,
        {"broken_plugins": "raise ImportError('needs a GPU library')\n"},
    )
    with pytest.warns(plugins.PluginWarning) as caught:
        names = links.link_model_names()
        kinds = work.kind_names()
    messages = sorted(str(w.message) for w in caught)
    assert messages == [
        "offloadsim: could not load link model plug-in 'broken' (broken_plugins:model) from distribution "
        "broken-plugins 0.1; it is skipped: ImportError: needs a GPU library",
        "offloadsim: kind of work plug-in 'misnamed' (toy_plugins:FixedSeconds) from distribution "
        "broken-plugins 0.1 is ignored: the kind of work it names is called 'toy-fixed', not 'misnamed'",
        "offloadsim: link model plug-in 'max-min' (toy_plugins:half_capacity) from distribution "
        "broken-plugins 0.1 is ignored: a link model named 'max-min' is already registered",
    ]
    assert "toy-half" in names and "broken" not in names
    assert links.link_model("max-min") is None  # the built-in stands
    assert "toy-fixed" in kinds and "misnamed" not in kinds
    links.link_model_names()  # read once per process: no second warning (warnings are errors here)


SCENARIO = """
name: toy-plugins
duration: 20 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s, model: toy-turbo}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, cores: 2}}
links:
  - {between: [phone-*, edge], bandwidth: 8 Mbps, latency: 1 ms}
applications:
  job: {work: 0.1 GFLOP, input: 100 KB, output: 1 KB}
  fixed: {work: 1 GFLOP, kind: toy-fixed}
workload:
  - {app: job, sources: phone-*, arrivals: poisson, rate: 2 /s}
  - {app: fixed, sources: phone-0, arrivals: poisson, rate: 0.5 /s}
network: {model: toy-half}
dynamics: [{kind: toy-outage, node: edge, at: 5 s, for: 2 s}]
"""


def test_worker_processes_see_the_plugins_of_a_scenario(site, tmp_path):
    """Two workers, started fresh, find all four plug-ins of a scenario through entry points alone."""
    from offloadsim.experiments import compare

    site("toy-plugins", ENTRY_POINTS, {"toy_plugins": TOY_MODULE})
    path = tmp_path / "toy.yaml"
    path.write_text(SCENARIO)
    result = compare(path, ["local", "edge"], replications=2, workers=2)
    tasks = result.tasks
    done = tasks[tasks["status"] == "completed"]
    local = done[done["policy"] == "local"]
    # The phones' toy-turbo processor takes a tenth: 0.1 GFLOP at 10 GFLOP/s is 1 ms, toy-fixed's 0.5 s 50 ms.
    assert set(local.loc[local["app"] == "job", "compute_time"].round(12)) == {0.001}
    assert set(local.loc[local["app"] == "fixed", "compute_time"].round(12)) == {0.05}
    on_edge = done[(done["policy"] == "edge") & (done["app"] == "fixed") & (done["transfer_time"] > 0)]
    assert len(on_edge) > 0 and set(on_edge["compute_time"].round(12)) == {0.5}  # toy-fixed on fifo
    edge = tasks[(tasks["policy"] == "edge") & (tasks["app"] == "job")]
    assert (edge["status"] == "failed").any()  # the outage took the edge down mid-run
    moved = edge.loc[(edge["status"] == "completed") & (edge["transfer_time"] > 0), "transfer_time"]
    # 100 KB over half of 8 Mbit/s is 0.2 s, 1 KB back 2 ms, 1 ms each way: the toy model carried them.
    assert len(moved) > 50 and moved.min() == pytest.approx(0.2 + 0.002 + 0.002)
    assert len(result.metrics) == 4


def test_a_broken_plugin_is_said_once_in_one_line_not_again_by_every_worker(
    site, tmp_path, tiny_scenario, capfd
):
    """Before, each worker said it again, in Python's two-line form with a source line.

    A processor-model plug-in is one a ``compare`` of a scenario without one never looks up in its
    own process: only its workers did, so only they said it.
    """
    from offloadsim.cli import main

    site(
        "broken-plugins",
        "[offloadsim.processor_models]\nbroken = broken_plugins:model\n",
        {"broken_plugins": "raise ImportError('needs a GPU library')\n"},
    )
    out = tmp_path / "cmp"
    argv = [
        "compare",
        str(tiny_scenario),
        "--policies",
        "local,edge",
        "-n",
        "2",
        "--workers",
        "2",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    err = capfd.readouterr().err  # the workers' stderr too: they write to the same descriptor
    said = [line for line in err.splitlines() if "broken_plugins" in line or "PluginWarning" in line]
    assert said == [
        "offloadsim: warning: could not load processor model plug-in 'broken' (broken_plugins:model) from "
        "distribution broken-plugins 0.1; it is skipped: ImportError: needs a GPU library"
    ], err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["run", "{tiny}", "--policy", "gpu-policy"],
            '--policy gpu-policy: unknown policy "gpu-policy": the policy',
        ),
        (
            ["validate", "{tiny}", "--set", "policy=gpu-policy"],
            'policy: unknown policy "gpu-policy": the policy',
        ),
        (
            ["validate", "{tiny}", "--set", "dynamics=[{kind: gpu-wave}]"],
            'dynamics[0].kind: unknown kind "gpu-wave": the kind of dynamics',
        ),
        # Before, these four said "unknown link model "gpu-net"; expected one of ..." and the like.
        (
            ["validate", "{tiny}", "--set", "network.model=gpu-net"],
            'network.model: unknown link model "gpu-net": the link model',
        ),
        (
            ["validate", "{tiny}", "--set", "nodes.edge.processor.model=gpu-proc"],
            'nodes.edge.processor.model: unknown processor model "gpu-proc": the processor model',
        ),
        (
            ["validate", "{tiny}", "--set", "applications.job.kind=gpu-work"],
            'applications.job.kind: unknown kind of work "gpu-work": the kind of work',
        ),
        (
            ["validate", "{tiny}", "--set", "workload[0].arrivals=gpu-arr"],
            'workload[0].arrivals: unknown arrival process "gpu-arr": the arrival process',
        ),
    ],
)
def test_a_plugin_that_did_not_load_is_refused_saying_why_not_just_unknown(
    site, tiny_scenario, capsys, args, said
):
    """Before: "unknown policy "gpu-policy"; known policies: ..." as if it were not installed at all."""
    from offloadsim.cli import main
    from offloadsim.policies import registry

    site(
        "gpu-plugins",
        "[offloadsim.policies]\ngpu-policy = gpu_plugins:Policy\n"
        "[offloadsim.dynamics]\ngpu-wave = gpu_plugins:Wave\n"
        "[offloadsim.link_models]\ngpu-net = gpu_plugins:net\n"
        "[offloadsim.processor_models]\ngpu-proc = gpu_plugins:proc\n"
        "[offloadsim.work_kinds]\ngpu-work = gpu_plugins:Work\n"
        "[offloadsim.arrivals]\ngpu-arr = gpu_plugins:Arrivals\n",
        {"gpu_plugins": "raise ImportError('needs a GPU library')\n"},
    )
    registry.clear_policy_cache()
    try:
        assert main([arg.replace("{tiny}", str(tiny_scenario)) for arg in args]) == 2
    finally:
        registry.clear_policy_cache()
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("offloadsim: error:")]
    (error,) = errors
    assert said in error, error
    assert (
        "plug-in 'gpu-" in error
        and "from distribution gpu-plugins 0.1 could not be loaded: ImportError: needs a GPU library" in error
    )


def test_a_scenario_naming_a_skipped_plugin_is_told_why(site, tiny_scenario):
    """A kind of dynamics whose entry is named otherwise than the kind: the reason, not "unknown kind"."""
    from offloadsim.scenario import load_scenario
    from offloadsim.scenario.errors import KeyPathError  # the world's refusal (WorldError)
    from offloadsim.world.build import build_world

    site(
        "misnamed-plugins",
        "[offloadsim.dynamics]\noutage = toy_plugins:Outage\n",
        {"toy_plugins": TOY_MODULE},
    )
    text = tiny_scenario.read_text() + "dynamics: [{kind: outage, node: edge, at: 1 s, for: 1 s}]\n"
    tiny_scenario.write_text(text)
    with pytest.warns(plugins.PluginWarning), pytest.raises(KeyPathError) as caught:
        build_world(load_scenario(tiny_scenario))
    assert str(caught.value).endswith(
        "dynamics[0].kind: unknown kind \"outage\": the kind of dynamics plug-in 'outage' "
        "(toy_plugins:Outage) from distribution misnamed-plugins 0.1 is ignored: the kind of dynamics it "
        "names is called 'toy-outage', not 'outage'"
    ), str(caught.value)


def test_a_scenario_naming_a_misnamed_kind_of_work_is_told_why(site, tiny_scenario, capsys):
    """Before: "unknown kind of work "misnamed"; known: llm, model, synthetic", beside the warning."""
    from offloadsim.cli import main

    site(
        "misnamed-plugins",
        "[offloadsim.work_kinds]\nmisnamed = toy_plugins:FixedSeconds\n",
        {"toy_plugins": TOY_MODULE},
    )
    assert main(["validate", str(tiny_scenario), "--set", "applications.job.kind=misnamed"]) == 2
    (error,) = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith("offloadsim: error:")
    ]
    assert (
        "applications.job.kind: unknown kind of work \"misnamed\": the kind of work plug-in 'misnamed' "
        "(toy_plugins:FixedSeconds) from distribution misnamed-plugins 0.1 is ignored: the kind of work it "
        "names is called 'toy-fixed', not 'misnamed'"
    ) in error, error
