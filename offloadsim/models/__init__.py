"""Models as layer graphs: the built-in zoo, cut arithmetic and ONNX import/export.

FLOPs convention: a multiply-accumulate is 2 FLOPs (``flops == 2 * macs`` for
convolutions, linear layers and matmuls); element-wise operators cost a few
FLOPs per element (:data:`offloadsim.models.ops.ELEMENTWISE_FLOPS`).
"""

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
from offloadsim.models.onnx_io import export_onnx, load_onnx
from offloadsim.models.ops import Op
from offloadsim.models.registry import (
    UnknownModelError,
    canonical_name,
    get_model,
    layers_table,
    list_models,
    models_table,
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
    "Op",
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
    "to_networkx",
    "valid_cuts",
]
