"""A processor nominally offered 100 % or more of its cores is a warning before the run.

A scenario at 182 % offered load (500 cameras at 2 frames/s over 4 edge servers of 137 frames/s
each) validated without a word; only the run said its backlog grew.  Where the policy fixes each
task's node (``local``, ``fixed``, ``edge``, ``cloud``), ``validate`` and ``run`` say the nominal
load: the arrival rates times one task's compute time there; nothing where the policy decides at
run time.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from offloadsim.cli import main

#: An M/M/1 queue: Poisson arrivals at 1 /s, exponential work of mean WORK on a 1 GFLOP/s edge.
MM1 = """\
name: mm1
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 1 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {work: {exponential: WORK}, input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: poisson, rate: 1 /s}
policy: {name: fixed, node: edge}
"""

_SAID = (
    "(nominal: the workload's arrival rates sent there times one task's mean compute time there as "
    "the world prices it, over its cores, with no transfer, failure or dynamics counted); at 100 % or "
    "more its queue grows all run and every latency depends on how long the run is (more servers, a "
    "faster processor or a lower rate) [offered-load]"
)


def _write(tmp_path, text, **changes):
    document = yaml.safe_load(text)
    document.update(changes)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_an_mm1_queue_offered_120_percent_is_said_at_validate_and_85_percent_is_not(tmp_path, capsys):
    # rho = lambda * E[work] / speed = 1 /s x 1.2 GFLOP / 1 GFLOP/s = 1.2
    path = _write(tmp_path, MM1.replace("WORK", "1.2 GFLOP"))
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: warning: {path}: nodes.edge: edge is offered 120 % of its "cpu" (1 core) under '
        f'policy "fixed": 1 tasks/s x 1.2 s a task {_SAID}'
    ]
    path = _write(tmp_path, MM1.replace("WORK", "0.85 GFLOP"))
    assert main(["validate", str(path)]) == 0
    assert "[offered-load]" not in capsys.readouterr().err


#: Two edges of 2 cores at 10 GFLOP/s, each the nearest of its 3 phones (by latency), 1 GFLOP a task.
EDGES = """\
name: edges
duration: 10 s
nodes:
  phone: {count: 6, tier: device, processor: {speed: 1 GFLOP/s}}
  edge: {count: 2, tier: edge, processor: {speed: 10 GFLOP/s, cores: 2}}
links:
  - {between: ["phone-[0-2]", edge-0], bandwidth: 100 Mbps, latency: 2 ms}
  - {between: ["phone-[3-5]", edge-1], bandwidth: 100 Mbps, latency: 2 ms}
  - {between: ["phone-[3-5]", edge-0], bandwidth: 100 Mbps, latency: 9 ms}
applications:
  job: {work: 1 GFLOP, input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: "phone-[0-2]", rate: 8 /s}
  - {app: job, sources: "phone-[3-5]", rate: 7 /s}
policy: edge
"""


def test_edge_sends_each_phone_to_its_nearest_edge_one_warning_a_group(tmp_path, capsys):
    # edge-0: 3 x 8 /s x 0.1 s / 2 cores = 1.2; edge-1: 3 x 7 /s x 0.1 s / 2 = 1.05 (its phones'
    # nearest: 2 ms, not edge-0's 9 ms).  Under local each phone is offered 8 x 1 s: 800 %.
    path = _write(tmp_path, EDGES)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: warning: {path}: nodes.edge: edge-0 is offered 120 % of its "cpu" (2 cores) under '
        f'policy "edge": 24 tasks/s x 100 ms a task; 1 more of its nodes at 105 % {_SAID}'
    ]
    path = _write(tmp_path, EDGES, policy="local")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: warning: {path}: nodes.phone: phone-0 is offered 800 % of its "cpu" (1 core) under '
        f'policy "local": 8 tasks/s x 1 s a task; 5 more of its nodes at 700 % to 800 % {_SAID}'
    ]


@pytest.mark.parametrize(
    "policy", ["least-loaded", "random", {"name": "fixed", "nodes": ["$source", "edge-0"], "cuts": [1]}]
)
def test_a_policy_that_places_at_run_time_or_splits_gets_no_guess(tmp_path, capsys, policy):
    path = _write(tmp_path, EDGES, policy=policy)
    assert main(["validate", str(path)]) == 0
    assert "[offered-load]" not in capsys.readouterr().err


def test_a_bare_speed_is_warned_of_once_by_plain_speeds_and_with_its_unit_its_load_is_said(tmp_path, capsys):
    # speed: 10 is 10 FLOP/s: the edge is offered 1.2e10 %, which plain-speeds already explains.
    text = MM1.replace("WORK", "1.2 GFLOP")
    bare = text.replace(
        "edge: {tier: edge, processor: {speed: 1 GFLOP/s}}",
        "edge: {tier: edge, processors: {gpu: {speed: 10}}}",
    )
    assert bare != text
    assert main(["validate", str(_write(tmp_path, bare))]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].endswith("[plain-speeds]"), err
    assert "nodes.edge.processors.gpu.speed: a bare number" in err[0]
    # Written with its unit, 10 FLOP/s is what its writer meant: its load is said, and nothing else.
    assert main(["validate", str(_write(tmp_path, bare.replace("speed: 10}", "speed: 10 FLOP/s}")))]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and 'edge is offered 1.2e+10 % of its "gpu"' in err[0], err
    assert err[0].endswith("[offered-load]")


#: A phone of two processors, a 1 GFLOP/s CPU and a 10 GFLOP/s GPU, in the order ORDER, run local.
TWO = """\
name: two
duration: 10 s
nodes:
  phone: {tier: device, processors: ORDER}
applications:
  job: {work: 1.2 GFLOP, input: 10 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: poisson, rate: 1 /s}
policy: local
"""

_CPU, _GPU = "cpu: {speed: 1 GFLOP/s}", "gpu: {speed: 10 GFLOP/s}"


@pytest.mark.parametrize(("order", "said"), [((_CPU, _GPU), "120 %"), ((_GPU, _CPU), None)])
def test_local_loads_the_processor_its_run_computes_on_not_the_fastest(tmp_path, capsys, order, said):
    # local's plan names no processor: the engine runs each stage on the node's first one listed.
    # 1 /s x 1.2 GFLOP is 120 % of the CPU, 12 % of the GPU.
    path = tmp_path / "two.yaml"  # as written: yaml.safe_dump would sort the processors
    path.write_text(TWO.replace("ORDER", "{" + ", ".join(order) + "}"), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    loads = [line for line in capsys.readouterr().err.splitlines() if line.endswith("[offered-load]")]
    if said is None:
        assert loads == []
    else:
        assert len(loads) == 1 and f'phone is offered {said} of its "cpu" (1 core)' in loads[0], loads
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    processors = pd.read_parquet(out / "processors.parquet").set_index("processor")
    first = order[0].split(":")[0]
    assert processors.loc[first, "stages_completed"] > 0
    assert processors["stages_completed"].drop(first).eq(0).all()
