"""Models as layer graphs: the built-in zoo, cut arithmetic and ONNX import/export.

FLOPs convention: a multiply-accumulate is 2 FLOPs (``flops == 2 * macs`` for
convolutions, linear layers and matmuls); element-wise operators cost a few
FLOPs per element (:data:`offloadsim.models.ops.ELEMENTWISE_FLOPS`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from offloadsim.models.graph import (
        INPUT,
        OUTPUT,
        Layer,
        LayerChain,
        LayerGraph,
        as_chain,
        chain_cut_points,
        cut_bytes,
        segments,
        to_networkx,
        valid_cuts,
    )
    from offloadsim.models.onnx_io import OnnxImportError, export_onnx, load_onnx
    from offloadsim.models.ops import Op
    from offloadsim.models.registry import (
        ParameterError,
        UnknownModelError,
        canonical_name,
        get_model,
        layers_table,
        list_models,
        models_table,
        table_notes,
    )
    from offloadsim.models.zoo.llm import (
        LLM_CONFIGS,
        LLMConfig,
        decode_bytes,
        decode_flops,
        decode_weight_bytes,
        kv_cache_bytes_per_token,
        prefill_flops,
        prefill_graph,
    )

__all__ = [
    "INPUT",
    "LLM_CONFIGS",
    "OUTPUT",
    "LLMConfig",
    "Layer",
    "LayerChain",
    "LayerGraph",
    "OnnxImportError",
    "Op",
    "ParameterError",
    "UnknownModelError",
    "as_chain",
    "canonical_name",
    "chain_cut_points",
    "cut_bytes",
    "decode_bytes",
    "decode_flops",
    "decode_weight_bytes",
    "export_onnx",
    "get_model",
    "kv_cache_bytes_per_token",
    "layers_table",
    "list_models",
    "load_onnx",
    "models_table",
    "prefill_flops",
    "prefill_graph",
    "segments",
    "table_notes",
    "to_networkx",
    "valid_cuts",
]

# The submodule each name comes from.  A name is imported when first asked for, so that importing
# one submodule (the layer graph a split policy cuts, the precisions a scenario checks) does not
# import the whole model zoo: a run that uses no model never pays for it at start-up.
_HOME = {
    "INPUT": "graph",
    "LLMConfig": "zoo.llm",
    "LLM_CONFIGS": "zoo.llm",
    "Layer": "graph",
    "LayerChain": "graph",
    "LayerGraph": "graph",
    "OUTPUT": "graph",
    "OnnxImportError": "onnx_io",
    "Op": "ops",
    "ParameterError": "registry",
    "UnknownModelError": "registry",
    "as_chain": "graph",
    "canonical_name": "registry",
    "chain_cut_points": "graph",
    "cut_bytes": "graph",
    "decode_bytes": "zoo.llm",
    "decode_flops": "zoo.llm",
    "decode_weight_bytes": "zoo.llm",
    "export_onnx": "onnx_io",
    "get_model": "registry",
    "kv_cache_bytes_per_token": "zoo.llm",
    "layers_table": "registry",
    "list_models": "registry",
    "load_onnx": "onnx_io",
    "models_table": "registry",
    "prefill_flops": "zoo.llm",
    "prefill_graph": "zoo.llm",
    "segments": "graph",
    "table_notes": "registry",
    "to_networkx": "graph",
    "valid_cuts": "graph",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
