"""The built-in model zoo: each architecture computed layer by layer from its definition."""

from offloadsim.models.zoo.alexnet import alexnet
from offloadsim.models.zoo.bert import bert_base
from offloadsim.models.zoo.efficientnet import efficientnet_b0
from offloadsim.models.zoo.llm import (
    GPT2,
    LLAMA_3_1_8B,
    LLAMA_3_2_1B,
    LLM_CONFIGS,
    LLMConfig,
    decode_bytes,
    decode_flops,
    decode_weight_bytes,
    kv_cache_bytes_per_token,
    prefill_flops,
    prefill_graph,
)
from offloadsim.models.zoo.mobilenet import mobilenet_v2
from offloadsim.models.zoo.resnet import resnet18, resnet50
from offloadsim.models.zoo.squeezenet import squeezenet1_1
from offloadsim.models.zoo.vgg import vgg16
from offloadsim.models.zoo.vit import vit_b_16

__all__ = [
    "GPT2",
    "LLAMA_3_1_8B",
    "LLAMA_3_2_1B",
    "LLM_CONFIGS",
    "LLMConfig",
    "alexnet",
    "bert_base",
    "decode_bytes",
    "decode_flops",
    "decode_weight_bytes",
    "efficientnet_b0",
    "kv_cache_bytes_per_token",
    "mobilenet_v2",
    "prefill_flops",
    "prefill_graph",
    "resnet18",
    "resnet50",
    "squeezenet1_1",
    "vgg16",
    "vit_b_16",
]
