"""A zoo model cut in two runnable ONNX parts: the first ``k`` layers (device) and the rest (edge).

The whole model is written once by :func:`offloadsim.models.export_onnx`
(random He-normal weights, fixed seed) and kept in a cache directory; each
cut is extracted from it with ``onnx.utils.Extractor``, so both parts hold
the same weights and the device part followed by the edge part computes
exactly what the whole model computes. The tensors crossing a cut are those
:func:`offloadsim.models.cut_bytes` counts: produced before ``k`` and read
at or after it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offloadsim.models.graph import INPUT, LayerGraph, chain_cut_points
from offloadsim.outdir import atomic_write, write_text
from offloadsim.testbed.errors import TestbedError

__all__ = ["SplitModel", "crossing_tensors", "export_split", "resolve_split"]

_SPLIT_WORDS = ("local", "middle", "offload")


def resolve_split(graph: LayerGraph, split: int | str) -> int:
    """The cut position for ``split``: a layer count, or ``local`` / ``middle`` / ``offload``.

    ``middle`` is the cut nearest half the layers among those where one
    tensor crosses (a block boundary, see :func:`chain_cut_points`).

    >>> from offloadsim.models import get_model
    >>> g = get_model("alexnet")
    >>> resolve_split(g, "offload"), resolve_split(g, "middle"), resolve_split(g, "local") == len(g)
    (0, 10, True)
    """
    n = len(graph)
    if isinstance(split, str) and not split.strip().isdigit():
        word = split.strip().lower()
        if word == "local":
            return n
        if word == "offload":
            return 0
        if word == "middle":
            inner = [k for k in chain_cut_points(graph) if 0 < k < n] or list(range(1, n))
            return min(inner, key=lambda k: (abs(k - n / 2), k))
        raise TestbedError(
            f"split must be a layer count 0..{n} or one of {', '.join(_SPLIT_WORDS)}, got {split!r}"
        )
    k = int(split)
    if not 0 <= k <= n:
        raise TestbedError(f"split {k} is outside 0..{n} for {graph.name} ({n} layers)")
    return k


def crossing_tensors(graph: LayerGraph, k: int) -> list[str]:
    """Producers of the tensors crossing cut ``k`` (layer names, :data:`INPUT` for the model input).

    >>> from offloadsim.models import get_model
    >>> crossing_tensors(get_model("alexnet"), 0), crossing_tensors(get_model("alexnet"), 10)
    (['<input>'], ['relu4'])
    """
    position = {layer.name: i for i, layer in enumerate(graph.layers)}
    position[INPUT] = -1
    crossing: dict[str, None] = {}
    for i, layer in enumerate(graph.layers):
        if i < k:
            continue
        for src in layer.inputs:
            if position[src] < k:
                crossing[src] = None
    for out in graph.outputs:
        if position[out] < k:
            crossing[out] = None
    return sorted(crossing, key=position.__getitem__)


@dataclass(frozen=True, slots=True)
class SplitModel:
    """The two parts of one cut: ONNX files (None where a side runs nothing) and the tensors between them."""

    model: str
    k: int
    layers: int
    device_onnx: Path | None
    edge_onnx: Path | None
    input_name: str
    input_shape: tuple[int, ...]
    crossing: tuple[str, ...]
    output_names: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (paths as strings)."""
        return {
            "model": self.model,
            "k": self.k,
            "layers": self.layers,
            "device_onnx": str(self.device_onnx) if self.device_onnx else None,
            "edge_onnx": str(self.edge_onnx) if self.edge_onnx else None,
            "input_name": self.input_name,
            "input_shape": list(self.input_shape),
            "crossing": list(self.crossing),
            "output_names": list(self.output_names),
        }


def _key(label: str, graph: LayerGraph, seed: int) -> str:
    from offloadsim._version import __version__

    summary = [label, len(graph), graph.flops, graph.params, list(graph.input_shape), seed, __version__]
    summary += [(layer.name, layer.op, list(layer.output_shape)) for layer in graph.layers]
    return hashlib.sha256(json.dumps(summary, default=str).encode()).hexdigest()[:16]


def _atomic_save(model: Any, path: Path) -> None:
    onnx = _require_onnx()
    atomic_write(path, lambda tmp: onnx.save_model(model, os.fspath(tmp)))


def _require_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise TestbedError(
            "the testbed needs the optional dependency: pip install 'offloadsim[onnx]'"
        ) from None
    return onnx


def export_split(label: str, graph: LayerGraph, k: int, cache_dir: Path, *, seed: int = 0) -> SplitModel:
    """The ONNX parts of ``graph`` cut at ``k``, exported once into ``cache_dir`` and reused.

    ``label`` names the model (``resnet18``, ``resnet18@160``). Needs the
    ``onnx`` extra (imported only when something must be written); a model
    the exporter cannot write (transformers) is a TestbedError.
    """
    from offloadsim.models import export_onnx

    n = len(graph)
    key = _key(label, graph, seed)
    cache_dir.mkdir(parents=True, exist_ok=True)
    whole = cache_dir / f"{graph.name}-{key}.onnx"
    about = whole.with_suffix(".json")  # what the parts need to know without reading the model
    if not whole.exists() or not about.exists():
        onnx = _require_onnx()
        names: list[str] = []

        def write(tmp: Path) -> None:
            try:
                export_onnx(graph, tmp, seed=seed)
            except NotImplementedError as exc:
                raise TestbedError(f"{label}: {exc}") from None
            names.append(onnx.load(os.fspath(tmp), load_external_data=False).graph.input[0].name)

        atomic_write(whole, write)
        write_text(json.dumps({"input_name": names[0]}), about)
    input_name = str(json.loads(about.read_text())["input_name"])
    wanted = {"device": k > 0, "edge": k < n}
    paths = {side: cache_dir / f"{graph.name}-{key}-k{k}-{side}.onnx" for side in wanted}
    cross = [input_name if t == INPUT else t for t in crossing_tensors(graph, k)]
    if any(wanted[side] and not paths[side].exists() for side in wanted):
        onnx = _require_onnx()
        from onnx import TensorProto, helper, utils

        proto = onnx.load(os.fspath(whole))
        known = {vi.name for vi in (*proto.graph.input, *proto.graph.output)}
        proto.graph.value_info.extend(  # the extractor needs every cut tensor's type and shape
            helper.make_tensor_value_info(layer.name, TensorProto.FLOAT, list(layer.output_shape))
            for layer in graph.layers
            if layer.name not in known
        )
        extractor = utils.Extractor(proto)
        if wanted["device"] and not paths["device"].exists():
            _atomic_save(extractor.extract_model([input_name], cross), paths["device"])
        if wanted["edge"] and not paths["edge"].exists():
            _atomic_save(extractor.extract_model(cross, list(graph.outputs)), paths["edge"])
    return SplitModel(
        model=label,
        k=k,
        layers=n,
        device_onnx=paths["device"] if wanted["device"] else None,
        edge_onnx=paths["edge"] if wanted["edge"] else None,
        input_name=input_name,
        input_shape=tuple(graph.input_shape),
        crossing=tuple(cross),
        output_names=tuple(graph.outputs),
    )
