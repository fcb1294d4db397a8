"""A swept key of one of a node's several processors is named with the processor.

``nodes.phone.processors.npu.speed`` was labelled "phone speed", as the phone's one processor's
would be: a sweep zipping the phone NPU's speed with a precision titled its columns "phone speed"
and labelled the line of the phone's CPU "500 GFLOP/s" to "2,000 GFLOP/s" on the energy figure,
as if the CPU had been sped up (HF38's trial).
"""

from __future__ import annotations

import pytest

from offloadsim.analysis.values import axis_label_for, default_label, table_heading


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("nodes.phone.processors.npu.speed", "phone npu speed"),
        ("nodes.edge.processors.gpu.memory_bandwidth", "edge gpu memory bandwidth"),
        ("nodes.edge.processors.cpu.cores", "edge cpu cores"),
        # A node's one processor, and its other keys, read as before.
        ("nodes.phone.processor.speed", "phone speed"),
        ("nodes.phone.power.busy", "phone busy"),
        ("nodes.phone.count", "phone count"),
    ],
)
def test_the_processor_is_named(key, label):
    assert default_label(key) == label


def test_its_axis_and_heading_carry_the_name():
    name = default_label("nodes.phone.processors.npu.speed")
    assert axis_label_for("nodes.phone.processors.npu.speed", "speed", name)[0] == "phone npu speed (GFLOP/s)"
    assert table_heading("nodes.phone.processors.npu.speed", ["2 TFLOP/s"], name) == "phone npu speed"
