"""A server the policy needs, taken down by the warm-up's end and never back: a warning, not silence.

A ``node-schedule`` that takes the only edge node down at 0 s left ``policy:
edge`` nothing to offload to: the run dropped or re-placed every task and
read as that policy's result.  Only a schedule says so before the run: a
node is down while any entry holds it down (a ``failures`` entry's repair, or another schedule's
up step, ends its own outage only), and a plug-in kind is read by what it declares of nodes
(nothing declared: not known, no check).
"""

from __future__ import annotations

import pytest
import yaml

from offloadsim.cli import main
from offloadsim.world.dynamics import (
    LINKS_ONLY,
    NodeChanges,
    NodeStep,
    SetNodeUp,
    register_dynamics,
    unregister_dynamics,
)

DOWN = """\
name: down
duration: 30 s
warmup: 5 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 1 GFLOP/s}}
  edge: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone-*, edge-*], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  job: {work: 2 GFLOP, input: 150 KB, output: 4 KB}
workload:
  - {app: job, sources: phone-*, rate: 1 /s}
policy: edge
"""


def _scenario(tmp_path, dynamics, policy="edge"):
    document = yaml.safe_load(DOWN)
    document["dynamics"] = dynamics
    document["policy"] = policy
    path = tmp_path / "down.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _schedule(node, *steps):
    return {"kind": "node-schedule", "node": node, "steps": [{"at": at, "up": up} for at, up in steps]}


def test_every_server_of_the_tier_down_for_good_is_a_warning_from_validate_and_run(tmp_path, capsys):
    path = _scenario(tmp_path, [_schedule("edge-0", ("0 s", False)), _schedule("edge-1", ("3 s", False))])
    line = (
        f'offloadsim: warning: {path}: dynamics[1].steps[0].at: "edge-0", "edge-1" go down at 3 s, by the '
        "end of the warm-up at 5 s, and nothing brings them back up before the run's end at 35 s: policy "
        '"edge" offloads every task to the nearest edge node, but no node of tier edge with a processor is '
        "up in the measured time [servers-down]"
    )
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q", "--set", "duration=2 s"]) == 0
    assert capsys.readouterr().err.splitlines() == [line.replace("35 s", "7 s")]


def test_a_named_server_down_for_good_is_a_warning_naming_the_set_behind_it(tmp_path, capsys):
    path = _scenario(tmp_path, [_schedule("edge-*", ("10 s", False))], {"name": "fixed", "node": "edge-1"})
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""  # down at 10 s: up for the first 5 s measured
    assert main(["validate", str(path), "--set", "dynamics[0].steps[0].at=0 s"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: warning: {path}: dynamics[0].steps[0].at: "edge-1" goes down at 0 s, by the end of '
        'the warm-up at 5 s, and nothing brings it back up before the run\'s end at 35 s: policy "fixed" '
        "sends tasks there (policy.node): none measured can run there "
        '(set by --set "dynamics[0].steps[0].at=0 s") [servers-down]'
    ]


@pytest.mark.parametrize(
    "dynamics",
    [
        [_schedule("edge-0", ("0 s", False))],  # edge-1 still serves
        [_schedule("edge-*", ("0 s", False), ("20 s", True))],  # back up in the measured time
        [  # the second entry's outage of edge-1 ends before the end; the first's ended at 6 s
            _schedule("edge-*", ("0 s", False), ("6 s", True)),
            _schedule("edge-1", ("1 s", False), ("34 s", True)),
        ],
        [
            _schedule("edge-1", ("0 s", False), ("20 s", True)),
            {"kind": "failures", "nodes": "edge-*", "mtbf": "1 s", "mttr": "1 s"},
        ],
    ],
)
def test_a_server_that_may_serve_in_the_measured_time_is_not_warned_of(tmp_path, capsys, dynamics):
    """Another server of the tier, or the schedule holding it down bringing it back: no warning."""
    path = _scenario(tmp_path, dynamics)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "dynamics",
    [
        [_schedule("edge-*", ("0 s", False)), _schedule("edge-1", ("34 s", True))],
        [
            _schedule("edge-*", ("0 s", False)),
            {"kind": "failures", "nodes": "edge-1", "mtbf": "1 s", "mttr": "1 s"},
        ],
        [
            _schedule("edge-*", ("0 s", False), ("4 s", True), ("4 s", False)),
            _schedule("edge-0", ("4 s", True)),
        ],
    ],
)
def test_another_entry_coming_up_does_not_end_a_schedules_outage(tmp_path, capsys, dynamics):
    """A node is down while any entry holds it down: another entry's up step, or a repair, ends
    that entry's own outage only, so the first entry's outage to the end is still warned of."""
    path = _scenario(tmp_path, dynamics)
    assert main(["validate", str(path)]) == 0
    warning = capsys.readouterr().err
    assert '"edge-0", "edge-1" go down at' in warning
    assert warning.rstrip().endswith("[servers-down]")


def test_multi_tier_warns_of_each_tier_down_for_good(tmp_path, capsys):
    """The cloud down from 0 s dropped out of every multi-tier plan, which split over the edge alone."""
    document = yaml.safe_load(DOWN)
    document["nodes"]["cloud"] = {"tier": "cloud", "processor": {"speed": "1 TFLOP/s"}}
    document["links"].append({"between": ["edge-*", "cloud"], "bandwidth": "1 Gbps"})
    document["dynamics"] = [_schedule("cloud", ("0 s", False))]
    document["policy"] = "multi-tier"
    path = tmp_path / "down.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: warning: {path}: dynamics[0].steps[0].at: "cloud" goes down at 0 s, by the end of the '
        'warm-up at 5 s, and nothing brings it back up before the run\'s end at 35 s: policy "multi-tier" '
        "splits every task over the nearest edge node and the nearest cloud node, but no node of tier "
        "cloud with a processor is up in the measured time [servers-down]"
    ]
    assert main(["validate", str(path), "--policy", "edge"]) == 0  # edge offloads to the edge only
    assert capsys.readouterr().err == ""


def test_the_worlds_reading_of_the_schedules_is_as_its_docstring_says():
    import doctest

    from offloadsim.world.dynamics import outages

    assert doctest.testmod(outages).attempted > 0
    assert doctest.testmod(outages).failed == 0


class _Blink:
    """A plug-in kind (``{kind: blink, node: NAME, at: TIME}``): takes a node down at ``at``, for good.

    ``says``: what it declares of nodes: ``"steps"`` (its one step), ``"links"`` (links only, a
    false claim the check takes at its word) or ``None`` (nothing: the check cannot know).
    """

    name = "blink"

    def __init__(self, says):
        if says == "steps":
            self.node_changes = lambda spec: NodeChanges((NodeStep(spec[1], spec[0], False, "at"),))
        elif says == "links":
            self.node_changes = lambda spec: LINKS_ONLY

    def parse(self, entry):
        entry.keys(required=("node", "at"))
        return entry.node("node"), entry.quantity("at", "time")

    def timeline(self, spec, rng):
        yield spec[1], SetNodeUp(spec[0], False)


@pytest.fixture
def blink(request):
    register_dynamics(_Blink(request.param))
    yield request.param
    unregister_dynamics("blink")


@pytest.mark.parametrize("blink", ["steps", "links", None], indirect=True)
def test_a_plug_in_kind_is_checked_by_what_it_declares_of_nodes(tmp_path, capsys, blink):
    """Its steps are read as node-schedule's; "links only" keeps the check on; nothing turns it off."""
    dynamics = [_schedule("edge-0", ("0 s", False)), {"kind": "blink", "node": "edge-1", "at": "2 s"}]
    path = _scenario(tmp_path, dynamics)
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    if blink is None:
        assert err == ""  # not known what it does to nodes: no warning, right or wrong
    elif blink == "links":  # edge-1 is up by its word: the check holds, and edge-0 alone is down
        assert err == ""
        assert main(["validate", str(path), "--set", "dynamics[0].node=edge-*"]) == 0
        assert "[servers-down]" in capsys.readouterr().err
    else:
        assert err.splitlines() == [
            f'offloadsim: warning: {path}: dynamics[1].at: "edge-0", "edge-1" go down at 2 s, by the end of '
            "the warm-up at 5 s, and nothing brings them back up before the run's end at 35 s: policy "
            '"edge" offloads every task to the nearest edge node, but no node of tier edge with a processor '
            "is up in the measured time [servers-down]"
        ]


@pytest.fixture
def counted():
    """The ``blink`` kind (declaring its step), counting the entries it parses."""
    kind = _Blink("steps")
    parsed = []
    parse = kind.parse
    kind.parse = lambda entry: parsed.append(entry.path) or parse(entry)
    register_dynamics(kind)
    yield parsed
    unregister_dynamics("blink")


def test_a_run_reads_its_dynamics_once_for_the_check_and_the_run(tmp_path, capsys, counted):
    """The check reads the world the run then runs: a long trace's rows are read once, not twice."""
    dynamics = [{"kind": "blink", "node": name, "at": "2 s"} for name in ("edge-0", "edge-1")]
    path = _scenario(tmp_path, dynamics)
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert "go down at 2 s" in capsys.readouterr().err  # the check read them
    assert counted == ["dynamics[0]", "dynamics[1]"]


def test_a_world_that_cannot_be_built_is_refused_by_run_as_before(tmp_path, capsys, counted):
    """Its dynamics are read for the check, and the run builds the world again to say why."""
    path = _scenario(tmp_path, [{"kind": "blink", "node": "edge-1", "at": "2 s"}])
    bad = ["--set", "nodes.edge.processor={profile: no-such-gpu}"]
    assert main(["validate", str(path), *bad]) == 2
    said = capsys.readouterr().err
    assert main(["run", str(path), *bad, "--out", str(tmp_path / "out"), "-q"]) == 2
    assert capsys.readouterr().err == said
    assert 'nodes.edge.processor.profile: unknown profile "no-such-gpu"' in said, said
    assert not (tmp_path / "out").exists()
