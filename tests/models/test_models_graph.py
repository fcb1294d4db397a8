"""Layer-graph arithmetic: cut bytes, cut points, segments, chain view, networkx export."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.models import (
    INPUT,
    OUTPUT,
    Layer,
    LayerGraph,
    as_chain,
    chain_cut_points,
    cut_bytes,
    segments,
    to_networkx,
    valid_cuts,
)


def _layer(name: str, inputs: tuple[str, ...], elems: int, flops: int = 0, params: int = 0) -> Layer:
    """A float32 layer whose output has ``elems`` elements."""
    return Layer(name, "conv", inputs, ((1, 1),) * len(inputs), (1, elems), flops=flops, params=params)


@pytest.fixture
def skip_dag() -> LayerGraph:
    """input(10 floats) -> a(20) -> b(30) -> c = add(a, b)(40 floats) -> d(5): a skip over b.

    Hand count (float32, 4 bytes per element):
      cut 0: input                = 40
      cut 1: a                    = 80
      cut 2: a (skip) + b         = 80 + 120 = 200
      cut 3: c                    = 160
      cut 4: d (model output)     = 20
    """
    return LayerGraph(
        "skip",
        (
            _layer("a", (INPUT,), 20, flops=100, params=7),
            _layer("b", ("a",), 30, flops=200),
            _layer("c", ("a", "b"), 40, flops=40),
            _layer("d", ("c",), 5, flops=10, params=3),
        ),
        input_shape=(1, 10),
    )


def test_cut_bytes_hand_count_on_skip_connection(skip_dag: LayerGraph) -> None:
    assert [cut_bytes(skip_dag, k) for k in range(5)] == [40, 80, 200, 160, 20]


def test_tensor_with_two_later_consumers_counts_once() -> None:
    # a feeds b and c; a cut after a transfers a once, not twice
    g = LayerGraph(
        "fanout",
        (_layer("a", (INPUT,), 8), _layer("b", ("a",), 8), _layer("c", ("a", "b"), 8)),
        input_shape=(1, 8),
    )
    assert cut_bytes(g, 1) == 32
    assert cut_bytes(g, 2) == 64


def test_input_read_by_a_late_layer_crosses_every_earlier_cut() -> None:
    g = LayerGraph(
        "late-input",
        (_layer("a", (INPUT,), 2), _layer("b", ("a",), 2), _layer("c", ("b", INPUT), 2)),
        input_shape=(1, 3),
    )
    assert [cut_bytes(g, k) for k in range(4)] == [12, 12 + 8, 12 + 8, 8]


def test_chain_cut_points_and_valid_cuts(skip_dag: LayerGraph) -> None:
    assert valid_cuts(skip_dag) == [0, 1, 2, 3, 4]
    assert chain_cut_points(skip_dag) == [0, 1, 3, 4]


def test_cut_outside_range_is_an_error(skip_dag: LayerGraph) -> None:
    with pytest.raises(IndexError):
        cut_bytes(skip_dag, 5)


def test_segments(skip_dag: LayerGraph) -> None:
    assert segments(skip_dag, []) == [(0, 4)]
    assert segments(skip_dag, [1, 3]) == [(0, 1), (1, 3), (3, 4)]
    assert segments(skip_dag, [0, 4]) == [(0, 0), (0, 4), (4, 4)]
    with pytest.raises(ValueError, match="sorted"):
        segments(skip_dag, [3, 1])
    with pytest.raises(ValueError):
        segments(skip_dag, [5])


def test_as_chain_arrays(skip_dag: LayerGraph) -> None:
    chain = as_chain(skip_dag)
    assert as_chain(skip_dag) is chain  # cached per graph
    assert len(chain) == 4 and chain.names == ("a", "b", "c", "d")
    assert chain.flops.dtype == np.float64 and chain.flops.tolist() == [100, 200, 40, 10]
    assert chain.param_bytes.tolist() == [28, 0, 0, 12]
    assert chain.cut_bytes.tolist() == [40, 80, 200, 160, 20]
    assert chain.stage_flops(1, 3) == chain.flops[1:3].sum() == 240
    with pytest.raises(ValueError):
        chain.flops[0] = 1.0  # read-only


def test_graph_validation() -> None:
    with pytest.raises(ValueError, match="topological"):
        LayerGraph("bad", (_layer("a", ("b",), 1), _layer("b", (INPUT,), 1)), input_shape=(1,))
    with pytest.raises(ValueError, match="duplicate"):
        LayerGraph("bad", (_layer("a", (INPUT,), 1), _layer("a", ("a",), 1)), input_shape=(1,))
    with pytest.raises(ValueError, match="output"):
        LayerGraph("bad", (_layer("a", (INPUT,), 1),), input_shape=(1,), outputs=("zz",))


def test_to_networkx(skip_dag: LayerGraph) -> None:
    G = to_networkx(skip_dag)
    assert set(G.nodes) == {INPUT, "a", "b", "c", "d", OUTPUT}
    assert set(G.edges) == {(INPUT, "a"), ("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("d", OUTPUT)}
    assert G.edges["a", "c"]["bytes"] == 80
    assert G.nodes["b"]["flops"] == 200


@st.composite
def random_dags(draw: st.DrawFn) -> LayerGraph:
    n = draw(st.integers(1, 12))
    layers = []
    for i in range(n):
        sources = [INPUT] + [f"l{j}" for j in range(i)]
        picked = draw(st.lists(st.sampled_from(sources), min_size=1, max_size=3, unique=True))
        layers.append(_layer(f"l{i}", tuple(picked), draw(st.integers(1, 50))))
    return LayerGraph("random", tuple(layers), input_shape=(1, draw(st.integers(1, 50))))


@settings(max_examples=60, deadline=None)
@given(random_dags())
def test_cut_bytes_matches_brute_force_definition(g: LayerGraph) -> None:
    n = len(g)
    size = {-1: g.input_bytes, **{i: layer.output_bytes for i, layer in enumerate(g.layers)}}
    consumers: dict[int, set[int]] = {}
    for p, c in g.edges:
        consumers.setdefault(p, set()).add(c)
    for k in range(n + 1):
        expected = sum(size[p] for p, cs in consumers.items() if p < k and any(c >= k for c in cs))
        assert cut_bytes(g, k) == expected
    assert cut_bytes(g, 0) == g.input_bytes
    assert cut_bytes(g, n) == g.output_bytes
