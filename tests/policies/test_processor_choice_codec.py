"""An activation codec is priced at the speeds of the processors a split runs on, as the engine runs it.

The engine encodes a compressed cut on the processor the cut leaves and decodes it on the one it
reaches (``engine/planning.py``, ``codec_cost``).  Worked by hand on a hand-made system: a phone
with a CPU of 0.1 GFLOP/s and an NPU of 10 GFLOP/s, an edge server of 100 GFLOP/s 1 Gbit/s away
(no latency), and a two-layer chain (its 1 KB result's return, 8 us, left out below): a
0.1 GFLOP layer that turns the 40 MB input into a 40 MB fp32 tensor, then 20 GFLOP.  int8 keeps a
quarter of the tensor (10 MB) at 4 FLOP per element to encode and 2 to decode (10 M elements):

* all on the edge: 40 MB up (0.32 s) + 20.1 GFLOP there (0.201 s) = 0.521 s;
* the first layer on the NPU (0.01 s), encoded there (40 MFLOP: 0.004 s), 10 MB up (0.08 s),
  decoded on the edge (20 MFLOP: 0.0002 s), the rest there (0.2 s) = 0.2942 s: the cheapest;
* the same cut with the encoding priced at the CPU's speed, as before (0.4 s), 0.6902 s: more
  than offloading it all, which that price chose;
* on the CPU the first layer alone takes 1 s; all on the NPU 2.01 s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from offloadsim.policies.costs import CODECS
from offloadsim.policies.split import MultiTierPolicy, NeurosurgeonPolicy
from offloadsim.policies.splitting import CutCodec

SPEEDS = {("phone-0", None): 0.1e9, ("phone-0", "npu"): 10e9, ("edge-0", None): 100e9}
NODES = {"phone-0": ("device", 0.1e9), "edge-0": ("edge", 100e9)}
LINKS = [("phone-0", "edge-0", 0.0, 1e9)]


def _view(make_view):
    @dataclass
    class TwoProcessorPhone(make_view):
        codec_asked: tuple = ()

        def processors(self, node):
            return ("cpu", "npu") if node == "phone-0" else ("cpu",)

        def compute_time_s(self, task, node, start=0, stop=None, app=None, processor=None):
            speed = SPEEDS[(node, None if processor == "cpu" else processor)]
            return sum(task.flops[start : task.layers if stop is None else stop]) / speed

        def expected_wait_s(self, node, processor=None):
            return 0.0

        def cut_codec(self, app, nodes, processors=None):
            named = processors or (None,) * len(nodes)
            self.codec_asked += (tuple(named),)
            speeds = [SPEEDS[(node, p)] for node, p in zip(nodes, named, strict=True)]
            return CutCodec.of(CODECS["int8"], speeds)

    return TwoProcessorPhone(nodes_spec=NODES, links=LINKS)


def test_the_hand_worked_prices():
    """The docstring's seconds, from the codec's own price (``CutCodec``)."""
    npu = CutCodec.of(CODECS["int8"], [10e9, 100e9])
    cpu = CutCodec.of(CODECS["int8"], [0.1e9, 100e9])
    assert npu is not None and cpu is not None
    assert 40e6 * npu.encode_s_per_byte[0] == pytest.approx(0.004)
    assert 40e6 * cpu.encode_s_per_byte[0] == pytest.approx(0.4)
    assert 40e6 * npu.decode_s_per_byte[1] == pytest.approx(0.0002)
    assert 40e6 * npu.size_factor == pytest.approx(10e6)


@pytest.mark.parametrize("policy", [NeurosurgeonPolicy(server="edge-0"), MultiTierPolicy(edge="edge-0")])
def test_the_npus_cut_is_priced_at_the_npus_encoding(make_view, task_factory, policy):
    view = _view(make_view)
    task = replace(task_factory(layers=2, flops=[0.1e9, 20e9]), cut_bytes=(40e6, 40e6, 1e3))
    policy.reset(view)
    plan = policy.decide(task, view)
    assert (plan.nodes, plan.cuts, plan.processors) == (("phone-0", "edge-0"), (1,), ("npu", None))
    assert ("npu", None) in view.codec_asked  # the pair's own speeds were asked for
