import numpy as np
import pytest

from offloadsim.models import get_model
from offloadsim.world.profiles.fusion import (
    NO_FUSION,
    ORT_FUSION,
    LayerConfig,
    Unit,
    distinct_units,
    layout_transitions,
    partition,
    unit_at,
)

CNNS = ["alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "efficientnet_b0", "squeezenet1_1"]


@pytest.mark.parametrize("name", CNNS)
@pytest.mark.parametrize("rules", [NO_FUSION, ORT_FUSION], ids=["none", "ort"])
def test_partition_covers_every_layer_once_head_first(name, rules):
    g = get_model(name)
    units = partition(g, rules)
    assert sorted(p for u in units for p in u) == list(range(len(g)))
    for u in units:
        assert list(u) == sorted(u)
        if len(u) > 1:
            assert g[u[0]].op in rules.heads


def test_ort_fuses_conv_bn_add_relu_and_leaves_silu_alone():
    r18 = get_model("resnet18")
    names = [tuple(r18[p].name for p in u) for u in partition(r18, ORT_FUSION)]
    assert ("conv1", "conv1.bn", "conv1.relu") in names
    assert ("layer1.0.conv2", "layer1.0.conv2.bn", "layer1.0.add", "layer1.0.relu") in names
    eff = get_model("efficientnet_b0")
    assert ("features.0", "features.0.bn") in [
        tuple(eff[p].name for p in u) for u in partition(eff, ORT_FUSION)
    ]


def test_distinct_units_dedupe_by_op_shapes_and_attrs():
    g = get_model("resnet18")
    units = distinct_units([g, g], NO_FUSION)
    assert len({u.key for u in units}) == len(units) < len(g)
    keys = {LayerConfig.from_layer(layer).key for layer in g}
    assert len(units) == len(keys)


def test_unit_features_and_round_trip():
    g = get_model("resnet18")
    u = unit_at(g, partition(g, ORT_FUSION)[3])  # conv2 + bn + add + relu
    assert u.group == "conv/spatial+act"
    assert u.flops == sum(g[p].flops for p in partition(g, ORT_FUSION)[3])
    assert u.bytes_moved > u.head.input_bytes
    assert Unit.from_dict(u.to_dict()) == u


def test_layout_transitions_only_with_a_blocked_layout():
    g = get_model("efficientnet_b0")
    assert layout_transitions(g, NO_FUSION).sum() == 0
    moved = layout_transitions(g, ORT_FUSION)
    assert moved.shape == (len(g),) and moved.sum() > 0 and np.all(moved >= 0)
